import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { PHASE_CHANGED_DETAIL_TYPE, PHASE_EVENT_SOURCE, TASK_ENV } from '../lambdas/contract';
import { TaskFunction } from './task-function';

export interface SlackNotificationProps {
  /** The channel the messages go to (`C0123456789`). */
  readonly channelId: string;
  /** The Secrets Manager secret holding the bot token (`xoxb-…`, scope `chat:write`). Read at run time, never synthesized. */
  readonly botTokenSecretArn: string;
}

export interface MigrationNotificationsProps {
  /**
   * The orchestrator's state machine: its execution status changes are notified.
   * @default - none yet: call `watch(stateMachine)` once it exists
   */
  readonly stateMachine?: sfn.IStateMachine;
  /**
   * Execution statuses that notify.
   * @default ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']
   */
  readonly executionStatuses?: string[];
  /**
   * E-mail addresses subscribed to the topic (each confirms the subscription once).
   * @default none
   */
  readonly emailSubscribers?: string[];
  /**
   * Post the same notifications to a Slack channel.
   * @default no Slack
   */
  readonly slack?: SlackNotificationProps;
  /**
   * Key of the topic. EventBridge and CloudWatch alarms are allowed to use it (they publish to the topic).
   * @default a new customer managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The bus the tasks put their `MskMigration.PhaseChanged` events on.
   * @default the account's default bus
   */
  readonly eventBus?: events.IEventBus;
}

/** The handler of the Slack notifier (relative to the repository root). */
export const SLACK_NOTIFIER_ENTRY = 'lambdas/notifications/slack-handler.ts';

/**
 * Tells people where a migration stands without opening the console: every execution status change (Step Functions'
 * own EventBridge event) and every phase change the tasks announce (`MskMigration.PhaseChanged`) go to an encrypted
 * SNS topic (e-mail, or any subscriber) and, optionally, a Slack channel through a small notifier function.
 *
 * Wire it: `grantPublishPhaseEvents(fn)` for each task function (adds `PHASE_EVENT_BUS_NAME` and events:PutEvents).
 */
export class MigrationNotifications extends Construct {
  public readonly topic: sns.Topic;
  public readonly encryptionKey: kms.IKey;
  public readonly eventBus: events.IEventBus;
  /** The Slack notifier, when Slack is configured. */
  public readonly slackNotifier?: lambda.Function;
  private readonly executionStatuses: string[];
  private rules?: { readonly executionStatusRule: events.Rule; readonly phaseChangedRule: events.Rule };

  constructor(scope: Construct, id: string, props: MigrationNotificationsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'TopicKey', {
        description: 'Encrypts the MSK migration notification topic',
        enableKeyRotation: true,
      });
    // The services that publish to the topic need the key (SNS server-side encryption with a customer managed key).
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Allow${service.split('.')[0]}ToPublishEncrypted`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    }

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'MSK migration notifications',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    for (const address of props.emailSubscribers ?? [])
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));

    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.executionStatuses = props.executionStatuses ?? ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

    if (props.slack) {
      this.slackNotifier = new TaskFunction(this, 'SlackNotifier', {
        entry: SLACK_NOTIFIER_ENTRY,
        description: 'Posts MSK migration execution and phase changes to Slack',
        timeout: Duration.seconds(15),
        memorySize: 256,
        environment: {
          SLACK_CHANNEL_ID: props.slack.channelId,
          SLACK_BOT_TOKEN_SECRET_ARN: props.slack.botTokenSecretArn,
        },
      });
      // It only reads the bot token (test/iam/approval-functions.test.ts simulates its requests against this role).
      this.slackNotifier.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.slack.botTokenSecretArn],
        }),
      );
    }
    if (props.stateMachine) this.watch(props.stateMachine);
  }

  /** The rules of the watched state machine (set by `watch`, or by the constructor when `stateMachine` is given). */
  public get executionStatusRule(): events.Rule {
    return this.watched('executionStatusRule');
  }

  public get phaseChangedRule(): events.Rule {
    return this.watched('phaseChangedRule');
  }

  /**
   * Notifies the execution status changes and the phase events of `stateMachine`. Separate from the constructor so
   * that the topic can exist before the state machine (the approval function, which the state machine calls, publishes
   * to it). Once per construct.
   */
  public watch(stateMachine: sfn.IStateMachine): void {
    if (this.rules)
      throw new Error(
        `MigrationNotifications ${this.node.path}: already watching a state machine; create one MigrationNotifications per state machine.`,
      );
    const stack = Stack.of(this);
    const stateMachineName = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '';
    const executionArnPrefix = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const executionStatusRule = new events.Rule(this, 'ExecutionStatusRule', {
      description: 'MSK migration: execution status changes of the orchestrator state machine',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        // By the execution's ARN: executions started through the alias or a version keep the state machine's name in
        // it, whatever ARN started them (see MigrationOrchestrator's compensator rule).
        detail: {
          executionArn: events.Match.prefix(executionArnPrefix),
          status: this.executionStatuses,
        },
      },
    });
    const consoleLink = `https://${events.EventField.fromPath('$.region')}.console.aws.amazon.com/states/home?region=${events.EventField.fromPath('$.region')}#/v2/executions/details/${events.EventField.fromPath('$.detail.executionArn')}`;
    executionStatusRule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromMultilineText(
          [
            `Migration ${events.EventField.fromPath('$.detail.name')}: execution ${events.EventField.fromPath('$.detail.status')}.`,
            `Error: ${events.EventField.fromPath('$.detail.error')}`,
            `Console: ${consoleLink}`,
          ].join('\n'),
        ),
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    );

    const phaseChangedRule = new events.Rule(this, 'PhaseChangedRule', {
      description: 'MSK migration: phase changes announced by the task functions of this orchestrator',
      eventBus: this.eventBus,
      eventPattern: {
        source: [PHASE_EVENT_SOURCE],
        detailType: [PHASE_CHANGED_DETAIL_TYPE],
        resources: events.Match.prefix(executionArnPrefix),
      },
    });
    phaseChangedRule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromMultilineText(
          [
            `Migration ${events.EventField.fromPath('$.detail.migrationId')}: ${events.EventField.fromPath('$.detail.phase')} ${events.EventField.fromPath('$.detail.status')}.`,
            `${events.EventField.fromPath('$.detail.summary')}`,
            `Execution: ${events.EventField.fromPath('$.detail.executionId')}`,
          ].join('\n'),
        ),
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    );

    if (this.slackNotifier) {
      for (const rule of [executionStatusRule, phaseChangedRule]) {
        rule.addTarget(
          new targets.LambdaFunction(this.slackNotifier, { retryAttempts: 4, maxEventAge: Duration.hours(1) }),
        );
      }
    }
    this.rules = { executionStatusRule, phaseChangedRule };
  }

  private watched(name: 'executionStatusRule' | 'phaseChangedRule'): events.Rule {
    if (!this.rules)
      throw new Error(
        `MigrationNotifications ${this.node.path}: no state machine watched yet; call watch(stateMachine) first.`,
      );
    return this.rules[name];
  }

  /** Lets a task function announce phase changes: the bus name in its environment, events:PutEvents on the bus. */
  public grantPublishPhaseEvents(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(TASK_ENV.PHASE_EVENT_BUS_NAME, this.eventBus.eventBusName);
    return this.eventBus.grantPutEventsTo(fn);
  }
}
