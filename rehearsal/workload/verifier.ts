import type { KafkaDataPlane } from '../../lambdas/ports/kafka';
import { decodeRecord, recordId } from './records';

/**
 * Reads a whole topic on one cluster, partition by partition from the log start to the end offset, without a
 * consumer group, and checks that every acknowledged record is there: evidence independent of the consumers.
 * On a compacted topic only the newest acknowledged value of each key has to be there.
 */

export interface TopicVerification {
  readonly topic: string;
  readonly cluster: string;
  /** Records of the workload found on the topic (all partitions). */
  readonly found: number;
  /** Acknowledged records (or, compacted, newest values) that are not on the topic, as `key#seq`, sorted. */
  readonly missing: readonly string[];
  /** Records found more than once (a producer retry that was written twice, or a replicator's redelivery). */
  readonly duplicates: number;
  /** The read did not reach the end offset of every partition in time. */
  readonly incomplete: boolean;
}

const PAGE = 1_000;

export async function verifyTopic(args: {
  readonly plane: KafkaDataPlane;
  readonly topic: string;
  readonly acked: ReadonlyArray<{ readonly key: string; readonly seq: number }>;
  readonly compacted?: boolean;
  /** @default 30_000 */
  readonly timeoutMs?: number;
}): Promise<TopicVerification> {
  const deadline = Date.now() + (args.timeoutMs ?? 30_000);
  const seen = new Set<string>();
  let found = 0;
  let duplicates = 0;
  let incomplete = false;
  for (const { partition, low, high } of await args.plane.fetchTopicOffsets(args.topic)) {
    let offset = BigInt(low);
    const end = BigInt(high);
    while (offset < end) {
      if (Date.now() > deadline) {
        incomplete = true;
        break;
      }
      const records = await args.plane.readPartition({
        topic: args.topic,
        partition,
        fromOffset: offset.toString(),
        untilOffset: high,
        maxRecords: PAGE,
      });
      if (records.length === 0) break; // the rest was compacted or deleted away
      for (const r of records) {
        const record = decodeRecord(r.value);
        if (!record) continue;
        found++;
        const id = recordId(record.key, record.seq);
        if (seen.has(id)) duplicates++;
        seen.add(id);
      }
      offset = BigInt(records[records.length - 1]?.offset ?? high) + 1n;
    }
  }

  let expected: string[];
  if (args.compacted) {
    const newest = new Map<string, number>();
    for (const r of args.acked) newest.set(r.key, Math.max(newest.get(r.key) ?? 0, r.seq));
    const newestSeen = new Map<string, number>();
    for (const id of seen) {
      const at = id.lastIndexOf('#');
      const key = id.slice(0, at);
      newestSeen.set(key, Math.max(newestSeen.get(key) ?? 0, Number(id.slice(at + 1))));
    }
    expected = [...newest]
      .filter(([key, seq]) => (newestSeen.get(key) ?? 0) < seq)
      .map(([key, seq]) => recordId(key, seq));
  } else {
    expected = args.acked.map((r) => recordId(r.key, r.seq)).filter((id) => !seen.has(id));
  }
  return {
    topic: args.topic,
    cluster: args.plane.connection.bootstrapServers.join(','),
    found,
    missing: [...new Set(expected)].sort(),
    duplicates,
    incomplete,
  };
}
