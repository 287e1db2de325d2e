import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticDataPlane } from '../../lambdas/adapters/kafka/platformatic-data-plane';
import { PlatformaticProducerActivity } from '../../lambdas/adapters/kafka/platformatic-producer-activity';
import type { KafkaConnection, KafkaDataPlane } from '../../lambdas/ports/kafka';
import { freePorts, startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';
import { describeKafkaDataPlaneContract } from '../contracts/kafka-data-plane';

/**
 * The KafkaDataPlane contract (test/contracts/kafka-data-plane.ts, which FakeKafka also runs), plus what only a real
 * cluster shows (SCRAM logins, broker defaults, unreachable and refused connections), against both adapters (kafkajs 2.2.4, @platformatic/kafka 1.35) on a
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

    describeKafkaDataPlaneContract(() => ({
      plane,
      own,
      member: async (group, topic, options = {}) => {
        const consumer =
          options.commitAfter === undefined
            ? await joinGroup(cluster, group, topic)
            : await consumeAndCommit(cluster, group, topic, options.commitAfter);
        return { leave: () => consumer.disconnect() };
      },
    }));

    it("reports a topic's default configs as defaults, with the broker's values", async () => {
      // Prepare
      const defaults = own('defaults');
      await plane.createTopics([{ topic: defaults, numPartitions: 1 }]);

      // Act
      const configs = await plane.describeTopicConfigs([defaults]);

      // Assess
      expect(configs[defaults]?.find((c) => c.name === 'retention.ms')).toMatchObject({
        value: '604800000',
        isDefault: true,
      });
    });

    it('produces as an idempotent producer: the partition keeps its producer ID and sequence, so a resent batch is dropped', async () => {
      // Prepare
      const topic = own('idempotent');
      await plane.createTopics([{ topic, numPartitions: 1 }]);
      const activity = new PlatformaticProducerActivity(cluster.connection(own('producers')));

      try {
        // Act
        await plane.produce(topic, [
          { value: 'a', partition: 0 },
          { value: 'b', partition: 0 },
        ]);
        const [described] = await activity.describeProducers([{ topic, partition: 0 }]);

        // Assess: a plain producer (producer ID -1) leaves no state on the partition
        expect(described?.producers).toHaveLength(1);
        expect(BigInt(described?.producers[0]?.producerId ?? '-1')).toBeGreaterThanOrEqual(0n);
        expect(described?.producers[0]?.lastSequence).toBe(1);
      } finally {
        await activity.close();
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
