import * as z from 'zod';
import type { ArtifactStore } from '../../ports/artifact-store';
import { ClientSwitchStepSchema } from '../cutover/client-switches';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import {
  EndOffsetsSnapshotSchema,
  cutoverKey,
  fenceValue,
  readEndOffsets,
  storeEndOffsets,
  watchedTopics,
} from '../cutover/model';
import type { ExecutionIdentity } from '../replication/naming';
import { lazySchema } from '../lazy-schema';

/**
 * The fence of the way back (FenceForFailback) and its release (ReleaseFailbackFence).
 *
 * Fence: the pointer SwitchToTarget moved to the target gets the failback fence (`fenced:…/failback`), with the
 * target value as the expected one — a pointer someone else moved since is refused, not overwritten; the target's
 * end offsets after the fence are CheckFailbackDrain's baseline. Idempotent through its own journal entry.
 *
 * Release: a failback that stopped after its fence gives the target's producers their pointer back. Only this
 * execution's fence is released: a pointer holding anything else (already back at the source, or moved by someone)
 * is left alone and reported, never overwritten.
 */

/** `$.failbackFence` after FenceForFailback: the pointer that pointed at the target now holds the failback fence. */
export const FailbackFenceSchema = lazySchema(() =>
  z.object({
    direction: z.literal('FAILBACK'),
    fencedAt: z.string(),
    fenceValue: z.string(),
    pointer: z.string(),
    /** What it held before the failback fence: the target value SwitchToTarget set. */
    previous: z.string(),
    changeId: z.string().optional(),
    /** The target's end offsets right after the fence: the failback drain compares against them. */
    targetEndsAtFence: EndOffsetsSnapshotSchema,
    topics: z.number().int().nonnegative(),
    /** The applications stopped on the target at the failback fence (cutover.switches with stopAtFence). */
    clients: z.array(ClientSwitchStepSchema).optional(),
  }),
);
export type FailbackFence = z.infer<typeof FailbackFenceSchema>;

/** ReleaseFailbackFence's result. */
export const FenceReleaseSchema = lazySchema(() =>
  z.object({
    direction: z.literal('RELEASE_FAILBACK'),
    outcome: z.enum(['RELEASED', 'NOT_FENCED', 'ALREADY_RELEASED']),
    pointer: z.string(),
    value: z.string().optional(),
    releasedAt: z.string(),
    /** The applications stopped at the failback fence, started again on the target. */
    clients: z.array(ClientSwitchStepSchema).optional(),
  }),
);
export type FenceRelease = z.infer<typeof FenceReleaseSchema>;

/** The fence of the way back: a `fenced:` value (clients hold) told apart from the forward fence. */
export function failbackFenceValue(identity: ExecutionIdentity): string {
  return `${fenceValue(identity)}/failback`;
}

export interface FailbackFenceRequest {
  readonly identity: ExecutionIdentity;
  /** The replicated topics (the canary is left out of the watch). */
  readonly topics: readonly string[];
  readonly canaryTopic?: string;
  /** The value SwitchToTarget set (`$.cutover.switch.producers.value`): the only one the fence replaces. */
  readonly switchedTo: string;
}

export interface FailbackFenceDeps {
  /** The pointer the plan names (cutover.switch). */
  readonly pointer: CutoverSwitch;
  /** The target: where producers write until the fence. */
  readonly producersCluster: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

type FailbackFenceJournal =
  { status: 'INTENT'; requestedAt: string } | { status: 'DONE'; requestedAt: string; record: FailbackFence };

/** Where FenceForFailback journals its fence (intent before the pointer moves, the record after). */
export function failbackFenceJournalKey(identity: ExecutionIdentity): string {
  return cutoverKey(identity, 'journal/failback-fence.json');
}

export async function fenceForFailback(request: FailbackFenceRequest, deps: FailbackFenceDeps): Promise<FailbackFence> {
  const { identity } = request;
  const journalKey = failbackFenceJournalKey(identity);
  const journal = await deps.artifacts.getJson<FailbackFenceJournal>(journalKey);
  if (journal?.status === 'DONE') return FailbackFenceSchema.parse(journal.record);
  const requestedAt = journal?.requestedAt ?? deps.now().toISOString();
  if (!journal) await deps.artifacts.putJson(journalKey, { status: 'INTENT', requestedAt });

  const fence = failbackFenceValue(identity);
  // Expected: the value this execution switched to. decideSet refuses any other (someone moved the pointer since).
  const set = await deps.pointer.set(fence, { expected: request.switchedTo });
  const fencedAt = deps.now().toISOString();
  const watched = watchedTopics(request.topics, request.canaryTopic);
  const ends = await readEndOffsets(deps.producersCluster, watched);
  const record = FailbackFenceSchema.parse({
    direction: 'FAILBACK',
    fencedAt,
    fenceValue: fence,
    pointer: deps.pointer.pointer,
    previous: request.switchedTo,
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
 * failback that could not finish. `fence` is `$.failbackFence` as the state holds it (absent or unreadable: nothing
 * was fenced by this execution).
 */
export async function releaseFailbackFence(
  fence: unknown,
  deps: { readonly pointer: CutoverSwitch; readonly now: () => Date },
): Promise<FenceRelease> {
  const releasedAt = deps.now().toISOString();
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

/**
 * The compensator's release of the failback fence, from FenceForFailback's journal alone (a stopped execution leaves
 * no `$.failbackFence`): a DONE record is released as ReleaseFailbackFence would; an INTENT means the pointer may or
 * may not have been fenced, so it is put back to `switchedTo` (the value SwitchToTarget set) only when it holds this
 * execution's failback fence. No journal: FenceForFailback never ran, undefined.
 */
export async function releaseFailbackFenceFromJournal(
  identity: ExecutionIdentity,
  switchedTo: string | undefined,
  deps: { readonly pointer: CutoverSwitch; readonly artifacts: ArtifactStore; readonly now: () => Date },
): Promise<FenceRelease | undefined> {
  const journal = await deps.artifacts.getJson<FailbackFenceJournal>(failbackFenceJournalKey(identity));
  if (!journal) return undefined;
  if (journal.status === 'DONE') return releaseFailbackFence(journal.record, deps);
  const releasedAt = deps.now().toISOString();
  const fence = failbackFenceValue(identity);
  const current = await deps.pointer.read();
  if (current?.value !== fence || !switchedTo)
    return {
      direction: 'RELEASE_FAILBACK',
      outcome: 'NOT_FENCED',
      pointer: deps.pointer.pointer,
      ...(current ? { value: current.value } : {}),
      releasedAt,
    };
  const set = await deps.pointer.set(switchedTo, { expected: fence });
  return {
    direction: 'RELEASE_FAILBACK',
    outcome: 'RELEASED',
    pointer: deps.pointer.pointer,
    value: set.current.value,
    releasedAt,
  };
}
