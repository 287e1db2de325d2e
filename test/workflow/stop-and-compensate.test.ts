import { runCompensator, type CompensatorDeps, type ExecutionStatusChange } from '../../lambdas/compensator/compensate';
import { rollbackWindowClosesAt } from '../../lambdas/core/cutover/rollback-cutover';
import type { ClientSwitchSpec } from '../../lambdas/core/plan/migration-plan';
import type {
  ClientSwitch,
  ClientSwitchFactory,
  ClientSwitchTarget,
  SwitchStep,
} from '../../lambdas/ports/client-switch';
import type { RunResult } from '../../rehearsal/asl-runner';
import { expectEverythingOursUndone, expectNeverVisited } from './paths';
import { ecsServiceSwitch, EXECUTION_NAME, examplePlan, stepByStep, World, AT_SOURCE, AT_TARGET } from './world';

/**
 * StopExecution (the console's Stop) runs no Catch: the runner ends the execution ABORTED where it is and emits the
 * "Execution Status Change" event that EventBridge routes to the compensator. The compensator undoes, from the
 * journals and this execution's names, what the execution left: the fence, the pointer (inside the rollback window),
 * the replicator with its alarms and canary topic, the target it created, the locks; and writes the report. With
 * client switches (cutover.switches), the applications SwitchToTarget moved go back to the source as RollbackCutover
 * returns them, inside the rollback window only.
 */

/** An application as an ECS service (where its tasks connect), with every deployment made to it. */
class FakeServiceSwitch implements ClientSwitch<{ cluster: string }> {
  readonly kind = 'ECS_SERVICE';
  readonly subject = 'ecs:apps/orders-api';
  readonly role = 'PRODUCERS' as const;
  cluster = AT_SOURCE;
  readonly deployments: string[] = [];
  async record() {
    return { cluster: this.cluster };
  }
  async stop(): Promise<SwitchStep> {
    return { complete: true, step: 'NOT_STOPPED' };
  }
  async switchToTarget(_: unknown, target: ClientSwitchTarget): Promise<SwitchStep> {
    return this.deploy(target.bootstrapServers);
  }
  async revert(recorded: { cluster: string }): Promise<SwitchStep> {
    return this.deploy(recorded.cluster);
  }
  private deploy(cluster: string): SwitchStep {
    if (this.cluster !== cluster) this.deployments.push(cluster);
    this.cluster = cluster;
    return { complete: true, step: 'STEADY' };
  }
}

/** A service whose return to the source takes `rolloutMs` of the world's clock from the first revert call. */
class SlowServiceSwitch extends FakeServiceSwitch {
  clock: () => Date = () => new Date(0);
  readonly reverts: string[] = [];
  private revertStartedAt: number | undefined;
  constructor(private readonly rolloutMs: number) {
    super();
  }
  override async revert(recorded: { cluster: string }): Promise<SwitchStep> {
    const now = this.clock().getTime();
    this.revertStartedAt ??= now;
    this.reverts.push(this.clock().toISOString());
    if (now - this.revertStartedAt < this.rolloutMs) return { complete: false, step: 'ROLLING_BACK' };
    return super.revert(recorded);
  }
}

function withService(app: FakeServiceSwitch = new FakeServiceSwitch(), clientSwitchTimeoutMinutes?: number) {
  const clientSwitches: ClientSwitchFactory = (spec: ClientSwitchSpec) => {
    if (spec.type !== 'ECS_SERVICE') throw new Error(`no fake for ${spec.type}`);
    return app;
  };
  const plan = examplePlan((raw) => {
    raw.cutover.switches = [ecsServiceSwitch('orders-api')];
    if (clientSwitchTimeoutMinutes) raw.cutover.clientSwitchTimeoutMinutes = clientSwitchTimeoutMinutes;
  });
  return { app, clientSwitches, plan };
}

const compensate = (
  world: World,
  result: RunResult,
  clientSwitches?: ClientSwitchFactory,
  more: Pick<CompensatorDeps, 'deadline' | 'sleep'> = {},
) =>
  runCompensator(result.statusChange as unknown as ExecutionStatusChange, {
    ...more,
    ...(clientSwitches ? { clientSwitches } : {}),
    artifacts: world.artifacts,
    locks: world.locks,
    pointer: world.pointer,
    replicator: world.replicator,
    lagSignals: world.lagSignals,
    source: world.source,
    target: world.target,
    provisioner: world.provisioner,
    now: world.now,
  });

it('a stop while the producers are fenced leaves the fence in place and runs no Catch; the compensator lifts it and removes everything', async () => {
  // Prepare: the operator stops the execution right after FenceProducers
  const world = new World({ plan: examplePlan(stepByStep), stopAfter: { state: 'FenceProducers', call: 1 } });
  // Act
  const result = await world.run();
  // Assess: ABORTED where it was, nothing rolled back by the workflow, the producers still held
  expect(result.status).toBe('ABORTED');
  expect(world.called().at(-1)).toBe('FenceProducers');
  expectNeverVisited(result.visited, ['RollbackCutover', 'RollbackReplication', 'ReportRollback']);
  expect(world.pointer.current?.value).toMatch(/^fenced:/);
  expect(world.replicator.replicators.size).toBe(1);
  expect(world.locks.held.size).toBe(3);
  expect(result.statusChange?.detail).toMatchObject({ status: 'ABORTED', name: 'exec-1' });
  // Act: EventBridge delivers the status change to the compensator
  const compensation = await compensate(world, result);
  // Assess: fence lifted (pointer back at the source), replication and target removed, locks free, report written
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expectEverythingOursUndone(world);
  const report = await world.report();
  expect(report).toMatchObject({
    outcome: 'ROLLED_BACK',
    error: { error: 'States.ExecutionAborted' },
    locksReleased: expect.arrayContaining(['pointer:ssm:/payments/kafka/bootstrap-servers']),
  });
});

it('a stop during the catch-up: the compensator removes the replicator, its alarms and canary, and the created target', async () => {
  // Prepare
  const world = new World({ lagConvergesAfter: null, stopAfter: { state: 'EvaluateCatchUp', call: 2 } });
  // Act
  const result = await world.run();
  const compensation = await compensate(world, result);
  // Assess
  expect(result.status).toBe('ABORTED');
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.lagSignals.alarms.size).toBe(0);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(world.pointer.writes).toBe(0);
  expect(world.locks.held.size).toBe(0);
});

it('a stop inside the rollback window: the compensator switches the clients back to the source', async () => {
  // Prepare
  const world = new World({ stopAfter: { state: 'CheckTargetHealth', call: 1 } });
  // Act
  const result = await world.run();
  const compensation = await compensate(world, result);
  // Assess
  expect(result.status).toBe('ABORTED');
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.replicator.replicators.size).toBe(0);
});

it('a stop inside the rollback window: the compensator returns the client switches to the source, once', async () => {
  // Prepare: an ECS service SwitchToTarget moved to the target, then the stop
  const { app, clientSwitches, plan } = withService();
  const world = new World({ plan, clientSwitches, stopAfter: { state: 'CheckTargetHealth', call: 1 } });
  const result = await world.run();
  expect(result.status).toBe('ABORTED');
  expect(app.cluster).toBe(AT_TARGET);
  // Act: EventBridge delivers the status change, twice
  const first = await compensate(world, result, clientSwitches);
  const deployments = [...app.deployments];
  const second = await compensate(world, result, clientSwitches);
  // Assess: the service back on the source with the pointer, one deployment each way; the second delivery changes nothing
  expect(first.outcome).toBe('ROLLED_BACK');
  expect(app.cluster).toBe(AT_SOURCE);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(deployments).toEqual([AT_TARGET, AT_SOURCE]);
  expect(second.outcome).toBe('ALREADY_REPORTED');
  expect(app.deployments).toEqual(deployments);
  expect(await world.report()).toMatchObject({
    outcome: 'ROLLED_BACK',
    undone: expect.arrayContaining([
      expect.objectContaining({
        step: 'RollbackCutover',
        detail: expect.objectContaining({
          clients: expect.objectContaining({ complete: true }),
        }),
      }),
    ]),
  });
});

it('a client switch slower than the invocation: the compensator stops at its own deadline, puts the pointer back, and the retried delivery finishes the switch though the window closed since', async () => {
  // Prepare: an ECS service that takes 7 minutes to roll back (the plan allows 12), stopped 6 minutes before the
  // rollback window closes; the invocation has 5 minutes for the switches (the handler: Lambda's deadline less the
  // reserve for the rest)
  const app = new SlowServiceSwitch(7 * 60_000);
  const { clientSwitches, plan } = withService(app, 12);
  const world = new World({ plan, clientSwitches, stopAfter: { state: 'CheckTargetHealth', call: 1 } });
  app.clock = world.now;
  const result = await world.run();
  expect(app.cluster).toBe(AT_TARGET);
  const identity = { migrationId: String(plan.migrationId), executionName: EXECUTION_NAME };
  const closesAt = Date.parse((await rollbackWindowClosesAt(world.artifacts, identity, 60)) ?? '');
  world.advance((closesAt - world.now().getTime()) / 1000 - 6 * 60);
  const sleep = async (ms: number) => world.advance(ms / 1000);
  const minutesFromNow = (m: number) => new Date(world.now().getTime() + m * 60_000);
  // Act: the first delivery
  await expect(compensate(world, result, clientSwitches, { deadline: minutesFromNow(5), sleep })).rejects.toMatchObject(
    { name: 'Migration.RollbackFailed' },
  );
  // Assess: stepped until its deadline only; the pointer back at the source (decided inside the window), the
  // replicator gone, the locks free, and a report that says the switch is still returning
  expect(app.cluster).toBe(AT_TARGET);
  expect(new Date(app.reverts.at(-1) ?? 0).getTime()).toBeLessThanOrEqual(closesAt - 60_000);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.locks.held.size).toBe(0);
  expect(await world.report()).toMatchObject({
    outcome: 'ROLLBACK_FAILED',
    rollbackError: { cause: expect.stringContaining("this attempt's deadline came first") },
  });
  // Act: Lambda delivers the event again two minutes later; the window has closed in between
  world.advance(2 * 60);
  expect(world.now().getTime()).toBeGreaterThan(closesAt);
  const retried = await compensate(world, result, clientSwitches, { deadline: minutesFromNow(12), sleep });
  // Assess: the retry keeps the first attempt's decision and finishes: the service on the source, one deployment
  // each way, the target this execution created deleted; a third delivery changes nothing
  expect(retried.outcome).toBe('ROLLED_BACK');
  expect(retried.notes.join(' ')).toContain('Attempt 2: the previous one ended ROLLBACK_FAILED.');
  expect(app.cluster).toBe(AT_SOURCE);
  expect(app.deployments).toEqual([AT_TARGET, AT_SOURCE]);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(await world.report()).toMatchObject({ outcome: 'ROLLED_BACK' });
  expect((await compensate(world, result, clientSwitches, { sleep })).outcome).toBe('ALREADY_REPORTED');
});

it('a stop after the rollback window closed: the compensator leaves the client switches and the pointer on the target', async () => {
  // Prepare: moved to the target, then stopped, and the window (60 min) long closed when the event is handled
  const { app, clientSwitches, plan } = withService();
  const world = new World({ plan, clientSwitches, stopAfter: { state: 'CheckTargetHealth', call: 1 } });
  const result = await world.run();
  const pointerBefore = world.pointer.current?.value;
  world.advance(2 * 3600);
  // Act
  const compensation = await compensate(world, result, clientSwitches);
  // Assess
  expect(compensation.outcome).toBe('NEEDS_ATTENTION');
  expect(app.cluster).toBe(AT_TARGET);
  expect(app.deployments).toEqual([AT_TARGET]);
  expect(world.pointer.current?.value).toBe(pointerBefore);
  expect(pointerBefore).not.toBe(AT_SOURCE);
});

it('is idempotent: an execution that rolled back through its own Catch leaves nothing to undo, and a second delivery changes nothing', async () => {
  // Prepare: the replicator fails; the workflow rolls back and ends FAILED (Migration.RolledBack) through ReportRollback
  const world = new World({ replicator: { becomes: 'FAILED', afterDescribes: 1 } });
  const result = await world.run();
  const reportBefore = await world.report();
  const deletions = world.replicator.deletedNames.length;
  // Act: EventBridge delivers the FAILED status change, twice
  const first = await compensate(world, result);
  const second = await compensate(world, result);
  // Assess
  expect(result.statusChange?.detail.status).toBe('FAILED');
  expect(first.outcome).toBe('ALREADY_REPORTED');
  expect(second.outcome).toBe('ALREADY_REPORTED');
  expect(world.replicator.deletedNames).toHaveLength(deletions);
  expect(await world.report()).toEqual(reportBefore);
  expect(world.locks.held.size).toBe(0);
});

it('a second delivery after compensating a stop changes nothing more', async () => {
  // Prepare
  const world = new World({ plan: examplePlan(stepByStep), stopAfter: { state: 'FenceProducers', call: 1 } });
  const result = await world.run();
  await compensate(world, result);
  const writes = world.pointer.writes;
  // Act
  const again = await compensate(world, result);
  // Assess
  expect(again.outcome).toBe('ALREADY_REPORTED');
  expect(world.pointer.writes).toBe(writes);
});

it('a stopped execution leaves no timer behind: the task reached after the stop settles instead of hanging', async () => {
  // Prepare: a stop seen when the next task is called; the library arms the state's TimeoutSeconds timer (up to
  // 15 minutes) for every attempt and clears it only when the attempt settles
  const world = new World({ plan: examplePlan(stepByStep), stopAfter: { state: 'FenceProducers', call: 1 } });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  // Act
  const result = await world.run();
  // Assess: ABORTED, and no timer of the execution left (one would keep Jest and the rehearsal alive for 15 minutes)
  expect(result.status).toBe('ABORTED');
  expect(timers()).toBeLessThanOrEqual(before);
});

it("a stop during a failback, behind the failback fence: the compensator lifts that fence, the target's producers write again, the replicators stay for a person", async () => {
  // Prepare: past the point of no return the person approves the failback; the operator stops right after the fence
  const world = new World({
    approvals: { FINALIZE: 'REJECT' },
    plan: examplePlan((raw) => (raw.replication.offsetSyncMode = 'ENHANCED')),
    stopAfter: { state: 'FenceForFailback', call: 1 },
  });
  // Act
  const result = await world.run();
  // Assess: ABORTED with the producers held by the failback fence, no ReleaseFailbackFence ran
  expect(result.status).toBe('ABORTED');
  expect(world.called().at(-1)).toBe('FenceForFailback');
  expectNeverVisited(result.visited, ['ReleaseFailbackFence', 'FailbackCutover', 'ReportNeedsAttention']);
  expect(world.pointer.current?.value).toMatch(/^fenced:.*\/failback$/);
  const [forward, reverse] = world.replicator.createdNames;
  // Act: EventBridge delivers the ABORTED status change
  const compensation = await compensate(world, result);
  // Assess: the pointer names the target again (the producers' cluster since the switch), nothing is switched back to
  // the source, both replicators are left for the person, the locks are free and the report says so
  expect(compensation.outcome).toBe('NEEDS_ATTENTION');
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.replicator.deletedNames).toEqual([]);
  expect(world.replicator.replicators.has(forward ?? '')).toBe(true);
  expect(world.replicator.replicators.has(reverse ?? '')).toBe(true);
  expect(compensation.notes.join(' ')).toContain(`reverse replicator ${reverse ?? ''} is still running`);
  expect(world.locks.held.size).toBe(0);
  expect(await world.report()).toMatchObject({
    outcome: 'NEEDS_ATTENTION',
    error: { error: 'States.ExecutionAborted' },
    undone: [
      {
        step: 'RollbackCutover',
        detail: {
          outcome: 'POINT_OF_NO_RETURN',
          by: 'compensator',
          failbackRelease: { outcome: 'RELEASED', value: AT_TARGET },
          notes: expect.arrayContaining([expect.stringContaining(`${reverse ?? ''} is still running`)]),
        },
      },
    ],
  });
  // A second delivery changes nothing more
  const writes = world.pointer.writes;
  expect((await compensate(world, result)).outcome).toBe('ALREADY_REPORTED');
  expect(world.pointer.writes).toBe(writes);
});

it('a stop during a failback after the pointer went back to the source leaves the pointer there', async () => {
  // Prepare: stopped right after FailbackCutover (pointer at the source), before StopFailback
  const world = new World({
    approvals: { FINALIZE: 'REJECT' },
    plan: examplePlan((raw) => (raw.replication.offsetSyncMode = 'ENHANCED')),
    stopAfter: { state: 'FailbackCutover', call: 1 },
  });
  const result = await world.run();
  // Act
  const compensation = await compensate(world, result);
  // Assess
  expect(result.status).toBe('ABORTED');
  expect(compensation.outcome).toBe('NEEDS_ATTENTION');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(compensation.notes.join(' ')).toContain("does not hold this execution's failback fence");
});
