import { createHash } from 'node:crypto';
import * as z from 'zod';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { PointerValue } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import { mapBounded } from '../inventory/bounded-map';
import type { ExecutionIdentity } from '../replication/naming';
import { lazySchema } from '../lazy-schema';

/**
 * What the cutover steps share: the fence sentinel clients recognise, the pointer records kept for rollback, the
 * end-offset snapshots, and the journal every step writes to the artifact store before and after it acts, so that a
 * retried step finds what an earlier attempt did and reports the same instead of doing it twice.
 *
 * Pointers (see docs/cutover.md): `producers` is the pointer producers read and is always given; `consumers` is the
 * pointer consumers read when it is a different one. With one pointer, producers and consumers read the same value
 * and therefore hold and move together.
 */

/** Clients that read a pointer value starting with this prefix hold: producers stop sending, consumers commit and leave. */
export const FENCE_PREFIX = 'fenced:';

/** The value the pointer holds while this execution drains the source. */
export function fenceValue(identity: ExecutionIdentity): string {
  return `${FENCE_PREFIX}${identity.migrationId}/${identity.executionName}`;
}

/** True for any fence value (this execution's or another's): what a client checks before writing. */
export function isFenced(value: string | undefined): boolean {
  return value !== undefined && value.startsWith(FENCE_PREFIX);
}

export const ExecutionIdentitySchema = lazySchema(() =>
  z.object({
    migrationId: z.string().min(1),
    executionName: z.string().min(1),
    /** The wave of a plan in waves (ExecutionIdentity.wave): its journals and evidence are keyed under it. */
    wave: z.string().min(1).optional(),
  }),
);

export const PointerValueSchema = lazySchema(() => z.object({ value: z.string(), revision: z.string().optional() }));

/** One pointer as the cutover found it, and what it did to it. */
export const PointerRecordSchema = lazySchema(() =>
  z.object({
    /** `ssm:/…`, `route53:…`, `file:…`. */
    pointer: z.string(),
    /** What it held before this execution touched it; `null`: it did not exist. Rollback puts this back. */
    previous: PointerValueSchema.nullable(),
    /** When this execution first changed it (fenced or switched); absent while untouched. */
    changedAt: z.string().optional(),
    /** Route 53: the change to poll until INSYNC (propagation). */
    changeId: z.string().optional(),
    /**
     * The store's revision after this execution's change (an SSM parameter's version): the next write of the pointer
     * expects to make the one after (SetPointerOptions.expectedRevision). Absent where the store has none.
     */
    revision: z.string().optional(),
  }),
);
export type PointerRecord = z.infer<typeof PointerRecordSchema>;

/** Per-partition end offsets of a set of topics: the data in the artifact store, a digest and totals in the state. */
export const EndOffsetsSnapshotSchema = lazySchema(() =>
  z.object({
    at: z.string(),
    key: z.string(),
    /** SHA-256 of the sorted `topic/partition=end` lines: equal digests, equal end offsets. */
    digest: z.string(),
    partitions: z.number().int().nonnegative(),
    /** Sum of the end offsets, for a person reading the state (two snapshots' difference ≈ records written between). */
    totalEnd: z.string(),
  }),
);
export type EndOffsetsSnapshot = z.infer<typeof EndOffsetsSnapshotSchema>;

export interface PartitionEnd {
  readonly topic: string;
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

/**
 * Topics whose end offsets are asked for at once: one request each, and a cutover step that waits on them (the drain's
 * look, the switch's snapshot while producers hold) would otherwise pay one round trip per topic in turn; bounded, so
 * that hundreds of topics do not flood the brokers.
 */
export const END_OFFSETS_CONCURRENCY = 8;

/** Each topic's partitions' start and end offsets: topics sorted, partitions ascending (digestEnds compares in order). */
export async function readEndOffsets(cluster: KafkaDataPlane, topics: readonly string[]): Promise<PartitionEnd[]> {
  const sorted = [...topics].sort();
  const perTopic = await mapBounded(sorted, END_OFFSETS_CONCURRENCY, (topic) => cluster.fetchTopicOffsets(topic));
  return sorted.flatMap((topic, i) =>
    [...(perTopic[i] ?? [])]
      .sort((a, b) => a.partition - b.partition)
      .map((o) => ({ topic, partition: o.partition, low: o.low, high: o.high })),
  );
}

export function digestEnds(ends: readonly PartitionEnd[]): string {
  const hash = createHash('sha256');
  for (const e of ends) hash.update(`${e.topic}/${e.partition}=${e.high}\n`);
  return hash.digest('hex');
}

/** Writes the offsets to the artifact store under `name` and returns the state's summary of them. */
export async function storeEndOffsets(
  artifacts: ArtifactStore,
  identity: ExecutionIdentity,
  name: string,
  at: string,
  ends: readonly PartitionEnd[],
): Promise<EndOffsetsSnapshot> {
  const snapshot = endOffsetsSnapshot(identity, name, at, ends);
  await artifacts.putJson(snapshot.key, { kind: 'end-offsets', at, partitions: ends });
  return snapshot;
}

/** What storeEndOffsets returns, known before the write: a journal entry naming the snapshot can go at once with it. */
export function endOffsetsSnapshot(
  identity: ExecutionIdentity,
  name: string,
  at: string,
  ends: readonly PartitionEnd[],
): EndOffsetsSnapshot {
  return {
    at,
    key: cutoverKey(identity, name),
    digest: digestEnds(ends),
    partitions: ends.length,
    totalEnd: ends.reduce((n, e) => n + BigInt(e.high), 0n).toString(),
  };
}

export async function loadEndOffsets(artifacts: ArtifactStore, key: string): Promise<PartitionEnd[] | undefined> {
  return (await artifacts.getJson<{ partitions: PartitionEnd[] }>(key))?.partitions;
}

/** One key per topic-partition for maps and sets (NUL cannot appear in a topic name). */
export function partitionKey(p: { readonly topic: string; readonly partition: number }): string {
  return `${p.topic}\u0000${p.partition}`;
}

export function cutoverKey(identity: ExecutionIdentity, name: string): string {
  return artifactKey(
    identity.migrationId,
    identity.executionName,
    identity.wave ? `cutover/waves/${identity.wave}/${name}` : `cutover/${name}`,
  );
}

/** The replicated topics the cutover watches: never the canary topic, which this execution itself writes to. */
export function watchedTopics(topics: readonly string[], canaryTopic: string | undefined): string[] {
  return [...new Set(topics)].filter((t) => t !== canaryTopic).sort();
}

export function toPointerValue(recorded: z.infer<typeof PointerValueSchema> | null): PointerValue | undefined {
  if (recorded === null) return undefined;
  return recorded.revision === undefined
    ? { value: recorded.value }
    : { value: recorded.value, revision: recorded.revision };
}

export function fromPointerValue(value: PointerValue | undefined): z.infer<typeof PointerValueSchema> | null {
  if (value === undefined) return null;
  return value.revision === undefined ? { value: value.value } : { value: value.value, revision: value.revision };
}
