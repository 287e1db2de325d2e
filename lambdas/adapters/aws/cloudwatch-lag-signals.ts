import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  type MetricDataQuery,
  type PutMetricAlarmInput,
} from '@aws-sdk/client-cloudwatch';
import { ReplicationFailedError } from '../../core/errors';
import type {
  AlarmDefinition,
  AlarmStateValue,
  AlarmStatus,
  LagSignals,
  MetricRef,
  MetricSeries,
} from '../../ports/lag-signals';
import { toMigrationError } from './msk-provisioner';

/** CloudWatch limits: 100 alarm names per DescribeAlarms/DeleteAlarms, 500 queries per GetMetricData. */
const NAMES_PER_CALL = 100;
const MAX_PAGES = 20;

export function putMetricAlarmInput(alarm: AlarmDefinition, alarmActions: readonly string[] = []): PutMetricAlarmInput {
  return {
    AlarmName: alarm.alarmName,
    AlarmDescription: alarm.description.slice(0, 1024),
    Namespace: alarm.metric.namespace,
    MetricName: alarm.metric.metricName,
    Dimensions: dimensions(alarm.metric),
    Statistic: alarm.metric.statistic,
    Period: alarm.metric.periodSeconds,
    EvaluationPeriods: alarm.evaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparison,
    TreatMissingData: alarm.treatMissingData,
    ActionsEnabled: alarmActions.length > 0,
    ...(alarmActions.length > 0 ? { AlarmActions: [...alarmActions], OKActions: [...alarmActions] } : {}),
    Tags: Object.entries(alarm.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function dimensions(metric: MetricRef): Array<{ Name: string; Value: string }> {
  return Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Alarm states and datapoints from CloudWatch; alarms put and deleted per execution. */
export class CloudWatchLagSignals implements LagSignals {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    /** SNS topic ARNs notified on state changes (the construct's notifications topic). */
    private readonly alarmActions: readonly string[] = [],
  ) {}

  async putAlarms(alarms: readonly AlarmDefinition[]): Promise<void> {
    for (const alarm of alarms) {
      await this.call(`PutMetricAlarm ${alarm.alarmName}`, () =>
        this.cloudwatch.send(new PutMetricAlarmCommand(putMetricAlarmInput(alarm, this.alarmActions))),
      );
    }
  }

  async deleteAlarms(alarmNames: readonly string[]): Promise<void> {
    for (const names of chunks(alarmNames, NAMES_PER_CALL)) {
      await this.call('DeleteAlarms', () => this.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: names })));
    }
  }

  async describeAlarms(alarmNames: readonly string[]): Promise<AlarmStatus[]> {
    const found = new Map<string, AlarmStatus>();
    for (const names of chunks(alarmNames, NAMES_PER_CALL)) {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await this.call('DescribeAlarms', () =>
          this.cloudwatch.send(
            new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'], NextToken: nextToken }),
          ),
        );
        for (const a of out.MetricAlarms ?? []) {
          if (!a.AlarmName) continue;
          found.set(a.AlarmName, {
            alarmName: a.AlarmName,
            state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmStateValue,
            ...(a.StateReason ? { reason: a.StateReason } : {}),
            ...(a.StateUpdatedTimestamp ? { updatedAt: a.StateUpdatedTimestamp.toISOString() } : {}),
          });
        }
        nextToken = out.NextToken;
        if (!nextToken) break;
      }
    }
    return alarmNames.map((alarmName) => found.get(alarmName) ?? { alarmName, state: 'MISSING' });
  }

  async getMetricSeries(
    queries: ReadonlyArray<{ id: string; metric: MetricRef }>,
    window: { start: string; end: string },
  ): Promise<MetricSeries[]> {
    const points = new Map<string, Array<{ timestamp: string; value: number }>>(queries.map((q) => [q.id, []]));
    const metricQueries: MetricDataQuery[] = queries.map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: { Namespace: q.metric.namespace, MetricName: q.metric.metricName, Dimensions: dimensions(q.metric) },
        Period: q.metric.periodSeconds,
        Stat: q.metric.statistic,
      },
      ReturnData: true,
    }));
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call('GetMetricData', () =>
        this.cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: metricQueries,
            StartTime: new Date(window.start),
            EndTime: new Date(window.end),
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        ),
      );
      for (const r of out.MetricDataResults ?? []) {
        const series = r.Id ? points.get(r.Id) : undefined;
        if (!series) continue;
        (r.Timestamps ?? []).forEach((ts, i) => {
          const value = r.Values?.[i];
          if (value !== undefined) series.push({ timestamp: ts.toISOString(), value });
        });
      }
      nextToken = out.NextToken;
      if (!nextToken) break;
    }
    return queries.map((q) => ({
      id: q.id,
      points: (points.get(q.id) ?? []).sort((a, b) => a.timestamp.localeCompare(b.timestamp)),
    }));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMigrationError(err, what, ReplicationFailedError);
    }
  }
}
