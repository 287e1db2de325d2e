import type { KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';

/**
 * Data-plane lag: per partition, the source's end offset minus the target's, for the replicated topics. With
 * IDENTICAL topic names and replication from EARLIEST into empty topics, both logs hold the same records at the same
 * offsets, so the difference is the number of records still to copy. (Transaction markers and compaction gaps make
 * it an upper bound; the content checks of ValidateTarget do not rely on it.)
 */

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly sourceEnd: string;
  /** `null` when the topic or partition does not exist on the target yet. */
  readonly targetEnd: string | null;
  /** sourceEnd − targetEnd, floored at 0; the whole source log when the target lacks the partition. */
  readonly lag: number;
}

export interface PartitionLagSnapshot {
  readonly at: string;
  readonly partitions: readonly PartitionLag[];
}

export function lagOf(sourceEnd: string, targetEnd: string | null, sourceStart = '0'): number {
  const target = targetEnd === null ? BigInt(sourceStart) : BigInt(targetEnd);
  const diff = BigInt(sourceEnd) - target;
  return diff > 0n ? Number(diff) : 0;
}

/** Pure: joins the two sides' offsets into per-partition lag. */
export function partitionLag(
  topic: string,
  source: readonly PartitionOffsets[],
  target: readonly PartitionOffsets[] | undefined,
): PartitionLag[] {
  const byPartition = new Map((target ?? []).map((o) => [o.partition, o]));
  return [...source]
    .sort((a, b) => a.partition - b.partition)
    .map((s) => {
      const t = byPartition.get(s.partition);
      const targetEnd = t ? t.high : null;
      return { topic, partition: s.partition, sourceEnd: s.high, targetEnd, lag: lagOf(s.high, targetEnd, s.low) };
    });
}

/**
 * Reads end offsets of every replicated topic on both clusters, a few topics at a time (bounded concurrency keeps a
 * 750-topic migration inside a Lambda's minute without flooding the brokers). Reading the target first makes the
 * figure conservative: records landing between the two reads can only add lag, never hide it.
 */
export async function measurePartitionLag(
  source: KafkaDataPlane,
  target: KafkaDataPlane,
  topics: readonly string[],
  now: () => Date,
  concurrency = 8,
): Promise<PartitionLagSnapshot> {
  const at = now().toISOString();
  const targetTopics = new Set(await target.listTopics());
  const results: PartitionLag[][] = new Array(topics.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < topics.length) {
      const i = next++;
      const topic = topics[i] as string;
      const targetOffsets = targetTopics.has(topic) ? await target.fetchTopicOffsets(topic) : undefined;
      const sourceOffsets = await source.fetchTopicOffsets(topic);
      results[i] = partitionLag(topic, sourceOffsets, targetOffsets);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, topics.length) }, worker));
  return { at, partitions: results.flat() };
}
