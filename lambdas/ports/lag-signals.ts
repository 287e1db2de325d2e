/**
 * Replication-lag signals from the metrics service: alarms (created per execution, because the replicator's name —
 * the metrics' dimension — exists only at run time) and the datapoints under them.
 * Adapter: `adapters/aws/cloudwatch-lag-signals.ts` (PutMetricAlarm, DescribeAlarms, GetMetricData, DeleteAlarms).
 * Locally there are no alarms: the gate reads the data plane instead (core/gates/partition-lag.ts).
 */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: 'Maximum' | 'Sum' | 'Average' | 'Minimum';
  readonly periodSeconds: number;
}

export interface AlarmDefinition {
  readonly alarmName: string;
  readonly description: string;
  readonly metric: MetricRef;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** `missing` keeps the alarm in INSUFFICIENT_DATA without data (the gate then stays closed). */
  readonly treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  readonly tags: Readonly<Record<string, string>>;
}

export interface AlarmStatus {
  readonly alarmName: string;
  /** `MISSING` when no alarm has this name (deleted by hand, never created). */
  readonly state: AlarmStateValue | 'MISSING';
  readonly reason?: string;
  readonly updatedAt?: string;
}

export interface MetricSeries {
  readonly id: string;
  /** Oldest first. */
  readonly points: ReadonlyArray<{ readonly timestamp: string; readonly value: number }>;
}

export interface LagSignals {
  /** Creates or updates the alarms (PutMetricAlarm is an upsert, so a retry is harmless). */
  putAlarms(alarms: readonly AlarmDefinition[]): Promise<void>;
  /** Deletes the alarms with these names; names that do not exist are ignored. */
  deleteAlarms(alarmNames: readonly string[]): Promise<void>;
  /** One status per requested name, in the same order. */
  describeAlarms(alarmNames: readonly string[]): Promise<AlarmStatus[]>;
  /** Datapoints of each metric between `start` and `end` (ISO-8601). */
  getMetricSeries(
    queries: ReadonlyArray<{ readonly id: string; readonly metric: MetricRef }>,
    window: { readonly start: string; readonly end: string },
  ): Promise<MetricSeries[]>;
}
