import { expectEverythingOursUndone, expectNeverVisited, expectVisitedInOrder, messageOf } from './paths';
import { abortPendingApprovals } from '../../lambdas/core/approval/service';
import { examplePlan, stepByStep, World, AT_SOURCE, AT_TARGET } from './world';

/**
 * `msk-migrate abort`, through the real ASL: the operator's request is recorded where the poll tasks read it (the
 * lock table; here the world's `aborts`), the next poll raises Migration.Aborted, and the state's own Catch takes the
 * rollback path of the phase: what this execution created is removed, the pointer is restored, the locks released,
 * and the report says who aborted and why.
 */

const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:exec-1';
const OPERATOR = 'arn:aws:iam::123456789012:user/payments-oncall';

/**
 * What `msk-migrate abort` does while an approval waits: the request is recorded (the lock table) and the approval
 * service is asked, through its operator route, to end the execution's waiting approval (abortPendingApprovals).
 */
async function abortWhileWaiting(world: World, reason: string, executionArn = EXECUTION) {
  await world.aborts.request({ executionArn, reason, requestedBy: OPERATOR, requestedAt: world.now().toISOString() });
  return abortPendingApprovals(
    { executionArn, migrationId: 'payments-kafka-4', requestedBy: OPERATOR, reason },
    world.approvalServices,
  );
}

it('an abort during the catch-up raises Migration.Aborted at the next evaluation and rolls back replication and target', async () => {
  // Prepare: the lag never converges; the operator aborts before the third evaluation
  const world = new World({
    lagConvergesAfter: null,
    abortBefore: { state: 'EvaluateCatchUp', call: 3, reason: 'Change freeze for the payments release.' },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expect(result.visited.filter((s) => s === 'EvaluateCatchUp')).toHaveLength(3);
  expectVisitedInOrder(result.visited, [
    'EvaluateCatchUp',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, ['ValidateTarget', 'CutoverApproval', 'FenceProducers']);
  const error = world.lastEvent('RollbackReplication')?.state.error;
  expect(error.Error).toBe('Migration.Aborted');
  expect(messageOf(error.Cause)).toContain(
    `arn:aws:iam::123456789012:user/payments-oncall asked to abort execution ${EXECUTION}`,
  );
  expect(messageOf(error.Cause)).toContain('Change freeze for the payments release.');
  expectEverythingOursUndone(world);
  expect(world.pointer.writes).toBe(0);
  const report = await world.report();
  expect(report?.outcome).toBe('ROLLED_BACK');
  expect(report?.error).toMatchObject({ error: 'Migration.Aborted' });
});

it('an abort while the producers are fenced (drain) releases the fence: the pointer is back at the source', async () => {
  // Prepare: the operator aborts right after FenceProducers, before the first drain check
  const world = new World({ plan: examplePlan(stepByStep), abortBefore: { state: 'CheckDrain', call: 1 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'FenceProducers',
    'CheckDrain',
    'RollbackCutover',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
  ]);
  expectNeverVisited(result.visited, ['CommitConsumerOffsets', 'SwitchToTarget']);
  expect(world.lastEvent('RollbackCutover')?.state.error.Error).toBe('Migration.Aborted');
  expect(world.pointer.writes).toBeGreaterThan(0);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expectEverythingOursUndone(world);
});

it('an abort inside the rollback window switches the clients back to the source', async () => {
  // Prepare: the operator aborts before the second health check after the switch
  const world = new World({ abortBefore: { state: 'CheckTargetHealth', call: 2 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, ['SwitchToTarget', 'CheckTargetHealth', 'CheckTargetHealth', 'RollbackCutover']);
  expectNeverVisited(result.visited, ['PointOfNoReturn', 'FinalizeApproval', 'Finalize']);
  expect(world.lastEvent('RollbackCutover')?.state.error.Error).toBe('Migration.Aborted');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expectEverythingOursUndone(world);
});

it('an abort while the target is being created deletes the cluster this execution created', async () => {
  // Prepare: the cluster stays CREATING; the operator aborts before the second describe
  const world = new World({
    cluster: { becomes: 'ACTIVE', afterDescribes: 50 },
    abortBefore: { state: 'CheckTargetStatus', call: 2 },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expect(result.visited.filter((s) => s === 'CheckTargetStatus')).toHaveLength(2);
  expect(world.lastEvent('RollbackTarget')?.state.error.Error).toBe('Migration.Aborted');
  expect(world.provisioner.created).toHaveLength(1);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(world.locks.held.size).toBe(0);
});

it('an abort while the replicator starts removes it before anything else is created', async () => {
  // Prepare: the replicator stays CREATING; the operator aborts before the second describe
  const world = new World({
    replicator: { becomes: 'RUNNING', afterDescribes: 50 },
    abortBefore: { state: 'CheckReplicationStatus', call: 2 },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expect(world.lastEvent('RollbackReplication')?.state.error.Error).toBe('Migration.Aborted');
  expectEverythingOursUndone(world);
});

it('an abort while the consumer groups are awaited rolls the cutover back', async () => {
  // Prepare: the operator aborts at the first offsets commit (the producers are fenced, nothing switched yet)
  const world = new World({ abortBefore: { state: 'CommitConsumerOffsets', call: 1 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expect(world.lastEvent('RollbackCutover')?.state.error.Error).toBe('Migration.Aborted');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expectEverythingOursUndone(world);
});

it('an abort request for another execution is not this one: the migration succeeds', async () => {
  // Prepare
  const world = new World();
  await world.aborts.request({
    executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:exec-0',
    reason: 'not this one',
    requestedBy: 'someone',
    requestedAt: '2026-11-20T08:00:00.000Z',
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
});

it('an abort while the cutover approval waits ends it with Migration.Aborted: nothing is fenced, the Catch rolls back', async () => {
  // Prepare: nobody decides the cutover; the operator aborts while it waits
  const aborted: unknown[] = [];
  const world: World = new World({
    approvals: { CUTOVER: 'NONE' },
    whileApprovalWaits: {
      CUTOVER: async () => {
        aborted.push(...(await abortWhileWaiting(world, 'The payments team asked to wait.')));
      },
    },
  });
  // Act
  const result = await world.run();
  // Assess: the approval state's own Catch, the forward rollback, the error naming who and why
  expect(aborted).toEqual([{ approvalId: world.approvalIds[0], kind: 'CUTOVER', outcome: 'ABORTED' }]);
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'CutoverApproval',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, ['WarmFenceProducers', 'FenceProducers', 'SwitchToTarget']);
  const error = world.lastEvent('RollbackReplication')?.state.error;
  expect(error.Error).toBe('Migration.Aborted');
  expect(messageOf(error.Cause)).toContain(`${OPERATOR} asked to abort execution ${EXECUTION}`);
  expect(messageOf(error.Cause)).toContain('The payments team asked to wait.');
  expectEverythingOursUndone(world);
  expect(world.pointer.writes).toBe(0);
  // The approval is settled (a later click is told so) and the audit says who ended it
  const record = await world.approvalServices.store.get(world.approvalIds[0] ?? '');
  expect(record).toMatchObject({ status: 'DECIDED', decision: { approver: OPERATOR, channel: 'CLI' } });
  const audit = await Promise.all(
    (await world.artifacts.list('migrations/payments-kafka-4/exec-1/approvals/'))
      .filter((k) => k.includes('-aborted-'))
      .map((k) => world.artifacts.getJson<{ event: string; actor: string }>(k)),
  );
  expect(audit).toEqual([expect.objectContaining({ event: 'ABORTED', actor: OPERATOR })]);
  expect((await world.report())?.error).toMatchObject({ error: 'Migration.Aborted' });
  // A second request finds nothing pending
  expect(await abortWhileWaiting(world, 'again')).toEqual([]);
});

it('an abort while the finalize approval waits (past the point of no return) switches nothing back: MigrationNeedsAttention', async () => {
  // Prepare
  const world: World = new World({
    approvals: { FINALIZE: 'NONE' },
    whileApprovalWaits: { FINALIZE: async () => void (await abortWhileWaiting(world, 'Stop here.')) },
  });
  // Act
  const result = await world.run();
  // Assess: not the failback question (FinalizeApproval's Catch for Migration.Aborted), clients stay on the target
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, ['PointOfNoReturn', 'FinalizeApproval', 'ReportNeedsAttention']);
  expectNeverVisited(result.visited, ['FailbackDecision', 'Finalize', 'RollbackCutover']);
  expect(world.lastEvent('ReportNeedsAttention')?.state.error.Error).toBe('Migration.Aborted');
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.locks.held.size).toBe(0);
});

it("an abort of another execution leaves this execution's waiting approval alone", async () => {
  // Prepare: exec-0's abort arrives while exec-1's cutover approval waits; exec-1's approver then approves
  const found: unknown[] = [];
  const world: World = new World({
    whileApprovalWaits: {
      CUTOVER: async () => {
        found.push(
          ...(await abortWhileWaiting(
            world,
            'not this one',
            'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:exec-0',
          )),
        );
      },
    },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(found).toEqual([]);
  expect(result.status).toBe('SUCCEEDED');
});
