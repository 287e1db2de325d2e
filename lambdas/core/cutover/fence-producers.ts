import * as z from 'zod';
import { CutoverFailedError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';
import { readJournal, writeDone, writeIntent } from './journal';
import {
  EndOffsetsSnapshotSchema,
  ExecutionIdentitySchema,
  PointerRecordSchema,
  PointerValueSchema,
  fenceValue,
  fromPointerValue,
  isFenced,
  readEndOffsets,
  storeEndOffsets,
  watchedTopics,
} from './model';
import { WriteFencePlanSchema } from './write-fence';
import { lazySchema } from '../lazy-schema';

/**
 * FenceProducers: the first step of the single-writer cutover. It records what the producers' pointer holds (the
 * value rollback puts back) and sets it to this execution's fence sentinel, `fenced:<migration>/<execution>`. Clients
 * that read a fence value hold: producers stop sending (buffer or block), consumers that share the pointer commit
 * and leave their group.
 *
 * Why a fence and not a direct flip to the target: flipped at once, producers would write new records of a key to
 * the target while MirrorMaker 2 / MSK Replicator is still copying that key's older records from the source tail —
 * on the target, the newer record could land before the older one, and consumers would see them out of order. With
 * the fence, nothing is written anywhere until the replicator has copied the last source record (CheckDrain), and
 * then producers move straight to the target (SwitchConsumers). The price is a write pause of drain time plus
 * pointer propagation, which the report measures.
 *
 * Consumers: with a separate consumers' pointer, only the producers' pointer is fenced here and consumers keep
 * reading the source's tail; CommitConsumerOffsets fences theirs. The consumers' pointer is read and recorded here
 * already, so that rollback knows its value from before the cutover.
 *
 * The source's end offsets right after the fence are the baseline CheckDrain compares against (the canary topic,
 * which this execution itself writes, is left out). Idempotent through the journal.
 *
 * With a write fence (plan `cutover.fence` KAFKA_ACL or IAM_POLICY) the source itself refuses writes to the migrated
 * topics, so producers that never read the pointer hold too: what the fence will add and what it replaces is read and
 * journaled with the intent, then the fence is taken before the pointer moves. Rollback undoes exactly that plan.
 */

export const FenceProducersRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    /** The replicated topics (`$.replication.topicsKey`). */
    topics: z.array(z.string().min(1)).min(1),
    /** `$.replication.canaryTopic`: excluded from the end-offset checks. */
    canaryTopic: z.string().optional(),
  }),
);
export type FenceProducersRequest = z.infer<typeof FenceProducersRequestSchema>;

export const FenceRecordSchema = lazySchema(() =>
  z.object({
    fencedAt: z.string(),
    fenceValue: z.string(),
    /** SHARED_POINTER: consumers read the producers' pointer (they hold with them and move with them). */
    mode: z.enum(['SHARED_POINTER', 'SEPARATE_POINTERS']),
    producers: PointerRecordSchema,
    /** Recorded, not changed, when consumers have their own pointer. */
    consumers: PointerRecordSchema.optional(),
    /** The source's end offsets right after the fence (`key` in the artifact store). */
    sourceEndsAtFence: EndOffsetsSnapshotSchema,
    topics: z.number().int().nonnegative(),
    /** The fence the source enforces, when the plan asks for one: what was added (the full plan is in the journal). */
    writeFence: z
      .object({
        kind: z.enum(['KAFKA_ACL', 'IAM_POLICY']),
        subject: z.string(),
        /** Bindings or role policies this execution added (rollback removes these). */
        added: z.number().int().nonnegative(),
        /** Bindings that existed already, or roles whose policy of that name was replaced (and is put back). */
        preExisting: z.number().int().nonnegative(),
      })
      .optional(),
  }),
);
export type FenceRecord = z.infer<typeof FenceRecordSchema>;

export interface FenceDeps {
  /** The pointer producers read (and consumers, when `consumers` is absent). */
  readonly producers: CutoverSwitch;
  /** The pointer consumers read, when it is a different one. */
  readonly consumers?: CutoverSwitch;
  readonly source: KafkaDataPlane;
  /** The fence the source enforces (plan `cutover.fence` KAFKA_ACL / IAM_POLICY); absent: the pointer only. */
  readonly writeFence?: WriteFence;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export const FenceIntentSchema = lazySchema(() =>
  z.object({
    producersPrevious: PointerValueSchema.nullable(),
    consumersPrevious: PointerValueSchema.nullable().optional(),
    requestedAt: z.string(),
    /** What the write fence adds and replaces, read before it was taken: rollback undoes exactly this. */
    writeFence: WriteFencePlanSchema.optional(),
  }),
);
export type FenceIntent = z.infer<typeof FenceIntentSchema>;

export async function fenceProducers(request: FenceProducersRequest, deps: FenceDeps): Promise<FenceRecord> {
  const { identity } = request;
  const fence = fenceValue(identity);
  const journal = await readJournal<FenceIntent, FenceRecord>(deps.artifacts, identity, 'fence');
  if (journal?.status === 'DONE') return FenceRecordSchema.parse(journal.record);

  let intent: FenceIntent;
  if (journal) {
    intent = FenceIntentSchema.parse(journal.intent);
  } else {
    const current = await deps.producers.read();
    if (current && isFenced(current.value)) {
      throw new CutoverFailedError(
        current.value === fence
          ? `${deps.producers.pointer} already holds this execution's fence, but no fence was recorded: what it held before is unknown. Put the pre-cutover value back by hand and restart the cutover.`
          : `${deps.producers.pointer} holds another cutover's fence ("${current.value}"): two migrations are switching the same clients. Finish or roll back the other one first.`,
        { pointer: deps.producers.pointer },
      );
    }
    if (current === undefined) {
      throw new CutoverFailedError(
        `${deps.producers.pointer} does not exist: producers cannot be reading it, so fencing it would not stop them. Check cutover.switch in the plan.`,
        {
          pointer: deps.producers.pointer,
        },
      );
    }
    const consumersPrevious = deps.consumers ? fromPointerValue(await deps.consumers.read()) : undefined;
    const writeFence = deps.writeFence
      ? await deps.writeFence.inspect(watchedTopics(request.topics, request.canaryTopic))
      : undefined;
    intent = {
      producersPrevious: fromPointerValue(current),
      ...(deps.consumers ? { consumersPrevious: consumersPrevious ?? null } : {}),
      requestedAt: deps.now().toISOString(),
      ...(writeFence ? { writeFence } : {}),
    };
    await writeIntent(deps.artifacts, identity, 'fence', intent);
  }

  if (intent.writeFence) {
    if (!deps.writeFence)
      throw new TypeError(`FenceProducers journaled a ${intent.writeFence.kind} fence but was given no write fence.`);
    // The broker fence first: it holds every producer, the pointer only those that read it.
    await deps.writeFence.apply(intent.writeFence);
  }
  // At the revision read before the intent: one write, no read, and a write by anyone since is found (a retry reads).
  const previous = intent.producersPrevious;
  const set = await deps.producers.set(fence, {
    expected: previous?.value ?? null,
    ...(previous?.revision !== undefined ? { expectedRevision: previous.revision, retry: journal !== undefined } : {}),
  });
  const fencedAt = deps.now().toISOString();
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const ends = await readEndOffsets(deps.source, topics);
  const record: FenceRecord = {
    fencedAt,
    fenceValue: fence,
    mode: deps.consumers ? 'SEPARATE_POINTERS' : 'SHARED_POINTER',
    producers: {
      pointer: deps.producers.pointer,
      previous: intent.producersPrevious,
      changedAt: fencedAt,
      ...(set.changeId ? { changeId: set.changeId } : {}),
      ...(set.current.revision !== undefined ? { revision: set.current.revision } : {}),
    },
    ...(deps.consumers
      ? { consumers: { pointer: deps.consumers.pointer, previous: intent.consumersPrevious ?? null } }
      : {}),
    sourceEndsAtFence: await storeEndOffsets(deps.artifacts, identity, 'source-ends-at-fence.json', fencedAt, ends),
    topics: topics.length,
    ...(intent.writeFence ? { writeFence: summarizeWriteFence(intent.writeFence) } : {}),
  };
  await writeDone(deps.artifacts, identity, 'fence', intent, record);
  return record;
}

function summarizeWriteFence(plan: z.infer<typeof WriteFencePlanSchema>): NonNullable<FenceRecord['writeFence']> {
  if (plan.kind === 'KAFKA_ACL') {
    const preExisting = plan.bindings.filter((b) => b.preExisting).length;
    return { kind: plan.kind, subject: plan.subject, added: plan.bindings.length - preExisting, preExisting };
  }
  const replaced = plan.roles.filter((r) => r.previousDocument !== null).length;
  return { kind: plan.kind, subject: plan.subject, added: plan.roles.length - replaced, preExisting: replaced };
}
