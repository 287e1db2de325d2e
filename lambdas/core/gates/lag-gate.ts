import type { AlarmStatus } from '../../ports/lag-signals';
import type { CanaryResult } from './canary';
import type { PartitionLag, PartitionLagSnapshot } from './partition-lag';
import type { ReplicatorMetricName } from './replicator-alarms';

/**
 * The lag gate, as a pure function of the signals one evaluation gathered: healthy or not, with every reason and
 * the figures behind it. Missing evidence is never healthy: an alarm in INSUFFICIENT_DATA, a missing alarm, a
 * MessageLag without datapoints, a canary not seen, a target partition that does not exist yet.
 */

export interface LagGateThresholds {
  /** Records the target may trail the source by, summed over partitions. */
  readonly maxLagRecords: number;
  /** @default no limit on the metric (its alarm still applies) */
  readonly maxReplicationLatencyMs?: number;
  /** @default no limit beyond the canary's own timeout */
  readonly maxCanaryRoundTripMs?: number;
}

export interface LatestDatapoint {
  readonly value: number;
  readonly timestamp: string;
}

export interface LagGateSignals {
  /** Alarm states (MSK Replicator). Absent when the engine has no alarms (MirrorMaker 2). */
  readonly alarms?: readonly AlarmStatus[];
  /** Latest datapoint per replicator metric; a metric with no datapoint in the look-back window is absent. */
  readonly metrics?: Partial<Record<ReplicatorMetricName, LatestDatapoint>>;
  /** Data-plane lag now, and at the previous evaluation (for progress). */
  readonly partitionLag?: PartitionLagSnapshot;
  readonly previousPartitionLag?: PartitionLagSnapshot;
  readonly canary?: CanaryResult;
}

export interface LagGateRequirements {
  /** Alarms and MessageLag must be present and good (MSK Replicator). */
  readonly replicatorMetrics: boolean;
  /** Per-partition end offsets must be present and within the threshold (MirrorMaker 2; EARLIEST start). */
  readonly partitionLag: boolean;
}

export interface LagGateFigures {
  messageLag?: number;
  replicationLatencyMs?: number;
  replicationFailures?: number;
  offsetSyncFailures?: number;
  partitionLagTotal?: number;
  partitionLagMax?: number;
  /** Records the target holds twice (a restarted replicator replayed them), found where the lag is read by content. */
  replayedRecords?: number;
  laggingPartitions?: number;
  stalledPartitions?: number;
  missingTargetPartitions?: number;
  canaryRoundTripMs?: number;
}

export interface LagGateVerdict {
  readonly healthy: boolean;
  /** Why not healthy, one sentence each; empty when healthy. */
  readonly reasons: string[];
  readonly figures: LagGateFigures;
}

const WORST_SHOWN = 5;

export function evaluateLagGate(
  signals: LagGateSignals,
  thresholds: LagGateThresholds,
  requirements: LagGateRequirements,
): LagGateVerdict {
  const reasons: string[] = [];
  const figures: LagGateFigures = {};

  if (requirements.replicatorMetrics) {
    evaluateAlarms(signals.alarms, reasons);
    evaluateMetrics(signals.metrics ?? {}, thresholds, reasons, figures);
  }

  if (signals.partitionLag) {
    evaluatePartitions(signals.partitionLag, signals.previousPartitionLag, thresholds, reasons, figures);
  } else if (requirements.partitionLag) {
    reasons.push('No per-partition end offsets were read: the data-plane lag is unknown.');
  }

  if (signals.canary) evaluateCanary(signals.canary, thresholds, reasons, figures);

  const anyEvidence =
    requirements.replicatorMetrics ||
    signals.partitionLag !== undefined ||
    (signals.canary !== undefined && signals.canary.status !== 'DISABLED');
  if (!anyEvidence)
    reasons.push(
      'No lag signal was read (no replicator metrics, no per-partition offsets, no canary): there is nothing to pass the gate on.',
    );

  return { healthy: reasons.length === 0, reasons, figures };
}

function evaluateAlarms(alarms: readonly AlarmStatus[] | undefined, reasons: string[]): void {
  if (!alarms || alarms.length === 0) {
    reasons.push('No replicator alarms were read: the replicator-side lag is unknown.');
    return;
  }
  for (const a of alarms) {
    if (a.state === 'MISSING') reasons.push(`Alarm ${a.alarmName} does not exist (deleted, or never created).`);
    else if (a.state === 'INSUFFICIENT_DATA')
      reasons.push(`Alarm ${a.alarmName} is INSUFFICIENT_DATA: no datapoints to judge by yet.`);
    else if (a.state === 'ALARM') reasons.push(`Alarm ${a.alarmName} is in ALARM${a.reason ? `: ${a.reason}` : ''}.`);
  }
}

function evaluateMetrics(
  metrics: NonNullable<LagGateSignals['metrics']>,
  thresholds: LagGateThresholds,
  reasons: string[],
  figures: LagGateFigures,
): void {
  const lag = metrics.MessageLag;
  if (!lag) reasons.push('MessageLag has no datapoint in the look-back window.');
  else {
    figures.messageLag = lag.value;
    if (lag.value > thresholds.maxLagRecords)
      reasons.push(`MessageLag is ${lag.value} records, above gates.maxLagRecords (${thresholds.maxLagRecords}).`);
  }
  const latency = metrics.ReplicationLatency;
  if (latency) {
    figures.replicationLatencyMs = latency.value;
    if (thresholds.maxReplicationLatencyMs !== undefined && latency.value > thresholds.maxReplicationLatencyMs) {
      reasons.push(`ReplicationLatency is ${latency.value} ms, above ${thresholds.maxReplicationLatencyMs} ms.`);
    }
  }
  const failures = metrics.ReplicationFailures;
  if (failures) {
    figures.replicationFailures = failures.value;
    if (failures.value > 0) reasons.push(`ReplicationFailures is ${failures.value} in the last period.`);
  }
  const syncFailures = metrics.ConsumerGroupOffsetSyncFailure;
  if (syncFailures) {
    figures.offsetSyncFailures = syncFailures.value;
    if (syncFailures.value > 0)
      reasons.push(`ConsumerGroupOffsetSyncFailure is ${syncFailures.value} in the last period.`);
  }
}

function evaluatePartitions(
  now: PartitionLagSnapshot,
  previous: PartitionLagSnapshot | undefined,
  thresholds: LagGateThresholds,
  reasons: string[],
  figures: LagGateFigures,
): void {
  const missing = now.partitions.filter((p) => p.targetEnd === null);
  const lagging = now.partitions.filter((p) => p.lag > 0);
  const total = now.partitions.reduce((sum, p) => sum + p.lag, 0);
  figures.partitionLagTotal = total;
  figures.partitionLagMax = lagging.reduce((max, p) => Math.max(max, p.lag), 0);
  figures.laggingPartitions = lagging.length;
  const replayed = now.partitions.reduce((sum, p) => sum + (p.replayedRecords ?? 0), 0);
  if (replayed > 0) figures.replayedRecords = replayed;
  figures.missingTargetPartitions = missing.length;

  if (missing.length > 0) {
    reasons.push(`${missing.length} partition(s) do not exist on the target yet: ${describe(missing)}.`);
  }
  if (total > thresholds.maxLagRecords) {
    const worst = [...lagging].sort((a, b) => b.lag - a.lag);
    reasons.push(
      `The target trails the source by ${total} records over ${lagging.length} partition(s), above gates.maxLagRecords (${thresholds.maxLagRecords}); worst: ${describe(worst)}.`,
    );
  }

  if (previous) {
    const before = new Map(previous.partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p]));
    const stalled: PartitionLag[] = [];
    const regressed: PartitionLag[] = [];
    for (const p of now.partitions) {
      const b = before.get(`${p.topic}\u0000${p.partition}`);
      if (!b || b.targetEnd === null || p.targetEnd === null) continue;
      if (BigInt(p.targetEnd) < BigInt(b.targetEnd)) regressed.push(p);
      else if (p.lag > 0 && b.lag > 0 && p.targetEnd === b.targetEnd) stalled.push(p);
    }
    figures.stalledPartitions = stalled.length;
    if (stalled.length > 0) {
      reasons.push(
        `${stalled.length} lagging partition(s) made no progress on the target since ${previous.at}: ${describe(stalled)}.`,
      );
    }
    if (regressed.length > 0) {
      reasons.push(
        `${regressed.length} partition(s) have a lower end offset on the target than at ${previous.at} (truncated or recreated): ${describe(regressed)}.`,
      );
    }
  }
}

function evaluateCanary(
  canary: CanaryResult,
  thresholds: LagGateThresholds,
  reasons: string[],
  figures: LagGateFigures,
): void {
  switch (canary.status) {
    case 'SEEN':
      figures.canaryRoundTripMs = canary.roundTripMs;
      if (thresholds.maxCanaryRoundTripMs !== undefined && canary.roundTripMs > thresholds.maxCanaryRoundTripMs) {
        reasons.push(
          `The canary took ${canary.roundTripMs} ms to reach the target, above ${thresholds.maxCanaryRoundTripMs} ms.`,
        );
      }
      return;
    case 'NOT_SEEN':
      reasons.push(`The canary record ${canary.canaryId} was not seen on the target within ${canary.waitedMs} ms.`);
      return;
    case 'ERROR':
      reasons.push(`The canary check failed: ${canary.message}.`);
      return;
    case 'DISABLED':
      return;
  }
}

function describe(partitions: readonly PartitionLag[]): string {
  const shown = partitions
    .slice(0, WORST_SHOWN)
    .map((p) => `${p.topic}-${p.partition}${p.targetEnd === null ? '' : ` (${p.lag})`}`);
  return partitions.length > WORST_SHOWN
    ? `${shown.join(', ')} and ${partitions.length - WORST_SHOWN} more`
    : shown.join(', ');
}
