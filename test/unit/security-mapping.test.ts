import type { AclBinding } from '../../lambdas/core/access/acl-binding';
import { compareAccess } from '../../lambdas/core/access/compare-access';
import { iamAccessChecker } from '../../lambdas/core/access/iam-authorizer';
import { evaluateIamPolicy, globMatches } from '../../lambdas/core/access/iam-policy';
import { aclAccessChecker as sourceAccessChecker } from '../../lambdas/core/access/kafka-authorizer';
import {
  MANAGED_POLICY_MAX_CHARS,
  mapAclsToIamPolicies,
  roleNameFor,
} from '../../lambdas/core/security-mapping/map-acls-to-iam';
import type { IamTargetCluster, SecurityInventory, SecurityMapping } from '../../lambdas/core/security-mapping/model';
import {
  renderSecurityMappingMarkdown,
  writeSecurityMappingEvidence,
} from '../../lambdas/core/security-mapping/report';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';

const target: IamTargetCluster = {
  region: 'eu-west-1',
  accountId: '123456789012',
  clusterName: 'orders-serverless',
  clusterUuid: 'abcd-1',
  serverless: true,
};
const ARN = 'arn:aws:kafka:eu-west-1:123456789012';
const topicArn = (t: string): string => `${ARN}:topic/orders-serverless/abcd-1/${t}`;
const groupArn = (g: string): string => `${ARN}:group/orders-serverless/abcd-1/${g}`;
const CLUSTER = `${ARN}:cluster/orders-serverless/abcd-1`;

const acl = (over: Partial<AclBinding> & Pick<AclBinding, 'principal' | 'operation'>): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  host: '*',
  permissionType: 'ALLOW',
  ...over,
});

const inventory = (acls: AclBinding[], over: Partial<SecurityInventory> = {}): SecurityInventory => ({
  principals: [],
  acls,
  superUsers: [],
  allowEveryoneIfNoAclFound: false,
  topics: ['orders', 'payments', 'audit-eu', 'audit-us'],
  consumerGroups: ['billing'],
  ...over,
});

const policyOf = (mapping: SecurityMapping, principal: string) => {
  const entry = mapping.policies.find((p) => p.principal === principal);
  if (!entry) throw new Error(`no policy for ${principal}`);
  return entry.policy;
};
const codes = (mapping: SecurityMapping): string[] => mapping.findings.map((f) => f.code);

describe('security mapping: ACLs to IAM policies', () => {
  it('gives a SCRAM consumer Connect, ReadData with DescribeTopic on its topic and AlterGroup with DescribeGroup on its group', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:billing', operation: 'READ' }),
      acl({ principal: 'User:billing', operation: 'READ', resourceType: 'GROUP', resourceName: 'billing' }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(
      inventory(acls, { principals: [{ principal: 'User:billing', authentication: 'SCRAM' }] }),
      target,
    );
    // Assess
    expect(mapping.policies).toEqual([
      {
        principal: 'User:billing',
        authentication: 'SCRAM',
        suggestedRoleName: 'msk-client-billing',
        policy: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Connect', Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [CLUSTER] },
            {
              Sid: 'AllowTopics1',
              Effect: 'Allow',
              Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
              Resource: [topicArn('orders')],
            },
            {
              Sid: 'AllowGroups1',
              Effect: 'Allow',
              Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
              Resource: [groupArn('billing')],
            },
          ],
        },
        allowed: { topics: ['orders'], groups: ['billing'], transactionalIds: [], cluster: [] },
      },
    ]);
    expect(mapping.lockedOut).toEqual([]);
    expect(mapping.findings.filter((f) => f.severity !== 'INFO')).toEqual([]);
  });

  it('turns prefixed ACLs into prefix* patterns and the literal * into every topic', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:audit', operation: 'READ', resourceName: 'audit-', patternType: 'PREFIXED' }),
      acl({ principal: 'User:ops', operation: 'DESCRIBE', resourceName: '*' }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    expect(policyOf(mapping, 'User:audit').Statement[1]?.Resource).toEqual([topicArn('audit-*')]);
    expect(evaluateIamPolicy(policyOf(mapping, 'User:audit'), 'kafka-cluster:ReadData', topicArn('audit-eu'))).toBe(
      'ALLOWED',
    );
    expect(evaluateIamPolicy(policyOf(mapping, 'User:audit'), 'kafka-cluster:ReadData', topicArn('orders'))).toBe(
      'IMPLICIT_DENY',
    );
    expect(policyOf(mapping, 'User:ops').Statement[1]).toEqual({
      Sid: 'AllowTopics1',
      Effect: 'Allow',
      Action: ['kafka-cluster:DescribeTopic'],
      Resource: [topicArn('*')],
    });
  });

  it('adds WriteDataIdempotently on the cluster for a producer, since idempotent producers need it under IAM', () => {
    // Act
    const mapping = mapAclsToIamPolicies(
      inventory([acl({ principal: 'User:orders-app', operation: 'WRITE' })]),
      target,
    );
    // Assess
    const policy = policyOf(mapping, 'User:orders-app');
    expect(policy.Statement).toContainEqual({
      Sid: 'AllowCluster1',
      Effect: 'Allow',
      Action: ['kafka-cluster:WriteDataIdempotently'],
      Resource: [CLUSTER],
    });
    expect(evaluateIamPolicy(policy, 'kafka-cluster:WriteData', topicArn('orders'))).toBe('ALLOWED');
    expect(mapping.findings).toContainEqual(
      expect.objectContaining({
        code: 'IDEMPOTENT_PRODUCER_PERMISSION',
        severity: 'INFO',
        principal: 'User:orders-app',
      }),
    );
  });

  it('turns a DENY into an explicit Deny of the primary action only, as Kafka keeps DESCRIBE after a DENY READ', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:analytics', operation: 'ALL', resourceName: '*' }),
      acl({ principal: 'User:analytics', operation: 'READ', resourceName: 'payments', permissionType: 'DENY' }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    const policy = policyOf(mapping, 'User:analytics');
    expect(policy.Statement).toContainEqual({
      Sid: 'DenyTopics1',
      Effect: 'Deny',
      Action: ['kafka-cluster:ReadData'],
      Resource: [topicArn('payments')],
    });
    expect(evaluateIamPolicy(policy, 'kafka-cluster:ReadData', topicArn('payments'))).toBe('EXPLICIT_DENY');
    expect(evaluateIamPolicy(policy, 'kafka-cluster:DescribeTopic', topicArn('payments'))).toBe('ALLOWED');
    expect(evaluateIamPolicy(policy, 'kafka-cluster:ReadData', topicArn('orders'))).toBe('ALLOWED');
    expect(codes(mapping)).toContain('DENY_ACL_AS_EXPLICIT_DENY');
  });

  it('does not carry a host-restricted ALLOW over and reports its only holder as locked out', () => {
    // Prepare
    const acls = [acl({ principal: 'User:legacy', operation: 'READ', host: '10.0.0.7' })];
    // Act
    const mapping = mapAclsToIamPolicies(
      inventory(acls, { principals: [{ principal: 'User:legacy', authentication: 'SCRAM' }] }),
      target,
    );
    // Assess
    expect(mapping.policies).toEqual([]);
    expect(mapping.lockedOut).toEqual(['User:legacy']);
    expect(mapping.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'HOST_RESTRICTED_ACL', severity: 'WARNING', principal: 'User:legacy' }),
        expect.objectContaining({ code: 'PRINCIPAL_LOCKED_OUT', severity: 'BLOCKER', principal: 'User:legacy' }),
      ]),
    );
  });

  it('warns that a host-restricted DENY cannot be expressed, so the access stays open from that host', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:app', operation: 'READ' }),
      acl({ principal: 'User:app', operation: 'READ', host: '10.0.0.9', permissionType: 'DENY' }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    const finding = mapping.findings.find((f) => f.code === 'HOST_RESTRICTED_ACL');
    expect(finding?.message).toMatch(/would keep this access from that host/);
    expect(policyOf(mapping, 'User:app').Statement.some((s) => s.Effect === 'Deny')).toBe(false);
  });

  it('flags delegation-token and CLUSTER_ACTION ACLs as having no IAM equivalent', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:app', operation: 'READ' }),
      acl({ principal: 'User:app', operation: 'DESCRIBE', resourceType: 'DELEGATION_TOKEN', resourceName: 'tok' }),
      acl({
        principal: 'User:app',
        operation: 'CLUSTER_ACTION',
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
      }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    const noEquivalent = mapping.findings.filter((f) => f.code === 'NO_IAM_EQUIVALENT');
    expect(noEquivalent.map((f) => f.acl?.resourceType)).toEqual(['DELEGATION_TOKEN', 'CLUSTER']);
    expect(mapping.lockedOut).toEqual([]);
  });

  it('drops cluster configuration actions that MSK Serverless does not offer, and keeps them for a provisioned target', () => {
    // Prepare
    const acls = [
      acl({
        principal: 'User:admin',
        operation: 'ALTER_CONFIGS',
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
      }),
      acl({ principal: 'User:admin', operation: 'READ' }),
    ];
    // Act
    const serverless = mapAclsToIamPolicies(inventory(acls), target);
    const provisioned = mapAclsToIamPolicies(inventory(acls), { ...target, serverless: false });
    // Assess
    expect(codes(serverless)).toContain('NOT_SUPPORTED_ON_SERVERLESS');
    expect(policyOf(serverless, 'User:admin').Statement.flatMap((s) => s.Action)).not.toContain(
      'kafka-cluster:AlterClusterDynamicConfiguration',
    );
    expect(policyOf(provisioned, 'User:admin').Statement).toContainEqual({
      Sid: 'AllowCluster1',
      Effect: 'Allow',
      Action: ['kafka-cluster:AlterClusterDynamicConfiguration', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      Resource: [CLUSTER],
    });
  });

  it('maps a transactional producer to AlterTransactionalId and DescribeTransactionalId on its transactional IDs', () => {
    // Prepare
    const acls = [
      acl({
        principal: 'User:payments',
        operation: 'WRITE',
        resourceType: 'TRANSACTIONAL_ID',
        resourceName: 'payments-tx-',
        patternType: 'PREFIXED',
      }),
      acl({ principal: 'User:payments', operation: 'WRITE', resourceName: 'payments' }),
    ];
    // Act
    const policy = policyOf(mapAclsToIamPolicies(inventory(acls), target), 'User:payments');
    // Assess
    expect(policy.Statement).toContainEqual({
      Sid: 'AllowTransactionalIds1',
      Effect: 'Allow',
      Action: ['kafka-cluster:AlterTransactionalId', 'kafka-cluster:DescribeTransactionalId'],
      Resource: [`${ARN}:transactional-id/orders-serverless/abcd-1/payments-tx-*`],
    });
  });

  it('grants CreateTopic on every topic for a cluster-level CREATE', () => {
    // Act
    const mapping = mapAclsToIamPolicies(
      inventory([
        acl({
          principal: 'User:provisioner',
          operation: 'CREATE',
          resourceType: 'CLUSTER',
          resourceName: 'kafka-cluster',
        }),
        acl({ principal: 'User:provisioner', operation: 'DESCRIBE' }),
      ]),
      target,
    );
    // Assess
    expect(
      evaluateIamPolicy(policyOf(mapping, 'User:provisioner'), 'kafka-cluster:CreateTopic', topicArn('anything')),
    ).toBe('ALLOWED');
  });

  it('folds User:* ACLs into every known principal and warns that new roles will not get them', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:*', operation: 'DESCRIBE', resourceName: '*' }),
      acl({ principal: 'User:a', operation: 'READ' }),
      acl({ principal: 'User:b', operation: 'WRITE' }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    expect(mapping.policies.map((p) => p.principal)).toEqual(['User:a', 'User:b']);
    for (const p of mapping.policies)
      expect(evaluateIamPolicy(p.policy, 'kafka-cluster:DescribeTopic', topicArn('payments'))).toBe('ALLOWED');
    expect(codes(mapping)).toContain('WILDCARD_PRINCIPAL');
  });

  it('gives a super user every kafka-cluster action, without the ones Serverless lacks', () => {
    // Act
    const mapping = mapAclsToIamPolicies(inventory([], { superUsers: ['User:admin'] }), target);
    // Assess
    const policy = policyOf(mapping, 'User:admin');
    expect(evaluateIamPolicy(policy, 'kafka-cluster:DeleteTopic', topicArn('orders'))).toBe('ALLOWED');
    expect(evaluateIamPolicy(policy, 'kafka-cluster:DeleteGroup', groupArn('x'))).toBe('ALLOWED');
    expect(policy.Statement.flatMap((s) => s.Action)).not.toContain('kafka-cluster:AlterCluster');
    expect(codes(mapping)).toContain('SUPER_USER');
  });

  it('warns about allow.everyone.if.no.acl.found, names the open topics and locks out a user that relied on it', () => {
    // Prepare
    const acls = [acl({ principal: 'User:a', operation: 'READ', resourceName: 'audit-', patternType: 'PREFIXED' })];
    const inv = inventory(acls, {
      allowEveryoneIfNoAclFound: true,
      principals: [{ principal: 'User:reporting', authentication: 'SCRAM' }],
    });
    // Act
    const mapping = mapAclsToIamPolicies(inv, target);
    // Assess
    const warning = mapping.findings.find((f) => f.code === 'ALLOW_EVERYONE_IF_NO_ACL_FOUND');
    expect(warning?.message).toContain('2 topic(s) have no ACL');
    expect(warning?.message).toContain('orders, payments');
    expect(mapping.lockedOut).toEqual(['User:reporting']);
  });

  it('asks to check allow.everyone.if.no.acl.found when the inventory could not read it', () => {
    // Act
    const mapping = mapAclsToIamPolicies(inventory([], { allowEveryoneIfNoAclFound: undefined }), target);
    // Assess
    expect(mapping.findings).toEqual([
      expect.objectContaining({ code: 'ALLOW_EVERYONE_UNKNOWN', severity: 'WARNING' }),
    ]);
  });

  it('warns that super users could not be read, since they have no ACLs to map from', () => {
    // Act
    const mapping = mapAclsToIamPolicies(
      inventory([acl({ principal: 'User:a', operation: 'READ' })], { superUsers: undefined }),
      target,
    );
    // Assess
    expect(mapping.findings).toContainEqual(
      expect.objectContaining({ code: 'SUPER_USERS_UNKNOWN', severity: 'WARNING' }),
    );
  });

  it('locks out a principal whose own ACLs are all host-restricted, even when User:* grants it something', () => {
    // Prepare
    const acls = [
      acl({ principal: 'User:legacy', operation: 'READ', host: '10.9.9.9' }),
      acl({ principal: 'User:*', operation: 'DESCRIBE', resourceName: 'payments' }),
    ];
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    expect(mapping.lockedOut).toEqual(['User:legacy']);
  });

  it('matches any cluster of the target name while the target has no UUID yet', () => {
    // Act
    const mapping = mapAclsToIamPolicies(inventory([acl({ principal: 'User:a', operation: 'READ' })]), {
      ...target,
      clusterUuid: undefined,
    });
    // Assess
    expect(mapping.target.clusterArn).toBe(`${ARN}:cluster/orders-serverless/*`);
    expect(evaluateIamPolicy(policyOf(mapping, 'User:a'), 'kafka-cluster:ReadData', topicArn('orders'))).toBe(
      'ALLOWED',
    );
    expect(codes(mapping)).toContain('CLUSTER_UUID_UNKNOWN');
  });

  it('names the role of an mTLS principal after the CN of its distinguished name', () => {
    expect(roleNameFor('User:CN=orders-app.example.com,OU=apps,O=Example')).toBe('msk-client-orders-app.example.com');
    expect(roleNameFor('User:bob smith')).toBe('msk-client-bob-smith');
    expect(roleNameFor(`User:${'x'.repeat(100)}`)).toHaveLength(64);
  });

  it('leaves a principal that already uses IAM alone and says to repoint its ARNs', () => {
    // Act
    const mapping = mapAclsToIamPolicies(
      inventory([], { principals: [{ principal: 'User:arn:aws:iam::123456789012:role/app', authentication: 'IAM' }] }),
      target,
    );
    // Assess
    expect(mapping.policies).toEqual([]);
    expect(codes(mapping)).toContain('ALREADY_IAM');
  });

  it('warns when a policy outgrows an IAM managed policy', () => {
    // Prepare: 200 literal topics with distinct action sets cannot share statements
    const acls = Array.from({ length: 200 }, (_, i) =>
      acl({
        principal: 'User:big',
        operation: i % 2 ? 'READ' : 'WRITE',
        resourceName: `topic-with-a-rather-long-name-${i}`,
      }),
    );
    // Act
    const mapping = mapAclsToIamPolicies(inventory(acls), target);
    // Assess
    expect(JSON.stringify(policyOf(mapping, 'User:big')).length).toBeGreaterThan(MANAGED_POLICY_MAX_CHARS);
    expect(codes(mapping)).toContain('POLICY_TOO_LARGE');
  });

  it('rejects a target account ID that is not 12 digits', () => {
    expect(() => mapAclsToIamPolicies(inventory([]), { ...target, accountId: '42' })).toThrow(/12 digits/);
  });
});

describe('security mapping: the generated policies decide as the ACLs did', () => {
  const acls: AclBinding[] = [
    acl({ principal: 'User:billing', operation: 'READ' }),
    acl({ principal: 'User:billing', operation: 'READ', resourceType: 'GROUP', resourceName: 'billing' }),
    acl({ principal: 'User:orders-app', operation: 'WRITE' }),
    acl({ principal: 'User:audit', operation: 'READ', resourceName: 'audit-', patternType: 'PREFIXED' }),
    acl({ principal: 'User:audit', operation: 'READ', resourceName: 'audit-us', permissionType: 'DENY' }),
    acl({
      principal: 'User:audit',
      operation: 'ALL',
      resourceType: 'GROUP',
      resourceName: 'audit',
      patternType: 'PREFIXED',
    }),
    acl({ principal: 'User:*', operation: 'DESCRIBE', resourceName: 'payments' }),
  ];
  const principals = ['User:billing', 'User:orders-app', 'User:audit'];
  const groups = ['billing', 'audit-readers', 'other'];

  it('finds no difference for any principal, topic, group and operation', async () => {
    // Prepare
    const inv = inventory(acls);
    const mapping = mapAclsToIamPolicies(inv, target);
    // Act
    const comparison = await compareAccess({
      source: sourceAccessChecker(acls),
      target: iamAccessChecker(mapping),
      principals,
      topics: inv.topics,
      groups,
    });
    // Assess
    expect(comparison.differences).toEqual([]);
    expect(comparison.checked).toBe(3 * (4 * 3 + 3 * 2));
  });

  it('reports the access a host-restricted ACL loses', async () => {
    // Prepare
    const withHost = [
      ...acls,
      acl({ principal: 'User:billing', operation: 'READ', resourceName: 'payments', host: '10.1.1.1' }),
    ];
    const sourceAsKafkaSeesFromThatHost = sourceAccessChecker(withHost.map((b) => ({ ...b, host: '*' })));
    const mapping = mapAclsToIamPolicies(inventory(withHost), target);
    // Act
    const comparison = await compareAccess({
      source: sourceAsKafkaSeesFromThatHost,
      target: iamAccessChecker(mapping),
      principals: ['User:billing'],
      topics: ['payments'],
      groups: [],
    });
    // Assess
    expect(comparison.differences).toEqual([
      {
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'payments',
        operation: 'READ',
        source: 'ALLOWED',
        target: 'DENIED',
      },
    ]);
  });
});

describe('IAM policy evaluation', () => {
  it('matches actions case-insensitively and resources case-sensitively, with * and ? as wildcards', () => {
    expect(globMatches('kafka-cluster:*Topic', 'KAFKA-CLUSTER:describetopic', true)).toBe(true);
    expect(globMatches('arn:x:topic/c/u/Orders', 'arn:x:topic/c/u/orders', false)).toBe(false);
    expect(globMatches('arn:x:topic/c/u/ord?rs', 'arn:x:topic/c/u/orders', false)).toBe(true);
    expect(globMatches('arn:x:topic/c/u/a.b', 'arn:x:topic/c/u/aXb', false)).toBe(false);
  });
});

describe('security mapping evidence', () => {
  class MemoryStore implements ArtifactStore {
    readonly objects = new Map<string, unknown>();
    async putJson(key: string, value: unknown): Promise<string> {
      this.objects.set(key, value);
      return `mem://${key}`;
    }
    async getJson<T>(key: string): Promise<T | undefined> {
      return this.objects.get(key) as T | undefined;
    }
    async putText(key: string, body: string): Promise<string> {
      this.objects.set(key, body);
      return `mem://${key}`;
    }
    async getText(key: string): Promise<string | undefined> {
      return this.objects.get(key) as string | undefined;
    }
    async list(prefix: string): Promise<string[]> {
      return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    }
  }

  it('writes one policy file per principal, the mapping and a Markdown section that names the locked-out principals', async () => {
    // Prepare
    const store = new MemoryStore();
    const mapping = mapAclsToIamPolicies(
      inventory([
        acl({ principal: 'User:billing', operation: 'READ' }),
        acl({ principal: 'User:legacy', operation: 'READ', host: '10.0.0.1' }),
      ]),
      target,
    );
    // Act
    const evidence = await writeSecurityMappingEvidence(
      mapping,
      { migrationId: 'orders', executionName: 'exec-1' },
      store,
    );
    // Assess
    expect(await store.list('migrations/orders/exec-1/security/')).toEqual([
      'migrations/orders/exec-1/security/iam-policies/msk-client-billing.json',
      'migrations/orders/exec-1/security/security-mapping.json',
      'migrations/orders/exec-1/security/security-mapping.md',
    ]);
    expect(evidence.summary).toEqual({ principals: 1, lockedOut: 1, blockers: 1, warnings: 1 });
    expect(await store.getJson('migrations/orders/exec-1/security/iam-policies/msk-client-billing.json')).toEqual(
      policyOf(mapping, 'User:billing'),
    );
    const markdown = renderSecurityMappingMarkdown(mapping);
    expect(markdown).toContain('**1 principal(s) would be locked out:** `User:legacy`');
    expect(markdown).toContain('| `User:billing` | `msk-client-billing` | `orders` |');
  });
});
