import { UnreachableError } from '../../lambdas/core/errors';
import type { ClientSwitchSpec } from '../../lambdas/core/plan/migration-plan';
import type { ClientRole, ClientSwitch, ClientSwitchTarget, SwitchStep } from '../../lambdas/ports/client-switch';
import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { ecsServiceSwitch, examplePlan, SOURCE_BOOTSTRAP, TARGET_BOOTSTRAP, World, type Raw } from './world';

/**
 * The failback branch of the real ASL with client switches (cutover.switches): the applications SwitchToTarget moved
 * go back to the source with the pointer (FailbackCutover), those stopped at the fence are stopped at the failback
 * fence too, and a failback that stops behind its fence starts them again on the target (ReleaseFailbackFence).
 */

const AT_SOURCE = SOURCE_BOOTSTRAP.join(',');
const AT_TARGET = TARGET_BOOTSTRAP.join(',');

/** An application as an ECS service: where its tasks connect, how many run, and every change made to it. */
class FakeApplication {
  cluster = AT_SOURCE;
  count = 2;
  readonly changes: string[] = [];
}

interface FakeRecord {
  readonly cluster: string;
  readonly count: number;
}

class FakeServiceSwitch implements ClientSwitch<FakeRecord> {
  readonly kind = 'ECS_SERVICE';
  readonly subject: string;
  constructor(
    private readonly app: FakeApplication,
    private readonly spec: { name: string; role: ClientRole; stopAtFence: boolean },
  ) {
    this.subject = `ecs:apps/${spec.name}`;
  }
  get role(): ClientRole {
    return this.spec.role;
  }
  async record(): Promise<FakeRecord> {
    return { cluster: this.app.cluster, count: this.app.count };
  }
  async stop(): Promise<SwitchStep> {
    if (!this.spec.stopAtFence) return { complete: true, step: 'NOT_STOPPED' };
    if (this.app.count !== 0) this.app.changes.push(`stop on ${this.app.cluster}`);
    this.app.count = 0;
    return { complete: true, step: 'STOPPED' };
  }
  async switchToTarget(recorded: FakeRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    if (this.app.cluster !== target.bootstrapServers || this.app.count !== recorded.count) {
      this.app.changes.push(`deploy on ${target.bootstrapServers} × ${recorded.count}`);
      this.app.cluster = target.bootstrapServers;
      this.app.count = recorded.count;
    }
    return { complete: true, step: 'STEADY' };
  }
  async revert(recorded: FakeRecord): Promise<SwitchStep> {
    if (this.app.cluster !== recorded.cluster || this.app.count !== recorded.count) {
      this.app.changes.push(`deploy on ${recorded.cluster} × ${recorded.count}`);
      this.app.cluster = recorded.cluster;
      this.app.count = recorded.count;
    }
    return { complete: true, step: 'STEADY' };
  }
}

function withApps() {
  const apps = { 'orders-api': new FakeApplication(), 'billing-worker': new FakeApplication() };
  const clientSwitches = (spec: ClientSwitchSpec): ClientSwitch => {
    if (spec.type !== 'ECS_SERVICE') throw new Error(`no fake for ${spec.type}`);
    return new FakeServiceSwitch(apps[spec.name as keyof typeof apps], spec);
  };
  const plan = examplePlan((raw) => {
    raw.replication.offsetSyncMode = 'ENHANCED';
    raw.cutover.switches = [
      ecsServiceSwitch('orders-api', { stopAtFence: true }),
      ecsServiceSwitch('billing-worker', { role: 'CONSUMERS' }),
    ];
  });
  return { apps, clientSwitches, plan };
}

it('fails back with the client switches: every application the cutover moved returns to its source configuration, MigrationFailedBack', async () => {
  // Prepare: the finalize rejected, the failback approved
  const { apps, clientSwitches, plan } = withApps();
  const world = new World({ plan, clientSwitches, approvals: { FINALIZE: 'REJECT' } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.FailedBack');
  expectVisitedInOrder(result.visited, ['SwitchToTarget', 'FenceForFailback', 'FailbackCutover', 'ReportFailedBack']);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  // the producer service: stopped at each fence, moved to the target, then back to the source at its count
  expect(apps['orders-api'].changes).toEqual([
    `stop on ${AT_SOURCE}`,
    `deploy on ${AT_TARGET} × 2`,
    `stop on ${AT_TARGET}`,
    `deploy on ${AT_SOURCE} × 2`,
  ]);
  expect(apps['billing-worker'].changes).toEqual([`deploy on ${AT_TARGET} × 2`, `deploy on ${AT_SOURCE} × 2`]);
  expect([apps['orders-api'].cluster, apps['billing-worker'].cluster]).toEqual([AT_SOURCE, AT_SOURCE]);
  const failedBack = world.lastEvent('ReportFailedBack')?.state.failbackCutover as Raw;
  expect(failedBack.clients).toMatchObject({
    complete: true,
    switches: [
      { name: 'orders-api', complete: true },
      { name: 'billing-worker', complete: true },
    ],
  });
  expect(failedBack.notes.join(' ')).toMatch(/orders-api \(ecs:apps\/orders-api\) is back on the source/);
  // journaled: each switch says when it went back
  const journal = await world.artifacts.getJson<Raw>(
    [...world.artifacts.objects.keys()].find((k) => k.endsWith('client-switch-orders-api.json')) ?? '',
  );
  expect(journal).toMatchObject({ failbackStoppedAt: expect.any(String), failedBackAt: expect.any(String) });
  expect(journal?.['revertedAt']).toBeUndefined();
});

it('moves no application twice when FailbackCutover is retried after it did its work (Sandbox.Timedout)', async () => {
  // Prepare: FailbackCutover returns every switch, then times out before answering; Step Functions retries it
  const { apps, clientSwitches, plan } = withApps();
  const world = new World({
    plan,
    clientSwitches,
    approvals: { FINALIZE: 'REJECT' },
    lambdaFaults: { FailbackCutover: [{ call: 1, error: 'Sandbox.Timedout', when: 'AFTER_RUN' }] },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.FailedBack');
  expect(world.calls.filter((c) => c.state === 'FailbackCutover').length).toBe(2);
  expect(apps['orders-api'].changes.filter((c) => c === `deploy on ${AT_SOURCE} × 2`)).toHaveLength(1);
  expect(apps['billing-worker'].changes.filter((c) => c === `deploy on ${AT_SOURCE} × 2`)).toHaveLength(1);
  expect((world.lastEvent('ReportFailedBack')?.state.failbackCutover as Raw).clients).toMatchObject({ complete: true });
});

it('starts the applications stopped at the failback fence again on the target when the failback stops behind it', async () => {
  // Prepare: the source becomes unreachable once the target's producers are fenced for the way back
  const { apps, clientSwitches, plan } = withApps();
  const world = new World({
    plan,
    clientSwitches,
    approvals: { FINALIZE: 'REJECT' },
    failState: { state: 'CheckFailbackDrain', error: new UnreachableError('The source cluster does not answer.') },
  });
  // Act
  const result = await world.run();
  // Assess
  expectVisitedInOrder(result.visited, ['FenceForFailback', 'CheckFailbackDrain', 'ReleaseFailbackFence']);
  expectNeverVisited(result.visited, ['FailbackCutover', 'ReportFailedBack']);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(apps['orders-api'].changes.slice(-2)).toEqual([`stop on ${AT_TARGET}`, `deploy on ${AT_TARGET} × 2`]);
  expect([apps['orders-api'].cluster, apps['orders-api'].count]).toEqual([AT_TARGET, 2]);
  // the consumer service was never stopped: left alone on the target
  expect(apps['billing-worker'].changes).toEqual([`deploy on ${AT_TARGET} × 2`]);
  expect(world.lastEvent('ReportNeedsAttention')?.state.failbackRelease).toMatchObject({
    outcome: 'RELEASED',
    clients: [
      { name: 'orders-api', step: 'STEADY' },
      { name: 'billing-worker', step: 'UNTOUCHED' },
    ],
  });
});

it('a stop behind the failback fence: the compensator starts the applications stopped there again on the target', async () => {
  // Prepare: the operator stops the execution right after the failback fence stopped orders-api on the target
  const { apps, clientSwitches, plan } = withApps();
  const world = new World({
    plan,
    clientSwitches,
    approvals: { FINALIZE: 'REJECT' },
    stopAfter: { state: 'FenceForFailback', call: 1 },
  });
  const result = await world.run();
  expect(result.status).toBe('ABORTED');
  expect([apps['orders-api'].cluster, apps['orders-api'].count]).toEqual([AT_TARGET, 0]);
  // Act: EventBridge delivers the ABORTED status change
  const compensation = await world.compensate(result);
  // Assess: the pointer names the target again and orders-api runs there at its count, where SwitchToTarget moved it
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(apps['orders-api'].changes.slice(-2)).toEqual([`stop on ${AT_TARGET}`, `deploy on ${AT_TARGET} × 2`]);
  expect([apps['orders-api'].cluster, apps['orders-api'].count]).toEqual([AT_TARGET, 2]);
  expect(apps['billing-worker'].changes).toEqual([`deploy on ${AT_TARGET} × 2`]);
  expect(compensation.notes.join(' ')).toContain('The client switch orders-api runs on the target again');
  // A second delivery starts nothing twice
  expect((await world.compensate(result)).outcome).toBe('ALREADY_REPORTED');
  expect(apps['orders-api'].changes.filter((c) => c === `deploy on ${AT_TARGET} × 2`)).toHaveLength(2);
});

/** A Lambda event source mapping as Lambda keeps it: which cluster it reads, whether enabled, and every change. */
class FakeMapping {
  cluster = AT_SOURCE;
  enabled = true;
  readonly changes: string[] = [];
}

/** The mapping's switch with the LAMBDA_EVENT_SOURCE_MAPPING adapter's semantics, each step done at once. */
class FakeMappingSwitch implements ClientSwitch<{ group: string }> {
  readonly kind = 'LAMBDA_EVENT_SOURCE_MAPPING';
  readonly subject = 'lambda-esm:payments-app';
  readonly role = 'CONSUMERS' as const;
  constructor(private readonly mapping: FakeMapping) {}
  async record() {
    return { group: 'payments-app' };
  }
  async stop(): Promise<SwitchStep> {
    return { complete: true, step: 'NOTHING_TO_STOP' };
  }
  consumerGroup(recorded: { group: string }): string {
    return recorded.group;
  }
  private disable(where: string): SwitchStep {
    if (this.mapping.enabled) this.mapping.changes.push(`disable on ${this.mapping.cluster}`);
    this.mapping.enabled = false;
    return { complete: true, step: `${where}_MAPPING_DISABLED` };
  }
  async hold(): Promise<SwitchStep> {
    return this.disable('SOURCE');
  }
  async holdOnTarget(): Promise<SwitchStep> {
    return this.disable('TARGET');
  }
  async resumeOnTarget(): Promise<SwitchStep> {
    if (!this.mapping.enabled) this.mapping.changes.push(`enable on ${this.mapping.cluster}`);
    this.mapping.enabled = true;
    return { complete: true, step: 'TARGET_MAPPING_ENABLED' };
  }
  private moveTo(cluster: string): SwitchStep {
    if (this.mapping.cluster !== cluster) {
      this.mapping.changes.push(`delete on ${this.mapping.cluster}`, `create on ${cluster}`);
      this.mapping.cluster = cluster;
    } else if (!this.mapping.enabled) this.mapping.changes.push(`enable on ${cluster}`);
    this.mapping.enabled = true;
    return { complete: true, step: 'MAPPING_ENABLED' };
  }
  async switchToTarget(_recorded: unknown, target: ClientSwitchTarget): Promise<SwitchStep> {
    return this.moveTo(target.bootstrapServers);
  }
  async revert(): Promise<SwitchStep> {
    return this.moveTo(AT_SOURCE);
  }
}

function withMapping() {
  const mapping = new FakeMapping();
  const clientSwitches = (spec: ClientSwitchSpec): ClientSwitch => {
    if (spec.type !== 'LAMBDA_EVENT_SOURCE_MAPPING') throw new Error(`no fake for ${spec.type}`);
    return new FakeMappingSwitch(mapping);
  };
  const plan = examplePlan((raw) => {
    raw.replication.offsetSyncMode = 'ENHANCED';
    raw.cutover.consumerCatchUpSeconds = 0;
    raw.cutover.switches = [
      { type: 'LAMBDA_EVENT_SOURCE_MAPPING', name: 'payments-app', uuid: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01' },
    ];
  });
  return { mapping, clientSwitches, plan };
}

it('holds the event source mapping on the target before FailbackCutover translates its offsets, then moves it back', async () => {
  // Prepare
  const { mapping, clientSwitches, plan } = withMapping();
  const world = new World({ plan, clientSwitches, approvals: { FINALIZE: 'REJECT' } });
  // Act
  const result = await world.run();
  // Assess: held at each end before its offsets were translated, moved each way with its group
  expect(result.error).toBe('Migration.FailedBack');
  expect(mapping.changes).toEqual([
    `disable on ${AT_SOURCE}`,
    `delete on ${AT_SOURCE}`,
    `create on ${AT_TARGET}`,
    `disable on ${AT_TARGET}`,
    `delete on ${AT_TARGET}`,
    `create on ${AT_SOURCE}`,
  ]);
  expect([mapping.cluster, mapping.enabled]).toEqual([AT_SOURCE, true]);
  const failedBack = world.lastEvent('ReportFailedBack')?.state.failbackCutover as Raw;
  expect(failedBack.held).toEqual([expect.objectContaining({ name: 'payments-app', step: 'TARGET_MAPPING_DISABLED' })]);
  const journal = await world.artifacts.getJson<Raw>(
    [...world.artifacts.objects.keys()].find((k) => k.endsWith('client-switch-payments-app.json')) ?? '',
  );
  expect(journal).toMatchObject({ heldAt: expect.any(String), failbackHeldAt: expect.any(String) });
});

it('enables the mapping held on the target again when the failback stops after the hold', async () => {
  // Prepare: the source refuses the offsets the failback commits (after the hold)
  const { mapping, clientSwitches, plan } = withMapping();
  const world = new World({ plan, clientSwitches, approvals: { FINALIZE: 'REJECT' } });
  world.source.setCommittedOffsets = () => Promise.reject(new UnreachableError('The source cluster does not answer.'));
  // Act
  const result = await world.run();
  // Assess
  expectVisitedInOrder(result.visited, ['FailbackCutover', 'ReleaseFailbackFence']);
  expectNeverVisited(result.visited, ['ReportFailedBack']);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(mapping.changes.slice(-2)).toEqual([`disable on ${AT_TARGET}`, `enable on ${AT_TARGET}`]);
  expect([mapping.cluster, mapping.enabled]).toEqual([AT_TARGET, true]);
  expect(world.lastEvent('ReportNeedsAttention')?.state.failbackRelease).toMatchObject({
    outcome: 'RELEASED',
    clients: [{ name: 'payments-app', step: 'TARGET_MAPPING_ENABLED' }],
  });
});
