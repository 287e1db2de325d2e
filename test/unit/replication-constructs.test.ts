import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReplicationAlarms } from '../../lib/replication-alarms';
import { ReplicatorRole } from '../../lib/replicator-role';

const sourceArn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/src/0000-aaaa';
const targetArn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/tgt/1111-bbbb';

function statementsOf(
  template: Template,
  roleLogicalIdPrefix: string,
): Array<{ Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(roleLogicalIdPrefix))
    .flatMap(
      ([, p]) =>
        (
          p as {
            Properties: {
              PolicyDocument: { Statement: Array<{ Sid?: string; Action: string | string[]; Resource: unknown }> };
            };
          }
        ).Properties.PolicyDocument.Statement,
    );
}

describe('ReplicatorRole', () => {
  it('is assumable only by MSK Replicator from this account', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    new ReplicatorRole(stack, 'Replicator', { sourceClusterArns: [sourceArn], targetClusterArns: [targetArn] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Principal: { Service: 'kafka.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
        ],
      },
    });
  });

  it('only reads on the source and writes replicated topics and group offsets on the target', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    new ReplicatorRole(stack, 'Replicator', { sourceClusterArns: [sourceArn], targetClusterArns: [targetArn] });
    const statements = statementsOf(Template.fromStack(stack), 'Replicator');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.ReadSourceTopics).toMatchObject({
      Action: [
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:ReadData',
        'kafka-cluster:DescribeTopicDynamicConfiguration',
      ],
      Resource: 'arn:aws:kafka:eu-west-1:111122223333:topic/src/0000-aaaa/*',
    });
    expect(bySid.WriteTargetTopics?.Resource).toBe('arn:aws:kafka:eu-west-1:111122223333:topic/tgt/1111-bbbb/*');
    expect(bySid.CommitTranslatedGroupOffsetsOnTarget?.Resource).toBe(
      'arn:aws:kafka:eu-west-1:111122223333:group/tgt/1111-bbbb/*',
    );
    const sourceWrites = statements.filter(
      (s) =>
        JSON.stringify(s.Resource).includes('topic/src/0000-aaaa/*') && JSON.stringify(s.Action).includes('WriteData'),
    );
    expect(sourceWrites).toEqual([]);
  });

  it('lets a task function manage replicators and pass the role only to MSK', () => {
    const stack = new Stack(new App(), 'S');
    const replicator = new ReplicatorRole(stack, 'Replicator');
    const fnRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    replicator.grantStartReplication(fnRole);
    const statements = statementsOf(Template.fromStack(stack), 'TaskRole');
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'iam:PassRole',
          Condition: { StringEquals: { 'iam:PassedToService': 'kafka.amazonaws.com' } },
        }),
        expect.objectContaining({
          Action: expect.arrayContaining(['kafka:CreateReplicator', 'kafka:ListReplicators', 'kafka:DeleteReplicator']),
        }),
      ]),
    );
  });

  it('is assumable by MSK Connect and may read SCRAM secrets when it serves MirrorMaker 2', () => {
    const stack = new Stack(new App(), 'S');
    new ReplicatorRole(stack, 'Mm2', {
      engine: 'MSK_CONNECT',
      scramSecretArns: ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:automq-AbCdEf'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'kafkaconnect.amazonaws.com' } })],
      },
    });
    expect(statementsOf(template, 'Mm2')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'ReadScramSecrets', Action: 'secretsmanager:GetSecretValue' }),
      ]),
    );
  });

  it('refuses a cluster ARN it cannot derive topic ARNs from', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new ReplicatorRole(stack, 'R', { sourceClusterArns: ['arn:aws:s3:::bucket'] })).toThrow(
      /is not an MSK cluster ARN/,
    );
  });

  it('passes cdk-nag AwsSolutions with its wildcards explained', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new ReplicatorRole(stack, 'Replicator', { sourceClusterArns: [sourceArn], targetClusterArns: [targetArn] });
    expect(new AwsSolutionsChecks(app).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('ReplicationAlarms', () => {
  it('scopes alarm management to the migration alarm-name prefix', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    const alarms = new ReplicationAlarms(stack, 'Alarms');
    const fnRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    alarms.grantManage(fnRole);
    expect(statementsOf(Template.fromStack(stack), 'TaskRole')).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DescribeAlarms',
          'cloudwatch:TagResource',
        ],
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:msk-migration-*'],
          ],
        },
      },
    ]);
  });

  it('lets CloudWatch publish the migration alarms to the notification topic and hands the topic to the functions', () => {
    const stack = new Stack(new App(), 'S');
    const topic = new sns.Topic(stack, 'Topic');
    const alarms = new ReplicationAlarms(stack, 'Alarms', { notificationTopic: topic });
    expect(Object.keys(alarms.environment)).toEqual(['LAG_ALARM_ACTIONS']);
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } })],
      },
    });
  });

  it('gives the evaluation function alarm reads and GetMetricData, the latter explained to cdk-nag', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const alarms = new ReplicationAlarms(stack, 'Alarms');
    const fnRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    alarms.grantRead(fnRole);
    expect(statementsOf(Template.fromStack(stack), 'TaskRole').map((s) => s.Action)).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
    ]);
    expect(new AwsSolutionsChecks(app).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});
