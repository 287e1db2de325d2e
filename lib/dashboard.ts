import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, MetricName } from '../lambdas/contract';

export interface MigrationDashboardProps {
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The task functions by ASL state name (`Inventory`, `EvaluateCatchUp`, …): their time per state (Step Functions'
   * LambdaFunctionTime) and their errors (Lambda) are graphed per state.
   * @default {}
   */
  readonly taskFunctions?: Readonly<Record<string, lambda.IFunction>>;
  /**
   * The MSK Replicator whose lag and latency are shown first. Replicator names exist only once an execution chose
   * one, so the dashboard has a `ReplicatorName` variable (a drop-down filled from AWS/Kafka) to pick another.
   * @default the first replicator CloudWatch lists
   */
  readonly replicatorName?: string;
  /**
   * Alarms that say whether the target is healthy (its own cluster alarms, the cutover's health alarms).
   * @default none: the target health row shows the tasks' health checks and the target's traffic only
   */
  readonly targetHealthAlarms?: cloudwatch.IAlarm[];
  /**
   * The target MSK cluster's name, for its AWS/Kafka traffic.
   * @default no target traffic graph
   */
  readonly targetClusterName?: string;
  /** @default CloudFormation generates one */
  readonly dashboardName?: string;
  /** @default Duration.days(1) */
  readonly defaultInterval?: Duration;
}

const WIDTH = 24;
const PERIOD = Duration.minutes(5);

/**
 * One page for the people running a migration: executions (started, succeeded, failed, aborted), time per phase,
 * errors per task, replication lag and latency, gate evaluations, approval wait and target health.
 *
 * The migration's own metrics (EMF, namespace `MskMigration`, written by the tasks' observability middleware) are
 * graphed with SEARCH expressions, so a phase or a gate result appears without a dashboard change.
 */
export class MigrationDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MigrationDashboardProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const sm = props.stateMachine;
    const tasks = Object.entries(props.taskFunctions ?? {}).sort(([a], [b]) => a.localeCompare(b));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: props.defaultInterval ?? Duration.days(1),
      variables: [
        new cloudwatch.DashboardVariable({
          id: 'replicator',
          label: 'Replicator',
          type: cloudwatch.VariableType.PROPERTY,
          inputType: cloudwatch.VariableInputType.SELECT,
          value: 'ReplicatorName',
          values: cloudwatch.Values.fromSearchComponents({
            namespace: 'AWS/Kafka',
            dimensions: ['ReplicatorName'],
            metricName: 'MessageLag',
            populateFrom: 'ReplicatorName',
          }),
          defaultValue: props.replicatorName
            ? cloudwatch.DefaultValue.value(props.replicatorName)
            : cloudwatch.DefaultValue.FIRST,
        }),
      ],
    });

    // One series per dimension combination (phase, result, kind), labelled by CloudWatch with its dimension values.
    const search = (metricName: string, statistic: string, label?: string): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', '${statistic}', ${PERIOD.toSeconds()})`,
        usingMetrics: {},
        ...(label ? { label } : {}),
        period: PERIOD,
      });
    const replicatorMetric = (metricName: string, statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap: { ReplicatorName: props.replicatorName ?? 'pick-a-replicator' },
        statistic,
        period: Duration.minutes(1),
        label: metricName,
      });

    const consoleUrl = `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/statemachines/view/${sm.stateMachineArn}`;
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: [
          '# MSK migration',
          `Executions of [the orchestrator](${consoleUrl}). Pick the replicator of the execution you follow in the **Replicator** drop-down above.`,
          "Gate, approval and health figures are the tasks' own metrics (namespace `MskMigration`); the evidence of each gate is in the execution's report.",
        ].join('\n\n'),
        width: WIDTH,
        height: 3,
      }),
    );

    // Executions
    this.dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Executions (time range)',
        metrics: [
          sm.metricStarted({ label: 'Started', statistic: 'Sum' }),
          sm.metricSucceeded({ label: 'Succeeded', statistic: 'Sum' }),
          sm.metricFailed({ label: 'Failed', statistic: 'Sum' }),
          sm.metricAborted({ label: 'Aborted', statistic: 'Sum' }),
          sm.metricTimedOut({ label: 'Timed out', statistic: 'Sum' }),
        ],
        setPeriodToTimeRange: true,
        width: 12,
        height: 4,
      }),
      new cloudwatch.GraphWidget({
        title: 'Execution time',
        left: [sm.metricTime({ label: 'Execution time (max)', statistic: 'Maximum', period: PERIOD })],
        width: 12,
        height: 4,
      }),
    );

    // Phases: time per state and errors per task
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Time per state (Step Functions, LambdaFunctionTime)',
        left: tasks.map(
          ([state, fn]) =>
            new cloudwatch.Metric({
              namespace: 'AWS/States',
              metricName: 'LambdaFunctionTime',
              dimensionsMap: { LambdaFunctionArn: fn.functionArn },
              statistic: 'Average',
              period: PERIOD,
              label: state,
            }),
        ),
        leftYAxis: { label: 'ms', showUnits: false },
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Task duration by phase (MskMigration)',
        left: [search(MetricName.TaskDuration, 'Average')],
        leftYAxis: { label: 'ms', showUnits: false },
        width: 12,
        height: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Errors per task function (Lambda)',
        left: tasks.map(([state, fn]) => fn.metricErrors({ label: state, statistic: 'Sum', period: PERIOD })),
        stacked: true,
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Failed tasks by phase (MskMigration)',
        left: [search(MetricName.TaskFailed, 'Sum')],
        stacked: true,
        width: 12,
        height: 6,
      }),
    );

    // Replication
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Replication lag (MSK Replicator MessageLag, max)',
        left: [replicatorMetric('MessageLag', 'Maximum')],
        right: [search(MetricName.GateLagRecords, 'Maximum', 'Lag measured by the gate')],
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Replication latency and failures',
        left: [replicatorMetric('ReplicationLatency', 'Maximum')],
        right: [
          replicatorMetric('ReplicationFailures', 'Sum'),
          replicatorMetric('ConsumerGroupOffsetSyncFailure', 'Sum'),
        ],
        leftYAxis: { label: 'ms', showUnits: false },
        width: 12,
        height: 6,
      }),
    );

    // Gates and approvals
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Gate evaluations (healthy / unhealthy)',
        left: [search(MetricName.GateEvaluations, 'Sum')],
        stacked: true,
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Approval wait (request to decision)',
        left: [search(MetricName.ApprovalWaitSeconds, 'Maximum')],
        leftYAxis: { label: 's', showUnits: false },
        width: 12,
        height: 6,
      }),
    );

    // Target health
    const healthWidgets: cloudwatch.IWidget[] = [];
    if (props.targetHealthAlarms && props.targetHealthAlarms.length > 0) {
      healthWidgets.push(
        new cloudwatch.AlarmStatusWidget({
          title: 'Target health alarms',
          alarms: props.targetHealthAlarms,
          width: 8,
          height: 6,
        }),
      );
    }
    healthWidgets.push(
      new cloudwatch.GraphWidget({
        title: 'Target health checks (cutover, rollback window)',
        left: [search(MetricName.TargetHealthChecks, 'Sum')],
        stacked: true,
        width: 8,
        height: 6,
      }),
    );
    if (props.targetClusterName) {
      const traffic = (metricName: string): cloudwatch.MathExpression =>
        new cloudwatch.MathExpression({
          expression: `SUM(SEARCH('Namespace="AWS/Kafka" "Cluster Name"="${props.targetClusterName}" MetricName="${metricName}"', 'Average', 60))`,
          usingMetrics: {},
          label: metricName,
          period: Duration.minutes(1),
        });
      healthWidgets.push(
        new cloudwatch.GraphWidget({
          title: `Target traffic (${props.targetClusterName})`,
          left: [traffic('BytesInPerSec'), traffic('BytesOutPerSec')],
          width: 8,
          height: 6,
        }),
      );
    }
    this.dashboard.addWidgets(...healthWidgets);
  }
}
