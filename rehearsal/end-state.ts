import { runCompensator, type Compensation, type ExecutionStatusChange } from '../lambdas/compensator/compensate';
import { canaryTopicName, replicatorName } from '../lambdas/core/replication/naming';
import type { MigrationPlan } from '../lambdas/core/plan/migration-plan';
import type { CutoverSwitch } from '../lambdas/ports/cutover-switch';
import type { KafkaDataPlane } from '../lambdas/ports/kafka';
import type { MigrationLocks } from '../lambdas/ports/migration-locks';
import type { Replicator } from '../lambdas/ports/replicator';
import type { WriteFence } from '../lambdas/ports/write-fence';
import type { RunResult } from './asl-runner';
import type { RehearsalEnvironment } from './environment';
import type { WorkloadHandle } from './workload';

/**
 * What every rehearsal must leave behind, whatever its scenario, observed after the execution ended (and, when it
 * ended other than SUCCEEDED, after the compensator ran as EventBridge would invoke it): the producers writing again
 * (no fence left in the pointer), the replicator of this execution gone, and the source untouched — every workload
 * topic still there with its partitions, no record removed (log start offsets unchanged), and the canary topic, the
 * only thing the tool writes to the source, removed. The verdict (rehearsal/verdict.ts) judges it.
 */

/** The workload topics' partitions on the source before the execution: partition → log start / end offset. */
export type SourceSnapshot = Readonly<Record<string, ReadonlyArray<{ partition: number; low: string; high: string }>>>;

export interface EndState {
  /** The compensator's answer to the status change, when the execution ended other than SUCCEEDED. */
  readonly compensation?: Compensation;
  /** The compensator failed (its error), which EventBridge's delivery would retry; the rehearsal does not. */
  readonly compensationError?: string;
  /** Acknowledged sends after the execution (and the compensator) ended, within the wait; 0 when they still hold. */
  readonly writesAfterEnd: number;
  /** Producers still holding their writes at the end of the wait. */
  readonly stillHolding: boolean;
  /** The replicator this execution created is still running. */
  readonly replicatorLeft: boolean;
  /** What changed on the source that the tool must never change; empty when untouched. */
  readonly sourceChanges: readonly string[];
}

/**
 * The workload topics' offsets on the source before the execution. A topic the brokers do not serve yet (metadata
 * still propagating right after the workload created it) is asked again, for up to `waitMs`.
 */
export async function snapshotSource(
  source: KafkaDataPlane,
  topics: readonly string[],
  waitMs = 15_000,
): Promise<SourceSnapshot> {
  const deadline = Date.now() + waitMs;
  const offsetsOf = async (topic: string): Promise<SourceSnapshot[string]> => {
    for (;;) {
      try {
        return (await source.fetchTopicOffsets(topic)).map((p) => ({
          partition: p.partition,
          low: p.low,
          high: p.high,
        }));
      } catch (err) {
        if (Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const entries = await Promise.all(topics.map(async (t) => [t, await offsetsOf(t)] as const));
  return Object.fromEntries(entries);
}

/** Compares the source now with the snapshot taken before the execution; the canary topic must be gone. */
export async function sourceChangesSince(
  source: KafkaDataPlane,
  before: SourceSnapshot,
  canaryTopic: string,
): Promise<string[]> {
  const changes: string[] = [];
  const topics = new Set(await source.listTopics());
  for (const [topic, partitions] of Object.entries(before)) {
    if (!topics.has(topic)) {
      changes.push(`topic ${topic} is gone from the source`);
      continue;
    }
    const now = new Map((await source.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
    if (now.size !== partitions.length)
      changes.push(`topic ${topic} has ${now.size} partitions on the source, ${partitions.length} before`);
    for (const p of partitions) {
      const current = now.get(p.partition);
      if (!current) continue;
      if (BigInt(current.low) !== BigInt(p.low))
        changes.push(`${topic}-${p.partition}: log start offset ${current.low}, ${p.low} before (records removed)`);
      if (BigInt(current.high) < BigInt(p.high))
        changes.push(`${topic}-${p.partition}: log end offset ${current.high}, ${p.high} before`);
    }
  }
  if (topics.has(canaryTopic)) changes.push(`the canary topic ${canaryTopic} is still on the source`);
  return changes;
}

/**
 * Waits (up to `waitMs`) until the producers are not holding and have had `minWrites` more sends acknowledged: the
 * proof that whatever fence the run took was released.
 */
export async function writesResumed(
  workload: Pick<WorkloadHandle, 'snapshot'>,
  options: { minWrites: number; waitMs: number },
): Promise<{ writesAfterEnd: number; stillHolding: boolean }> {
  const start = workload.snapshot().acked;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const s = workload.snapshot();
    const writes = s.acked - start;
    if ((!s.holdingWrites && writes >= options.minWrites) || Date.now() >= deadline)
      return { writesAfterEnd: writes, stillHolding: s.holdingWrites };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function replicatorRunning(replicator: Replicator, name: string): Promise<boolean> {
  const found = await replicator.find(name);
  return found !== undefined && found.state !== 'FAILED';
}

/**
 * What the execution left behind. EventBridge: an execution that ended other than SUCCEEDED is delivered to the
 * compensator (the orchestrator's rule on ABORTED / FAILED / TIMED_OUT); one that reported itself finds nothing more
 * to undo. Then the producers must write again, this execution's replicator be gone and the source be untouched.
 */
export async function observeEndState(a: {
  run: RunResult;
  env: RehearsalEnvironment;
  locks: MigrationLocks;
  writeFence?: WriteFence;
  /** A plan in waves: the pointer of the wave the compensator undoes (its `pointerFor`). */
  pointerFor?: (plan: MigrationPlan) => CutoverSwitch;
  identity: { migrationId: string; executionName: string };
  sourceBefore: SourceSnapshot;
  log: (line: string) => void;
}): Promise<EndState> {
  const { run, env: e, log } = a;
  let compensation: EndState['compensation'];
  let compensationError: string | undefined;
  if (run.statusChange) {
    try {
      compensation = await runCompensator(run.statusChange as unknown as ExecutionStatusChange, {
        artifacts: e.artifacts,
        locks: a.locks,
        pointer: e.pointer,
        ...(a.pointerFor ? { pointerFor: a.pointerFor } : {}),
        ...(a.writeFence ? { writeFence: a.writeFence } : {}),
        replicator: e.replicator,
        lagSignals: e.alarms,
        source: e.sourcePlane,
        target: e.targetPlane,
        now: () => new Date(),
      });
      log(`compensator (${run.statusChange.detail.status}): ${compensation.outcome}: ${compensation.notes.join(' ')}`);
    } catch (err) {
      compensationError = (err as Error).message;
      log(`compensator failed: ${compensationError}`);
    }
  }
  const resumed = await writesResumed(e.workload, { minWrites: 20, waitMs: 15_000 });
  log(
    `after the end: ${resumed.writesAfterEnd} send(s) acknowledged${resumed.stillHolding ? ', producers still holding' : ''}`,
  );
  return {
    ...(compensation ? { compensation } : {}),
    ...(compensationError ? { compensationError } : {}),
    ...resumed,
    replicatorLeft: await replicatorRunning(e.replicator, replicatorName(a.identity)),
    sourceChanges: await sourceChangesSince(e.sourcePlane, a.sourceBefore, canaryTopicName(a.identity)),
  };
}
