import { z } from 'zod';
import { FenceRecordSchema, fenceProducers } from '../../core/cutover/fence-producers';
import { cutoverKey, readEndOffsets, storeEndOffsets, watchedTopics } from '../../core/cutover/model';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import {
  CutoverExecutionStateSchema,
  FailbackFenceSchema,
  cutoverTargetValue,
  failbackFenceValue,
  replicatedTopics,
  requireStep,
} from '../shared/cutover-state';
import { identityOf } from '../shared/plan-views';

/**
 * FenceProducers (phase 9) and FenceForFailback (`mode: FAILBACK`): the single-writer fence.
 *
 * Forward: the core's fenceProducers records what the pointer holds and sets it to this execution's fence; the
 * source's end offsets after the fence are CheckDrain's baseline. The switch value is resolved first, so a plan that
 * could not be switched fails here, before any producer holds.
 *
 * Failback: the pointer SwitchToTarget moved to the target now gets the failback fence (`fenced:…/failback`), with the
 * target value as the expected one — a pointer someone else moved since is refused, not overwritten; the target's
 * end offsets after the fence are CheckFailbackDrain's baseline. Idempotent through its own journal entry.
 */

export const Input = z.object({ state: CutoverExecutionStateSchema, mode: z.enum(['FORWARD', 'FAILBACK']).optional() });
export type Input = z.infer<typeof Input>;

export const Output = z.union([FenceRecordSchema, FailbackFenceSchema]);
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The pointer the plan names (cutover.switch). */
  readonly pointer: CutoverSwitch;
  /** The cluster producers write to until the fence: the source forward, the target on the way back. */
  readonly producersCluster: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export async function runFenceProducers(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const topics = await replicatedTopics(state, deps.artifacts);
  if (input.mode === 'FAILBACK') return fenceForFailback(input, topics, deps);
  cutoverTargetValue(state);
  const record = await fenceProducers(
    {
      identity: identityOf(state),
      topics,
      ...(state.replication.canaryTopic ? { canaryTopic: state.replication.canaryTopic } : {}),
    },
    { producers: deps.pointer, source: deps.producersCluster, artifacts: deps.artifacts, now: deps.now },
  );
  return FenceRecordSchema.parse(record);
}

type FailbackFenceJournal =
  | { status: 'INTENT'; requestedAt: string }
  | { status: 'DONE'; requestedAt: string; record: z.infer<typeof FailbackFenceSchema> };

async function fenceForFailback(input: Input, topics: string[], deps: Deps): Promise<Output> {
  const { state } = input;
  const identity = identityOf(state);
  const switched = requireStep(state, 'switch', 'SwitchToTarget');
  const journalKey = cutoverKey(identity, 'journal/failback-fence.json');
  const journal = await deps.artifacts.getJson<FailbackFenceJournal>(journalKey);
  if (journal?.status === 'DONE') return FailbackFenceSchema.parse(journal.record);
  const requestedAt = journal?.requestedAt ?? deps.now().toISOString();
  if (!journal) await deps.artifacts.putJson(journalKey, { status: 'INTENT', requestedAt });

  const fence = failbackFenceValue(identity);
  // Expected: the value this execution switched to. decideSet refuses any other (someone moved the pointer since).
  const set = await deps.pointer.set(fence, { expected: switched.producers.value });
  const fencedAt = deps.now().toISOString();
  const watched = watchedTopics(topics, state.replication.canaryTopic);
  const ends = await readEndOffsets(deps.producersCluster, watched);
  const record = FailbackFenceSchema.parse({
    direction: 'FAILBACK',
    fencedAt,
    fenceValue: fence,
    pointer: deps.pointer.pointer,
    previous: switched.producers.value,
    ...(set.changeId ? { changeId: set.changeId } : {}),
    targetEndsAtFence: await storeEndOffsets(
      deps.artifacts,
      identity,
      'failback-target-ends-at-fence.json',
      fencedAt,
      ends,
    ),
    topics: watched.length,
  });
  await deps.artifacts.putJson(journalKey, { status: 'DONE', requestedAt, record });
  return record;
}
