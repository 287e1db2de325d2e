import type { KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';
import { readDigests } from '../validation/record-continuity';

/**
 * Data-plane lag: per partition, the source's end offset minus the target's, for the replicated topics. With
 * IDENTICAL topic names and replication from EARLIEST into empty topics, both logs hold the same records at the same
 * offsets, so the difference is the number of records still to copy. (Transaction markers and compaction gaps make
 * it an upper bound; the content checks of ValidateTarget do not rely on it.)
 *
 * A restarted replicator breaks the premise: it copies a range again, so the target's end runs ahead of what it
 * actually holds of the source by the replayed records, and the difference understates the lag (a partition can look
 * caught up while hundreds of records are still to copy). Where the difference is small enough for the gate to pass,
 * the target's last record is therefore located in the source by content: the lag is counted from there, and the
 * records the target holds beyond it are reported as replayed.
 */

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly sourceEnd: string;
  /** `null` when the topic or partition does not exist on the target yet. */
  readonly targetEnd: string | null;
  /** sourceEnd − targetEnd, floored at 0; the whole source log when the target lacks the partition. With `copiedUntil`: sourceEnd − copiedUntil. */
  readonly lag: number;
  /** By content: the source offset after the target's last record (absent: not checked, or not found). */
  readonly copiedUntil?: string;
  /** Records the target holds beyond what it copied of the source: a replayed range (and transaction markers). */
  readonly replayedRecords?: number;
}

/** When the gate locates the target's last record in the source by content (see the module comment). */
export interface ContentLagOptions {
  /** Only partitions whose offset difference is at most this (the gate could pass on them). */
  readonly whenLagAtMost: number;
  readonly searchWindow: number;
  readonly ignoredHeaders: readonly string[];
  readonly readTimeoutMs: number;
  /** How far back the source is searched (records). @default 20_000 */
  readonly maxScanRecords?: number;
  /** The previous snapshot: its copiedUntil predicts where to look. */
  readonly previous?: PartitionLagSnapshot;
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
  content?: ContentLagOptions,
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
      const lags = partitionLag(topic, sourceOffsets, targetOffsets);
      if (content && targetOffsets) {
        for (const [j, lag] of lags.entries()) {
          if (lag.targetEnd === null || lag.lag > content.whenLagAtMost) continue;
          const s = sourceOffsets.find((o) => o.partition === lag.partition);
          const t = targetOffsets.find((o) => o.partition === lag.partition);
          if (s && t) lags[j] = await byContent(source, target, topic, s, t, lag, content);
        }
      }
      results[i] = lags;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, topics.length) }, worker));
  return { at, partitions: results.flat() };
}

/** The lag of one partition counted from the source position of the target's last record. */
async function byContent(
  source: KafkaDataPlane,
  target: KafkaDataPlane,
  topic: string,
  s: PartitionOffsets,
  t: PartitionOffsets,
  lag: PartitionLag,
  options: ContentLagOptions,
): Promise<PartitionLag> {
  const [sLow, sHigh, tLow, tHigh] = [s.low, s.high, t.low, t.high].map((o) => BigInt(o)) as [
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  if (tHigh === tLow || sHigh === sLow) return lag;
  const partition = s.partition;
  const last = (
    await readDigests(target, topic, partition, tHigh - 5n > tLow ? tHigh - 5n : tLow, tHigh, 5, options)
  ).at(-1);
  if (!last) return lag;
  const before = options.previous?.partitions.find((p) => p.topic === topic && p.partition === partition);
  // Where the previous evaluation found the copy's end, shifted by the records written to the target since.
  const predicted =
    before?.copiedUntil !== undefined && before.targetEnd !== null
      ? BigInt(before.copiedUntil) - 1n + (last.offset - (BigInt(before.targetEnd) - 1n))
      : last.offset;
  const W = BigInt(options.searchWindow);
  let found: bigint | undefined;
  let until = predicted + W + 1n < sHigh ? predicted + W + 1n : sHigh;
  let budget = options.maxScanRecords ?? 20_000;
  while (found === undefined && until > sLow && budget > 0) {
    const from = until - 2_000n > sLow ? until - 2_000n : sLow;
    const window = await readDigests(source, topic, partition, from, until, Number(until - from), options);
    budget -= window.length;
    found = window.filter((r) => r.digest === last.digest).at(-1)?.offset;
    until = from;
  }
  if (found === undefined) return lag;
  const copiedUntil = found + 1n;
  const behind = sHigh - copiedUntil;
  const replayed = tHigh - tLow - (copiedUntil - sLow);
  return {
    ...lag,
    lag: behind > 0n ? Number(behind) : 0,
    copiedUntil: copiedUntil.toString(),
    ...(replayed > 0n ? { replayedRecords: Number(replayed) } : {}),
  };
}
