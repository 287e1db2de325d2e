import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { cutoverHoldRule } from '../../lambdas/core/assessment/rules/cutover-clients';
import { clientsOfTopics } from '../../lambdas/core/inventory/topic-clients';
import { resolveProfile } from '../../lambdas/core/profiles';
import { acl, group, inventory, throughput } from './inventory-fixtures';

const profile = resolveProfile('kafka-compatible');
const options = (fence: { type: 'POINTER' | 'KAFKA_ACL' | 'IAM_POLICY'; principals?: string[] }, maxHoldSeconds = 60) =>
  assessmentOptions({ cutover: { fence, maxHoldSeconds } });
const ids = (findings: ReadonlyArray<{ id: string }>): string[] => findings.map((f) => f.id);

const sourceAcls = {
  status: 'COLLECTED' as const,
  authorizerEnabled: true,
  bindings: [
    acl('User:orders-app', 'TOPIC', 'orders', 'WRITE'),
    acl('User:batch', 'TOPIC', 'pay', 'ALL', { patternType: 'PREFIXED' }),
    acl('User:reader', 'TOPIC', 'orders', 'READ'),
    acl('User:blocked', 'TOPIC', 'orders', 'WRITE', { permissionType: 'DENY' }),
  ],
};

describe('the clients of each migrated topic', () => {
  it('lists producers from ALLOW WRITE/ALL bindings (literal and prefixed), readers, group members and quota entities', () => {
    const inv = inventory({
      acls: sourceAcls,
      groups: [group('billing', { members: [{ memberId: 'm1', clientId: 'billing-1', clientHost: '/10.0.0.7' }] })],
      clientQuotas: {
        status: 'COLLECTED',
        quotas: [{ entity: [{ type: 'client-id', name: 'legacy-writer' }], values: { producer_byte_rate: 1e6 } }],
      },
    });

    const clients = clientsOfTopics(inv, ['orders', 'payments']);

    expect(clients.topics).toEqual([
      {
        topic: 'orders',
        producerPrincipals: ['User:orders-app'],
        consumerPrincipals: ['User:reader'],
        consumers: ['billing: billing-1@/10.0.0.7'],
      },
      { topic: 'payments', producerPrincipals: ['User:batch'], consumerPrincipals: ['User:batch'], consumers: [] },
    ]);
    expect(clients.quotaClients).toEqual(['client-id=legacy-writer']);
  });
});

describe('the cutover hold rule', () => {
  it('warns when the fence can hold producers longer than their delivery.timeout.ms', () => {
    const findings = cutoverHoldRule(inventory(), profile, options({ type: 'POINTER' }, 900));

    const f = findings.find((x) => x.id === 'cutover.fence-outlasts-delivery-timeout');
    expect(f?.severity).toBe('WARNING');
    expect(f?.evidence).toContain('900 s');
    expect(f?.evidence).toContain('120 s');
  });

  it('says nothing of the delivery timeout when the drain timeout is within it', () => {
    expect(ids(cutoverHoldRule(inventory(), profile, options({ type: 'POINTER' }, 120)))).not.toContain(
      'cutover.fence-outlasts-delivery-timeout',
    );
  });

  it('warns when the expected pause reaches half the producers delivery.timeout.ms, even with a short drain timeout', () => {
    const findings = cutoverHoldRule(
      inventory(),
      profile,
      assessmentOptions({ cutover: { fence: { type: 'POINTER' }, maxHoldSeconds: 120, expectedPauseMs: 64_000 } }),
    );

    const f = findings.find((x) => x.id === 'cutover.fence-outlasts-delivery-timeout');
    expect(f?.severity).toBe('WARNING');
    expect(f?.evidence).toContain('about 64.0 s');
    expect(f?.evidence).toContain('53% of their delivery.timeout.ms of 120 s');
    expect(f?.remediation).toContain('KAFKA_ACL');
  });

  it('says nothing of the delivery timeout when the expected pause is a few seconds', () => {
    const findings = cutoverHoldRule(
      inventory(),
      profile,
      assessmentOptions({ cutover: { fence: { type: 'KAFKA_ACL' }, maxHoldSeconds: 120, expectedPauseMs: 3_000 } }),
    );

    expect(ids(findings)).not.toContain('cutover.fence-outlasts-delivery-timeout');
  });

  it('warns about producers no write fence covers, naming topic and principal', () => {
    const inv = inventory({ acls: sourceAcls });

    const f = cutoverHoldRule(inv, profile, options({ type: 'KAFKA_ACL', principals: ['User:orders-app'] })).find(
      (x) => x.id === 'cutover.uncovered-producers',
    );

    expect(f?.items).toEqual(['payments: User:batch']);
  });

  it('counts every principal covered by a KAFKA_ACL fence on User:*', () => {
    const inv = inventory({ acls: sourceAcls });

    expect(ids(cutoverHoldRule(inv, profile, options({ type: 'KAFKA_ACL', principals: ['User:*'] })))).not.toContain(
      'cutover.uncovered-producers',
    );
  });

  it('warns about migrated topics CloudWatch shows written while no ACL names their producers', () => {
    const written = (topic: string, peak: number) => ({
      topic,
      bytesInPerSec: { peak, peakAt: null, mean: peak / 2, datapoints: 24 },
      bytesOutPerSec: null,
      messagesInPerSec: null,
    });
    const inv = inventory({
      acls: { status: 'COLLECTED', authorizerEnabled: false, bindings: [] },
      throughput: throughput({ topics: [written('payments', 2048), written('orders', 0)] }),
    });

    const pointer = cutoverHoldRule(inv, profile, options({ type: 'POINTER' }));
    const everyone = cutoverHoldRule(inv, profile, options({ type: 'KAFKA_ACL', principals: ['User:*'] }));

    expect(pointer.find((f) => f.id === 'cutover.unnamed-producers')?.items).toEqual(['payments (peak 2048 B/s in)']);
    expect(ids(everyone)).not.toContain('cutover.unnamed-producers');
  });

  it('warns about switched producers nothing holds under a pointer fence, and switched consumers still in their group', () => {
    const switches = [
      { name: 'orders-api', type: 'ECS_SERVICE', role: 'PRODUCERS' as const, stopAtFence: false },
      { name: 'stopped-writer', type: 'ECS_SERVICE', role: 'BOTH' as const, stopAtFence: true },
      { name: 'billing', type: 'LAMBDA_EVENT_SOURCE_MAPPING', role: 'CONSUMERS' as const, stopAtFence: false },
      { name: 'ledger-reader', type: 'ECS_SERVICE', role: 'CONSUMERS' as const, stopAtFence: false },
    ];
    const withSwitches = (fence: { type: 'POINTER' | 'KAFKA_ACL' }) =>
      cutoverHoldRule(inventory(), profile, assessmentOptions({ cutover: { fence, maxHoldSeconds: 60, switches } }));

    const pointer = withSwitches({ type: 'POINTER' });
    const broker = withSwitches({ type: 'KAFKA_ACL' });

    expect(pointer.find((f) => f.id === 'cutover.switched-producers-unheld')?.items).toEqual([
      'orders-api (ECS_SERVICE)',
    ]);
    expect(ids(broker)).not.toContain('cutover.switched-producers-unheld');
    // an event source mapping is held at the source's end by CommitConsumerOffsets; a service only by stopAtFence
    expect(broker.find((f) => f.id === 'cutover.switched-consumers-active')?.items).toEqual([
      'ledger-reader (ECS_SERVICE)',
    ]);
  });

  it('matches switches to the principals they declare: stopped at the fence covers one, not stopped names its switch', () => {
    const inv = inventory({ acls: sourceAcls });
    const switches = [
      {
        name: 'orders-api',
        type: 'ECS_SERVICE',
        role: 'PRODUCERS' as const,
        stopAtFence: true,
        principals: ['User:orders-app'],
      },
      { name: 'batch-job', type: 'ECS_SERVICE', role: 'BOTH' as const, stopAtFence: false, principals: ['User:batch'] },
    ];

    const findings = cutoverHoldRule(
      inv,
      profile,
      assessmentOptions({ cutover: { fence: { type: 'POINTER' }, maxHoldSeconds: 60, switches } }),
    );

    expect(findings.find((f) => f.id === 'cutover.uncovered-producers')?.items).toEqual([
      'payments: User:batch (switch batch-job, not stopped at the fence)',
    ]);
  });

  it('under KAFKA_ACL on named principals, names a producer switch that declares none', () => {
    const switches = [
      { name: 'declared', type: 'ECS_SERVICE', role: 'PRODUCERS' as const, stopAtFence: false, principals: ['User:a'] },
      { name: 'undeclared', type: 'ECS_SERVICE', role: 'PRODUCERS' as const, stopAtFence: false },
    ];
    const rule = (principals: string[]) =>
      cutoverHoldRule(
        inventory(),
        profile,
        assessmentOptions({ cutover: { fence: { type: 'KAFKA_ACL', principals }, maxHoldSeconds: 60, switches } }),
      );

    expect(rule(['User:a']).find((f) => f.id === 'cutover.switched-producers-unheld')?.items).toEqual([
      'undeclared (ECS_SERVICE)',
    ]);
    expect(ids(rule(['User:*']))).not.toContain('cutover.switched-producers-unheld');
  });

  it('says, for an IAM_POLICY fence, that the source shows no IAM producer roles and which roles it denies', () => {
    const findings = cutoverHoldRule(
      inventory(),
      profile,
      assessmentOptions({
        cutover: { fence: { type: 'IAM_POLICY', roleNames: ['orders-writer'] }, maxHoldSeconds: 60 },
      }),
    );

    const f = findings.find((x) => x.id === 'cutover.iam-producer-roles-unseen');
    expect(f?.severity).toBe('INFO');
    expect(f?.evidence).toContain('exactly the roles the plan names: orders-writer');
    expect(f?.evidence).toContain('not Connect or WriteData');
    expect(ids(cutoverHoldRule(inventory(), profile, options({ type: 'POINTER' })))).not.toContain(
      'cutover.iam-producer-roles-unseen',
    );
  });

  it('under IAM_POLICY, matches the producer roles the inventory knows against the fence and the switches roles', () => {
    // Prepare: two producer roles and one consumer role of the plan's Glue clients, simulated by the Inventory
    const access = (name: string, role: 'PRODUCERS' | 'CONSUMERS' | 'BOTH') => ({
      status: 'NOT_SIMULATED' as const,
      roleArn: `arn:aws:iam::123456789012:role/apps/${name}`,
      role,
      reason: 'no Glue schema was read to simulate it on',
    });
    const inv = {
      ...inventory(),
      schemaRegistries: {
        region: 'eu-west-1',
        glue: [],
        glueVersions: [],
        confluent: [],
        clientAccess: [
          access('orders-writer', 'PRODUCERS'),
          access('batch-writer', 'BOTH'),
          access('billing-reader', 'CONSUMERS'),
        ],
        notRead: [],
      },
    };
    const rule = (roleNames: string[], switches: unknown[] = []) =>
      cutoverHoldRule(
        inv,
        profile,
        assessmentOptions({
          cutover: { fence: { type: 'IAM_POLICY', roleNames }, maxHoldSeconds: 60, switches: switches as never },
        }),
      );
    const uncovered = (findings: ReturnType<typeof rule>) =>
      findings.find((f) => f.id === 'cutover.uncovered-producers')?.items;
    // Act / Assess: the fence's roles (its own and, through iamFenceRoleNames, the switches') cover them
    expect(uncovered(rule(['orders-writer', 'batch-writer']))).toBeUndefined();
    expect(uncovered(rule(['orders-writer']))).toEqual([
      'role batch-writer (a PRODUCERS client role of schemaRegistries.clientRoles)',
    ]);
    // a switch declaring the role and stopping its application at the fence covers it too
    const stopped = { name: 'batch', type: 'ECS_SERVICE', role: 'BOTH', stopAtFence: true, roles: ['batch-writer'] };
    expect(uncovered(rule(['orders-writer'], [stopped]))).toBeUndefined();
    // a producer switch that declares no role under IAM_POLICY may write as a role the fence does not deny
    const undeclared = { name: 'legacy', type: 'ECS_SERVICE', role: 'PRODUCERS', stopAtFence: false };
    expect(
      rule(['orders-writer', 'batch-writer'], [undeclared]).find((f) => f.id === 'cutover.switched-producers-unheld')
        ?.items,
    ).toEqual(['legacy (ECS_SERVICE)']);
  });

  it('judges nothing when the cutover is not described', () => {
    expect(cutoverHoldRule(inventory({ acls: sourceAcls }), profile, assessmentOptions())).toEqual([]);
  });
});
