import type { KafkaDataPlane } from '../../lambdas/ports/kafka';

/** The topics of the rehearsal workload: what each one proves across the cutover. */
export interface WorkloadTopic {
  readonly name: string;
  readonly partitions: number;
  /** Keys the producer cycles through (`<topic>-k<n>`). */
  readonly keys: number;
  /** Share of the total rate. */
  readonly weight: number;
  readonly configs: Readonly<Record<string, string>>;
  /** Only the newest value per key has to survive (cleanup.policy=compact). */
  readonly compacted: boolean;
}

export const DEFAULT_WORKLOAD_TOPICS: readonly WorkloadTopic[] = [
  // Keyed, several partitions: per-key order and no loss across partitions.
  { name: 'orders', partitions: 6, keys: 50, weight: 0.6, configs: {}, compacted: false },
  // One partition, one key: strict total order.
  { name: 'ledger', partitions: 1, keys: 1, weight: 0.2, configs: {}, compacted: false },
  // Compacted, keyed: the newest value of every key.
  {
    name: 'customer-profiles',
    partitions: 3,
    keys: 20,
    weight: 0.2,
    configs: { 'cleanup.policy': 'compact' },
    compacted: true,
  },
];

/** The consumer group of a workload topic. */
export function consumerGroupOf(topic: string): string {
  return `${topic}-consumers`;
}

export function keyOf(topic: string, index: number): string {
  return `${topic}-k${index}`;
}

/** Creates the workload topics that do not exist yet on a cluster (the rehearsal creates them on both sides). */
export async function ensureWorkloadTopics(
  plane: KafkaDataPlane,
  topics: readonly WorkloadTopic[] = DEFAULT_WORKLOAD_TOPICS,
): Promise<void> {
  const existing = new Set(await plane.listTopics());
  await plane.createTopics(
    topics
      .filter((t) => !existing.has(t.name))
      .map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1, configs: { ...t.configs } })),
  );
}
