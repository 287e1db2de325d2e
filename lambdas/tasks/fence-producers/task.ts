import { z } from 'zod';
import { FenceRecordSchema, fenceProducers } from '../../core/cutover/fence-producers';
import { cutoverKey, readEndOffsets, storeEndOffsets, watchedTopics } from '../../core/cutover/model';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import {
  CutoverExecutionStateSchema,
  FailbackFenceSchema,
  cutoverScope,
  cutoverTargetValue,
  failbackFenceValue,
  requireStep,
} from '../shared/cutover-state';
import { identityOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';

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

export const Input = z.object({
  state: CutoverExecutionStateSchema,
  mode: z.enum(['FORWARD', 'FAILBACK', 'RELEASE_FAILBACK']).optional(),
});
export type Input = z.infer<typeof Input>;

/** ReleaseFailbackFence: a failback that stopped after its fence gives the target's producers their pointer back. */
export const FenceReleaseSchema = z.object({
  direction: z.literal('RELEASE_FAILBACK'),
  outcome: z.enum(['RELEASED', 'NOT_FENCED', 'ALREADY_RELEASED']),
  pointer: z.string(),
  value: z.string().optional(),
  releasedAt: z.string(),
});

export const Output = z.union([FenceRecordSchema, FailbackFenceSchema, FenceReleaseSchema]);
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The pointer the plan names (cutover.switch). */
  readonly pointer: CutoverSwitch;
  /** The cluster producers write to until the fence: the source forward, the target on the way back (unused by a release). */
  readonly producersCluster?: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export async function runFenceProducers(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  if (input.mode === 'RELEASE_FAILBACK') return releaseFailbackFence(input, deps);
  const scope = await cutoverScope(state, deps.artifacts);
  const producersCluster = deps.producersCluster;
  if (!producersCluster)
    throw new TypeError('FenceProducers needs the cluster the producers write to (producersCluster).');
  if (input.mode === 'FAILBACK') return fenceForFailback(input, scope.topics, { ...deps, producersCluster });
  cutoverTargetValue(state);
  const record = await fenceProducers(scope, {
    producers: deps.pointer,
    source: producersCluster,
    artifacts: deps.artifacts,
    now: deps.now,
  });
  return FenceRecordSchema.parse(record);
}

type FailbackFenceJournal =
  | { status: 'INTENT'; requestedAt: string }
  | { status: 'DONE'; requestedAt: string; record: z.infer<typeof FailbackFenceSchema> };

async function fenceForFailback(
  input: Input,
  topics: string[],
  deps: Deps & { producersCluster: KafkaDataPlane },
): Promise<Output> {
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

/**
 * Puts the failback fence back to the target value SwitchToTarget set, so producers on the target resume after a
 * failback that could not finish. Only this execution's fence is released: a pointer holding anything else (already
 * back at the source, or moved by someone) is left alone and reported, never overwritten.
 */
async function releaseFailbackFence(input: Input, deps: Pick<Deps, 'pointer' | 'now'>): Promise<Output> {
  const { state } = input;
  const releasedAt = deps.now().toISOString();
  const fence = (state as { failbackFence?: unknown }).failbackFence;
  const parsed = FailbackFenceSchema.safeParse(fence);
  if (!parsed.success)
    return { direction: 'RELEASE_FAILBACK', outcome: 'NOT_FENCED', pointer: deps.pointer.pointer, releasedAt };
  const current = await deps.pointer.read();
  if (current?.value === parsed.data.previous)
    return {
      direction: 'RELEASE_FAILBACK',
      outcome: 'ALREADY_RELEASED',
      pointer: deps.pointer.pointer,
      value: current.value,
      releasedAt,
    };
  if (current?.value !== parsed.data.fenceValue)
    return {
      direction: 'RELEASE_FAILBACK',
      outcome: 'NOT_FENCED',
      pointer: deps.pointer.pointer,
      ...(current ? { value: current.value } : {}),
      releasedAt,
    };
  const set = await deps.pointer.set(parsed.data.previous, { expected: parsed.data.fenceValue });
  return {
    direction: 'RELEASE_FAILBACK',
    outcome: 'RELEASED',
    pointer: deps.pointer.pointer,
    value: set.current.value,
    releasedAt,
  };
}

/** FenceProducers as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'FenceProducers',
  Input,
  Output,
  needs: {
    pointer: 'pointer',
    // the cluster producers use now: the source, the target for the way back, none to lift the failback fence
    producersCluster: {
      oneOf: ['source', 'target'],
      pick: (input) =>
        input.mode === 'FAILBACK' ? 'target' : input.mode === 'RELEASE_FAILBACK' ? undefined : 'source',
    },
    artifacts: 'artifacts',
    now: 'clock',
  },
  run: runFenceProducers,
});
