import { Kafka, logLevel, type Producer } from 'kafkajs';
import { KafkajsAclWriteFence } from '../../lambdas/adapters/kafka/kafkajs-acl-write-fence';
import { PlatformaticProducerActivity } from '../../lambdas/adapters/kafka/platformatic-producer-activity';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MigrationPlanSchema, aclFencePrincipals } from '../../lambdas/core/plan/migration-plan';
import { ACL_OPERATION, ACL_PATTERN, ACL_PERMISSION, ACL_RESOURCE } from '../../lambdas/adapters/kafka/acl-codes';

/**
 * The KAFKA_ACL write fence on real brokers (every harness version) with the ACL authorizer on the SCRAM listener.
 * The producers are plain kafkajs producers that know nothing about the migration: one application producer with an
 * ALLOW WRITE on its topics, connected before the fence and kept open across it, and the replicator's principal
 * writing MirrorMaker 2's offset-syncs topic on the source.
 */
jest.setTimeout(240_000);

const app = { username: 'orders-app', password: 'orders-app-secret' };
const replicator = { username: 'mm2', password: 'mm2-secret' };
const OFFSET_SYNCS = 'mm2-offset-syncs.target.internal';
const examplePlan = JSON.parse(
  readFileSync(path.join(__dirname, '../../examples/msk-to-serverless-replicator.json'), 'utf8'),
) as { cutover: Record<string, unknown> };
const { TOPIC } = ACL_RESOURCE;
const { LITERAL } = ACL_PATTERN;
const { WRITE } = ACL_OPERATION;
const { DENY, ALLOW } = ACL_PERMISSION;

const clusters = new Map<string, KafkaCluster>();

beforeAll(async () => {
  const started = await startKafkaClusters(
    KAFKA_VERSIONS.map((version) => ({
      name: `write-fence-${version}`,
      version,
      scram: { users: [app, replicator] },
      acls: true,
    })),
  );
  for (const cluster of started) clusters.set(cluster.version, cluster);
});

afterAll(async () => {
  await Promise.all([...clusters.values()].map((c) => c.stop()));
  await stopAllKafkaClusters();
});

describe.each(KAFKA_VERSIONS)('the KAFKA_ACL write fence on Kafka %s', (version) => {
  let cluster: KafkaCluster;
  const producers: Producer[] = [];

  const kafkaAs = (user: { username: string; password: string }) =>
    new Kafka({
      clientId: `plain-${user.username}`,
      brokers: [cluster.saslBootstrap as string],
      sasl: { mechanism: 'scram-sha-512', ...user },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });

  async function producerAs(user: { username: string; password: string }): Promise<Producer> {
    const producer = kafkaAs(user).producer({ retry: { retries: 0 } });
    await producer.connect();
    producers.push(producer);
    return producer;
  }

  const send = (producer: Producer, topic: string) =>
    producer.send({ topic, messages: [{ value: `at-${Date.now()}` }] }).then(
      () => 'ACCEPTED',
      (err: { type?: string }) => err.type ?? 'FAILED',
    );
  /**
   * Sends until one gets `expected`, for right after an ACL change: a KRaft broker applies ACLs from the metadata log
   * after the controller acknowledged them, and on a loaded machine the first sends can still see the old ones.
   */
  const sendUntil = (producer: Producer, topic: string, expected: string): Promise<string> =>
    pollUntil(
      `a send to ${topic} to end ${expected}`,
      async () => ((await send(producer, topic)) === expected ? expected : undefined),
      { timeoutMs: 10_000 },
    );

  beforeAll(async () => {
    cluster = clusters.get(version) as KafkaCluster;
    const admin = kafkaAs(cluster.admin as { username: string; password: string }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: ['orders', 'payments', 'audit', OFFSET_SYNCS].map((topic) => ({ topic, numPartitions: 1 })),
    });
    const allow = (principal: string, topic: string) => ({
      resourceType: TOPIC,
      resourceName: topic,
      resourcePatternType: LITERAL,
      principal,
      host: '*',
      operation: WRITE,
      permissionType: ALLOW,
    });
    await admin.createAcls({
      acl: [
        allow('User:orders-app', 'orders'),
        allow('User:orders-app', 'payments'),
        allow('User:mm2', OFFSET_SYNCS),
        allow('User:orders-app', 'audit'),
        // Someone else's DENY on payments, from before the migration: the fence must leave it.
        { ...allow('User:*', 'payments'), permissionType: DENY },
      ],
    });
    await admin.disconnect();
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
  });

  it("refuses the application's writes to the migrated topics on its open connection, keeps the replicator's, and rollback removes exactly what it added", async () => {
    // Prepare: both producers write before the fence
    const orders = await producerAs(app);
    const mm2 = await producerAs(replicator);
    expect(await send(orders, 'orders')).toBe('ACCEPTED');
    expect(await send(mm2, OFFSET_SYNCS)).toBe('ACCEPTED');
    const fence = new KafkajsAclWriteFence(
      cluster.connection('source', { ...(cluster.admin as typeof app), mechanism: 'SCRAM-SHA-512' }),
      { principals: ['User:*'], host: '*' },
    );

    // Act: the fence
    const plan = await fence.inspect(['orders', 'payments']);
    await fence.apply(plan);

    // Assess: the open connection is refused, the replicator's topic still takes writes
    expect(plan).toMatchObject({
      kind: 'KAFKA_ACL',
      bindings: [
        { topic: 'orders', principal: 'User:*', preExisting: false },
        { topic: 'payments', principal: 'User:*', preExisting: true },
      ],
    });
    expect(await sendUntil(orders, 'orders', 'TOPIC_AUTHORIZATION_FAILED')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await send(await producerAs(app), 'orders')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await send(mm2, OFFSET_SYNCS)).toBe('ACCEPTED');

    // Act: the rollback
    const undo = await fence.undo(plan);

    // Assess: writes accepted again; the DENY that existed before is still there
    expect(undo).toMatchObject({ removed: 1, leftAlone: 1 });
    expect(await sendUntil(orders, 'orders', 'ACCEPTED')).toBe('ACCEPTED');
    expect(await send(orders, 'payments')).toBe('TOPIC_AUTHORIZATION_FAILED');
    const admin = kafkaAs(cluster.admin as typeof app).admin();
    await admin.connect();
    const denies = await admin.describeAcls({
      resourceType: TOPIC,
      resourcePatternType: LITERAL,
      operation: WRITE,
      permissionType: DENY,
    });
    await admin.disconnect();
    expect(denies.resources.map((r) => r.resourceName)).toEqual(['payments']);
  });

  it('denies the principal a producer switch declares, under a fence on other named principals', async () => {
    // Prepare: the plan fences User:legacy; the orders application's switch declares User:orders-app
    const plan = MigrationPlanSchema.parse({
      ...examplePlan,
      cutover: {
        ...examplePlan.cutover,
        fence: { type: 'KAFKA_ACL', principals: ['User:legacy'] },
        switches: [
          {
            type: 'ECS_SERVICE',
            name: 'orders-app',
            role: 'PRODUCERS',
            cluster: 'apps',
            service: 'orders-app',
            environment: { KAFKA_BOOTSTRAP: '{bootstrapServers}' },
            principals: ['User:orders-app'],
          },
        ],
      },
    });
    const orders = await producerAs(app);
    expect(await sendUntil(orders, 'orders', 'ACCEPTED')).toBe('ACCEPTED');
    const fence = new KafkajsAclWriteFence(
      cluster.connection('source', { ...(cluster.admin as typeof app), mechanism: 'SCRAM-SHA-512' }),
      { principals: aclFencePrincipals(plan.cutover), host: '*' },
    );

    // Act
    const taken = await fence.inspect(['orders']);
    await fence.apply(taken);

    // Assess: the switch's principal is refused like the plan's own; the rollback lets it write again
    expect(taken).toMatchObject({
      kind: 'KAFKA_ACL',
      bindings: [{ principal: 'User:legacy' }, { principal: 'User:orders-app' }],
    });
    expect(await sendUntil(orders, 'orders', 'TOPIC_AUTHORIZATION_FAILED')).toBe('TOPIC_AUTHORIZATION_FAILED');
    await fence.undo(taken);
    expect(await sendUntil(orders, 'orders', 'ACCEPTED')).toBe('ACCEPTED');
  });

  it('undoes nothing twice: a retried rollback removes no binding', async () => {
    const fence = new KafkajsAclWriteFence(
      cluster.connection('source', { ...(cluster.admin as typeof app), mechanism: 'SCRAM-SHA-512' }),
      { principals: ['User:orders-app'], host: '*' },
    );
    const plan = await fence.inspect(['orders']);
    await fence.apply(plan);
    await fence.apply(plan);

    const first = await fence.undo(plan);
    const second = await fence.undo(plan);

    expect(first).toMatchObject({ removed: 1 });
    expect(second).toMatchObject({ removed: 0, leftAlone: 1 });
  });

  it('names an idempotent producer writing a partition by DescribeProducers (KIP-664) on its leader', async () => {
    // Prepare: a plain idempotent producer (the default of Kafka clients since 3.0) writes audit-0
    const before = Date.now();
    const producer = kafkaAs(app).producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    await producer.connect();
    producers.push(producer);
    await producer.send({ topic: 'audit', messages: [{ value: 'a' }, { value: 'b' }] });
    const activity = new PlatformaticProducerActivity(
      cluster.connection('source', { ...(cluster.admin as typeof app), mechanism: 'SCRAM-SHA-512' }),
    );
    try {
      // Act
      const described = await activity.describeProducers([{ topic: 'audit', partition: 0 }]);
      // Assess
      expect(described).toHaveLength(1);
      expect(described[0]).toMatchObject({ topic: 'audit', partition: 0 });
      expect(described[0]?.producers).toHaveLength(1);
      const p = described[0]?.producers[0];
      expect(BigInt(p?.producerId ?? '-1')).toBeGreaterThanOrEqual(0n);
      expect(p?.lastSequence).toBe(1);
      expect(p?.lastTimestamp).toBeGreaterThanOrEqual(before - 1000);
    } finally {
      await activity.close();
    }
  });
});
