import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import { freePorts, startKafkaCluster, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';

/**
 * The kafkajs KafkaDataPlane against a real broker of each Kafka line the harness runs (3.9.x, 4.x): one KRaft
 * cluster per version with a plaintext listener, a SCRAM listener and the ACL authorizer on.
 */
jest.setTimeout(120_000);

const quiet = { log: () => undefined };
const alice = { username: 'alice', password: 'alice-secret' };

describe.each(KAFKA_VERSIONS)('the kafkajs data plane against Kafka %s', (version) => {
  let cluster: KafkaCluster;
  let plane: KafkajsDataPlane;
  const opened: KafkajsDataPlane[] = [];
  const open = (connection: KafkaConnection): KafkajsDataPlane => {
    const p = new KafkajsDataPlane(connection, quiet);
    opened.push(p);
    return p;
  };

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: `plane-${version}`, version, scram: { users: [alice] }, acls: true });
    plane = open(cluster.connection('plane'));
  });

  afterAll(async () => {
    await Promise.all(opened.map((p) => p.close()));
    await stopAllKafkaClusters();
  });

  it('creates topics and describes their partitions and only the configs set on them as non-default', async () => {
    // Prepare
    await plane.createTopics([
      { topic: 'orders', numPartitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } },
      { topic: 'audit', numPartitions: 1 },
    ]);

    // Act
    const topics = await plane.listTopics();
    const described = await plane.describeTopics(['orders', 'audit']);
    const configs = await plane.describeTopicConfigs(['orders', 'audit']);

    // Assess
    expect(topics).toEqual(expect.arrayContaining(['audit', 'orders']));
    expect(
      described.find((t) => t.name === 'orders')?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
    ).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    const setOn = (topic: string): Record<string, string | null> =>
      Object.fromEntries((configs[topic] ?? []).filter((c) => !c.isDefault).map((c) => [c.name, c.value]));
    expect(setOn('orders')).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
    expect(setOn('audit')).toEqual({});
    expect(configs.audit?.find((c) => c.name === 'retention.ms')).toMatchObject({
      value: '604800000',
      isDefault: true,
    });
  });

  it('produces records and reads one partition back, from an offset and up to an end offset, without joining a group', async () => {
    // Prepare
    await plane.createTopics([{ topic: 'payments', numPartitions: 2 }]);
    const records = Array.from({ length: 20 }, (_, i) => ({
      key: `k${i}`,
      value: `payment-${i}`,
      headers: { seq: String(i) },
      partition: i % 2,
    }));

    // Act
    const written = await plane.produce('payments', records);
    const offsets = await plane.fetchTopicOffsets('payments');
    const middle = await plane.readPartition({
      topic: 'payments',
      partition: 1,
      fromOffset: '2',
      untilOffset: '6',
      maxRecords: 100,
      timeoutMs: 3_000,
    });
    const capped = await plane.readPartition({
      topic: 'payments',
      partition: 0,
      fromOffset: '0',
      maxRecords: 3,
      timeoutMs: 3_000,
    });
    const groups = await plane.listGroups();

    // Assess
    expect(written.slice(0, 4)).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
      { partition: 0, offset: '1' },
      { partition: 1, offset: '1' },
    ]);
    expect(offsets).toEqual([
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '0', high: '10' },
    ]);
    expect(middle.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.headers.seq?.toString()])).toEqual([
      ['2', 'k5', 'payment-5', '5'],
      ['3', 'k7', 'payment-7', '7'],
      ['4', 'k9', 'payment-9', '9'],
      ['5', 'k11', 'payment-11', '11'],
    ]);
    expect(capped.map((r) => r.value?.toString())).toEqual(['payment-0', 'payment-2', 'payment-4']);
    expect(groups).toEqual([]);
  });

  it('returns what a partition holds when asked for more, within the time given', async () => {
    // Prepare
    await plane.createTopics([{ topic: 'sparse', numPartitions: 1 }]);
    await plane.produce('sparse', [{ value: 'only' }]);

    // Act
    const records = await plane.readPartition({
      topic: 'sparse',
      partition: 0,
      fromOffset: '0',
      maxRecords: 1000,
      timeoutMs: 10_000,
    });
    const none = await plane.readPartition({
      topic: 'sparse',
      partition: 0,
      fromOffset: '1',
      maxRecords: 10,
      timeoutMs: 300,
    });

    // Assess
    expect(records.map((r) => r.value?.toString())).toEqual(['only']);
    expect(none).toEqual([]);
  });

  it('reads many partitions of two topics at once, each getting exactly its own committed records', async () => {
    // Prepare: ledger-p holds p+1 records, and every sixth partition then an aborted and a committed transaction of
    // one record each (markers between them); journal-p holds 3 records. A new plane reads them all at once, with no
    // metadata loaded yet: 32 reads, more than the plane runs side by side.
    await plane.createTopics([
      { topic: 'ledger', numPartitions: 24 },
      { topic: 'journal', numPartitions: 8 },
    ]);
    const ledger = Array.from({ length: 24 }, (_, p) => p);
    const journal = Array.from({ length: 8 }, (_, p) => p);
    await plane.produce(
      'ledger',
      ledger.flatMap((p) => Array.from({ length: p + 1 }, (_, i) => ({ value: `ledger-${p}-${i}`, partition: p }))),
    );
    await plane.produce(
      'journal',
      journal.flatMap((p) => [0, 1, 2].map((i) => ({ value: `journal-${p}-${i}`, partition: p }))),
    );
    const kafka = new Kafka({
      clientId: 'tx-writer',
      brokers: [cluster.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
    const writer = kafka.producer({ transactionalId: 'ledger-writer', idempotent: true, maxInFlightRequests: 1 });
    await writer.connect();
    try {
      for (const outcome of ['abort', 'commit'] as const) {
        const tx = await writer.transaction();
        await tx.send({
          topic: 'ledger',
          messages: ledger.filter((p) => p % 6 === 0).map((p) => ({ value: `${outcome}-${p}`, partition: p })),
        });
        await (outcome === 'abort' ? tx.abort() : tx.commit());
      }
    } finally {
      await writer.disconnect();
    }
    const ends = await plane.fetchTopicsOffsets(['ledger', 'journal']);
    const reader = open(cluster.connection('reader'));
    const asked = [
      ...ledger.map((partition) => ({ topic: 'ledger', partition })),
      ...journal.map((partition) => ({ topic: 'journal', partition })),
    ];

    // Act
    const read = await Promise.all(
      asked.map(({ topic, partition }) =>
        reader.readPartition({
          topic,
          partition,
          fromOffset: '0',
          untilOffset: ends[topic]?.find((e) => e.partition === partition)?.high,
          maxRecords: 100,
          timeoutMs: 5_000,
        }),
      ),
    );

    // Assess
    const expected = (topic: string, p: number): string[] =>
      topic === 'journal'
        ? [0, 1, 2].map((i) => `journal-${p}-${i}`)
        : [...Array.from({ length: p + 1 }, (_, i) => `ledger-${p}-${i}`), ...(p % 6 === 0 ? [`commit-${p}`] : [])];
    asked.forEach(({ topic, partition }, i) => {
      const records = read[i] ?? [];
      expect({ topic, partition, values: records.map((r) => r.value?.toString()) }).toEqual({
        topic,
        partition,
        values: expected(topic, partition),
      });
      expect(records.every((r) => r.topic === topic && r.partition === partition)).toBe(true);
      const offsets = records.map((r) => Number(r.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    });
    // The aborted record and both markers took offsets: the committed record is the last of the range, after them.
    expect(read[6]?.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4', '5', '6', '9']);
  });

  it("reads a topic's end offsets with partitions added since its metadata was cached", async () => {
    // Prepare: a reader that knows the topic with one partition
    await plane.createTopics([{ topic: 'growing', numPartitions: 1 }]);
    const reader = open(cluster.connection('reader-ends'));
    const writer = open(cluster.connection('writer-ends'));
    await writer.produce('growing', [{ value: 'a', partition: 0 }]);
    const before = await reader.fetchTopicOffsets('growing');
    const admin = new Kafka({
      clientId: 'grower',
      brokers: cluster.connection().bootstrapServers as string[],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] });
    } finally {
      await admin.disconnect();
    }
    await waitFor(
      async () => (await plane.describeTopics(['growing']))[0]?.partitions.every((p) => p.leader >= 0) ?? false,
    );
    const after = open(cluster.connection('writer-grown'));
    await after.produce('growing', [
      { value: 'b', partition: 2 },
      { value: 'c', partition: 2 },
    ]);

    // Act
    const ends = await reader.fetchTopicOffsets('growing');

    // Assess
    expect(before).toEqual([{ partition: 0, low: '0', high: '1' }]);
    expect(ends).toEqual([
      { partition: 0, low: '0', high: '1' },
      { partition: 1, low: '0', high: '0' },
      { partition: 2, low: '0', high: '2' },
    ]);
  });

  it('reads on after its topics change under it: a partition added, a topic recreated, another deleted', async () => {
    // Prepare: a reader that has read both topics, so its metadata holds them. Each side writes through a plane of its
    // own: kafkajs's producer keeps every topic it wrote to in its metadata, and a deleted one fails its next send.
    await plane.createTopics([
      { topic: 'resized', numPartitions: 1 },
      { topic: 'retired', numPartitions: 1 },
    ]);
    const before = open(cluster.connection('writer-before'));
    await before.produce('resized', [{ value: 'before', partition: 0 }]);
    await before.produce('retired', [{ value: 'last', partition: 0 }]);
    const reader = open(cluster.connection('reader-meta'));
    const read = (topic: string, partition: number): Promise<string[]> =>
      reader
        .readPartition({ topic, partition, fromOffset: '0', maxRecords: 10, timeoutMs: 3_000 })
        .then((records) => records.map((r) => `${r.partition}:${r.value?.toString()}`));
    expect(await read('resized', 0)).toEqual(['0:before']);
    expect(await read('retired', 0)).toEqual(['0:last']);

    // Act: another client recreates one topic with three partitions and deletes the other
    await plane.deleteTopics(['resized', 'retired']);
    await waitFor(async () => !(await plane.listTopics()).some((t) => t === 'resized' || t === 'retired'));
    await plane.createTopics([
      { topic: 'resized', numPartitions: 3 },
      { topic: 'arrived', numPartitions: 1 },
    ]);
    const after = open(cluster.connection('writer-after'));
    await after.produce('resized', [
      { value: 'again-0', partition: 0 },
      { value: 'again-2', partition: 2 },
    ]);
    await after.produce('arrived', [{ value: 'first', partition: 0 }]);
    const added = await read('resized', 2);
    const recreated = await read('resized', 0);
    const arrived = await read('arrived', 0);

    // Assess: the new partition and the new topic are found although a topic read earlier is gone
    expect(added).toEqual(['2:again-2']);
    expect(recreated).toEqual(['0:again-0']);
    expect(arrived).toEqual(['0:first']);
  });

  it('lists and describes a consumer group, fetches its committed offsets and sets new ones once it has no members', async () => {
    // Prepare: a kafkajs consumer group reads 6 records of `invoices` and commits, then leaves.
    await plane.createTopics([{ topic: 'invoices', numPartitions: 1 }]);
    await plane.produce(
      'invoices',
      Array.from({ length: 10 }, (_, i) => ({ value: `invoice-${i}` })),
    );
    const kafka = new Kafka({
      clientId: 'it-consumer',
      brokers: cluster.connection().bootstrapServers as string[],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: 'billing', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'invoices', fromBeginning: true });
    let seen = 0;
    const sixSeen = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (++seen === 6) {
            await consumer.commitOffsets([
              { topic: 'invoices', partition: 0, offset: (BigInt(message.offset) + 1n).toString() },
            ]);
            resolve();
          }
        },
      });
    });
    await sixSeen;
    const whileRunning = await plane.describeGroups(['billing']);
    await consumer.disconnect();

    // Act
    const groups = await plane.listGroups();
    const [afterLeaving] = await plane.describeGroups(['billing']);
    const committed = await plane.fetchCommittedOffsets('billing');
    await plane.setCommittedOffsets('billing', [{ topic: 'invoices', partition: 0, offset: '2' }]);
    const reset = await plane.fetchCommittedOffsets('billing', ['invoices']);

    // Assess
    expect(whileRunning[0]).toMatchObject({ groupId: 'billing', state: 'Stable', protocolType: 'consumer' });
    expect(whileRunning[0]?.members).toHaveLength(1);
    expect(groups).toContainEqual({ groupId: 'billing', protocolType: 'consumer' });
    expect(afterLeaving).toMatchObject({ groupId: 'billing', state: 'Empty', members: [] });
    expect(committed).toEqual([{ topic: 'invoices', partition: 0, offset: '6' }]);
    expect(reset).toEqual([{ topic: 'invoices', partition: 0, offset: '2' }]);
  });

  it('refuses to set the offsets of a group that has active members', async () => {
    // Prepare
    await plane.createTopics([{ topic: 'busy', numPartitions: 1 }]);
    const kafka = new Kafka({
      clientId: 'it-busy',
      brokers: cluster.connection().bootstrapServers as string[],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: 'busy-group', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'busy', fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ eachMessage: async () => undefined });
    await joined;

    try {
      // Act
      const attempt = plane.setCommittedOffsets('busy-group', [{ topic: 'busy', partition: 0, offset: '0' }]);

      // Assess
      await expect(attempt).rejects.toThrow(/busy-group .* 1 active member/);
    } finally {
      await consumer.disconnect();
    }
  });

  it('connects with SCRAM-SHA-512 and SCRAM-SHA-256 on the SASL listener', async () => {
    // Prepare
    const sha512 = open(cluster.connection('scram-512', cluster.admin));
    const sha256 = open(cluster.connection('scram-256', { ...alice, mechanism: 'SCRAM-SHA-256' }));

    // Act
    const asAdmin = await sha512.listTopics();
    const asAlice = await sha256.listTopics();

    // Assess
    expect(asAdmin).toEqual(expect.arrayContaining(['orders', 'payments']));
    expect(asAlice).toEqual([]); // alice may connect but, without ACLs, sees no topic
  });

  it('fails with Migration.AuthFailed when the SCRAM password is wrong', async () => {
    // Prepare
    const wrong = open(cluster.connection('wrong-password', { username: 'alice', password: 'not-her-password' }));

    // Act
    const attempt = wrong.listTopics();

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'Migration.AuthFailed',
      details: { kind: 'authentication', operation: 'listTopics', cluster: 'wrong-password' },
    });
  });

  it('fails with Migration.AuthFailed when an ACL does not allow the operation, and succeeds once it does', async () => {
    // Prepare
    const asAlice = open(cluster.connection('alice', alice));
    const admin = new Kafka({
      clientId: 'it-acl',
      brokers: [cluster.saslBootstrap as string],
      sasl: { mechanism: 'scram-sha-512', ...(cluster.admin ?? alice) },
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();

    // Act
    const denied = asAlice.produce('payments', [{ value: 'from alice', partition: 0 }]);
    await expect(denied).rejects.toMatchObject({
      name: 'Migration.AuthFailed',
      details: { kind: 'authorization', kafkaError: 'TOPIC_AUTHORIZATION_FAILED' },
    });
    await admin.createAcls({
      acl: ['WRITE', 'DESCRIBE'].map((operation) => ({
        resourceType: 2, // TOPIC
        resourceName: 'payments',
        resourcePatternType: 3, // LITERAL
        principal: 'User:alice',
        host: '*',
        operation: operation === 'WRITE' ? 4 : 8,
        permissionType: 3, // ALLOW
      })),
    });
    await admin.disconnect();
    const allowed = await asAlice.produce('payments', [{ value: 'from alice', partition: 0 }]);

    // Assess
    expect(allowed).toEqual([{ partition: 0, offset: '10' }]);
  });

  it('fails with Migration.Unreachable when nothing listens at the bootstrap address', async () => {
    // Prepare
    const [closedPort] = await freePorts(1);
    const nowhere = open({
      name: 'nowhere',
      bootstrapServers: [`127.0.0.1:${closedPort}`],
      auth: { mechanism: 'PLAINTEXT' },
      requestTimeoutMs: 2_000,
    });

    // Act
    const attempt = nowhere.listTopics();

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'Migration.Unreachable',
      details: { cluster: 'nowhere', operation: 'listTopics' },
    });
  });
});

/** Polls `condition` every 200 ms for at most 20 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('condition not met within 20 s');
}
