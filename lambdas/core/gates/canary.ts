import type { KafkaDataPlane } from '../../ports/kafka';

/**
 * The canary: one record produced on the source's canary topic (named, created and deleted by this execution — the
 * only thing the tool ever writes to the source) and looked for on the target, giving a measured round-trip time
 * through the replicator. The topic has one partition, so "seen" means read from partition 0.
 */

export type CanaryResult =
  | { readonly status: 'SEEN'; readonly canaryId: string; readonly roundTripMs: number }
  | { readonly status: 'NOT_SEEN'; readonly canaryId: string; readonly waitedMs: number }
  | { readonly status: 'ERROR'; readonly message: string }
  | { readonly status: 'DISABLED'; readonly reason: string };

const CANARY_HEADER = 'msk-migration-canary';

/** Creates the canary topic on the source if absent (1 partition, kept one day). */
export async function ensureCanaryTopic(source: KafkaDataPlane, topic: string): Promise<'CREATED' | 'EXISTS'> {
  const topics = await source.listTopics();
  if (topics.includes(topic)) return 'EXISTS';
  await source.createTopics([
    { topic, numPartitions: 1, configs: { 'retention.ms': String(24 * 3600 * 1000), 'cleanup.policy': 'delete' } },
  ]);
  return 'CREATED';
}

/** Deletes the canary topic wherever it exists (source, and the target's replica of it). */
export async function deleteCanaryTopic(clusters: readonly KafkaDataPlane[], topic: string): Promise<void> {
  for (const cluster of clusters) {
    const topics = await cluster.listTopics();
    if (topics.includes(topic)) await cluster.deleteTopics([topic]);
  }
}

export interface CanaryRun {
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly topic: string;
  readonly canaryId: string;
  /** How long to look for the record on the target before calling it NOT_SEEN. */
  readonly timeoutMs: number;
  readonly nowMs: () => number;
}

/** Produces one canary record and polls the target for it until seen or `timeoutMs` has passed. */
export async function canaryRoundTrip(run: CanaryRun): Promise<CanaryResult> {
  const { source, target, topic, canaryId, timeoutMs, nowMs } = run;
  try {
    let fromOffset = await targetEndOffset(target, topic);
    const producedAt = nowMs();
    await source.produce(topic, [
      {
        key: canaryId,
        value: JSON.stringify({ canaryId, producedAt: new Date(producedAt).toISOString() }),
        headers: { [CANARY_HEADER]: canaryId },
        partition: 0,
      },
    ]);
    const deadline = producedAt + timeoutMs;
    // Bounded both in time (deadline) and in count (each read waits up to 1 s; a fast-failing read still ends the loop).
    for (let attempt = 0; attempt < 10 + Math.ceil(timeoutMs / 100) && nowMs() < deadline; attempt++) {
      if (fromOffset === undefined) {
        fromOffset = await targetEndOffset(target, topic, true);
        if (fromOffset === undefined) continue;
      }
      const records = await target.readPartition({
        topic,
        partition: 0,
        fromOffset,
        maxRecords: 500,
        timeoutMs: Math.max(50, Math.min(1_000, deadline - nowMs())),
      });
      const seen = records.find((r) => r.key !== null && r.key.toString('utf8') === canaryId);
      if (seen) return { status: 'SEEN', canaryId, roundTripMs: nowMs() - producedAt };
      const last = records[records.length - 1];
      if (last) fromOffset = (BigInt(last.offset) + 1n).toString();
    }
    return { status: 'NOT_SEEN', canaryId, waitedMs: nowMs() - producedAt };
  } catch (err) {
    return { status: 'ERROR', message: `canary on ${topic}: ${(err as Error).message}` };
  }
}

/**
 * Where to start looking on the target: its end offset before we produce. When the replicator has not created the
 * target topic yet, read from its log start once it appears (`fromStart`), or wait (`undefined`).
 */
async function targetEndOffset(target: KafkaDataPlane, topic: string, fromStart = false): Promise<string | undefined> {
  const topics = await target.listTopics();
  if (!topics.includes(topic)) return undefined;
  const offsets = await target.fetchTopicOffsets(topic);
  const p0 = offsets.find((o) => o.partition === 0);
  if (!p0) return undefined;
  return fromStart ? p0.low : p0.high;
}
