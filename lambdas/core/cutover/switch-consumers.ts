import * as z from 'zod';
import { CutoverFailedError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import { CommitProgressSchema } from './commit-consumer-offsets';
import { FenceRecordSchema } from './fence-producers';
import { allAnswered, readJournal, writeDone, writeIntent, type JournalEntry } from './journal';
import {
  EndOffsetsSnapshotSchema,
  ExecutionIdentitySchema,
  endOffsetsSnapshot,
  readEndOffsets,
  storeEndOffsets,
  watchedTopics,
  type EndOffsetsSnapshot,
  type PartitionEnd,
} from './model';
import { lazySchema } from '../lazy-schema';

/**
 * SwitchConsumers: the switch itself, once the source is drained and the translated offsets are committed. It
 * snapshots the target's end offsets first (nothing has written to the target yet: the baseline against which a
 * rollback reports the writes made after the switch), then moves the consumers' pointer (when separate) and the
 * producers' pointer from the fence to the target, each with the fence as the expected value, so a pointer moved by
 * another writer meanwhile is refused instead of overwritten. Consumers move first: they are waiting at their
 * translated offsets when the first new record arrives. The write pause is from the fence to the producers' switch.
 * Idempotent through the journal.
 */

export const SwitchConsumersRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    fence: FenceRecordSchema,
    /** `$.cutover.offsets`: must be complete. */
    offsets: CommitProgressSchema.refine((o) => o.complete, { message: 'the consumer offsets are not committed yet' }),
    /** What producers read after the switch: the target's bootstrap servers (SSM, file) or host name (Route 53). */
    producersTargetValue: z.string().min(1),
    /** What consumers read after the switch, when they have their own pointer. @default producersTargetValue */
    consumersTargetValue: z.string().min(1).optional(),
  }),
);
export type SwitchConsumersRequest = z.infer<typeof SwitchConsumersRequestSchema>;

export const SwitchedPointerSchema = lazySchema(() =>
  z.object({
    pointer: z.string(),
    value: z.string(),
    changedAt: z.string(),
    changeId: z.string().optional(),
  }),
);

export const SwitchRecordSchema = lazySchema(() =>
  z.object({
    switchedAt: z.string(),
    producers: SwitchedPointerSchema,
    consumers: SwitchedPointerSchema.optional(),
    /** The target's end offsets just before any pointer pointed at it. */
    targetEndsAtSwitch: EndOffsetsSnapshotSchema,
    /** From the fence to the producers' switch: how long producers held their writes (plus pointer propagation). */
    writePauseMs: z.number().int().nonnegative(),
  }),
);
export type SwitchRecord = z.infer<typeof SwitchRecordSchema>;

export interface SwitchDeps {
  readonly producers: CutoverSwitch;
  readonly consumers?: CutoverSwitch;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export const SwitchIntentSchema = lazySchema(() =>
  z.object({
    targetEndsAtSwitch: EndOffsetsSnapshotSchema,
    producersTargetValue: z.string(),
    consumersTargetValue: z.string().optional(),
  }),
);
export type SwitchIntent = z.infer<typeof SwitchIntentSchema>;

/** What the switch reads before it writes anything: its journal and the target's end offsets. */
export interface SwitchStart {
  readonly journal: JournalEntry<SwitchIntent, SwitchRecord> | undefined;
  readonly ends: PartitionEnd[];
}

/** The switch journaled, ready to move the pointers: its DONE record (a retry), or its intent durable. */
export type PreparedSwitch =
  | { readonly status: 'DONE'; readonly record: SwitchRecord }
  | {
      readonly status: 'READY';
      readonly intent: SwitchIntent;
      /** The intent was journaled by an earlier attempt, which may have moved the pointers already. */
      readonly retry?: boolean;
    };

const TARGET_ENDS_AT_SWITCH = 'target-ends-at-switch.json';

/**
 * The journal and the target's end offsets at once: neither depends on the other, and the producers hold until the
 * pointer moves. A retry that finds the journal reads the ends for nothing: one request more there, one round trip
 * fewer on every first attempt. Read only: the one-invocation Cutover starts it beside the offsets' checks.
 */
export async function readSwitchStart(
  request: Pick<SwitchConsumersRequest, 'identity' | 'topics' | 'canaryTopic'>,
  deps: Pick<SwitchDeps, 'target' | 'artifacts'>,
  /** The journal as the caller read it already (the one-invocation Cutover, beside the fence), else read here. */
  journalRead?: Promise<JournalEntry<SwitchIntent, SwitchRecord> | undefined>,
): Promise<SwitchStart> {
  const [journal, ends] = await Promise.all([
    journalRead ?? readJournal<SwitchIntent, SwitchRecord>(deps.artifacts, request.identity, 'switch'),
    readEndOffsets(deps.target, watchedTopics(request.topics, request.canaryTopic)),
  ]);
  return { journal, ends };
}

/**
 * Everything before the pointers move: the journal's record on a retry, else the target-end snapshot and the intent,
 * written at once. The intent names the snapshot by its key and digest, both known before the write, and the pointers
 * move only once both writes are answered (S3 reads its own writes), so a durable intent without its snapshot means
 * an attempt that never moved a pointer: a retry finding one stores the ends it reads now (no client has pointed at
 * the target yet) and journals the intent again before it acts.
 */
export async function prepareSwitch(
  request: SwitchConsumersRequest,
  deps: SwitchDeps,
  start?: SwitchStart,
): Promise<PreparedSwitch> {
  const { identity, fence } = SwitchConsumersRequestSchema.parse(request);
  const { journal, ends } = start ?? (await readSwitchStart(request, deps));
  if (journal?.status === 'DONE') return { status: 'DONE', record: SwitchRecordSchema.parse(journal.record) };
  if (fence.mode === 'SEPARATE_POINTERS' && !deps.consumers)
    throw new CutoverFailedError(
      'The fence recorded a separate consumers\u2019 pointer, but no consumers switch was given to SwitchConsumers.',
    );
  if (journal) {
    const intent = SwitchIntentSchema.parse(journal.intent);
    if ((await deps.artifacts.getJson(intent.targetEndsAtSwitch.key)) !== undefined)
      return { status: 'READY', intent, retry: true };
    const again = { ...intent, targetEndsAtSwitch: await storeSnapshot(identity, ends, deps) };
    await writeIntent(deps.artifacts, identity, 'switch', again);
    return { status: 'READY', intent: again, retry: true };
  }
  const at = deps.now().toISOString();
  const intent: SwitchIntent = {
    targetEndsAtSwitch: endOffsetsSnapshot(identity, TARGET_ENDS_AT_SWITCH, at, ends),
    producersTargetValue: request.producersTargetValue,
    ...(deps.consumers ? { consumersTargetValue: request.consumersTargetValue ?? request.producersTargetValue } : {}),
  };
  await allAnswered([
    storeEndOffsets(deps.artifacts, identity, TARGET_ENDS_AT_SWITCH, at, ends),
    writeIntent(deps.artifacts, identity, 'switch', intent),
  ]);
  return { status: 'READY', intent };
}

function storeSnapshot(
  identity: SwitchConsumersRequest['identity'],
  ends: readonly PartitionEnd[],
  deps: Pick<SwitchDeps, 'artifacts' | 'now'>,
): Promise<EndOffsetsSnapshot> {
  return storeEndOffsets(deps.artifacts, identity, TARGET_ENDS_AT_SWITCH, deps.now().toISOString(), ends);
}

/**
 * The switch: prepared (prepareSwitch) unless the caller prepared it already (the one-invocation Cutover, beside the
 * offsets' journal), then the consumers' pointer (when separate) and the producers' pointer moved, then DONE.
 */
export async function switchConsumers(
  request: SwitchConsumersRequest,
  deps: SwitchDeps,
  prepared?: PreparedSwitch,
): Promise<SwitchRecord> {
  const ready = prepared ?? (await prepareSwitch(request, deps));
  if (ready.status === 'DONE') return ready.record;
  const { identity, fence } = SwitchConsumersRequestSchema.parse(request);
  const { intent } = ready;

  let consumers: z.infer<typeof SwitchedPointerSchema> | undefined;
  if (deps.consumers && fence.consumers) {
    const value = intent.consumersTargetValue ?? request.producersTargetValue;
    const set = await deps.consumers.set(value, { expected: fence.fenceValue });
    consumers = {
      pointer: deps.consumers.pointer,
      value,
      changedAt: deps.now().toISOString(),
      ...(set.changeId ? { changeId: set.changeId } : {}),
    };
  }
  // At the fence's revision: one write, checked to make the next revision (a write by anyone since the fence fails
  // the cutover); a retry reads first, since its earlier attempt may have written. Without one (a fence recorded
  // before revisions were, a store without them), the read and the fence as expected value.
  const revision = fence.producers.revision;
  const set = await deps.producers.set(request.producersTargetValue, {
    expected: fence.fenceValue,
    ...(revision !== undefined ? { expectedRevision: revision, retry: ready.retry === true } : {}),
  });
  const switchedAt = deps.now().toISOString();
  const record: SwitchRecord = {
    switchedAt,
    producers: {
      pointer: deps.producers.pointer,
      value: request.producersTargetValue,
      changedAt: switchedAt,
      ...(set.changeId ? { changeId: set.changeId } : {}),
    },
    ...(consumers ? { consumers } : {}),
    targetEndsAtSwitch: intent.targetEndsAtSwitch,
    writePauseMs: Math.max(0, Date.parse(switchedAt) - Date.parse(fence.fencedAt)),
  };
  // After the producers' pointer moved: the clients' pause ends when they read it, not when this is answered.
  await writeDone(deps.artifacts, identity, 'switch', intent, record);
  return record;
}
