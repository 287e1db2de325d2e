import { CutoverFailedError } from '../../lambdas/core/errors';
import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { examplePlan, type Raw, AT_SOURCE, AT_TARGET } from './world';
import { AUDIT_POINTER, auditWave, auditWorld } from './audit-wave';

/**
 * A read-only pipeline whose topic's producers never migrate (`waves[].producersStay`), through the real ASL: the audit
 * team's consumers of `payments` move to the target behind their own pointer while every payments producer stays on
 * the source for good. Their consumers then read on the target what the replication copies, after the migration as
 * well: Finalize keeps the replicator (and its alarms), the execution succeeds, and the report tells the operator to
 * stop it with `msk-migrate finish-replication` once nothing reads through it.
 */

function producersStayPlan(): Raw {
  return examplePlan((raw) => {
    raw.cutover.drainTimeoutMinutes = 5;
    raw.cutover.rollbackWindowMinutes = 30;
    raw.waves = [
      auditWave({ producersStay: true }),
      { name: 'ledger', topics: ['ledger.entries'], consumerGroups: ['ledger-writer'] },
    ];
  });
}

it('succeeds with the replicator kept when a consumers-first wave reads topics whose producers never move', async () => {
  // Prepare
  const world = auditWorld(producersStayPlan());
  // Act
  const result = await world.run();
  // Assess: both waves on the target, the replication that feeds the audit consumers still running
  expect(result.status).toBe('SUCCEEDED');
  expectVisitedInOrder(result.visited, ['FinalizeApproval', 'Finalize', 'ReportSuccess', 'MigrationSucceeded']);
  expect(world.pointerAt(AUDIT_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.replicator.deletedNames).toEqual([]);
  expect(world.replicator.replicators.size).toBe(1);
  expect(world.lagSignals.deleted).toEqual([]);
  // the payments producers never moved: the audit wave fenced its own pointer only, the producers' pointer moved once
  // (the ledger wave), and payments records keep arriving on the target through the replication
  expect(world.target.log('payments', 0).records.some((r) => String(r.value).includes('afterSwitch'))).toBe(true);
  const finalize = world.lastEvent('ReportSuccess')?.state?.finalize as Raw;
  expect(finalize).toMatchObject({ outcome: 'DONE', replicator: 'KEPT' });
  expect(finalize.notes.join(' ')).toContain('msk-migrate finish-replication');
  const report = await world.report();
  expect(report?.headline).toContain(
    'is kept running for the consumers-first wave audit, whose producers stay on the source: stop it with `msk-migrate finish-replication`',
  );
  expect(report?.waves.map((w: Raw) => [w.name, w.status])).toEqual([
    ['audit', 'ON_TARGET'],
    ['ledger', 'ON_TARGET'],
  ]);
  expect(world.locks.held.size).toBe(0);
});

it('keeps the replication when the later wave rolls back, since the audit consumers read through it for good', async () => {
  // Prepare: the ledger wave fails in its rollback window
  const world = auditWorld(producersStayPlan(), {
    failInWave: { wave: 'ledger', state: 'CheckTargetHealth', error: new CutoverFailedError('ledger-writer stalled') },
  });
  // Act
  const result = await world.run();
  // Assess: ledger undone, the audit consumers stay on the target and fed; a person decides
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, ['RollbackCutover', 'ReplicationFeedsConsumers?', 'ReportNeedsAttention']);
  expectNeverVisited(result.visited, ['RollbackReplication', 'RollbackTarget', 'Finalize']);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointerAt(AUDIT_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.replicator.replicators.size).toBe(1);
  const report = await world.report();
  expect(report?.outcome).toBe('NEEDS_ATTENTION');
  expect(report?.headline).toContain(
    'is kept running for the consumers-first wave audit, which read through it on the target: return them or move their producers, then stop it with `msk-migrate finish-replication`',
  );
});
