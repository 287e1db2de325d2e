import { AuthFailedError, UnreachableError } from '../../lambdas/core/errors';
import type { AclBinding } from '../../lambdas/core/access/acl-binding';
import {
  checkPrincipalAccess,
  expectationsFromSourceAcls,
  generatedPolicyAccess,
  targetAclAccess,
} from '../../lambdas/core/access/principal-access';
import type { AccessChecker } from '../../lambdas/core/access/access-checker';
import type { AclListing } from '../../lambdas/ports/kafka';

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: 'User:billing',
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
  ...over,
});

const SOURCE_ACLS: AclBinding[] = [
  acl({ principal: 'User:billing', operation: 'READ' }),
  acl({ principal: 'User:billing', resourceType: 'GROUP', resourceName: 'billing', operation: 'READ' }),
  acl({ principal: 'User:orders-app', operation: 'WRITE' }),
  acl({ principal: 'User:audit', resourceName: 'audit-', patternType: 'PREFIXED', operation: 'READ' }),
  acl({ principal: 'User:audit', resourceName: 'audit-us', operation: 'READ', permissionType: 'DENY' }),
  acl({ principal: 'User:*', resourceName: 'payments', operation: 'DESCRIBE' }),
];
const TOPICS = ['orders', 'payments', 'audit-eu', 'audit-us'];
const SERVERLESS_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/abcd-1';

const acls = (bindings: AclBinding[]): { describeAcls(): Promise<AclListing> } => ({
  describeAcls: async () => ({ authorizerEnabled: true, bindings }),
});

describe("principals' expected access, from the source's ACLs", () => {
  it('lists what each named principal may do today on the replicated topics and groups, grouped by operations', async () => {
    // Act
    const expected = await expectationsFromSourceAcls(SOURCE_ACLS, TOPICS, ['billing', 'audit-daily']);

    // Assess: a DENY READ on audit-us leaves the DESCRIBE the prefixed READ implies; User:* DESCRIBE on payments is
    // everyone's, so every named principal keeps it, and User:* is no principal of its own.
    expect(expected).toEqual([
      { principal: 'User:audit', operations: ['DESCRIBE'], topics: ['payments', 'audit-us'] },
      { principal: 'User:audit', operations: ['READ', 'DESCRIBE'], topics: ['audit-eu'] },
      { principal: 'User:billing', operations: ['READ', 'DESCRIBE'], topics: ['orders'] },
      { principal: 'User:billing', operations: ['DESCRIBE'], topics: ['payments'] },
      { principal: 'User:billing', operations: ['READ', 'DESCRIBE'], groups: ['billing'] },
      { principal: 'User:orders-app', operations: ['WRITE', 'DESCRIBE'], topics: ['orders'] },
      { principal: 'User:orders-app', operations: ['DESCRIBE'], topics: ['payments'] },
    ]);
    expect(expected.map((e) => e.principal)).not.toContain('User:*');
  });
});

describe('the access check of ValidateTarget', () => {
  const allowAll: AccessChecker = { check: async () => 'ALLOWED' };

  it('is skipped, with its reason, when the plan lists nobody and nothing was derived', async () => {
    // Act
    const absent = await checkPrincipalAccess({}, allowAll, TOPICS, []);
    const empty = await checkPrincipalAccess({ principals: [] }, allowAll, TOPICS, []);
    const given = await checkPrincipalAccess({ skipped: 'the source has no authorizer' }, allowAll, TOPICS, []);

    // Assess
    expect(absent.summary).toMatchObject({ status: 'SKIPPED', principals: 0 });
    expect(empty.summary).toEqual({
      status: 'SKIPPED',
      principals: 0,
      listedBy: 'PLAN',
      reason: 'validation.principals is empty',
    });
    expect(given.notes).toEqual(['Principal access not checked: the source has no authorizer.']);
    expect([absent.checks, empty.checks, given.checks]).toEqual([0, 0, 0]);
  });

  it("is skipped when the source's ACLs allow nobody anything on the replicated topics", async () => {
    // Act
    const outcome = await checkPrincipalAccess(
      { principals: { fromSourceAcls: SOURCE_ACLS } },
      allowAll,
      ['clicks'],
      [],
    );

    // Assess
    expect(outcome.summary).toMatchObject({ status: 'SKIPPED', listedBy: 'SOURCE_ACLS' });
  });

  it('names every principal that would lose access and what it loses', async () => {
    // Prepare: the target has the topic ACLs (copied by the replicator) but not the group ACL
    const target = await targetAclAccess(acls(SOURCE_ACLS.filter((b) => b.resourceType === 'TOPIC')), []);

    // Act
    const outcome = await checkPrincipalAccess(
      { principals: { fromSourceAcls: SOURCE_ACLS }, basis: target.basis },
      target.checker,
      TOPICS,
      ['billing'],
    );

    // Assess
    expect(outcome.lost).toEqual([
      { principal: 'User:billing', loses: ['READ group billing', 'DESCRIBE group billing'] },
    ]);
    expect(outcome.differences).toContainEqual({
      check: 'ACCESS',
      subject: 'User:billing',
      detail: 'User:billing may not READ group billing on the target (the source allows it).',
      source: 'ALLOWED',
      target: 'DENIED',
    });
    expect(outcome.summary).toMatchObject({ status: 'CHECKED', principals: 3, listedBy: 'SOURCE_ACLS' });
  });

  it('checks only READ and DESCRIBE on groups, since Kafka has no WRITE on a consumer group', async () => {
    // Prepare
    const asked: string[] = [];
    const recording: AccessChecker = {
      check: async (r) => {
        asked.push(`${r.operation} ${r.resourceType} ${r.resourceName}`);
        return 'ALLOWED';
      },
    };

    // Act
    await checkPrincipalAccess(
      { principals: [{ principal: 'User:app', topics: ['orders'], groups: ['app'], operations: ['READ', 'WRITE'] }] },
      recording,
      [],
      [],
    );

    // Assess
    expect(asked).toEqual(['READ TOPIC orders', 'WRITE TOPIC orders', 'READ GROUP app']);
  });
});

describe("a target's Kafka ACLs as the access checker", () => {
  it("decides as Kafka's authorizer does, with the plan's super users allowed everything", async () => {
    // Act
    const { checker, basis } = await targetAclAccess(acls([acl({ principal: 'User:billing' })]), ['User:admin']);

    // Assess
    expect(
      await checker.check({
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'READ',
      }),
    ).toBe('ALLOWED');
    expect(
      await checker.check({
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'WRITE',
      }),
    ).toBe('DENIED');
    expect(
      await checker.check({ principal: 'User:admin', resourceType: 'GROUP', resourceName: 'any', operation: 'READ' }),
    ).toBe('ALLOWED');
    expect(basis).toMatch(
      /^the target's 1 ACL binding\(s\) read with DescribeAcls, decided as Kafka's authorizer does .* super users \(validation.superUsers\): User:admin$/,
    );
  });

  it('allows everyone on a target without an authorizer, and says so', async () => {
    // Act
    const { checker, basis } = await targetAclAccess({ describeAcls: async () => ({ authorizerEnabled: false }) }, []);

    // Assess
    expect(
      await checker.check({ principal: 'User:x', resourceType: 'TOPIC', resourceName: 't', operation: 'WRITE' }),
    ).toBe('ALLOWED');
    expect(basis).toBe(
      'the target has no authorizer: every client that can connect and authenticate may do everything',
    );
  });

  it('reports the access as not checkable when the target refuses to describe its ACLs, and lets a connection failure through', async () => {
    // Prepare
    const refused = {
      describeAcls: async () => Promise.reject(new AuthFailedError('denied', { kind: 'authorization' })),
    };
    const unreachable = { describeAcls: async () => Promise.reject(new UnreachableError('no route')) };

    // Act
    const { checker, basis } = await targetAclAccess(refused, []);

    // Assess
    expect(
      await checker.check({ principal: 'User:x', resourceType: 'TOPIC', resourceName: 't', operation: 'READ' }),
    ).toBe('NOT_CHECKABLE');
    expect(basis).toMatch(/grant it DESCRIBE on the CLUSTER resource/);
    await expect(targetAclAccess(unreachable, [])).rejects.toMatchObject({ name: 'Migration.Unreachable' });
  });
});

describe('an IAM-only target as the access checker', () => {
  const security = {
    principals: [],
    acls: [
      acl({ principal: 'User:billing' }),
      acl({ principal: 'User:legacy', resourceName: 'payments', host: '10.9.9.9' }),
    ],
    superUsers: [],
    allowEveryoneIfNoAclFound: false,
    topics: TOPICS,
    consumerGroups: [],
  };

  it('evaluates the IAM policies generated from the source ACLs, and says the live IAM configuration is not checked', async () => {
    // Act
    const { checker, basis, mapping } = generatedPolicyAccess(security, SERVERLESS_ARN, true, undefined);

    // Assess
    expect(
      await checker.check({
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'READ',
      }),
    ).toBe('ALLOWED');
    // A host-restricted ACL has no IAM equivalent: that principal is locked out, and the check says so.
    expect(
      await checker.check({
        principal: 'User:legacy',
        resourceType: 'TOPIC',
        resourceName: 'payments',
        operation: 'READ',
      }),
    ).toBe('DENIED');
    expect(mapping?.target.clusterArn).toBe(SERVERLESS_ARN);
    expect(basis).toMatch(
      /^the IAM policies generated from the source's ACLs for 1 principal\(s\).*not checkable against the live IAM configuration/,
    );
  });

  it('is not checkable when the source has no ACLs to generate policies from', async () => {
    // Act
    const { checker, basis } = generatedPolicyAccess(undefined, SERVERLESS_ARN, true, 'The source has no authorizer.');

    // Assess
    expect(
      await checker.check({
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'READ',
      }),
    ).toBe('NOT_CHECKABLE');
    expect(basis).toMatch(
      /no generated IAM policies to check \(The source has no authorizer\.\); not checkable against the live IAM configuration/,
    );
  });
});
