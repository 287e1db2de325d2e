import { UnreachableError } from '../../lambdas/core/errors';
import type { ClientSwitchSpec } from '../../lambdas/core/plan/migration-plan';
import type { ClientRole, ClientSwitch, ClientSwitchTarget, SwitchStep } from '../../lambdas/ports/client-switch';
import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { examplePlan, SOURCE_BOOTSTRAP, TARGET_BOOTSTRAP, World, type Raw } from './world';

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
      {
        type: 'ECS_SERVICE',
        name: 'orders-api',
        role: 'PRODUCERS',
        cluster: 'apps',
        service: 'orders-api',
        environment: { KAFKA_BOOTSTRAP_SERVERS: '{bootstrapServers}' },
        stopAtFence: true,
      },
      {
        type: 'ECS_SERVICE',
        name: 'billing-worker',
        role: 'CONSUMERS',
        cluster: 'apps',
        service: 'billing-worker',
        environment: { KAFKA_BOOTSTRAP_SERVERS: '{bootstrapServers}' },
      },
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
