import type { Inventory, InventorySummary } from '../../lambdas/core/inventory/model';
import type { AclBinding } from '../../lambdas/core/access/acl-binding';
import type { AclListing } from '../../lambdas/ports/kafka';
import { runValidateTarget } from '../../lambdas/tasks/validate-target/task';
import { replicatingState } from './task-catch-up-and-validation';
import { at, examplePlan } from './task-fixtures';

const NOW = at('2026-11-01T12:00:00.000Z');
const INVENTORY_KEY = 'migrations/orders-to-serverless/exec-1/inventory/inventory.json';
const SERVERLESS_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/8d7c6b5a-4f3e-2d1c-0b9a-8f7e6d5c4b3a-s2';

const allow = (
  principal: string,
  resourceType: 'TOPIC' | 'GROUP',
  resourceName: string,
  operation: string,
): AclBinding => ({
  resourceType,
  resourceName,
  patternType: 'LITERAL',
  principal,
  host: '*',
  operation,
  permissionType: 'ALLOW',
});

/** The source's ACLs: a consumer of clicks with its group, and a producer. */
const SOURCE_ACLS = [
  allow('User:analytics', 'TOPIC', 'clicks', 'READ'),
  allow('User:analytics', 'GROUP', 'analytics-daily', 'READ'),
  allow('User:clicks-app', 'TOPIC', 'clicks', 'WRITE'),
];

/** The inventory the Inventory task left in the artifact store, reduced to what ValidateTarget reads. */
function inventoryWith(acls: Inventory['dataPlane']['acls']): Inventory {
  return {
    schemaVersion: 1,
    collectedAt: '2026-11-01T10:00:00.000Z',
    durationSeconds: 1,
    source: { name: 'source', bootstrapServers: ['b-1:9096'], authMechanism: 'SCRAM-SHA-512' },
    controlPlane: { status: 'NOT_COLLECTED', reason: 'test' },
    dataPlane: {
      clusterId: 'c1',
      controllerId: 1,
      brokers: [],
      brokerConfigs: { status: 'COLLECTED', brokerId: 1, configs: {} },
      topics: [],
      groups: [],
      acls,
      clientQuotas: { status: 'COLLECTED', quotas: [] },
    },
    throughput: { status: 'NOT_COLLECTED', reason: 'test' },
    complete: false,
    gaps: [],
  } as unknown as Inventory;
}

const summary = { inventoryKey: INVENTORY_KEY } as InventorySummary;
const targetAcls = (bindings: AclBinding[]): { describeAcls(): Promise<AclListing> } => ({
  describeAcls: async () => ({ authorizerEnabled: true, bindings }),
});

async function stateWithSourceAcls(
  acls: Inventory['dataPlane']['acls'] = { status: 'COLLECTED', authorizerEnabled: true, bindings: SOURCE_ACLS },
) {
  const world = await replicatingState();
  await world.artifacts.putJson(INVENTORY_KEY, inventoryWith(acls));
  return { ...world, state: { ...world.state, inventory: summary } };
}

describe('ValidateTarget task', () => {
  it('passes a faithful copy and reports what it checked', async () => {
    const { source, target, artifacts, state } = await replicatingState();
    const validation = await runValidateTarget({ state }, { source, target, artifacts, now: NOW });
    expect(validation).toMatchObject({ passed: true, checked: { topics: 1, partitions: 2 } });
  });

  it('fails with Migration.ValidationFailed when a replicated topic is missing on the target', async () => {
    const { source, target, artifacts, state } = await replicatingState();
    await target.deleteTopics(['clicks']);
    await expect(runValidateTarget({ state }, { source, target, artifacts, now: NOW })).rejects.toMatchObject({
      name: 'Migration.ValidationFailed',
    });
  });

  it("fails naming the principal that would lose access when the target's ACLs lack what the source's allow", async () => {
    // Prepare: the topic ACLs were copied, the group ACL was not
    const { source, target, artifacts, state } = await stateWithSourceAcls();
    const copied = targetAcls(SOURCE_ACLS.filter((b) => b.resourceType === 'TOPIC'));

    // Act
    const attempt = runValidateTarget({ state }, { source, target, artifacts, targetAcls: copied, now: NOW });

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'Migration.ValidationFailed',
      message: expect.stringContaining(
        '1 principal(s) would lose access on the target: User:analytics (READ group analytics-daily, DESCRIBE group analytics-daily).',
      ),
      details: {
        lostAccess: [
          { principal: 'User:analytics', loses: ['READ group analytics-daily', 'DESCRIBE group analytics-daily'] },
        ],
      },
    });
  });

  it("passes once the target's ACLs carry every principal's access, and says how it decided", async () => {
    // Prepare
    const { source, target, artifacts, state } = await stateWithSourceAcls();

    // Act
    const validation = await runValidateTarget(
      { state },
      { source, target, artifacts, targetAcls: targetAcls(SOURCE_ACLS), now: NOW },
    );

    // Assess
    expect(validation.access).toMatchObject({ status: 'CHECKED', principals: 2, listedBy: 'SOURCE_ACLS' });
    expect(validation.access?.basis).toMatch(/^the target's 3 ACL binding\(s\) read with DescribeAcls/);
    expect(validation.checked.accessChecks).toBeGreaterThan(0);
  });

  it("checks the plan's principals instead of the source's, with the plan's super users", async () => {
    // Prepare
    const { source, target, artifacts, state } = await stateWithSourceAcls();
    const plan = {
      ...state.input,
      validation: {
        principals: [
          { principal: 'User:orders-app', topics: ['clicks'], operations: ['WRITE' as const] },
          { principal: 'User:admin', groups: ['analytics-daily'], operations: ['READ' as const] },
        ],
        superUsers: ['User:admin'],
      },
    };

    // Act
    const attempt = runValidateTarget(
      { state: { ...state, input: plan } },
      { source, target, artifacts, targetAcls: targetAcls(SOURCE_ACLS), now: NOW },
    );

    // Assess: orders-app has no ACL on the target; admin is a super user there
    await expect(attempt).rejects.toMatchObject({
      details: { lostAccess: [{ principal: 'User:orders-app', loses: ['WRITE topic clicks'] }] },
    });
  });

  it('reports the access check as skipped, with the reason, when the source has no authorizer and the plan lists nobody', async () => {
    // Prepare
    const { source, target, artifacts, state } = await stateWithSourceAcls({
      status: 'COLLECTED',
      authorizerEnabled: false,
      bindings: [],
    });
    const unread = { describeAcls: jest.fn(async (): Promise<AclListing> => ({ authorizerEnabled: false })) };

    // Act
    const validation = await runValidateTarget({ state }, { source, target, artifacts, targetAcls: unread, now: NOW });

    // Assess
    expect(validation.access).toMatchObject({ status: 'SKIPPED', principals: 0 });
    expect(validation.access?.reason).toMatch(
      /^validation.principals is absent and the source's ACLs name nobody: The source has no authorizer/,
    );
    expect(validation.notes).toContainEqual(expect.stringMatching(/^Principal access not checked: /));
    expect(unread.describeAcls).not.toHaveBeenCalled();
  });

  it('on an IAM-only target checks the generated IAM policies, writes them as evidence, and says the live IAM configuration is not checked', async () => {
    // Prepare: the same copy, towards MSK Serverless
    const { source, target, artifacts, state } = await stateWithSourceAcls();
    const serverless = examplePlan('msk-to-serverless-replicator');
    const plan = { ...serverless, target: { ...serverless.target, clusterArn: SERVERLESS_ARN } };
    const targetAclsRead = { describeAcls: jest.fn(async (): Promise<AclListing> => ({ authorizerEnabled: false })) };

    // Act
    const validation = await runValidateTarget(
      {
        state: {
          ...state,
          input: { ...plan, replication: state.input.replication },
          target: { ...state.target!, type: 'MSK_SERVERLESS', clusterArn: SERVERLESS_ARN },
        },
      },
      { source, target, artifacts, targetAcls: targetAclsRead, now: NOW },
    );

    // Assess
    expect(validation.access).toMatchObject({ status: 'CHECKED', principals: 2 });
    expect(validation.access?.basis).toMatch(/not checkable against the live IAM configuration/);
    expect(
      await artifacts.getJson('migrations/orders-to-serverless/exec-1/security/security-mapping.json'),
    ).toMatchObject({
      target: { clusterArn: SERVERLESS_ARN, serverless: true },
    });
    expect(targetAclsRead.describeAcls).not.toHaveBeenCalled();
  });
});
