import { runCompensator, type ExecutionStatusChange } from '../../lambdas/compensator/compensate';
import type { RunResult } from '../../rehearsal/asl-runner';
import { expectNeverVisited } from './paths';
import { SOURCE_BOOTSTRAP, World } from './world';

/**
 * StopExecution (the console's Stop) runs no Catch: the runner ends the execution ABORTED where it is and emits the
 * "Execution Status Change" event that EventBridge routes to the compensator. The compensator undoes, from the
 * journals and this execution's names, what the execution left: the fence, the pointer (inside the rollback window),
 * the replicator with its alarms and canary topic, the target it created, the locks; and writes the report.
 */

const AT_SOURCE = SOURCE_BOOTSTRAP.join(',');

const compensate = (world: World, result: RunResult) =>
  runCompensator(result.statusChange as unknown as ExecutionStatusChange, {
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
  const world = new World({ stopAfter: { state: 'FenceProducers', call: 1 } });
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
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.replicator.deletedNames).toEqual(world.replicator.createdNames);
  expect(world.lagSignals.alarms.size).toBe(0);
  expect([...world.source.topics.keys()].sort()).toEqual(['ledger.entries', 'payments']);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(world.locks.held.size).toBe(0);
  expect(world.sourceWritesBesidesCanary()).toEqual([]);
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
  const world = new World({ stopAfter: { state: 'FenceProducers', call: 1 } });
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
  const world = new World({ stopAfter: { state: 'FenceProducers', call: 1 } });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  // Act
  const result = await world.run();
  // Assess: ABORTED, and no timer of the execution left (one would keep Jest and the rehearsal alive for 15 minutes)
  expect(result.status).toBe('ABORTED');
  expect(timers()).toBeLessThanOrEqual(before);
});
