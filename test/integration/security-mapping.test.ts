import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { InventorySchema, type Inventory } from '../../lambdas/core/inventory/model';
import { takeInventory } from '../../lambdas/core/inventory/take-inventory';
import { iamAccessChecker } from '../../lambdas/core/access/iam-authorizer';
import { securityInventoryFrom } from '../../lambdas/core/security-mapping/from-inventory';
import { evaluateIamPolicy } from '../../lambdas/core/access/iam-policy';
import { mapAclsToIamPolicies } from '../../lambdas/core/security-mapping/map-acls-to-iam';
import type { SecurityMapping } from '../../lambdas/core/security-mapping/model';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import { startKafkaCluster, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';

/**
 * The security mapping against a real KRaft broker (the newest Kafka of the harness) with SCRAM users and the ACL
 * authorizer: ACLs created on the broker, read back by the inventory through the KafkaDataPlane port, mapped to IAM
 * policies; then every principal tries to read and write every topic for real, and the broker's answer is compared
 * with what its generated IAM policy allows on the target.
 */
jest.setTimeout(120_000);
jest.mock('@platformatic/wasm-utils', () => jest.requireActual('@platformatic/wasm-utils/bundled'));

const quiet = { log: () => undefined };
const users = {
  billing: { username: 'billing', password: 'billing-secret' },
  ordersApp: { username: 'orders-app', password: 'orders-app-secret' },
  audit: { username: 'audit', password: 'audit-secret' },
  legacy: { username: 'legacy', password: 'legacy-secret' },
  reporting: { username: 'reporting', password: 'reporting-secret' },
};
const TOPICS = ['orders', 'payments', 'audit-eu', 'audit-us'];
const RESOURCE = { TOPIC: 2, GROUP: 3 } as const;
const PATTERN = { LITERAL: 3, PREFIXED: 4 } as const;
const OP = { ALL: 2, READ: 3, WRITE: 4, DESCRIBE: 8 } as const;
const PERMISSION = { DENY: 2, ALLOW: 3 } as const;
const target = {
  region: 'eu-west-1',
  accountId: '123456789012',
  clusterName: 'orders-serverless',
  clusterUuid: 'abcd-1',
  serverless: true,
};

describe('security mapping of a real cluster with SCRAM users and ACLs', () => {
  let cluster: KafkaCluster;
  let inventory: Inventory;
  let mapping: SecurityMapping;
  const opened: KafkajsDataPlane[] = [];
  const open = (connection: KafkaConnection): KafkajsDataPlane => {
    const p = new KafkajsDataPlane(connection, quiet);
    opened.push(p);
    return p;
  };

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: 'security', scram: { users: Object.values(users) }, acls: true });
    const setup = open(cluster.connection('setup'));
    await setup.createTopics(TOPICS.map((topic) => ({ topic, numPartitions: 1 })));
    for (const topic of TOPICS)
      await setup.produce(topic, [{ key: 'k', value: `first record of ${topic}`, partition: 0 }]);

    const admin = new Kafka({
      clientId: 'it-security',
      brokers: [cluster.bootstrap as string],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const acl = (
      principal: string,
      resourceType: number,
      resourceName: string,
      operation: number,
      o: { pattern?: number; permission?: number; host?: string } = {},
    ) => ({
      resourceType,
      resourceName,
      resourcePatternType: o.pattern ?? PATTERN.LITERAL,
      principal,
      host: o.host ?? '*',
      operation,
      permissionType: o.permission ?? PERMISSION.ALLOW,
    });
    await admin.createAcls({
      acl: [
        acl('User:billing', RESOURCE.TOPIC, 'orders', OP.READ),
        acl('User:billing', RESOURCE.GROUP, 'billing', OP.READ),
        acl('User:orders-app', RESOURCE.TOPIC, 'orders', OP.WRITE),
        acl('User:audit', RESOURCE.TOPIC, 'audit-', OP.READ, { pattern: PATTERN.PREFIXED }),
        acl('User:audit', RESOURCE.TOPIC, 'audit-us', OP.READ, { permission: PERMISSION.DENY }),
        acl('User:audit', RESOURCE.GROUP, 'audit', OP.ALL, { pattern: PATTERN.PREFIXED }),
        acl('User:legacy', RESOURCE.TOPIC, 'payments', OP.READ, { host: '10.9.9.9' }),
        acl('User:*', RESOURCE.TOPIC, 'payments', OP.DESCRIBE),
      ],
    });
    await admin.disconnect();

    const store = new MemoryArtifacts();
    const reader = open(
      cluster.connection('source', { ...(cluster.admin ?? users.audit), mechanism: 'SCRAM-SHA-512' }),
    );
    const { summary } = await takeInventory({ migrationId: 'it', executionName: 'exec-1' }, { kafka: reader, store });
    inventory = InventorySchema.parse(await store.getJson(summary.inventoryKey));
    const security = securityInventoryFrom(inventory);
    if (security.status !== 'MAPPABLE') throw new Error(security.reason);
    mapping = mapAclsToIamPolicies(security.security, target);
  });

  afterAll(async () => {
    await Promise.all(opened.map((p) => p.close()));
    await stopAllKafkaClusters();
  });

  const policyOf = (principal: string) => mapping.policies.find((p) => p.principal === principal)?.policy;
  const topicArn = (topic: string): string =>
    `arn:aws:kafka:eu-west-1:123456789012:topic/orders-serverless/abcd-1/${topic}`;

  it("reads the broker's ACLs through the data-plane port, and knows Kafka hides super.users and allow.everyone.if.no.acl.found", () => {
    const security = securityInventoryFrom(inventory);
    expect(security.status).toBe('MAPPABLE');
    if (security.status !== 'MAPPABLE') return;
    expect(security.security.acls).toHaveLength(8);
    expect(security.security.principals).toEqual(
      expect.arrayContaining([{ principal: 'User:billing', authentication: 'SCRAM' }]),
    );
    // The authorizer's settings are not Kafka configs: DescribeConfigs reports them as sensitive, without a value.
    expect(security.security.superUsers).toBeUndefined();
    expect(security.security.allowEveryoneIfNoAclFound).toBeUndefined();
    expect(mapping.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['SUPER_USERS_UNKNOWN', 'ALLOW_EVERYONE_UNKNOWN']),
    );
  });

  it("generates per-principal policies on the target's ARNs: consumer, producer, prefixed reader with its DENY", () => {
    expect(policyOf('User:billing')?.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          Resource: [topicArn('orders')],
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
          Resource: ['arn:aws:kafka:eu-west-1:123456789012:group/orders-serverless/abcd-1/billing'],
        }),
        // User:* DESCRIBE on payments, folded into every principal's policy
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeTopic'],
          Resource: [topicArn('payments')],
        }),
      ]),
    );
    expect(
      evaluateIamPolicy(
        policyOf('User:orders-app') ?? { Version: '2012-10-17', Statement: [] },
        'kafka-cluster:WriteDataIdempotently',
        'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/abcd-1',
      ),
    ).toBe('ALLOWED');
    expect(policyOf('User:audit')?.Statement).toContainEqual({
      Sid: 'DenyTopics1',
      Effect: 'Deny',
      Action: ['kafka-cluster:ReadData'],
      Resource: [topicArn('audit-us')],
    });
    expect(policyOf('User:audit')?.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Resource: [topicArn('audit-*')] }),
    );
  });

  it('reports the principal whose only ACL is host-restricted as locked out', () => {
    expect(mapping.lockedOut).toEqual(['User:legacy']);
    expect(mapping.findings).toContainEqual(
      expect.objectContaining({ code: 'HOST_RESTRICTED_ACL', principal: 'User:legacy' }),
    );
  });

  it('allows on the target exactly what the broker allows each principal to read and write', async () => {
    // Prepare
    const onTarget = iamAccessChecker(mapping);
    const principals = [users.billing, users.ordersApp, users.audit, users.legacy, users.reporting];
    const differences: string[] = [];
    let allowedByBroker = 0;
    // Act
    for (const user of principals) {
      const plane = open({
        ...cluster.connection(user.username, { ...user, mechanism: 'SCRAM-SHA-512' }),
        requestTimeoutMs: 5_000,
      });
      for (const topic of TOPICS) {
        const write = await plane.produce(topic, [{ key: 'probe', value: `from ${user.username}`, partition: 0 }]).then(
          () => 'ALLOWED',
          () => 'DENIED',
        );
        const read = await plane
          .readPartition({ topic, partition: 0, fromOffset: '0', maxRecords: 1, timeoutMs: 5_000 })
          .then(
            (records) => (records.length > 0 ? 'ALLOWED' : 'DENIED'),
            () => 'DENIED',
          );
        for (const [operation, broker] of [
          ['WRITE', write],
          ['READ', read],
        ] as const) {
          if (broker === 'ALLOWED') allowedByBroker += 1;
          const iam = await onTarget.check({
            principal: `User:${user.username}`,
            resourceType: 'TOPIC',
            resourceName: topic,
            operation,
          });
          if (iam !== broker)
            differences.push(`User:${user.username} ${operation} ${topic}: broker ${broker}, IAM ${iam}`);
        }
      }
    }
    // Assess
    expect(differences).toEqual([]);
    // billing reads orders; orders-app writes orders; audit reads audit-eu (not audit-us): the check is not vacuous.
    expect(allowedByBroker).toBe(3);
  });
});
