import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticDataPlane } from '../../lambdas/adapters/kafka/platformatic-data-plane';
import type { KafkaConnection, KafkaDataPlane } from '../../lambdas/ports/kafka';
import { freePorts, startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';

/**
 * One contract for the KafkaDataPlane port, run against both adapters (kafkajs 2.2.4, @platformatic/kafka 1.35) on a
 * real single-node KRaft broker of each Kafka line the harness runs (3.9.x, 4.x). One cluster per version, started
 * once for both adapters (each adapter works on its own topics and groups), stopped by PID at the end.
 *
 * Cases an adapter cannot pass are not skipped: they are listed in LIMITATIONS with the reason, and the test asserts
 * the error that adapter gives instead. docs/kafka-clients.md carries the table of results.
 */
jest.setTimeout(180_000);

type AdapterName = 'kafkajs' | 'platformatic';
const ADAPTERS: ReadonlyArray<{ name: AdapterName; open: (connection: KafkaConnection) => KafkaDataPlane }> = [
  { name: 'kafkajs', open: (connection) => new KafkajsDataPlane(connection, { log: () => undefined }) },
  { name: 'platformatic', open: (connection) => new PlatformaticDataPlane(connection) },
];

const alice = { username: 'alice', password: 'alice-secret' };
const clusters = new Map<string, KafkaCluster>();

beforeAll(async () => {
  const started = await startKafkaClusters(
    KAFKA_VERSIONS.map((version) => ({ name: `contract-${version}`, version, scram: { users: [alice] } })),
  );
  for (const cluster of started) clusters.set(cluster.version, cluster);
}, 240_000);

afterAll(async () => {
  // By PID (cluster.stop), then the harness's safety net for anything this process started.
  await Promise.all([...clusters.values()].map((c) => c.stop()));
  await stopAllKafkaClusters();
});

/** The test's own consumer (kafkajs, whatever the adapter under test): a member of `groupId` until disconnected. */
function consumerOf(cluster: KafkaCluster, groupId: string): Consumer {
  return new Kafka({
    clientId: `contract-${groupId}`,
    brokers: [cluster.bootstrap as string],
    logLevel: logLevel.NOTHING,
  }).consumer({ groupId, maxWaitTimeInMs: 100 });
}

/** Joins `groupId` on `topic` and stays a member. */
async function joinGroup(cluster: KafkaCluster, groupId: string, topic: string): Promise<Consumer> {
  const consumer = consumerOf(cluster, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  await joined;
  return consumer;
}

/** Joins `groupId`, reads `count` records of `topic` and commits the offset after the last one; stays a member. */
async function consumeAndCommit(
  cluster: KafkaCluster,
  groupId: string,
  topic: string,
  count: number,
): Promise<Consumer> {
  const consumer = consumerOf(cluster, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const committed = new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          if (++seen !== count) return;
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          resolve();
        },
      })
      .catch(reject);
  });
  await committed;
  return consumer;
}

describe.each(KAFKA_VERSIONS)('the KafkaDataPlane contract on Kafka %s', (version) => {
  describe.each(ADAPTERS)('with the $name adapter', ({ name, open }) => {
    const opened: KafkaDataPlane[] = [];
    let cluster: KafkaCluster;
    let plane: KafkaDataPlane;
    /** Names of this adapter's topics and groups on the shared cluster. */
    const own = (base: string): string => `${name}-${base}`;
    const connect = (connection: KafkaConnection): KafkaDataPlane => {
      const p = open(connection);
      opened.push(p);
      return p;
    };

    beforeAll(() => {
      const c = clusters.get(version);
      if (!c) throw new Error(`no cluster for Kafka ${version}`);
      cluster = c;
      plane = connect(cluster.connection(own('plane')));
    });

    afterAll(async () => {
      await Promise.all(opened.map((p) => p.close()));
    });

    it('creates topics, lists and describes them, and reports only the configs set on a topic as non-default', async () => {
      // Prepare
      const orders = own('orders');
      const audit = own('audit');

      // Act
      await plane.createTopics([
        { topic: orders, numPartitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } },
        { topic: audit, numPartitions: 1 },
      ]);
      const topics = await plane.listTopics();
      const described = await plane.describeTopics([orders, audit]);
      const configs = await plane.describeTopicConfigs([orders, audit]);

      // Assess
      expect(topics).toEqual(expect.arrayContaining([audit, orders]));
      expect(described.map((t) => t.name).sort()).toEqual([audit, orders].sort());
      expect(
        described.find((t) => t.name === orders)?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
      ).toEqual([
        [0, 1, [1], [1]],
        [1, 1, [1], [1]],
        [2, 1, [1], [1]],
      ]);
      const setOn = (topic: string): Record<string, string | null> =>
        Object.fromEntries((configs[topic] ?? []).filter((c) => !c.isDefault).map((c) => [c.name, c.value]));
      expect(setOn(orders)).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
      expect(setOn(audit)).toEqual({});
      expect(configs[audit]?.find((c) => c.name === 'retention.ms')).toMatchObject({
        value: '604800000',
        isDefault: true,
      });
    });

    it('deletes topics, which then leave the listing', async () => {
      // Prepare
      const doomed = own('doomed');
      await plane.createTopics([{ topic: doomed, numPartitions: 1 }]);
      const before = await plane.listTopics();

      // Act
      await plane.deleteTopics([doomed]);
      const after = await plane.listTopics();

      // Assess
      expect(before).toContain(doomed);
      expect(after).not.toContain(doomed);
    });

    it('produces records with their offsets and reads a partition range back with keys, null keys and headers', async () => {
      // Prepare
      const payments = own('payments');
      await plane.createTopics([{ topic: payments, numPartitions: 2 }]);
      const records = Array.from({ length: 20 }, (_, i) => ({
        key: i % 4 === 3 ? null : `k${i}`,
        value: `payment-${i}`,
        headers: { seq: String(i), source: 'contract' },
        partition: i % 2,
      }));

      // Act
      const written = await plane.produce(payments, records);
      const offsets = await plane.fetchTopicOffsets(payments);
      const middle = await plane.readPartition({
        topic: payments,
        partition: 1,
        fromOffset: '2',
        untilOffset: '6',
        maxRecords: 100,
        timeoutMs: 3_000,
      });
      const capped = await plane.readPartition({
        topic: payments,
        partition: 0,
        fromOffset: '0',
        maxRecords: 3,
        timeoutMs: 3_000,
      });

      // Assess
      expect(written).toHaveLength(20);
      expect(written.slice(0, 4)).toEqual([
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
        { partition: 0, offset: '1' },
        { partition: 1, offset: '1' },
      ]);
      expect(written[19]).toEqual({ partition: 1, offset: '9' });
      expect(offsets).toEqual([
        { partition: 0, low: '0', high: '10' },
        { partition: 1, low: '0', high: '10' },
      ]);
      expect(
        middle.map((r) => [
          r.topic,
          r.partition,
          r.offset,
          r.key?.toString() ?? null,
          r.value?.toString(),
          r.headers.seq?.toString(),
          r.headers.source?.toString(),
        ]),
      ).toEqual([
        [payments, 1, '2', 'k5', 'payment-5', '5', 'contract'],
        [payments, 1, '3', null, 'payment-7', '7', 'contract'],
        [payments, 1, '4', 'k9', 'payment-9', '9', 'contract'],
        [payments, 1, '5', null, 'payment-11', '11', 'contract'],
      ]);
      expect(middle.every((r) => /^\d+$/.test(r.timestamp) && Number(r.timestamp) > 1_600_000_000_000)).toBe(true);
      expect(capped.map((r) => [r.offset, r.value?.toString()])).toEqual([
        ['0', 'payment-0'],
        ['1', 'payment-2'],
        ['2', 'payment-4'],
      ]);
    });

    it('chooses the partition of a keyed record as Kafka does and reports each record at its own offset', async () => {
      // Prepare: the same key always lands on one partition (murmur2), whichever client wrote it.
      const keyed = own('keyed');
      await plane.createTopics([{ topic: keyed, numPartitions: 3 }]);

      // Act
      const written = await plane.produce(keyed, [
        { key: 'customer-42', value: 'a' },
        { key: 'customer-42', value: 'b' },
        { key: 'customer-7', value: 'c' },
      ]);
      const [first] = written;
      const read = await plane.readPartition({
        topic: keyed,
        partition: first?.partition ?? -1,
        fromOffset: '0',
        maxRecords: 10,
        timeoutMs: 3_000,
      });

      // Assess: murmur2("customer-42") % 3 is 0 and murmur2("customer-7") % 3 is 1 (Kafka's default partitioner).
      expect(written).toEqual([
        { partition: 0, offset: '0' },
        { partition: 0, offset: '1' },
        { partition: 1, offset: '0' },
      ]);
      expect(read.map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual([
        ['0', 'customer-42', 'a'],
        ['1', 'customer-42', 'b'],
      ]);
    });

    it('returns what a partition holds when asked for more, and nothing past its end, within the time given', async () => {
      // Prepare
      const sparse = own('sparse');
      await plane.createTopics([{ topic: sparse, numPartitions: 1 }]);
      await plane.produce(sparse, [{ value: 'only' }]);

      // Act
      const records = await plane.readPartition({
        topic: sparse,
        partition: 0,
        fromOffset: '0',
        maxRecords: 1000,
        timeoutMs: 10_000,
      });
      const none = await plane.readPartition({
        topic: sparse,
        partition: 0,
        fromOffset: '1',
        maxRecords: 10,
        timeoutMs: 300,
      });

      // Assess
      expect(records.map((r) => [r.offset, r.key, r.value?.toString()])).toEqual([['0', null, 'only']]);
      expect(none).toEqual([]);
    });

    it('lists and describes a group with a member, then fetches its committed offsets once it has left', async () => {
      // Prepare: the test's own consumer joins, reads 6 records, commits offset 6 and leaves.
      const invoices = own('invoices');
      const group = own('billing');
      await plane.createTopics([{ topic: invoices, numPartitions: 1 }]);
      await plane.produce(
        invoices,
        Array.from({ length: 10 }, (_, i) => ({ value: `invoice-${i}` })),
      );
      const consumer = await consumeAndCommit(cluster, group, invoices, 6);
      let whileMember;
      try {
        whileMember = await plane.describeGroups([group]);
      } finally {
        await consumer.disconnect();
      }

      // Act
      const groups = await plane.listGroups();
      const [afterLeaving] = await plane.describeGroups([group]);
      const everyTopic = await plane.fetchCommittedOffsets(group);
      const named = await plane.fetchCommittedOffsets(group, [invoices]);

      // Assess
      expect(whileMember).toEqual([
        {
          groupId: group,
          state: 'Stable',
          protocolType: 'consumer',
          members: [
            {
              memberId: expect.any(String),
              clientId: `contract-${group}`,
              clientHost: expect.stringMatching(/127\.0\.0\.1/),
            },
          ],
        },
      ]);
      expect(groups).toContainEqual({ groupId: group, protocolType: 'consumer' });
      expect(afterLeaving).toMatchObject({ groupId: group, state: 'Empty', members: [] });
      expect(everyTopic).toEqual([{ topic: invoices, partition: 0, offset: '6' }]);
      expect(named).toEqual([{ topic: invoices, partition: 0, offset: '6' }]);
    });

    it('sets the committed offsets of a group that does not exist yet, and reads them back', async () => {
      // Prepare
      const ledger = own('ledger');
      const group = own('fresh-group');
      await plane.createTopics([{ topic: ledger, numPartitions: 2 }]);
      const before = await plane.fetchCommittedOffsets(group, [ledger]);

      // Act
      await plane.setCommittedOffsets(group, [
        { topic: ledger, partition: 0, offset: '0' },
        { topic: ledger, partition: 1, offset: '0' },
      ]);
      await plane.setCommittedOffsets(group, [{ topic: ledger, partition: 1, offset: '0' }]);
      const after = await plane.fetchCommittedOffsets(group, [ledger]);
      const all = await plane.fetchCommittedOffsets(group);

      // Assess
      expect(before).toEqual([
        { topic: ledger, partition: 0, offset: '-1' },
        { topic: ledger, partition: 1, offset: '-1' },
      ]);
      expect(after).toEqual([
        { topic: ledger, partition: 0, offset: '0' },
        { topic: ledger, partition: 1, offset: '0' },
      ]);
      expect(all).toEqual(after);
    });

    it('refuses to set the offsets of a group that has an active member, naming the group', async () => {
      // Prepare
      const busy = own('busy');
      const group = own('busy-group');
      await plane.createTopics([{ topic: busy, numPartitions: 1 }]);
      const consumer = await joinGroup(cluster, group, busy);

      try {
        // Act
        const attempt = plane.setCommittedOffsets(group, [{ topic: busy, partition: 0, offset: '0' }]);

        // Assess
        await expect(attempt).rejects.toThrow(new RegExp(`${group} .* 1 active member`));
      } finally {
        await consumer.disconnect();
      }
    });

    it('logs in with SCRAM-SHA-512 and SCRAM-SHA-256 on the SASL listener', async () => {
      // Prepare
      const sha512 = connect(cluster.connection(own('scram-512'), cluster.admin));
      const sha256 = connect(cluster.connection(own('scram-256'), { ...alice, mechanism: 'SCRAM-SHA-256' }));

      // Act
      const asAdmin = await sha512.listTopics();
      const asAlice = await sha256.listTopics();

      // Assess
      expect(asAdmin).toContain(own('orders'));
      expect(asAlice).toContain(own('orders'));
    });

    it('fails with Migration.AuthFailed when the SCRAM password is wrong', async () => {
      // Prepare
      const wrong = connect(
        cluster.connection(own('wrong-password'), { username: 'alice', password: 'not-her-password' }),
      );

      // Act
      const attempt = wrong.listTopics();

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'Migration.AuthFailed',
        details: { kind: 'authentication', operation: 'listTopics', cluster: own('wrong-password') },
      });
    });

    it('fails with Migration.Unreachable when nothing listens at the bootstrap address', async () => {
      // Prepare
      const [closedPort] = await freePorts(1);
      const nowhere = connect({
        name: own('nowhere'),
        bootstrapServers: [`127.0.0.1:${closedPort}`],
        auth: { mechanism: 'PLAINTEXT' },
        requestTimeoutMs: 2_000,
      });

      // Act
      const attempt = nowhere.listTopics();

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'Migration.Unreachable',
        details: { cluster: own('nowhere'), operation: 'listTopics' },
      });
    });
  });
});
