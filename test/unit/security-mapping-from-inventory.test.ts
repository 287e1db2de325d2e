import type { Inventory } from '../../lambdas/core/inventory/model';
import { securityInventoryFrom } from '../../lambdas/core/security-mapping/from-inventory';

function inventory(
  over: {
    acls?: Inventory['dataPlane']['acls'];
    brokerConfigs?: Inventory['dataPlane']['brokerConfigs'];
    serverProperties?: Record<string, string>;
  } = {},
): Inventory {
  return {
    schemaVersion: 1,
    collectedAt: '2026-11-24T10:00:00.000Z',
    durationSeconds: 3,
    source: { name: 'source', bootstrapServers: ['b-1:9096'], authMechanism: 'SCRAM-SHA-512' },
    controlPlane: {
      status: 'COLLECTED',
      cluster: {
        clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/uuid-1',
        clusterName: 'orders',
        clusterType: 'PROVISIONED',
        state: 'ACTIVE',
        authentication: { iam: false, scram: true, mtls: true, unauthenticated: false },
        encryptionInTransit: {},
        configuration: over.serverProperties
          ? { arn: 'arn:cfg', revision: 1, serverProperties: over.serverProperties }
          : undefined,
        bootstrapBrokers: {},
        vpc: { subnetIds: [], securityGroupIds: [] },
        publicAccess: false,
        tags: {},
      },
    },
    dataPlane: {
      clusterId: 'c1',
      controllerId: 1,
      brokers: [],
      brokerConfigs: over.brokerConfigs ?? {
        status: 'COLLECTED',
        brokerId: 1,
        configs: { 'super.users': 'User:admin;User:CN=ops' },
      },
      topics: [
        {
          status: 'DESCRIBED',
          name: 'orders',
          internal: false,
          partitionCount: 1,
          replicationFactor: 3,
          configs: {},
          cleanupPolicy: 'delete',
          compacted: false,
          maxMessageBytes: null,
          retentionMs: null,
          retentionBytes: null,
          underReplicatedPartitions: 0,
          offlinePartitions: 0,
          retainedRecords: 0,
          partitions: [],
        },
        { status: 'UNDESCRIBABLE', name: 'secret', reason: 'TOPIC_AUTHORIZATION_FAILED' },
      ],
      groups: [
        {
          status: 'DESCRIBED',
          groupId: 'billing',
          protocolType: 'consumer',
          state: 'Stable',
          members: [],
          offsets: [],
          topics: ['orders'],
          totalLag: 0,
          partitionsBehindLogStart: 0,
        },
      ],
      acls: over.acls ?? {
        status: 'COLLECTED',
        authorizerEnabled: true,
        bindings: [
          {
            resourceType: 'TOPIC',
            resourceName: 'orders',
            patternType: 'LITERAL',
            principal: 'User:billing',
            host: '*',
            operation: 'READ',
            permissionType: 'ALLOW',
          },
          {
            resourceType: 'TOPIC',
            resourceName: 'orders',
            patternType: 'LITERAL',
            principal: 'User:CN=orders-app,OU=apps',
            host: '*',
            operation: 'WRITE',
            permissionType: 'ALLOW',
          },
          {
            resourceType: 'TOPIC',
            resourceName: '*',
            patternType: 'LITERAL',
            principal: 'User:*',
            host: '*',
            operation: 'DESCRIBE',
            permissionType: 'ALLOW',
          },
        ],
      },
      clientQuotas: { status: 'COLLECTED', quotas: [] },
    },
    throughput: { status: 'NOT_COLLECTED', reason: 'test' },
    complete: false,
    gaps: [],
  };
}

describe('security inventory from the source inventory', () => {
  it('takes principals from the ACLs, mTLS for distinguished names, and super users from the broker configs', () => {
    // Act
    const result = securityInventoryFrom(inventory());
    // Assess
    expect(result).toEqual({
      status: 'MAPPABLE',
      security: expect.objectContaining({
        principals: [
          { principal: 'User:CN=orders-app,OU=apps', authentication: 'MTLS' },
          { principal: 'User:billing', authentication: 'SCRAM' },
        ],
        superUsers: ['User:admin', 'User:CN=ops'],
        allowEveryoneIfNoAclFound: false,
        topics: ['orders'],
        consumerGroups: ['billing'],
      }),
    });
  });

  it('reads allow.everyone.if.no.acl.found from the MSK configuration when the broker configs could not be read', () => {
    // Act
    const result = securityInventoryFrom(
      inventory({
        brokerConfigs: { status: 'NOT_COLLECTED', reason: 'denied' },
        serverProperties: { 'allow.everyone.if.no.acl.found': 'true' },
      }),
    );
    // Assess
    expect(result.status === 'MAPPABLE' && result.security.allowEveryoneIfNoAclFound).toBe(true);
  });

  it('leaves allow.everyone.if.no.acl.found unknown when neither source could be read', () => {
    // Act
    const result = securityInventoryFrom(inventory({ brokerConfigs: { status: 'NOT_COLLECTED', reason: 'denied' } }));
    // Assess
    expect(result.status === 'MAPPABLE' && result.security.allowEveryoneIfNoAclFound).toBeUndefined();
  });

  it("infers SCRAM principals from the inventory's own connection when the MSK control plane was not read", () => {
    // Prepare
    const selfManaged: Inventory = {
      ...inventory(),
      controlPlane: { status: 'NOT_COLLECTED', reason: 'not an MSK cluster' },
    };
    // Act
    const result = securityInventoryFrom(selfManaged);
    // Assess
    expect(result.status === 'MAPPABLE' && result.security.principals).toEqual([
      { principal: 'User:CN=orders-app,OU=apps', authentication: 'MTLS' },
      { principal: 'User:billing', authentication: 'SCRAM' },
    ]);
  });

  it('treats super.users and allow.everyone.if.no.acl.found that Kafka reports as hidden values as unknown', () => {
    // Prepare: DescribeConfigs reports settings it does not define itself as sensitive, with a null value
    const hidden = inventory({
      brokerConfigs: {
        status: 'COLLECTED',
        brokerId: 1,
        configs: { 'super.users': null, 'allow.everyone.if.no.acl.found': null },
      },
    });
    // Act
    const result = securityInventoryFrom(hidden);
    // Assess
    expect(result.status === 'MAPPABLE' && result.security.superUsers).toBeUndefined();
    expect(result.status === 'MAPPABLE' && result.security.allowEveryoneIfNoAclFound).toBeUndefined();
  });

  it("prefers the MSK configuration's readable values to the broker's hidden ones", () => {
    // Prepare
    const both = inventory({
      brokerConfigs: { status: 'COLLECTED', brokerId: 1, configs: { 'super.users': null } },
      serverProperties: { 'super.users': 'User:admin', 'allow.everyone.if.no.acl.found': 'false' },
    });
    // Act
    const result = securityInventoryFrom(both);
    // Assess
    expect(result.status === 'MAPPABLE' && result.security).toMatchObject({
      superUsers: ['User:admin'],
      allowEveryoneIfNoAclFound: false,
    });
  });

  it('cannot map a source without an authorizer, and says why', () => {
    // Act
    const result = securityInventoryFrom(
      inventory({ acls: { status: 'COLLECTED', authorizerEnabled: false, bindings: [] } }),
    );
    // Assess
    expect(result).toEqual({ status: 'NOT_MAPPABLE', reason: expect.stringMatching(/no authorizer/) });
  });

  it('cannot map when the ACLs were not collected', () => {
    // Act
    const result = securityInventoryFrom(
      inventory({ acls: { status: 'NOT_COLLECTED', reason: 'CLUSTER_AUTHORIZATION_FAILED' } }),
    );
    // Assess
    expect(result).toEqual({ status: 'NOT_MAPPABLE', reason: expect.stringContaining('CLUSTER_AUTHORIZATION_FAILED') });
  });
});
