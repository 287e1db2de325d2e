import * as path from 'node:path';
import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REPO_ROOT, TaskFunction } from './task-function';

export interface MigrationOrchestratorProps {
  /**
   * Removal policy of the evidence bucket. Evidence outlives the stack unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly evidenceRemovalPolicy?: RemovalPolicy;
  /**
   * Retention of the state machine's execution log.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly executionLogRetention?: logs.RetentionDays;
}

/**
 * The MSK migration orchestrator: a Standard Step Functions workflow (one execution = one migration) whose
 * definition is `statemachine/migration.asl.json`, its task functions, and the evidence bucket.
 */
export class MigrationOrchestrator extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly artifactBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MigrationOrchestratorProps = {}) {
    super(scope, id);

    const accessLogs = new s3.Bucket(this, 'EvidenceAccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: props.evidenceRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.artifactBucket = new s3.Bucket(this, 'Evidence', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: props.evidenceRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const validateInput = new TaskFunction(this, 'ValidateInputFn', {
      entry: 'lambdas/tasks/validate-input/handler.ts',
      description: 'ValidateInput: checks the execution input against the migration plan schema',
      timeout: Duration.seconds(30),
    });

    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: props.executionLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(REPO_ROOT, 'statemachine/migration.asl.json')),
      definitionSubstitutions: {
        ValidateInputFunctionArn: validateInput.functionArn,
      },
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    validateInput.grantInvoke(this.stateMachine);
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and friends) support no resource-level permissions.',
    });
    for (const fn of [validateInput]) {
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'grantInvoke also allows the published versions and aliases of this task function (`<arn>:*`), nothing else.',
      });
    }

    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the evidence bucket; logging it to itself would loop.',
    });
  }
}
