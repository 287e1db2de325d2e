import { LagTimeoutError } from '../errors';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { AlarmStatus, LagSignals } from '../../ports/lag-signals';
import type { ReplicationEngine } from '../../ports/replicator';
import type { ExecutionIdentity } from '../replication/naming';
import { canaryRoundTrip, type CanaryResult } from './canary';
import { advanceCatchUp, type CatchUpOutcome, type CatchUpPolicy, type CatchUpProgress } from './catch-up';
import {
  evaluateLagGate,
  type LagGateSignals,
  type LagGateThresholds,
  type LagGateVerdict,
  type LatestDatapoint,
} from './lag-gate';
import { measurePartitionLag, type PartitionLagSnapshot } from './partition-lag';
import { replicatorMetric, type ReplicatorMetricName } from './replicator-alarms';
import { DEFAULT_IGNORED_HEADERS } from '../validation/record-digest';

/**
 * One evaluation of AwaitCatchUp: gather the signals (alarms and datapoints for MSK Replicator, per-partition end
 * offsets, the canary), judge them, count consecutive healthy evaluations, and write everything to the artifact
 * store, so the approval message and the report show the figures each decision was made on.
 */

export interface CatchUpEvaluationRequest {
  readonly identity: ExecutionIdentity;
  readonly engine: ReplicationEngine;
  /** Data-plane lag is only meaningful when the replicator copied from EARLIEST (same offsets on both sides). */
  readonly startingPosition: 'EARLIEST' | 'LATEST';
  /** MSK Replicator: its name (the metrics' dimension) and the alarms StartReplication created. */
  readonly replicatorName?: string;
  readonly alarmNames: readonly string[];
  /** The replicated topics (from the replication plan). */
  readonly topics: readonly string[];
  /** The canary topic and how long to wait for the record on the target; absent = no canary. */
  readonly canary?: { readonly topic: string; readonly timeoutMs: number };
  readonly thresholds: LagGateThresholds;
  readonly policy: CatchUpPolicy;
  /** `$.catchUp` of the previous evaluation; absent on the first. */
  readonly previous?: CatchUpProgress;
  /** @default 5 */
  readonly metricsLookbackMinutes?: number;
}

export interface CatchUpDeps {
  readonly artifacts: ArtifactStore;
  /** Required for MSK Replicator. */
  readonly lagSignals?: LagSignals;
  /** The data planes (required for MirrorMaker 2 and for the canary). */
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly now: () => Date;
}

export interface CatchUpEvaluation {
  readonly progress: CatchUpProgress;
  readonly outcome: CatchUpOutcome;
  readonly verdict: LagGateVerdict;
  readonly evidenceKey: string;
}

interface EvaluationEvidence {
  readonly kind: 'catch-up-evaluation';
  readonly index: number;
  readonly at: string;
  readonly engine: ReplicationEngine;
  readonly thresholds: LagGateThresholds;
  readonly policy: CatchUpPolicy;
  readonly signals: LagGateSignals & { readonly errors?: string[] };
  readonly verdict: LagGateVerdict;
  readonly progress?: CatchUpProgress;
  readonly outcome?: CatchUpOutcome;
}

export async function evaluateCatchUp(
  request: CatchUpEvaluationRequest,
  deps: CatchUpDeps,
): Promise<CatchUpEvaluation> {
  const at = deps.now().toISOString();
  const index = (request.previous?.evaluations ?? 0) + 1;
  const evidenceKey = artifactKey(
    request.identity.migrationId,
    request.identity.executionName,
    `catch-up/evaluation-${String(index).padStart(4, '0')}.json`,
  );
  const usesMetrics = request.engine === 'MSK_REPLICATOR';
  // End-offset lag is the MirrorMaker 2 signal (same offsets on both sides from EARLIEST). MSK Replicator is judged on
  // its own metrics: its target offsets need not match the source's, so an offset difference would be no evidence.
  const usesPartitionLag =
    request.engine === 'MIRROR_MAKER_2' &&
    request.startingPosition === 'EARLIEST' &&
    deps.source !== undefined &&
    deps.target !== undefined;

  let alarms: AlarmStatus[] | undefined;
  let metrics: LagGateSignals['metrics'];
  let partitionLag: PartitionLagSnapshot | undefined;
  let canary: CanaryResult | undefined;
  const errors: string[] = [];
  let fatal: unknown;

  try {
    if (usesMetrics) {
      if (!deps.lagSignals || !request.replicatorName)
        throw new Error('MSK Replicator gate needs the lag-signals adapter and the replicator name');
      alarms = await deps.lagSignals.describeAlarms(request.alarmNames);
      metrics = await latestDatapoints(
        deps.lagSignals,
        request.replicatorName,
        deps.now(),
        request.metricsLookbackMinutes ?? 5,
      );
    }
    if (usesPartitionLag && deps.source && deps.target) {
      const previous = request.previous?.lastEvidenceKey
        ? (await deps.artifacts.getJson<EvaluationEvidence>(request.previous.lastEvidenceKey))?.signals.partitionLag
        : undefined;
      partitionLag = await measurePartitionLag(deps.source, deps.target, request.topics, deps.now, 8, {
        whenLagAtMost: request.thresholds.maxLagRecords,
        searchWindow: 200,
        ignoredHeaders: DEFAULT_IGNORED_HEADERS,
        readTimeoutMs: 5_000,
        ...(previous ? { previous } : {}),
      });
    }
    if (request.canary && deps.source && deps.target) {
      canary = await canaryRoundTrip({
        source: deps.source,
        target: deps.target,
        topic: request.canary.topic,
        canaryId: `${request.identity.executionName}#${index}`,
        timeoutMs: request.canary.timeoutMs,
        nowMs: () => deps.now().getTime(),
      });
    } else if (!request.canary) {
      canary = { status: 'DISABLED', reason: 'no canary topic for this execution' };
    }
  } catch (err) {
    // Evidence first, then the error: a transient one is retried by the state machine, a fatal one rolls back.
    errors.push(`${(err as Error).name}: ${(err as Error).message}`);
    fatal = err;
  }

  const previousPartitionLag = request.previous?.lastEvidenceKey
    ? (await deps.artifacts.getJson<EvaluationEvidence>(request.previous.lastEvidenceKey))?.signals.partitionLag
    : undefined;
  const signals: LagGateSignals = {
    ...(alarms ? { alarms } : {}),
    ...(metrics ? { metrics } : {}),
    ...(partitionLag ? { partitionLag } : {}),
    ...(previousPartitionLag ? { previousPartitionLag } : {}),
    ...(canary ? { canary } : {}),
  };
  const verdict = evaluateLagGate(signals, request.thresholds, {
    replicatorMetrics: usesMetrics,
    partitionLag: request.engine === 'MIRROR_MAKER_2' && request.startingPosition === 'EARLIEST',
  });
  if (errors.length > 0) verdict.reasons.push(...errors.map((e) => `Signals could not be read: ${e}`));
  const finalVerdict: LagGateVerdict = { ...verdict, healthy: verdict.healthy && errors.length === 0 };

  const evidenceSignals = { ...signals, ...(errors.length > 0 ? { errors } : {}) };
  delete (evidenceSignals as { previousPartitionLag?: unknown }).previousPartitionLag;
  const evidence = {
    kind: 'catch-up-evaluation',
    index,
    at,
    engine: request.engine,
    thresholds: request.thresholds,
    policy: request.policy,
    signals: evidenceSignals,
    verdict: finalVerdict,
  } as const;
  if (fatal !== undefined) {
    await deps.artifacts.putJson(evidenceKey, evidence satisfies EvaluationEvidence);
    throw fatal;
  }

  const { progress, outcome } = advanceCatchUp(request.previous, finalVerdict, at, request.policy, evidenceKey);
  await deps.artifacts.putJson(evidenceKey, { ...evidence, progress, outcome } satisfies EvaluationEvidence);

  if (outcome === 'TIMED_OUT') {
    throw new LagTimeoutError(
      `Replication did not catch up within gates.catchUpTimeoutMinutes (${request.policy.catchUpTimeoutMinutes} min, ${progress.evaluations} evaluations): ${finalVerdict.reasons.slice(0, 2).join(' ') || 'the last evaluations were healthy but fewer than gates.consecutiveHealthyChecks in a row'}`,
      {
        evidenceKey,
        evaluations: progress.evaluations,
        lastReasons: progress.lastReasons,
        figures: finalVerdict.figures,
      },
    );
  }
  return { progress, outcome, verdict: finalVerdict, evidenceKey };
}

const GATE_METRICS: readonly ReplicatorMetricName[] = [
  'MessageLag',
  'ReplicationLatency',
  'ReplicationFailures',
  'ConsumerGroupOffsetSyncFailure',
];

async function latestDatapoints(
  signals: LagSignals,
  replicatorName: string,
  now: Date,
  lookbackMinutes: number,
): Promise<Partial<Record<ReplicatorMetricName, LatestDatapoint>>> {
  const series = await signals.getMetricSeries(
    GATE_METRICS.map((m) => ({
      id: m.charAt(0).toLowerCase() + m.slice(1),
      metric: replicatorMetric(replicatorName, m),
    })),
    { start: new Date(now.getTime() - lookbackMinutes * 60_000).toISOString(), end: now.toISOString() },
  );
  const latest: Partial<Record<ReplicatorMetricName, LatestDatapoint>> = {};
  GATE_METRICS.forEach((m) => {
    const s = series.find((x) => x.id === m.charAt(0).toLowerCase() + m.slice(1));
    const last = s?.points[s.points.length - 1];
    if (last) latest[m] = { value: last.value, timestamp: last.timestamp };
  });
  return latest;
}
