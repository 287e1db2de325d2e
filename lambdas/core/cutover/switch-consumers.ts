import * as z from 'zod';
import { CutoverFailedError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import { CommitProgressSchema } from './commit-consumer-offsets';
import { FenceRecordSchema } from './fence-producers';
import { readJournal, writeDone, writeIntent } from './journal';
import {
  EndOffsetsSnapshotSchema,
  ExecutionIdentitySchema,
  readEndOffsets,
  storeEndOffsets,
  watchedTopics,
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

const SwitchIntentSchema = lazySchema(() =>
  z.object({
    targetEndsAtSwitch: EndOffsetsSnapshotSchema,
    producersTargetValue: z.string(),
    consumersTargetValue: z.string().optional(),
  }),
);
type SwitchIntent = z.infer<typeof SwitchIntentSchema>;

export async function switchConsumers(request: SwitchConsumersRequest, deps: SwitchDeps): Promise<SwitchRecord> {
  const { identity, fence } = SwitchConsumersRequestSchema.parse(request);
  const journal = await readJournal<SwitchIntent, SwitchRecord>(deps.artifacts, identity, 'switch');
  if (journal?.status === 'DONE') return SwitchRecordSchema.parse(journal.record);
  if (fence.mode === 'SEPARATE_POINTERS' && !deps.consumers)
    throw new CutoverFailedError(
      'The fence recorded a separate consumers\u2019 pointer, but no consumers switch was given to SwitchConsumers.',
    );

  let intent: SwitchIntent;
  if (journal) intent = SwitchIntentSchema.parse(journal.intent);
  else {
    const ends = await readEndOffsets(deps.target, watchedTopics(request.topics, request.canaryTopic));
    intent = {
      targetEndsAtSwitch: await storeEndOffsets(
        deps.artifacts,
        identity,
        'target-ends-at-switch.json',
        deps.now().toISOString(),
        ends,
      ),
      producersTargetValue: request.producersTargetValue,
      ...(deps.consumers ? { consumersTargetValue: request.consumersTargetValue ?? request.producersTargetValue } : {}),
    };
    await writeIntent(deps.artifacts, identity, 'switch', intent);
  }

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
  const set = await deps.producers.set(request.producersTargetValue, { expected: fence.fenceValue });
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
  await writeDone(deps.artifacts, identity, 'switch', intent, record);
  return record;
}
