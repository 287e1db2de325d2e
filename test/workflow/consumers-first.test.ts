import { CutoverFailedError } from '../../lambdas/core/errors';
import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { examplePlan, stepByStep, type Raw, AT_SOURCE, AT_TARGET } from './world';
import { AUDIT_POINTER, auditWave, auditWorld } from './audit-wave';

/**
 * A read-only pipeline switches its consumers first, through the real ASL: the audit team's consumers of `payments`
 * (group payments-audit, behind a pointer only they read) move to the target in the first wave while the payments
 * producers keep writing to the source and the replication keeps copying; the payments wave later moves the producers.
 * The consumers hold at their pointer's fence, leave their group, and resume on the target at their positions
 * translated by content, which CommitConsumerOffsets waits for while the replication has not copied them yet.
 */

function consumersFirstPlan(): Raw {
  return examplePlan((raw) => {
    // the step-by-step states (test/workflow/one-invocation-cutover.test.ts runs a consumers-first wave in one)
    stepByStep(raw);
    raw.cutover.drainTimeoutMinutes = 5;
    raw.cutover.rollbackWindowMinutes = 30;
    raw.waves = [
      auditWave(),
      {
        name: 'ledger',
        topics: ['ledger.entries'],
        consumerGroups: ['ledger-writer'],
        switch: { type: 'SSM_PARAMETER', parameterName: '/ledger/kafka/bootstrap-servers' },
      },
      { name: 'payments', topics: ['payments'], consumerGroups: ['payments-app'] },
    ];
  });
}

it("switches a read-only pipeline's consumers first: producers stay on the source, the replication feeds the target", async () => {
  // Prepare: while the audit wave waits for approval the producers write 4 records per partition and the audit
  // consumers read them all; the replication copies nothing for seven minutes (past the approval and the fence)
  let lagUntil = 0;
  const world = auditWorld(consumersFirstPlan(), {
    whileApprovalWaits: {
      CUTOVER: async () => {
        if (lagUntil > 0) return;
        lagUntil = world.now().getTime() + 420_000;
        world.replicator.paused = () => world.now().getTime() < lagUntil;
        for (const p of [0, 1, 2]) {
          world.source.append(
            'payments',
            p,
            Array.from({ length: 4 }, (_, i) => ({ key: `late-${p}-${i}`, value: `late ${p} ${i}` })),
          );
          world.source.commit('payments-audit', 'payments', p, 24);
        }
      },
    },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expect(world.wavesOf('SwitchToTarget')).toEqual(['audit', 'ledger', 'payments']);
  // the audit consumers moved behind their own pointer; the producers' pointer moved once, in the payments wave
  expect(world.pointerAt(AUDIT_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointerAt(AUDIT_POINTER).writes).toBe(2);
  expect(world.pointer.writes).toBe(2);
  // the audit wave waited for the replication to copy the consumers' last records, then committed them
  const auditOffsets = world.calls
    .filter((c) => c.state === 'CommitConsumerOffsets' && c.event.state?.waves?.current?.name === 'audit')
    .map((c) => c.event.state?.cutover?.offsets)
    .filter(Boolean);
  expect(auditOffsets.some((o: Raw) => (o.waitingForReplication ?? []).length > 0)).toBe(true);
  const committedAudit = world.target.writes.filter(
    (w) => w.call === 'setCommittedOffsets' && w.subject === 'payments-audit',
  );
  expect(committedAudit).toHaveLength(1);
  // same offsets on both sides in this world: each group resumes right after the last record it read on the source
  expect(world.target.committed.get('payments-audit')?.get('payments\u00000')).toBe('24');
  // the audit wave's drain was not a drain: the source kept moving, nothing was fenced for the producers
  const auditDrain = world.calls.find(
    (c) => c.state === 'CommitConsumerOffsets' && c.event.state?.waves?.current?.name === 'audit',
  )?.event.state?.cutover?.drain;
  expect(auditDrain).toMatchObject({ drained: true, sourceStable: false });
  // the audit consumers' records come from the source through the replication after their switch
  expect(world.target.log('payments', 0).records.some((r) => String(r.value).includes('afterSwitch'))).toBe(true);
  const report = await world.report();
  expect(report?.waves.map((w: Raw) => [w.name, w.status, w.consumersFirst ?? false])).toEqual([
    ['audit', 'ON_TARGET', true],
    ['ledger', 'ON_TARGET', false],
    ['payments', 'ON_TARGET', false],
  ]);
  const html = [...world.artifacts.objects.entries()].find(([k]) => k.endsWith('/report/report.html'))?.[1];
  expect(String(html)).toContain('<td>consumers first</td>');
  expect(world.locks.held.size).toBe(0);
});

it('returns the consumers of a failed consumers-first wave to the source and never touches the producers', async () => {
  // Prepare: the audit wave's target health fails in its window (it is the first wave: the whole migration rolls back)
  const world = auditWorld(consumersFirstPlan(), {
    failInWave: { wave: 'audit', state: 'CheckTargetHealth', error: new CutoverFailedError('payments-audit stalled') },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'SwitchToTarget',
    'CheckTargetHealth',
    'RollbackCutover',
    'ReplicationFeedsConsumers?',
    'RollbackReplication',
    'EarlierWavesOnTarget?',
    'RollbackTarget',
  ]);
  expect(world.pointerAt(AUDIT_POINTER).current?.value).toBe(AT_SOURCE);
  expect(world.pointer.writes).toBe(0);
  expect(world.source.committed.get('payments-audit')?.get('payments\u00000')).toBe('12');
});

it('keeps the replication when a later wave rolls back while consumers-first consumers still read through it', async () => {
  // Prepare: the payments wave (the producers of the topic the audit consumers read on the target) fails in its window
  const world = auditWorld(consumersFirstPlan(), {
    failInWave: {
      wave: 'payments',
      state: 'CheckTargetHealth',
      error: new CutoverFailedError('payments-app lags on the target'),
    },
  });
  // Act
  const result = await world.run();
  // Assess: the payments wave is undone, the replication that feeds the audit consumers is kept, a person decides
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, [
    'RollbackCutover',
    'ReplicationFeedsConsumers?',
    'ReportNeedsAttention',
    'MigrationNeedsAttention',
  ]);
  expectNeverVisited(result.visited, ['RollbackReplication', 'RollbackTarget']);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointerAt(AUDIT_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.replicator.deletedNames).toEqual([]);
  expect(world.replicator.replicators.size).toBe(1);
  expect(world.provisioner.deleted).toEqual([]);
});

it('a stop in the producers wave: the compensator undoes that wave and keeps the replication the audit consumers read through', async () => {
  // Prepare: stopped right after the payments wave's fence (audit and ledger are past their point of no return)
  const world = auditWorld(consumersFirstPlan(), { stopAfter: { state: 'FenceProducers', call: 3 } });
  // Act
  const result = await world.run();
  expect(result.status).toBe('ABORTED');
  expect(world.wavesOf('FenceProducers')).toEqual(['audit', 'ledger', 'payments']);
  const compensation = await world.compensate(result);
  // Assess: payments back on the source, the audit consumers still on the target and fed, a person decides
  expect(compensation.outcome).toBe('NEEDS_ATTENTION');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointerAt(AUDIT_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.replicator.replicators.size).toBe(1);
  expect(world.provisioner.deleted).toEqual([]);
  expect(world.locks.held.size).toBe(0);
  expect(compensation.notes.join(' ')).toContain('the consumers-first waves audit read on the target');
  expect(compensation.notes.join(' ')).toContain('msk-migrate finish-replication');
});
