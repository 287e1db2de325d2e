import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { assess } from '../../lambdas/core/assessment/assess';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import {
  InventorySchema,
  type DescribedGroup,
  type DescribedTopic,
  type Inventory,
} from '../../lambdas/core/inventory/model';
import { takeInventory } from '../../lambdas/core/inventory/take-inventory';
import { resolveProfile } from '../../lambdas/core/profiles';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import {
  freePorts,
  jvmOptions,
  startKafkaCluster,
  stopAllKafkaClusters,
  type KafkaCluster,
} from '../../rehearsal/kafka/cluster';
import { jarsDir } from '../../rehearsal/kafka/versions';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';

/**
 * The inventory against a real KRaft broker (the newest Kafka of the harness) with SCRAM and the ACL authorizer on,
 * read as a SCRAM principal that may describe everything but the configs of one topic: a compacted topic, topics with
 * non-default configs, a Kafka Streams changelog, consumer groups with committed offsets and lag, ACLs, a client quota.
 */
jest.setTimeout(90_000);

const quiet = { log: () => undefined };
const alice = { username: 'alice', password: 'alice-secret' };
const auditor = { username: 'auditor', password: 'auditor-secret' };
/** Kafka's AdminClient enum values (kafkajs takes numbers). */
const RESOURCE = { TOPIC: 2, GROUP: 3, CLUSTER: 4 } as const;
const PATTERN = { LITERAL: 3, PREFIXED: 4 } as const;
const OP = { READ: 3, DESCRIBE: 8, DESCRIBE_CONFIGS: 10 } as const;

describe('inventory of a real cluster with SCRAM and ACLs', () => {
  let cluster: KafkaCluster;
  const opened: KafkajsDataPlane[] = [];
  const open = (connection: KafkaConnection): KafkajsDataPlane => {
    const p = new KafkajsDataPlane(connection, quiet);
    opened.push(p);
    return p;
  };
  let inventory: Inventory;
  const topic = (name: string): DescribedTopic =>
    inventory.dataPlane.topics.find((t) => t.name === name) as DescribedTopic;
  const group = (id: string): DescribedGroup =>
    inventory.dataPlane.groups.find((g) => g.status === 'DESCRIBED' && g.groupId === id) as DescribedGroup;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: 'inventory', scram: { users: [alice, auditor] }, acls: true });
    const admin = open(cluster.connection('setup'));
    await admin.createTopics([
      { topic: 'orders', numPartitions: 3, configs: { 'retention.ms': '3600000', 'segment.bytes': '104857600' } },
      {
        topic: 'customers',
        numPartitions: 2,
        configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '2097152' },
      },
      { topic: 'wordcount-counts-changelog', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
      { topic: 'secret', numPartitions: 1 },
    ]);
    // The counts below are exact: the adapter's producer is idempotent, so a send kafkajs retries on a slow broker (a
    // loaded CI machine) does not write its batch twice.
    await admin.produce(
      'orders',
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `order-${i}`, partition: i % 3 })),
    );
    await admin.produce('customers', [{ key: 'c1', value: 'v1', partition: 0 }]);
    await admin.setCommittedOffsets('billing', [
      { topic: 'orders', partition: 0, offset: '4' },
      { topic: 'orders', partition: 1, offset: '10' },
      { topic: 'orders', partition: 2, offset: '0' },
    ]);
    await admin.setCommittedOffsets('wordcount', [{ topic: 'orders', partition: 0, offset: '10' }]);

    const kafka = new Kafka({
      clientId: 'it-inventory',
      brokers: [cluster.bootstrap as string],
      logLevel: logLevel.NOTHING,
    }).admin();
    await kafka.connect();
    const allow = (
      principal: string,
      resourceType: number,
      resourceName: string,
      operation: number,
      resourcePatternType: number = PATTERN.LITERAL,
    ) => ({
      resourceType,
      resourceName,
      resourcePatternType,
      principal,
      host: '*',
      operation,
      permissionType: 3,
    });
    await kafka.createAcls({
      acl: [
        allow('User:alice', RESOURCE.TOPIC, 'orders', OP.READ),
        allow('User:alice', RESOURCE.GROUP, 'billing', OP.READ),
        // The auditor may describe everything, and read the configs of every topic but `secret`.
        allow('User:auditor', RESOURCE.CLUSTER, 'kafka-cluster', OP.DESCRIBE),
        allow('User:auditor', RESOURCE.CLUSTER, 'kafka-cluster', OP.DESCRIBE_CONFIGS),
        allow('User:auditor', RESOURCE.TOPIC, '*', OP.DESCRIBE),
        allow('User:auditor', RESOURCE.GROUP, '*', OP.DESCRIBE),
        ...['orders', 'customers', 'wordcount-'].map((prefix) =>
          allow('User:auditor', RESOURCE.TOPIC, prefix, OP.DESCRIBE_CONFIGS, PATTERN.PREFIXED),
        ),
      ],
    });
    await kafka.disconnect();
    // kafkajs cannot set client quotas: Kafka's own tool does (kafka-configs.sh).
    await promisify(execFile)(
      'java',
      [
        ...jvmOptions('256m'),
        '-cp',
        path.join(jarsDir(cluster.version), '*'),
        'kafka.admin.ConfigCommand',
        '--bootstrap-server',
        cluster.bootstrap as string,
        '--alter',
        '--add-config',
        'producer_byte_rate=1048576',
        '--entity-type',
        'users',
        '--entity-name',
        'alice',
      ],
      { timeout: 60_000 },
    );

    const store = new MemoryArtifacts();
    const inventoryPlane = open(cluster.connection('source', { ...auditor, mechanism: 'SCRAM-SHA-512' }));
    const { summary } = await takeInventory(
      { migrationId: 'it', executionName: 'exec-1' },
      { kafka: inventoryPlane, store },
    );
    inventory = InventorySchema.parse(await store.getJson(summary.inventoryKey));
  });

  afterAll(async () => {
    await Promise.all(opened.map((p) => p.close()));
    await stopAllKafkaClusters();
  });

  it('describes topics with their partitions, replication factor and only the configs set on them', () => {
    expect(topic('orders')).toMatchObject({
      status: 'DESCRIBED',
      partitionCount: 3,
      replicationFactor: 1,
      configs: { 'retention.ms': '3600000', 'segment.bytes': '104857600' },
      cleanupPolicy: 'delete',
      compacted: false,
      retentionMs: 3_600_000,
      retainedRecords: 30,
    });
    expect(topic('orders').partitions.map((p) => [p.partition, p.logStartOffset, p.logEndOffset])).toEqual([
      [0, '0', '10'],
      [1, '0', '10'],
      [2, '0', '10'],
    ]);
  });

  it('finds the compacted topic and its effective max message size', () => {
    expect(topic('customers')).toMatchObject({
      compacted: true,
      cleanupPolicy: 'compact',
      maxMessageBytes: 2_097_152,
      configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '2097152' },
    });
  });

  it('lists the topic whose configs the principal may not read as undescribable, with Kafka’s reason, and the inventory as incomplete', () => {
    const secret = inventory.dataPlane.topics.find((t) => t.name === 'secret');
    expect(secret).toMatchObject({
      status: 'UNDESCRIBABLE',
      reason: expect.stringContaining('TOPIC_AUTHORIZATION_FAILED'),
    });
    expect(inventory.complete).toBe(false);
    expect(inventory.gaps.map((g) => g.part)).toEqual(
      expect.arrayContaining(['topic:secret', 'controlPlane', 'throughput']),
    );
  });

  it('reads consumer groups with their state, committed offsets, end offsets and lag', () => {
    expect(group('billing')).toMatchObject({
      state: 'Empty',
      members: [],
      topics: ['orders'],
      totalLag: 16,
      partitionsBehindLogStart: 0,
    });
    expect(group('billing').offsets.map((o) => [o.partition, o.committedOffset, o.logEndOffset, o.lag])).toEqual([
      [0, '4', '10', 6],
      [1, '10', '10', 0],
      [2, '0', '10', 10],
    ]);
    expect(group('wordcount').totalLag).toBe(0);
  });

  it('reads the ACLs with the authorizer on, and the client quota', () => {
    const acls = inventory.dataPlane.acls;
    expect(acls.status === 'COLLECTED' && acls.authorizerEnabled).toBe(true);
    expect(acls.status === 'COLLECTED' && acls.bindings).toEqual(
      expect.arrayContaining([
        {
          resourceType: 'TOPIC',
          resourceName: 'orders',
          patternType: 'LITERAL',
          principal: 'User:alice',
          host: '*',
          operation: 'READ',
          permissionType: 'ALLOW',
        },
        {
          resourceType: 'TOPIC',
          resourceName: 'wordcount-',
          patternType: 'PREFIXED',
          principal: 'User:auditor',
          host: '*',
          operation: 'DESCRIBE_CONFIGS',
          permissionType: 'ALLOW',
        },
      ]),
    );
    expect(inventory.dataPlane.clientQuotas).toEqual({
      status: 'COLLECTED',
      quotas: [{ entity: [{ type: 'user', name: 'alice' }], values: { producer_byte_rate: 1_048_576 } }],
    });
    expect(inventory.dataPlane.brokerConfigs).toMatchObject({
      status: 'COLLECTED',
      // Kafka hides the values of settings it does not define itself (the authorizer's): present, value null.
      configs: expect.objectContaining({
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': null,
      }),
    });
  });

  it('assessed for MSK Serverless, it blocks on the ACL principals, the Streams changelog and the undescribable topic', () => {
    const a = assess(inventory, resolveProfile('msk-serverless'), assessmentOptions(), new Date().toISOString());
    expect(a.findings.filter((f) => f.severity === 'BLOCKER').map((f) => f.id)).toEqual([
      'inventory.topic-undescribable',
      'config.kafka-streams-internal-topics',
      'acl.principals-lose-access',
    ]);
    expect(a.findings.find((f) => f.id === 'config.not-settable-on-target')?.subject).toBe('segment.bytes');
    expect(a.findings.find((f) => f.id === 'client-quotas.not-enforceable')?.items).toEqual([
      'user=alice: producer_byte_rate=1048576',
    ]);
  });

  it('reads the same cluster over the plaintext listener, where the principal may describe everything, as complete but for MSK and CloudWatch', async () => {
    // Act
    const store = new MemoryArtifacts();
    const { summary } = await takeInventory(
      { migrationId: 'it', executionName: 'exec-plaintext' },
      { kafka: open(cluster.connection('plaintext')), store },
    );
    const plain = InventorySchema.parse(await store.getJson(summary.inventoryKey));

    // Assess
    expect(plain.source.authMechanism).toBe('PLAINTEXT');
    expect(plain.gaps.map((g) => g.part).sort()).toEqual(['controlPlane', 'throughput']);
    expect(plain.dataPlane.topics.find((t) => t.name === 'secret')).toMatchObject({ status: 'DESCRIBED' });
    expect(summary.counts).toMatchObject({ topics: 4, undescribableTopics: 0, partitions: 7, compactedTopics: 2 });
    expect(plain.dataPlane.groups.map((g) => g.groupId)).toEqual(expect.arrayContaining(['billing', 'wordcount']));
  });

  it('reads the same cluster with SCRAM-SHA-256', async () => {
    // Act
    const { inventory: sha256 } = await takeInventory(
      { migrationId: 'it', executionName: 'exec-sha256' },
      {
        kafka: open(cluster.connection('sha256', { ...auditor, mechanism: 'SCRAM-SHA-256' })),
        store: new MemoryArtifacts(),
      },
    );

    // Assess
    expect(sha256.source.authMechanism).toBe('SCRAM-SHA-256');
    expect(sha256.dataPlane.topics.find((t) => t.name === 'orders')).toMatchObject({ status: 'DESCRIBED' });
    expect(sha256.dataPlane.topics.find((t) => t.name === 'secret')).toMatchObject({ status: 'UNDESCRIBABLE' });
  });

  it('fails with Migration.Transient, saying what to check, when a listener accepts connections but never answers', async () => {
    // Prepare: a socket that accepts and stays silent, as a broker behind a hung proxy would.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const store = new MemoryArtifacts();
    try {
      // Act
      const attempt = takeInventory(
        { migrationId: 'it', executionName: 'exec-silent' },
        {
          kafka: open({
            name: 'silent',
            bootstrapServers: [`127.0.0.1:${port}`],
            auth: { mechanism: 'PLAINTEXT' },
            requestTimeoutMs: 1_000,
          }),
          store,
        },
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'Migration.Transient',
        message: expect.stringContaining("check the brokers' health"),
      });
      expect(await store.list('')).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails with Migration.AuthFailed on a wrong SCRAM password, and Migration.Unreachable where nothing listens', async () => {
    const wrong = open(cluster.connection('wrong', { ...auditor, password: 'nope', mechanism: 'SCRAM-SHA-512' }));
    await expect(
      takeInventory({ migrationId: 'it', executionName: 'exec-2' }, { kafka: wrong, store: new MemoryArtifacts() }),
    ).rejects.toMatchObject({
      name: 'Migration.AuthFailed',
      message: expect.stringContaining('SASL/SCRAM secret'),
    });
    const [closedPort] = await freePorts(1);
    const nowhere = open({
      name: 'nowhere',
      bootstrapServers: [`127.0.0.1:${closedPort}`],
      auth: { mechanism: 'PLAINTEXT' },
      requestTimeoutMs: 2_000,
    });
    await expect(
      takeInventory({ migrationId: 'it', executionName: 'exec-3' }, { kafka: nowhere, store: new MemoryArtifacts() }),
    ).rejects.toMatchObject({ name: 'Migration.Unreachable' });
  });
});
