import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MigrationDashboard, type MigrationDashboardProps } from '../../lib/dashboard';

interface Built {
  stack: Stack;
  template: Template;
  /** The dashboard body with every CloudFormation reference replaced by `<LogicalId>` or `<LogicalId.Attr>`. */
  body: DashboardBody;
  app: App;
  construct: MigrationDashboard;
  stateMachineId: string;
}
interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][]; alarms?: string[] };
}
interface DashboardBody {
  widgets: Widget[];
  variables?: Array<Record<string, unknown>>;
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `<${String(v.Ref)}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(sep);
  }
  return JSON.stringify(v).replace(/"/g, "'");
}

function build(props: Partial<MigrationDashboardProps> = {}): Built {
  const app = new App();
  const stack = new Stack(app, 'DashboardTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Start')),
  });
  const fn = (id: string): lambda.IFunction =>
    lambda.Function.fromFunctionArn(stack, id, `arn:aws:lambda:eu-west-1:123456789012:function:${id}`);
  const construct = new MigrationDashboard(stack, 'Dashboard', {
    stateMachine,
    taskFunctions: { Inventory: fn('inventory-fn'), EvaluateCatchUp: fn('evaluate-fn') },
    ...props,
  });
  const template = Template.fromStack(stack);
  const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
  const resource = Object.values(dashboards)[0] as { Properties: { DashboardBody: unknown } };
  const stateMachineId = stack.getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine);
  return {
    app,
    stack,
    template,
    construct,
    stateMachineId,
    body: JSON.parse(flatten(resource.Properties.DashboardBody)) as DashboardBody,
  };
}

const widget = (body: DashboardBody, title: string): Widget => {
  const found = body.widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}" in ${body.widgets.map((w) => w.properties.title).join(', ')}`);
  return found;
};
const expressions = (body: DashboardBody): string[] =>
  body.widgets.flatMap((w) =>
    (w.properties.metrics ?? [])
      .map((m) => (m[0] as { expression?: string } | undefined)?.expression)
      .filter((e): e is string => typeof e === 'string'),
  );

describe('MigrationDashboard', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ replicatorName: 'msk-migration-orders-exec1' });
  });

  it('creates one dashboard with a Replicator variable filled from the AWS/Kafka replicators', () => {
    built.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(built.body.variables).toEqual([
      expect.objectContaining({
        type: 'property',
        property: 'ReplicatorName',
        inputType: 'select',
        id: 'replicator',
        search: '{AWS/Kafka,ReplicatorName} MetricName="MessageLag"',
        populateFrom: 'ReplicatorName',
        defaultValue: 'msk-migration-orders-exec1',
      }),
    ]);
  });

  it('counts executions started, succeeded, failed, aborted and timed out for the state machine', () => {
    const metrics = widget(built.body, 'Executions (time range)').properties.metrics ?? [];
    expect(metrics.map((m) => m[1])).toEqual([
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsAborted',
      'ExecutionsTimedOut',
    ]);
    for (const m of metrics)
      expect(m.slice(0, 4)).toEqual(['AWS/States', expect.any(String), 'StateMachineArn', `<${built.stateMachineId}>`]);
  });

  it('graphs the time per state and the errors per task function, labelled with the state name', () => {
    const time = widget(built.body, 'Time per state (Step Functions, LambdaFunctionTime)').properties.metrics ?? [];
    expect(time).toEqual([
      [
        'AWS/States',
        'LambdaFunctionTime',
        'LambdaFunctionArn',
        'arn:aws:lambda:eu-west-1:123456789012:function:evaluate-fn',
        expect.objectContaining({ label: 'EvaluateCatchUp' }),
      ],
      [
        'AWS/States',
        'LambdaFunctionTime',
        'LambdaFunctionArn',
        'arn:aws:lambda:eu-west-1:123456789012:function:inventory-fn',
        expect.objectContaining({ label: 'Inventory' }),
      ],
    ]);
    const errors = widget(built.body, 'Errors per task function (Lambda)').properties.metrics ?? [];
    expect(errors.map((m) => [m[0], m[1], m[3]])).toEqual([
      ['AWS/Lambda', 'Errors', 'evaluate-fn'],
      ['AWS/Lambda', 'Errors', 'inventory-fn'],
    ]);
  });

  it('shows MessageLag and ReplicationLatency of the replicator by its ReplicatorName dimension', () => {
    const lag = widget(built.body, 'Replication lag (MSK Replicator MessageLag, max)').properties.metrics ?? [];
    expect(lag[0]?.slice(0, 4)).toEqual(['AWS/Kafka', 'MessageLag', 'ReplicatorName', 'msk-migration-orders-exec1']);
    const latency = widget(built.body, 'Replication latency and failures').properties.metrics ?? [];
    expect(latency.map((m) => m[1])).toEqual([
      'ReplicationLatency',
      'ReplicationFailures',
      'ConsumerGroupOffsetSyncFailure',
    ]);
  });

  it("graphs the tasks' own metrics (gates, approval wait, failures, health) with SEARCH over the MskMigration namespace", () => {
    const searches = expressions(built.body);
    for (const name of [
      'TaskDuration',
      'TaskFailed',
      'GateLagRecords',
      'GateEvaluations',
      'ApprovalWaitSeconds',
      'TargetHealthChecks',
    ]) {
      expect(searches).toContainEqual(
        expect.stringContaining(`SEARCH('Namespace="MskMigration" MetricName="${name}"'`),
      );
    }
  });

  it('adds the target health alarms and the target traffic only when they are given', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'WithTarget');
    const alarm = cloudwatch.Alarm.fromAlarmArn(
      stack,
      'Health',
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:target-offline-partitions',
    );
    const without = built.body.widgets.map((w) => w.properties.title);
    // Act
    const withTarget = build({
      targetHealthAlarms: [alarm],
      targetClusterName: 'orders-serverless',
      defaultInterval: Duration.hours(6),
    }).body;
    // Assess
    expect(without).not.toContain('Target health alarms');
    expect(widget(withTarget, 'Target health alarms').properties.alarms).toEqual([
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:target-offline-partitions',
    ]);
    expect(expressions(withTarget)).toContainEqual(
      expect.stringContaining('"Cluster Name"="orders-serverless" MetricName="BytesInPerSec"'),
    );
  });

  it('passes cdk-nag AwsSolutions without findings', () => {
    const report = new AwsSolutionsChecks(built.app).validateScope(built.construct);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });
});
