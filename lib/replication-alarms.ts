import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARM_NAME_PREFIX } from '../lambdas/contract';
import { nagResourceName } from './replicator-role';

export interface ReplicationAlarmsProps {
  /**
   * Topic the per-execution alarms notify on every state change (ALARM and OK).
   * @default no alarm actions
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * The lag alarms of the replicators, as a design decision: the alarms watch `AWS/Kafka` metrics whose dimension is
 * the replicator's NAME, and that name exists only once an execution has chosen it (one replicator per execution,
 * its name derived from the migration id and the execution name). A construct cannot alarm on a dimension value
 * that does not exist at deploy time, and CloudWatch alarms cannot use SEARCH expressions. So each execution creates
 * its own alarms with PutMetricAlarm in StartReplication, and deletes them in its rollback or finalize.
 *
 * This construct holds what is static: the alarm-name prefix every execution uses, IAM scoped to that prefix, and
 * the notification topic's permission for CloudWatch to publish. Wire it in the orchestrator:
 * - `grantManage(startReplicationFn)`, `grantManage(rollbackFn)`, `grantManage(finalizeFn)` (put/delete/describe);
 * - `grantRead(evaluateCatchUpFn)` (describe alarms, read datapoints);
 * - `environment` merged into those functions' environment (`LAG_ALARM_ACTIONS`).
 */
export class ReplicationAlarms extends Construct {
  /** Every alarm an execution creates starts with this (core/replication/naming.ts). */
  public readonly alarmNamePrefix = ALARM_NAME_PREFIX;
  /** Environment for the functions that put alarms: the notification topic ARN, if any. */
  public readonly environment: Record<string, string>;
  private readonly alarmArnPattern: string;

  constructor(scope: Construct, id: string, props: ReplicationAlarmsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.alarmArnPattern = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${ALARM_NAME_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.environment = props.notificationTopic ? { LAG_ALARM_ACTIONS: props.notificationTopic.topicArn } : {};
    if (props.notificationTopic) {
      props.notificationTopic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MigrationLagAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [props.notificationTopic.topicArn],
          conditions: {
            ArnLike: { 'aws:SourceArn': this.alarmArnPattern },
            StringEquals: { 'aws:SourceAccount': stack.account },
          },
        }),
      );
    }
  }

  /** Put, describe and delete the migration's alarms (StartReplication, rollback, finalize). */
  public grantManage(grantee: iam.IGrantable): iam.Grant {
    this.acknowledgePrefix(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:TagResource',
      ],
      resourceArns: [this.alarmArnPattern],
    });
  }

  private acknowledgePrefix(grantee: iam.IGrantable): void {
    const principal = grantee.grantPrincipal;
    if (!(principal instanceof Construct)) return;
    Validations.of(principal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(this), this.alarmArnPattern)}]`,
      reason: `Alarm names are chosen per execution (the replicator's name is known only at run time); the grant is limited to the ${ALARM_NAME_PREFIX} prefix.`,
    });
  }

  /** Describe and delete the migration's alarms, never create one (rollback, finalize). */
  public grantDelete(grantee: iam.IGrantable): iam.Grant {
    this.acknowledgePrefix(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms'],
      resourceArns: [this.alarmArnPattern],
    });
  }

  /** Describe the migration's alarms and read the datapoints under them (EvaluateCatchUp). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    this.acknowledgePrefix(grantee);
    const describe = iam.Grant.addToPrincipal({
      grantee,
      actions: ['cloudwatch:DescribeAlarms'],
      resourceArns: [this.alarmArnPattern],
    });
    const data = iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:GetMetricData'], resourceArns: ['*'] });
    const principal = grantee.grantPrincipal;
    if (principal instanceof Construct) {
      Validations.of(principal).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'cloudwatch:GetMetricData supports no resource-level permissions.',
      });
    }
    return describe.combine(data);
  }
}
