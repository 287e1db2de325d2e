import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { Inventory, InventorySummary } from '../../lambdas/core/inventory/model';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import { runValidateTarget } from '../../lambdas/tasks/validate-target/task';
import { startKafkaCluster, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { replicatingState } from '../unit/task-catch-up-and-validation';

/**
 * ValidateTarget's access check against a real KRaft broker with SCRAM users and the ACL authorizer as the target:
 * the principals come from the source's ACLs (the inventory), the target's ACLs are read back with DescribeAcls. The
 * source is the in-memory cluster of the task tests; its topic, records and group offset are written to the broker
 * first, so that everything but access passes and the access check decides the outcome.
 */
jest.setTimeout(120_000);

const quiet = { log: () => undefined };
const users = {
  analytics: { username: 'analytics', password: 'analytics-secret' },
  clicksApp: { username: 'clicks-app', password: 'clicks-app-secret' },
};
const RESOURCE = { TOPIC: 2, GROUP: 3 } as const;
const OP = { READ: 3, WRITE: 4 } as const;
const INVENTORY_KEY = 'migrations/orders-to-serverless/exec-1/inventory/inventory.json';

/** The source's ACLs as the inventory read them: a consumer of clicks with its group, and the producer of clicks. */
const SOURCE_ACLS = [
  {
    resourceType: 'TOPIC',
    resourceName: 'clicks',
    patternType: 'LITERAL',
    principal: 'User:analytics',
    host: '*',
    operation: 'READ',
    permissionType: 'ALLOW',
  },
  {
    resourceType: 'GROUP',
    resourceName: 'analytics-daily',
    patternType: 'LITERAL',
    principal: 'User:analytics',
    host: '*',
    operation: 'READ',
    permissionType: 'ALLOW',
  },
  {
    resourceType: 'TOPIC',
    resourceName: 'clicks',
    patternType: 'LITERAL',
    principal: 'User:clicks-app',
    host: '*',
    operation: 'WRITE',
    permissionType: 'ALLOW',
  },
] as const;

function sourceInventory(): Inventory {
  return {
    schemaVersion: 1,
    collectedAt: '2026-11-01T10:00:00.000Z',
    durationSeconds: 1,
    source: { name: 'source', bootstrapServers: ['b-1:9096'], authMechanism: 'SCRAM-SHA-512' },
    controlPlane: { status: 'NOT_COLLECTED', reason: 'self-managed' },
    dataPlane: {
      clusterId: 'c1',
      controllerId: 1,
      brokers: [],
      brokerConfigs: { status: 'COLLECTED', brokerId: 1, configs: {} },
      topics: [],
      groups: [],
      acls: { status: 'COLLECTED', authorizerEnabled: true, bindings: [...SOURCE_ACLS] },
      clientQuotas: { status: 'COLLECTED', quotas: [] },
    },
    throughput: { status: 'NOT_COLLECTED', reason: 'test' },
    complete: false,
    gaps: [],
  } as unknown as Inventory;
}

describe('ValidateTarget against a real target with SCRAM users and ACLs', () => {
  let cluster: KafkaCluster;
  let target: KafkajsDataPlane;
  let kafka: Kafka;
  const opened: KafkajsDataPlane[] = [];
  const open = (connection: KafkaConnection): KafkajsDataPlane => {
    const plane = new KafkajsDataPlane(connection, quiet);
    opened.push(plane);
    return plane;
  };
  const allow = (username: string, resourceType: number, resourceName: string, operation: number) => ({
    resourceType,
    resourceName,
    resourcePatternType: 3,
    principal: `User:${username}`,
    host: '*',
    operation,
    permissionType: 3,
  });

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: 'validate-access', scram: { users: Object.values(users) }, acls: true });
    // The orchestrator reaches the target as the SCRAM admin (a super user of the harness).
    target = open(cluster.connection('target', { ...(cluster.admin ?? users.analytics), mechanism: 'SCRAM-SHA-512' }));
    kafka = new Kafka({
      clientId: 'it-validate-access',
      brokers: [cluster.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    await Promise.all(opened.map((p) => p.close()));
    await stopAllKafkaClusters();
  });

  async function copyOfTheSource() {
    const world = await replicatingState();
    // What the replicator would have written: the topic, its records, the group's translated offset.
    await target.createTopics([{ topic: 'clicks', numPartitions: 2 }]);
    await target.produce('clicks', [
      { key: 'a', value: '1', partition: 0 },
      { key: 'b', value: '2', partition: 0 },
    ]);
    await target.setCommittedOffsets('analytics-daily', [{ topic: 'clicks', partition: 0, offset: '2' }]);
    await world.artifacts.putJson(INVENTORY_KEY, sourceInventory());
    return { ...world, state: { ...world.state, inventory: { inventoryKey: INVENTORY_KEY } as InventorySummary } };
  }

  const produceAs = (user: { username: string; password: string }) =>
    open({ ...cluster.connection(user.username, { ...user, mechanism: 'SCRAM-SHA-512' }), requestTimeoutMs: 5_000 })
      .produce('clicks', [{ key: 'probe', value: 'x', partition: 1 }])
      .then(
        () => 'ALLOWED',
        () => 'DENIED',
      );

  it('fails with Migration.ValidationFailed naming the principal whose ACL is missing on the target, then passes once it is there', async () => {
    // Prepare: the consumer's ACLs are on the target, the producer's is not
    const { source, artifacts, state } = await copyOfTheSource();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        allow('analytics', RESOURCE.TOPIC, 'clicks', OP.READ),
        allow('analytics', RESOURCE.GROUP, 'analytics-daily', OP.READ),
      ],
    });
    const deps = { source, target, targetAcls: target, artifacts, now: () => new Date() };

    // Act
    const missing = runValidateTarget({ state }, deps);

    // Assess
    await expect(missing).rejects.toMatchObject({
      name: 'Migration.ValidationFailed',
      message: expect.stringContaining(
        '1 principal(s) would lose access on the target: User:clicks-app (WRITE topic clicks',
      ),
      details: {
        lostAccess: [{ principal: 'User:clicks-app', loses: ['WRITE topic clicks', 'DESCRIBE topic clicks'] }],
      },
    });
    // The broker agrees: the producer is refused today.
    expect(await produceAs(users.clicksApp)).toBe('DENIED');

    // Prepare: the producer's ACL created on the target
    await admin.createAcls({ acl: [allow('clicks-app', RESOURCE.TOPIC, 'clicks', OP.WRITE)] });
    await admin.disconnect();

    // Act
    const validation = await runValidateTarget({ state }, deps);

    // Assess
    expect(validation).toMatchObject({
      passed: true,
      access: { status: 'CHECKED', principals: 2, listedBy: 'SOURCE_ACLS' },
    });
    expect(validation.access?.basis).toMatch(/^the target's 3 ACL binding\(s\) read with DescribeAcls/);
    expect(await produceAs(users.clicksApp)).toBe('ALLOWED');
  });
});
