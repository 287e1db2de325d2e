import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';
import { ACL_OPERATION, ACL_PATTERN, ACL_PERMISSION, ACL_RESOURCE } from '../../lambdas/adapters/kafka/acl-codes';

/**
 * What a Kafka broker's INFO log says about its clients — the level at which MSK delivers broker logs ("INFO-level
 * broker logs", MSK developer guide, Amazon MSK logging) — on every harness version, with the StandardAuthorizer on
 * the SCRAM listener. Why the inventory does not read MSK broker logs (docs/cutover.md, "What the assessment says about
 * the hold"): a producer that writes is not named at all (neither its client ID, nor its principal, nor its host);
 * a consumer is named by its group member ID (client ID + UUID), which DescribeGroups already gives with its host; a
 * denied request is named with principal and host by kafka.authorizer.logger, which only a refused writer leaves.
 */
jest.setTimeout(240_000);

const writer = { username: 'orders-writer', password: 'orders-writer-secret' };
const refused = { username: 'orders-refused', password: 'orders-refused-secret' };
const { TOPIC, GROUP, CLUSTER } = ACL_RESOURCE;
const { LITERAL } = ACL_PATTERN;
const { ALL, IDEMPOTENT_WRITE } = ACL_OPERATION;
const { ALLOW } = ACL_PERMISSION;

const clusters = new Map<string, KafkaCluster>();

beforeAll(async () => {
  const started = await startKafkaClusters(
    KAFKA_VERSIONS.map((version) => ({
      name: `broker-logs-${version}`,
      version,
      plaintext: false,
      scram: { users: [writer, refused] },
      acls: true,
    })),
  );
  for (const cluster of started) clusters.set(cluster.version, cluster);
});

afterAll(async () => {
  await Promise.all([...clusters.values()].map((c) => c.stop()));
  await stopAllKafkaClusters();
});

describe.each(KAFKA_VERSIONS)("Kafka %s's INFO broker log", (version) => {
  it('names no producer that writes; names consumers by member ID and refused requests by principal and host', async () => {
    // Prepare: a producer and a consumer allowed on the topic, and a producer the ACLs refuse
    const cluster = clusters.get(version) as KafkaCluster;
    const kafkaAs = (user: { username: string; password: string }, clientId: string) =>
      new Kafka({
        clientId,
        brokers: [cluster.saslBootstrap as string],
        sasl: { mechanism: 'scram-sha-512', ...user },
        logLevel: logLevel.NOTHING,
      });
    const admin = kafkaAs(cluster.admin as { username: string; password: string }, 'log-probe-admin').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1, replicationFactor: 1 }] });
    const allow = (resourceType: number, resourceName: string, operation: number) => ({
      resourceType,
      resourceName,
      resourcePatternType: LITERAL,
      principal: `User:${writer.username}`,
      host: '*',
      operation,
      permissionType: ALLOW,
    });
    await admin.createAcls({
      acl: [
        allow(TOPIC, 'orders', ALL),
        allow(GROUP, 'orders-readers', ALL),
        allow(CLUSTER, 'kafka-cluster', IDEMPOTENT_WRITE),
      ] as never,
    });
    const producer = kafkaAs(writer, 'orders-producer-7f3a').producer({ idempotent: true });
    // Act: five acknowledged writes (the ACLs reach the broker's authorizer shortly after CreateAcls)
    await pollUntil(
      'the writer allowed on orders',
      async () => {
        try {
          await producer.connect();
          await producer.send({ topic: 'orders', messages: [{ key: 'k0', value: 'first' }] });
          return true;
        } catch {
          await producer.disconnect();
          return undefined;
        }
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    for (let i = 1; i < 5; i++) await producer.send({ topic: 'orders', messages: [{ key: `k${i}`, value: 'v' }] });
    await producer.disconnect();
    const consumer = kafkaAs(writer, 'orders-consumer-9c1e').consumer({ groupId: 'orders-readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    let consumed = 0;
    await consumer.run({
      eachMessage: async () => {
        consumed++;
      },
    });
    await pollUntil('the five records read', async () => (consumed >= 5 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await consumer.disconnect();
    const rogue = kafkaAs(refused, 'orders-rogue-2b8d').producer();
    await rogue.connect();
    await expect(rogue.send({ topic: 'orders', messages: [{ value: 'x' }] })).rejects.toThrow(/authoriz/i);
    await rogue.disconnect();
    await admin.disconnect();
    // Assess
    const lines = (): string[] => readFileSync(cluster.logFile, 'utf8').split('\n');
    await pollUntil(
      'the refused request in the log',
      async () => (lines().some((l) => l.includes('User:orders-refused is Denied')) ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    const log = lines();
    expect(log.filter((l) => l.includes('orders-producer-7f3a'))).toEqual([]);
    // the writer's principal only where the controller replays its SCRAM credentials and ACLs (DescribeAcls has them)
    expect(
      log.filter(
        (l) => l.includes('orders-writer') && !/Replayed (UserScramCredentialRecord|AccessControlEntryRecord)/.test(l),
      ),
    ).toEqual([]);
    expect(log.filter((l) => l.includes('orders-consumer-9c1e')).join('\n')).toMatch(
      /GroupCoordinator.*member.*orders-consumer-9c1e-[0-9a-f-]{36}/,
    );
    expect(log.filter((l) => l.includes('kafka.authorizer.logger')).join('\n')).toMatch(
      /Principal = User:orders-refused is Denied operation = \w+ from host = 127\.0\.0\.1 on resource = Topic:LITERAL:orders/,
    );
    expect(log.filter((l) => l.includes('orders-rogue-2b8d'))).toEqual([]);
  });
});
