import { Consumer, Producer, stringSerializers, type MessageToProduce } from '@platformatic/kafka';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { PlatformaticClientBehaviour } from '../../lambdas/adapters/kafka/platformatic-client-behaviour';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { assess } from '../../lambdas/core/assessment/assess';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { InventorySchema, type Inventory, type TopicRecordSample } from '../../lambdas/core/inventory/model';
import { takeInventory } from '../../lambdas/core/inventory/take-inventory';
import { resolveProfile } from '../../lambdas/core/profiles';
import { withOverrides } from '../../lambdas/core/profiles/profile';
import { startKafkaCluster, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';

/**
 * The inventory's client-behaviour reads against a real KRaft broker (the newest Kafka of the harness), through
 * @platformatic/kafka (kafkajs has none of these requests): a transactional producer (kafkajs), an idempotent snappy
 * producer and an lz4 one (@platformatic/kafka), a plain kafkajs producer with one 300 KB record, a group on the
 * classic protocol and one on the consumer protocol (KIP-848); then the assessment's findings about them.
 */
jest.setTimeout(120_000);

const quiet = { log: () => undefined };
const BIG = 300_000;

describe('client behaviour read from a real broker', () => {
  let cluster: KafkaCluster;
  let inventory: Inventory;
  let reads: PlatformaticClientBehaviour;
  let plane: KafkajsDataPlane;
  let consumer: Consumer<string, string, string, string> | undefined;
  const sample = (topic: string): TopicRecordSample | undefined =>
    inventory.clientBehaviour?.records.status === 'COLLECTED'
      ? inventory.clientBehaviour.records.topics.find((t) => t.topic === topic)
      : undefined;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: 'behaviour' });
    plane = new KafkajsDataPlane(cluster.connection('setup'), quiet);
    await plane.createTopics([
      { topic: 'payments', numPartitions: 2 },
      { topic: 'events', numPartitions: 1 },
      { topic: 'metrics', numPartitions: 1 },
      { topic: 'blobs', numPartitions: 1, configs: { 'max.message.bytes': '2000000' } },
      { topic: 'avro-orders', numPartitions: 1 },
    ]);
    // Values as Confluent's serializer frames them: magic byte 0, schema ID 42, then the Avro body.
    await plane.produce(
      'avro-orders',
      Array.from({ length: 5 }, (_, i) => ({
        value: Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), Buffer.from(`body-${i}`)]),
      })),
    );
    const kafka = new Kafka({
      clientId: 'it-behaviour',
      brokers: [cluster.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });

    // A transactional producer: one committed transaction on payments.
    const tx = kafka.producer({ transactionalId: 'payments-writer', idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const transaction = await tx.transaction();
    await transaction.send({ topic: 'payments', messages: [{ key: 'p1', value: 'paid', partition: 0 }] });
    await transaction.commit();
    await tx.disconnect();

    // A plain producer (kafkajs: not idempotent), uncompressed, one large record.
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({
      topic: 'blobs',
      compression: CompressionTypes.None,
      messages: [{ value: 'x'.repeat(BIG) }, { value: 'small' }],
    });
    await plain.disconnect();

    // Idempotent producers (@platformatic/kafka's default) with snappy and lz4 (zstd needs Node 22.15+).
    for (const [topic, compression] of [
      ['events', 'snappy'],
      ['metrics', 'lz4'],
    ] as const) {
      const producer = new Producer({
        clientId: `it-${compression}`,
        bootstrapBrokers: [cluster.bootstrap as string],
        serializers: stringSerializers,
        idempotent: true,
        compression,
      });
      const messages: MessageToProduce<string, string, string, string>[] = Array.from({ length: 20 }, (_, i) => ({
        topic,
        partition: 0,
        key: `k${i}`,
        value: `value-${i}-${'y'.repeat(200)}`,
      }));
      await producer.send({ messages });
      await producer.close();
    }

    // A classic group (committed offsets, no members) and a KIP-848 consumer-protocol group with a live member.
    await plane.setCommittedOffsets('billing', [{ topic: 'payments', partition: 0, offset: '1' }]);
    consumer = new Consumer({
      clientId: 'it-848',
      groupId: 'analytics',
      groupProtocol: 'consumer',
      bootstrapBrokers: [cluster.bootstrap as string],
      deserializers: { key: String, value: String, headerKey: String, headerValue: String } as never,
    });
    await consumer.consume({ topics: ['events'], mode: 'earliest' } as never);

    reads = new PlatformaticClientBehaviour(cluster.connection('inventory'));
    const store = new MemoryArtifacts();
    ({ inventory } = await takeInventory(
      { migrationId: 'm1', executionName: 'e1' },
      { kafka: plane, clientBehaviour: reads, store, now: () => new Date() },
    ));
  });

  afterAll(async () => {
    await Promise.resolve(consumer?.close(true)).catch(() => undefined);
    await reads?.close();
    await plane?.close();
    await stopAllKafkaClusters();
  });

  it('writes a client-behaviour part the inventory schema accepts, read with @platformatic/kafka', () => {
    expect(InventorySchema.parse(inventory).clientBehaviour?.client).toBe('@platformatic/kafka');
    expect(inventory.clientBehaviour?.note).toMatch(
      /kafkajs.*has no DescribeProducers, ListTransactions or DescribeTransactions/,
    );
    expect(
      inventory.gaps.filter((g) => ['producers', 'transactions', 'records', 'groupTypes'].includes(g.part)),
    ).toEqual([]);
  });

  it('lists the transactional id with its producer ID from ListTransactions and DescribeTransactions', () => {
    const tx = inventory.clientBehaviour?.transactions;
    expect(tx?.status).toBe('COLLECTED');
    if (tx?.status !== 'COLLECTED') return;
    expect(tx.transactions).toEqual([
      // EndTxn answers once PrepareCommit is written; the markers follow.
      expect.objectContaining({
        transactionalId: 'payments-writer',
        state: expect.stringMatching(/^(PrepareCommit|CompleteCommit)$/),
      }),
    ]);
    expect(tx.transactions[0]?.timeoutMs).toBeGreaterThan(0);
    const producers = inventory.clientBehaviour?.producers;
    expect(producers?.status).toBe('COLLECTED');
    if (producers?.status !== 'COLLECTED') return;
    // The transactional producer's ID is among the producers DescribeProducers names on payments.
    expect(producers.topics.find((t) => t.topic === 'payments')?.producerIds).toContain(tx.transactions[0]?.producerId);
    // The idempotent producers have state on their topics; the plain kafkajs producer leaves none.
    expect(producers.topics.find((t) => t.topic === 'events')?.producerIds).toHaveLength(1);
    expect(producers.topics.find((t) => t.topic === 'blobs')).toBeUndefined();
  });

  it('reads each topic’s codecs and observed sizes from its record batches', () => {
    expect(sample('events')).toMatchObject({
      codecs: { snappy: expect.any(Number) },
      records: 20,
      transactionalBatches: 0,
    });
    expect(sample('events')?.idempotentBatches).toBe(sample('events')?.batches);
    expect(sample('metrics')).toMatchObject({ codecs: { lz4: expect.any(Number) }, records: 20 });
    expect(sample('payments')).toMatchObject({ codecs: { none: 1 }, transactionalBatches: 1, records: 1 });
    const blobs = sample('blobs');
    expect(blobs).toMatchObject({ codecs: { none: expect.any(Number) }, records: 2, idempotentBatches: 0 });
    expect(blobs?.maxRecordBytes).toBeGreaterThan(BIG);
    expect(blobs?.maxRecordBytes).toBeLessThan(BIG + 100);
    expect(blobs?.maxBatchBytes).toBeGreaterThan(BIG);
  });

  it('reads the schema registry wire format of the values', () => {
    expect(sample('avro-orders')?.wireFormats).toEqual({ confluent: 5, glue: 0, other: 0, schemaIds: ['42'] });
    expect(sample('events')?.wireFormats).toMatchObject({ confluent: 0, other: 20 });
  });

  it('tells the classic group from the consumer-protocol group', () => {
    const groups = inventory.clientBehaviour?.groupTypes;
    expect(groups?.status).toBe('COLLECTED');
    if (groups?.status !== 'COLLECTED') return;
    expect(groups.groups.find((g) => g.groupId === 'billing')?.groupType).toBe('classic');
    expect(groups.groups.find((g) => g.groupId === 'analytics')?.groupType).toBe('consumer');
  });

  it('assesses them: transactions, idempotent producers, codecs, record sizes over the target limit, group protocol', () => {
    const profile = resolveProfile('msk-serverless');
    const assessment = assess(
      inventory,
      profile,
      assessmentOptions({ replicator: 'MSK_REPLICATOR' }),
      '2026-01-01T00:00:00Z',
    );
    const byId = new Map(assessment.findings.map((f) => [f.id, f]));
    expect(byId.get('transactions.in-use')?.items).toContain('payments-writer');
    expect(byId.get('producers.idempotent')?.evidence).toMatch(/events/);
    expect(byId.get('compression.in-use')?.evidence).toMatch(/snappy/);
    expect(byId.get('groups.consumer-protocol')?.items).toEqual(['analytics']);
    expect(byId.get('schema-registry.confluent-ids')?.items).toEqual(['avro-orders: schema IDs 42']);
    expect(byId.get('clients.not-visible')?.evidence).toMatch(/auto\.offset\.reset/);
    // 300 KB records fit MSK Serverless' 8 MB: no size finding above INFO.
    expect(byId.get('record-size.exceeds-target')).toBeUndefined();
    // A target that takes at most 100 KB (the Assess task applies assessment.profileOverrides this way).
    const tight = assess(
      inventory,
      withOverrides(profile, { quotas: { maxMessageBytes: 100_000 } }),
      assessmentOptions(),
      '2026-01-01T00:00:00Z',
    );
    const blocker = tight.findings.find((f) => f.id === 'record-size.exceeds-target');
    expect(blocker).toMatchObject({
      severity: 'BLOCKER',
      items: [expect.stringMatching(/^blobs: largest record 300 KB/)],
    });
  });
});
