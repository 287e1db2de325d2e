import type { AlarmDefinition, MetricRef } from '../../ports/lag-signals';

/**
 * The CloudWatch alarms of one MSK Replicator, created by StartReplication (PutMetricAlarm) and deleted by the
 * execution's rollback or finalize. They are per execution, not in the CDK stack, because their dimension — the
 * replicator's name — exists only once an execution has chosen it.
 *
 * Missing data: MessageLag must have datapoints to be trusted (INSUFFICIENT_DATA keeps the gate closed); the failure
 * counters are published when something fails, so their absence means nothing failed.
 */

export type ReplicatorMetricName =
  'MessageLag' | 'ReplicationLatency' | 'ReplicationFailures' | 'ConsumerGroupOffsetSyncFailure';

export interface ReplicatorAlarmThresholds {
  readonly maxLagRecords: number;
  /** @default 60_000 */
  readonly maxReplicationLatencyMs?: number;
  /** False when consumer-group offsets are not synchronised: no offset-sync alarm then. @default true */
  readonly syncGroupOffsets?: boolean;
  /** @default 60 */
  readonly periodSeconds?: number;
}

export const DEFAULT_MAX_REPLICATION_LATENCY_MS = 60_000;

export function replicatorMetric(
  replicatorName: string,
  metricName: ReplicatorMetricName,
  periodSeconds = 60,
): MetricRef {
  const statistic = metricName === 'MessageLag' || metricName === 'ReplicationLatency' ? 'Maximum' : 'Sum';
  return {
    namespace: 'AWS/Kafka',
    metricName,
    dimensions: { ReplicatorName: replicatorName },
    statistic,
    periodSeconds,
  };
}

export function replicatorAlarms(
  replicatorName: string,
  namePrefix: string,
  thresholds: ReplicatorAlarmThresholds,
  tags: Readonly<Record<string, string>>,
): AlarmDefinition[] {
  const period = thresholds.periodSeconds ?? 60;
  const alarm = (
    metricName: ReplicatorMetricName,
    threshold: number,
    treatMissingData: AlarmDefinition['treatMissingData'],
    description: string,
  ): AlarmDefinition => ({
    alarmName: `${namePrefix}${metricName}`,
    description: `${description} (replicator ${replicatorName}; created by the migration's StartReplication, deleted by its rollback or finalize)`,
    metric: replicatorMetric(replicatorName, metricName, period),
    threshold,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData,
    tags,
  });
  const alarms = [
    alarm(
      'MessageLag',
      thresholds.maxLagRecords,
      'missing',
      `Replicator is more than ${thresholds.maxLagRecords} records behind the source`,
    ),
    alarm(
      'ReplicationLatency',
      thresholds.maxReplicationLatencyMs ?? DEFAULT_MAX_REPLICATION_LATENCY_MS,
      'notBreaching',
      'Records take longer than the agreed latency to reach the target',
    ),
    alarm('ReplicationFailures', 0, 'notBreaching', 'The replicator failed to replicate records'),
  ];
  if (thresholds.syncGroupOffsets ?? true) {
    alarms.push(
      alarm(
        'ConsumerGroupOffsetSyncFailure',
        0,
        'notBreaching',
        'The replicator failed to synchronise consumer-group offsets',
      ),
    );
  }
  return alarms;
}
