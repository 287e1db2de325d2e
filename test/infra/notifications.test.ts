import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MigrationNotifications, type MigrationNotificationsProps } from '../../lib/notifications';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-bot-token-AbCdEf';

function build(props: Partial<MigrationNotificationsProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'NotificationsTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Start')),
  });
  const task = new lambda.Function(stack, 'TaskFn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  const notifications = new MigrationNotifications(stack, 'Notifications', { stateMachine, ...props });
  notifications.grantPublishPhaseEvents(task);
  const stateMachineId = stack.getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine);
  const taskId = stack.getLogicalId(task.node.defaultChild as lambda.CfnFunction);
  return { app, stack, notifications, template: Template.fromStack(stack), stateMachineId, taskId };
}

describe('MigrationNotifications', () => {
  const withSlack = build({
    slack: { channelId: 'C0123456789', botTokenSecretArn: SECRET_ARN },
    emailSubscribers: ['platform-team@example.com'],
  });

  it("routes the state machine's execution status changes to the topic", () => {
    withSlack.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        // Every execution of this state machine by its ARN, started through the alias, a version or the state machine.
        detail: {
          executionArn: [{ prefix: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }],
          status: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      Targets: Match.arrayWith([
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('NotificationsTopic') },
          InputTransformer: Match.objectLike({
            InputPathsMap: Match.objectLike({ 'detail-executionArn': '$.detail.executionArn' }),
          }),
        }),
      ]),
    });
  });

  it("routes the tasks' PhaseChanged events of this state machine's executions to the topic", () => {
    withSlack.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['msk-migration'],
        'detail-type': ['MskMigration.PhaseChanged'],
        resources: [{ prefix: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }],
      },
    });
  });

  it('encrypts the topic with a rotated customer managed key that EventBridge and CloudWatch may use, and refuses plain HTTP', () => {
    withSlack.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    withSlack.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    withSlack.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes the e-mail addresses', () => {
    withSlack.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform-team@example.com',
    });
  });

  it("posts to Slack from a notifier that gets the channel and the secret's ARN, never the token, and may read only that secret", () => {
    withSlack.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Posts MSK migration execution and phase changes to Slack',
      Environment: {
        Variables: Match.objectLike({ SLACK_CHANNEL_ID: 'C0123456789', SLACK_BOT_TOKEN_SECRET_ARN: SECRET_ARN }),
      },
    });
    withSlack.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'secretsmanager:GetSecretValue',
            Resource: SECRET_ARN,
          }),
        ]),
      },
    });
    const rules = withSlack.template.findResources('AWS::Events::Rule');
    for (const rule of Object.values(rules) as Array<{ Properties: { Targets: Array<{ Arn: unknown }> } }>) {
      expect(rule.Properties.Targets).toHaveLength(2);
    }
  });

  it('creates no function when Slack is not configured', () => {
    // Act
    const plain = build();
    // Assess
    plain.template.resourceCountIs('AWS::Lambda::Function', 1); // the test's own task function
    plain.template.resourceCountIs('AWS::Events::Rule', 2);
  });

  it('lets a task function put phase events on the bus it names in PHASE_EVENT_BUS_NAME', () => {
    withSlack.template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: { PHASE_EVENT_BUS_NAME: 'default' } },
    });
    const policies = withSlack.template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('TaskFnServiceRole') }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } })
          .Properties.PolicyDocument.Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('events:PutEvents');
    expect(JSON.stringify(statements[0]?.Resource)).toContain(':event-bus/default');
  });

  it('passes cdk-nag AwsSolutions without unexplained findings', () => {
    const report = new AwsSolutionsChecks(withSlack.app).validateScope(withSlack.notifications);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });
});
