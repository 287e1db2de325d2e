import { TransientError } from '../../lambdas/core/errors';
import { expectNeverVisited, expectVisitedInOrder, messageOf } from './paths';
import { examplePlan, SOURCE_BOOTSTRAP, World } from './world';

/**
 * The real ASL, path by path, up to the cutover approval: every Task state served by its task module over the world's
 * in-memory ports. Each test scripts one fault and asserts where the execution ends, the states it went through, what
 * it reported and what it left behind.
 */

const CUTOVER_STATES = [
  'FenceProducers',
  'CheckDrain',
  'CommitConsumerOffsets',
  'SwitchToTarget',
  'CheckTargetHealth',
  'RollbackCutover',
];
const pointerUntouched = (world: World) => expect(world.pointer.current?.value).toBe(SOURCE_BOOTSTRAP.join(','));

/** What a rollback must leave: our cluster, replicator, alarms and canary topic gone; everything else as it was. */
function expectEverythingOursUndone(world: World): void {
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.lagSignals.alarms.size).toBe(0);
  expect([...world.source.topics.keys()].sort()).toEqual(['ledger.entries', 'payments']);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(world.provisioner.clusters.find((c) => c.clusterName === 'payments-kafka-4-target-0ther')?.state).toBe(
    'ACTIVE',
  );
  expect(world.sourceWritesBesidesCanary()).toEqual([]);
  expect(world.pointer.writes).toBe(0);
}

it('rejects an invalid plan at ValidateInput with Migration.InputInvalid naming every field, and calls no other task', async () => {
  // Prepare
  const world = new World();
  const plan = examplePlan((raw) => {
    raw.gates.pollIntervalSeconds = 'soon';
    raw.cutover.rollbackWindowMinute = 60;
  });
  // Act
  const result = await world.run(plan);
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.InputInvalid');
  expect(result.visited).toEqual(['ValidateInput', 'InputRejected']);
  expect(messageOf(result.cause)).toMatch(/gates\.pollIntervalSeconds/);
  expect(messageOf(result.cause)).toMatch(/cutover\.rollbackWindowMinute/);
  expect(world.called()).toEqual(['ValidateInput']);
  expect(world.provisioner.created).toEqual([]);
  expect(world.replicator.createdNames).toEqual([]);
  expect(world.source.writes).toEqual([]);
  expect(world.artifacts.objects.size).toBe(0);
});

it('stops at an assessment BLOCKER before ProvisionTarget: MigrationFailed, nothing created, the blocker in the report', async () => {
  // Prepare: the inventory principal may not describe one topic the plan selects
  const world = new World();
  world.source.addTopic('media.uploads', 1).fill('media.uploads', 3);
  world.source.describeDenied.add('media.uploads');
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.Failed');
  expect(result.visited).toEqual([
    'ValidateInput',
    'AcquireLock',
    'Inventory',
    'Assess',
    'ReportFailure',
    'MigrationFailed',
  ]);
  expect(messageOf(result.cause)).toContain('inventory.topic-undescribable');
  expect(world.provisioner.created).toEqual([]);
  expect(world.replicator.createdNames).toEqual([]);
  expect(world.source.writes).toEqual([]);
  expect(world.target.topics.size).toBe(0);
  const report = await world.report();
  expect(report).toMatchObject({
    outcome: 'FAILED',
    error: { error: 'Migration.AssessmentBlocked' },
    created: [],
    phasesReached: ['AcquireLock', 'Inventory'],
    checklist: {
      Compatibility: {
        status: 'FAIL',
        evidenceKeys: expect.arrayContaining(['migrations/payments-kafka-4/exec-1/assessment/assessment.md']),
      },
      'Data copy': { status: 'NOT_RUN' },
      Rollback: { status: 'NOT_RUN' },
    },
  });
});

it('deletes only the cluster it created when the target cluster turns FAILED: RollbackTarget, MigrationRolledBack', async () => {
  // Prepare
  const world = new World({ cluster: { becomes: 'FAILED', afterDescribes: 2 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expect(result.visited).toEqual([
    'ValidateInput',
    'AcquireLock',
    'Inventory',
    'Assess',
    'ProvisionTarget',
    'TargetReady?',
    'WaitForTarget',
    'CheckTargetStatus',
    'TargetReady?',
    'WaitForTarget',
    'CheckTargetStatus',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expect(messageOf(result.cause)).toMatch(/FAILED/);
  expect(world.provisioner.created).toHaveLength(1);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(world.provisioner.clusters.filter((c) => c.state === 'DELETING').map((c) => c.clusterArn)).toEqual(
    world.provisioner.created,
  );
  expect(world.replicator.createdNames).toEqual([]);
  expect((await world.report())?.undone).toEqual(
    expect.arrayContaining([expect.objectContaining({ step: 'RollbackTarget', outcome: 'DONE' })]),
  );
});

it('rolls back replication then the target when the replicator turns FAILED while CREATING', async () => {
  // Prepare
  const world = new World({ replicator: { becomes: 'FAILED', afterDescribes: 2 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'StartReplication',
    'WaitForReplicator',
    'CheckReplicationStatus',
    'WaitForReplicator',
    'CheckReplicationStatus',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, ['EvaluateCatchUp', 'ValidateTarget', 'CutoverApproval', ...CUTOVER_STATES]);
  expect(world.lastEvent('RollbackReplication')?.state.error.Error).toBe('Migration.ReplicationFailed');
  expect(world.replicator.deletedNames).toEqual(world.replicator.createdNames);
  expectEverythingOursUndone(world);
  pointerUntouched(world);
});

it('fails with Migration.LagTimeout when the lag never converges within gates.catchUpTimeoutMinutes, then rolls back', async () => {
  // Prepare
  const world = new World({ lagConvergesAfter: null });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  const evaluations = result.visited.filter((s) => s === 'EvaluateCatchUp').length;
  expect(evaluations).toBe(31); // one a minute (pollIntervalSeconds 60) from 0 to 30 minutes
  expectVisitedInOrder(result.visited, [
    'WaitForCatchUp',
    'EvaluateCatchUp',
    'CaughtUp?',
    'EvaluateCatchUp',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, ['ValidateTarget', 'CutoverApproval', ...CUTOVER_STATES]);
  const error = world.lastEvent('RollbackReplication')?.state.error;
  expect(error.Error).toBe('Migration.LagTimeout');
  expect(messageOf(error.Cause)).toMatch(/MessageLag is 48210 records/);
  expectEverythingOursUndone(world);
});

it('fails with Migration.ValidationFailed when records are missing from a target partition, then rolls back', async () => {
  // Prepare: the first 4 records of payments-1 are gone from the target before ValidateTarget reads it
  const world = new World({ loseOnTarget: { topic: 'payments', partition: 1, records: 4 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'CaughtUp?',
    'ValidateTarget',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, ['CutoverApproval', ...CUTOVER_STATES]);
  const error = world.lastEvent('RollbackReplication')?.state.error;
  expect(error.Error).toBe('Migration.ValidationFailed');
  expect(messageOf(error.Cause)).toContain('payments-1');
  expectEverythingOursUndone(world);
  expect((await world.report())?.checklist).toMatchObject({
    'Data copy': { status: 'FAIL' },
    Offsets: { status: 'NOT_RUN' },
    Rollback: { status: 'PASS' },
  });
});

it('rolls back without switching anything when the approver rejects the cutover', async () => {
  // Prepare
  const world = new World({ approvals: { CUTOVER: 'REJECT' } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'ValidateTarget',
    'CutoverApproval',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, CUTOVER_STATES);
  expect(JSON.parse(result.cause ?? '{}')).toMatchObject({
    approved: false,
    kind: 'CUTOVER',
    approver: 'payments-oncall@example.com',
  });
  expect(world.mailer.sent).toHaveLength(1);
  expectEverythingOursUndone(world);
  pointerUntouched(world);
});

it('takes the rejection path when nobody decides before the approval deadline, and switches nothing', async () => {
  // Prepare
  const world = new World({ approvals: { CUTOVER: 'EXPIRE' } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'CutoverApproval',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, CUTOVER_STATES);
  const error = world.lastEvent('RollbackReplication')?.state.error;
  expect(error.Error).toBe('Migration.ApprovalRejected');
  expect(JSON.parse(error.Cause)).toMatchObject({ approved: false, timedOut: true, kind: 'CUTOVER' });
  expectEverythingOursUndone(world);
  pointerUntouched(world);
});

it('retries Inventory after two Migration.Transient failures of the source, then carries on', async () => {
  // Prepare
  const world = new World({ approvals: { CUTOVER: 'REJECT' } });
  world.source.failNext(
    'describeCluster',
    new TransientError('NOT_CONTROLLER: leader election in progress'),
    new TransientError('REQUEST_TIMED_OUT'),
  );
  // Act
  const result = await world.run();
  // Assess
  const inventory = world.calls.filter((c) => c.state === 'Inventory');
  expect(inventory.map((c) => c.outcome)).toEqual(['ERROR', 'ERROR', 'OK']);
  expect(inventory.map((c) => c.error).slice(0, 2)).toEqual(['Migration.Transient', 'Migration.Transient']);
  const retried = result.events.filter(
    (e) =>
      (e as { type: string; state?: { name: string } }).type === 'StateRetried' &&
      (e as { state: { name: string } }).state.name === 'Inventory',
  );
  expect(retried).toHaveLength(2);
  expectVisitedInOrder(result.visited, ['Inventory', 'Assess', 'ProvisionTarget', 'CutoverApproval']);
  expectNeverVisited(result.visited, ['ReportFailure']);
});

it('ends in MigrationRollbackFailed keeping both the original error and the rollback error when a rollback step fails', async () => {
  // Prepare
  const world = new World({ replicator: { becomes: 'FAILED', afterDescribes: 1 } });
  world.replicator.failDelete = Object.assign(
    new Error('AccessDeniedException: not authorized to perform kafka:DeleteReplicator'),
    { name: 'AccessDeniedException' },
  );
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RollbackFailed');
  expectVisitedInOrder(result.visited, [
    'CheckReplicationStatus',
    'RollbackReplication',
    'ReportRollbackFailure',
    'MigrationRollbackFailed',
  ]);
  expectNeverVisited(result.visited, ['RollbackTarget', 'ReportRollback']);
  expect(messageOf(result.cause)).toContain('kafka:DeleteReplicator');
  const state = world.lastEvent('ReportRollbackFailure')?.state;
  expect(state.error.Error).toBe('Migration.ReplicationFailed');
  expect(state.rollbackError.Error).toBe('AccessDeniedException');
  const report = await world.report();
  expect(report).toMatchObject({
    outcome: 'ROLLBACK_FAILED',
    error: { error: 'Migration.ReplicationFailed' },
    rollbackError: { error: 'AccessDeniedException' },
    checklist: { 'Data copy': { status: 'FAIL' }, Rollback: { status: 'FAIL' } },
  });
  expect(world.replicator.replicators.size).toBe(1);
});
