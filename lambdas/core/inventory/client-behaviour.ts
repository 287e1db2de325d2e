import type { ClientBehaviourReads, SampledBatch } from '../../ports/client-behaviour';
import { isConnectionFailure, reasonOf } from './data-plane';
import { mapBounded } from './bounded-map';
import type { ClientBehaviourInventory, DataPlaneInventory, DescribedTopic, TopicRecordSample } from './model';

/**
 * How the source's clients behave, read from the brokers with the second Kafka client (kafkajs has none of these
 * APIs): idempotent and transactional producers (DescribeProducers, ListTransactions, DescribeTransactions), the
 * codecs and the sizes of the record batches at the tail of each topic (a Fetch), the consumer groups' protocol
 * (ListGroups v5). Each part that cannot be read is NOT_COLLECTED with why and what to grant; a connection-level
 * failure stops the inventory like the data plane's.
 */

export interface ClientBehaviourReadOptions {
  /** Partitions DescribeProducers asks about, over all user topics. @default 5000 */
  readonly maxProducerPartitions?: number;
  /** Partitions sampled per topic (those holding the most records). @default 3 */
  readonly samplePartitionsPerTopic?: number;
  /** Partitions sampled in all. @default 500 */
  readonly maxSampledPartitions?: number;
  /** Bytes fetched at the tail of each sampled partition (the broker returns at least one whole batch). @default 1 MiB */
  readonly sampleBytesPerPartition?: number;
  /** The tail starts this many records before the log end. @default 500 */
  readonly sampleTailRecords?: number;
  /** Fetches in flight. @default 4 */
  readonly sampleConcurrency?: number;
}

export const CLIENT_BEHAVIOUR_NOTE =
  'Read with @platformatic/kafka: kafkajs, the inventory’s main client, has no DescribeProducers, ListTransactions or DescribeTransactions, does not expose record batch attributes and decodes only gzip without extra codecs.';

/** What Kafka keeps to the client and the Admin API cannot show; said in the inventory so that nobody assumes it was checked. */
export const NOT_VISIBLE = [
  'auto.offset.reset of consumers: a client setting, never sent to the broker. A group with committed offsets resumes from them; a new group (or one whose offsets expired) starts where its clients’ auto.offset.reset says. Read it from the applications’ configs.',
  'Client software name and version (KIP-511): brokers receive them in ApiVersions and publish them only as JMX metrics (kafka.server:type=socket-server-metrics, clientSoftwareName/clientSoftwareVersion tags), which MSK’s CloudWatch metrics and the Admin API do not expose. Open monitoring (Prometheus JMX exporter) on MSK provisioned shows them.',
  'Producer settings (acks, linger.ms, batch.size, compression.type, enable.idempotence) are client settings: only their effects are visible (batch codecs and sizes, producer IDs).',
  'Non-idempotent producers leave no producer state: DescribeProducers lists only producers with a producer ID.',
];

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? null;
}

function sampleOf(
  topic: string,
  partitions: number,
  batches: readonly SampledBatch[],
  error?: string,
): TopicRecordSample {
  const data = batches.filter((b) => !b.control);
  const batchSizes = data.map((b) => b.batchBytes).sort((a, b) => a - b);
  const recordSizes = data.flatMap((b) => b.recordBytes).sort((a, b) => a - b);
  const codecs: TopicRecordSample['codecs'] = {};
  for (const b of data) codecs[b.compression] = (codecs[b.compression] ?? 0) + 1;
  const wire = { confluent: 0, glue: 0, other: 0, schemaIds: [] as string[] };
  let valuesRead = false;
  for (const b of data) {
    if (!b.wireFormats) continue;
    valuesRead = true;
    wire.confluent += b.wireFormats.confluent;
    wire.glue += b.wireFormats.glue;
    wire.other += b.wireFormats.other;
    for (const id of b.wireFormats.schemaIds)
      if (wire.schemaIds.length < 20 && !wire.schemaIds.includes(id)) wire.schemaIds.push(id);
  }
  return {
    topic,
    partitionsSampled: partitions,
    batches: data.length,
    records: recordSizes.length,
    codecs,
    maxBatchBytes: batchSizes.at(-1) ?? null,
    p99BatchBytes: percentile(batchSizes, 99),
    maxRecordBytes: recordSizes.at(-1) ?? null,
    p99RecordBytes: percentile(recordSizes, 99),
    idempotentBatches: data.filter((b) => b.producerId !== '-1').length,
    transactionalBatches: data.filter((b) => b.transactional).length,
    ...(valuesRead ? { wireFormats: wire } : {}),
    ...(error ? { error } : {}),
  };
}

/** The partitions worth sampling: those with records, the fullest first. */
function tailPartitions(
  topic: DescribedTopic,
  perTopic: number,
): Array<{ partition: number; from: bigint; end: bigint }> {
  return topic.partitions
    .filter(
      (p) => p.logStartOffset !== null && p.logEndOffset !== null && BigInt(p.logEndOffset) > BigInt(p.logStartOffset),
    )
    .map((p) => ({
      partition: p.partition,
      from: BigInt(p.logStartOffset as string),
      end: BigInt(p.logEndOffset as string),
    }))
    .sort((a, b) =>
      b.end - b.from > a.end - a.from ? 1 : b.end - b.from < a.end - a.from ? -1 : a.partition - b.partition,
    )
    .slice(0, perTopic);
}

async function readPart<T>(
  read: () => Promise<T>,
  refused: (reason: string) => string,
): Promise<T | { status: 'NOT_COLLECTED'; reason: string }> {
  try {
    return await read();
  } catch (err) {
    if (isConnectionFailure(err)) throw err;
    return { status: 'NOT_COLLECTED', reason: refused(reasonOf(err)) };
  }
}

export async function readClientBehaviour(
  reads: ClientBehaviourReads,
  dataPlane: Pick<DataPlaneInventory, 'topics'>,
  options: ClientBehaviourReadOptions = {},
): Promise<ClientBehaviourInventory> {
  const o: Required<ClientBehaviourReadOptions> = {
    maxProducerPartitions: 5000,
    samplePartitionsPerTopic: 3,
    maxSampledPartitions: 500,
    sampleBytesPerPartition: 1_048_576,
    sampleTailRecords: 500,
    sampleConcurrency: 4,
    ...options,
  };
  const topics = dataPlane.topics
    .filter((t): t is DescribedTopic => t.status === 'DESCRIBED' && !t.internal)
    .sort((a, b) => a.name.localeCompare(b.name));

  const transactions = await readPart(
    async (): Promise<ClientBehaviourInventory['transactions']> => {
      const listed = await reads.listTransactions();
      const notes: string[] = [];
      const described = new Map(
        (listed.length > 0 ? await reads.describeTransactions(listed.map((t) => t.transactionalId)) : []).map((d) => [
          d.transactionalId,
          d,
        ]),
      );
      for (const d of described.values())
        if (d.error) notes.push(`DescribeTransactions ${d.transactionalId}: ${d.error}`);
      return {
        status: 'COLLECTED',
        transactions: listed.map((t) => {
          const d = described.get(t.transactionalId);
          return {
            transactionalId: t.transactionalId,
            producerId: t.producerId,
            state: d && !d.error ? d.state : t.state,
            timeoutMs: d && !d.error ? d.timeoutMs : null,
            topics: d && !d.error ? [...new Set(d.topics.map((p) => p.topic))].sort() : [],
          };
        }),
        notes,
      };
    },
    (reason) =>
      `ListTransactions / DescribeTransactions refused: ${reason}. They need Kafka 3.0+ and DESCRIBE on the transactional ids (ACLs) or kafka-cluster:DescribeTransactionalId (IAM); the brokers list only the ids the principal may describe.`,
  );

  const asked = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
  const bounded = asked.slice(0, o.maxProducerPartitions);
  const producers = await readPart(
    async (): Promise<ClientBehaviourInventory['producers']> => {
      const answered = await reads.describeProducers(bounded);
      const notes: string[] = [];
      if (asked.length > bounded.length)
        notes.push(`${asked.length - bounded.length} partitions beyond the first ${bounded.length} were not asked.`);
      const failed = answered.filter((p) => p.error);
      if (failed.length > 0)
        notes.push(
          `${failed.length} partitions did not answer (${failed
            .slice(0, 3)
            .map((p) => `${p.topic}-${p.partition}: ${p.error ?? ''}`)
            .join('; ')}).`,
        );
      const byTopic = new Map<string, Set<string>>();
      for (const p of answered) {
        const ids = byTopic.get(p.topic) ?? new Set<string>();
        for (const a of p.producers) ids.add(a.producerId);
        byTopic.set(p.topic, ids);
      }
      return {
        status: 'COLLECTED',
        partitionsAsked: bounded.length,
        partitionsRead: answered.length - failed.length,
        topics: [...byTopic]
          .filter(([, ids]) => ids.size > 0)
          .map(([topic, ids]) => ({ topic, producerIds: [...ids].sort() }))
          .sort((a, b) => a.topic.localeCompare(b.topic)),
        notes,
      };
    },
    (reason) =>
      `DescribeProducers refused: ${reason}. It needs Kafka 2.8+ and DESCRIBE on the topics (ACLs) or kafka-cluster:DescribeTopic (IAM).`,
  );

  const records = await readPart(
    async (): Promise<ClientBehaviourInventory['records']> => {
      const notes: string[] = [];
      let budget = o.maxSampledPartitions;
      const plan: Array<{ topic: string; partitions: Array<{ partition: number; fromOffset: string }> }> = [];
      for (const t of topics) {
        const tail = tailPartitions(t, Math.min(o.samplePartitionsPerTopic, budget));
        budget -= tail.length;
        const start = (p: { from: bigint; end: bigint }): bigint =>
          p.end - BigInt(o.sampleTailRecords) > p.from ? p.end - BigInt(o.sampleTailRecords) : p.from;
        plan.push({
          topic: t.name,
          partitions: tail.map((p) => ({ partition: p.partition, fromOffset: start(p).toString() })),
        });
      }
      if (budget <= 0)
        notes.push(`Sampling stopped at ${o.maxSampledPartitions} partitions; later topics were not sampled.`);
      const sampled = await mapBounded(plan, o.sampleConcurrency, async (entry): Promise<TopicRecordSample> => {
        const batches: SampledBatch[] = [];
        let error: string | undefined;
        for (const p of entry.partitions) {
          try {
            batches.push(
              ...(await reads.sampleBatches({
                topic: entry.topic,
                partition: p.partition,
                fromOffset: p.fromOffset,
                maxBytes: o.sampleBytesPerPartition,
              })),
            );
          } catch (err) {
            if (isConnectionFailure(err)) throw err;
            error ??= `partition ${p.partition}: ${reasonOf(err)}`;
          }
        }
        return sampleOf(entry.topic, entry.partitions.length, batches, error);
      });
      const unread = sampled.filter((s) => s.error && s.batches === 0).map((s) => s.topic);
      if (unread.length > 0)
        notes.push(
          `${unread.length} topics could not be sampled (${unread.slice(0, 3).join(', ')}): grant READ on them (ACLs) or kafka-cluster:ReadData (IAM).`,
        );
      return { status: 'COLLECTED', bytesPerPartition: o.sampleBytesPerPartition, topics: sampled, notes };
    },
    (reason) => `Sampling the record batches failed: ${reason}.`,
  );

  const groupTypes = await readPart(
    async (): Promise<ClientBehaviourInventory['groupTypes']> => ({
      status: 'COLLECTED',
      groups: (await reads.listGroupTypes()).map((g) => ({ ...g })),
    }),
    (reason) =>
      `ListGroups refused: ${reason}. It needs DESCRIBE on the groups (ACLs) or kafka-cluster:DescribeGroup (IAM).`,
  );

  return {
    client: reads.client,
    note: CLIENT_BEHAVIOUR_NOTE,
    producers,
    transactions,
    records,
    groupTypes,
    notVisible: [...NOT_VISIBLE],
  };
}
