import { CutoverFailedError } from '../../lambdas/core/errors';
import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { EXECUTION_NAME, examplePlan, POINTER, SOURCE_BOOTSTRAP, TARGET_BOOTSTRAP, World, type Raw } from './world';

/**
 * Waves through the real ASL: a plan in two waves (the ledger team, then the payments team), each with its topics,
 * consumer groups, pointer and owners. The cutover states run once per wave in one execution over one replicator;
 * each wave is approved by its owners, switched behind its own pointer and watched in its own rollback window; a
 * rollback undoes the current wave only, and the earlier waves stay on the target (which is then kept).
 */

const AT_SOURCE = SOURCE_BOOTSTRAP.join(',');
const AT_TARGET = TARGET_BOOTSTRAP.join(',');
const LEDGER_POINTER = '/ledger/kafka/bootstrap-servers';
const APPROVER = 'payments-oncall@example.com';
const WAVE_STATES = ['CutoverApproval', 'FenceProducers', 'CommitConsumerOffsets', 'SwitchToTarget'];

function wavesPlan(change: (raw: Raw) => void = () => undefined): Raw {
  return examplePlan((raw) => {
    raw.cutover.drainTimeoutMinutes = 5;
    raw.cutover.rollbackWindowMinutes = 30;
    raw.waves = [
      {
        name: 'ledger',
        team: 'Ledger',
        topics: ['ledger.entries'],
        consumerGroups: ['ledger-writer'],
        switch: { type: 'SSM_PARAMETER', parameterName: LEDGER_POINTER },
        approvers: [APPROVER, 'ledger-owner@example.com'],
      },
      {
        name: 'payments',
        team: 'Payments',
        topics: ['payments'],
        consumerGroups: ['payments-app'],
        approvers: [APPROVER, 'payments-owner@example.com'],
      },
    ];
    change(raw);
  });
}

/** The wave each call of a state ran in, in order. */
const wavesOf = (world: World, state: string): string[] =>
  world.calls.filter((c) => c.state === state).map((c) => String(c.event.state?.waves?.current?.name));

it('cuts over two waves in order in one execution, each approved by its owners behind its own pointer', async () => {
  // Prepare
  const world = new World({ plan: wavesPlan() });
  // Act
  const result = await world.run();
  // Assess: one pass of the cutover per wave, in order, then one finalize
  expect(result.status).toBe('SUCCEEDED');
  for (const state of WAVE_STATES) expect(wavesOf(world, state)).toEqual(['ledger', 'payments']);
  expectVisitedInOrder(result.visited, [
    'CutoverApproval',
    'FenceProducers',
    'SwitchToTarget',
    'CheckTargetHealth',
    'PointOfNoReturn',
    'MoreWaves?',
    'NextWave',
    'CutoverApproval',
    'FenceProducers',
    'SwitchToTarget',
    'CheckTargetHealth',
    'PointOfNoReturn',
    'MoreWaves?',
    'FinalizeApproval',
    'Finalize',
    'MigrationSucceeded',
  ]);
  expect(result.visited.filter((s) => s === 'FinalizeApproval')).toHaveLength(1);
  expect(world.replicator.createdNames).toHaveLength(1);
  // each wave's pointer moved once, to the target
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.pointerAt(LEDGER_POINTER).writes).toBe(2); // hold writes, then the target
  expect(world.pointer.writes).toBe(2);
  // each wave's approval went to its owners
  const cutoverMails = world.mailer.sent.filter((m) => m.subject.includes('Cutover approval')).map((m) => m.to);
  expect(cutoverMails).toEqual([
    'payments-oncall@example.com',
    'ledger-owner@example.com',
    'payments-oncall@example.com',
    'payments-owner@example.com',
  ]);
  expect(world.mailer.sent.find((m) => m.to === 'payments-owner@example.com')?.text).toContain(
    'payments (2 of 2), owned by Payments: payments',
  );
  // each wave fenced, drained and committed its own topics and groups only
  expect(world.target.writes.filter((w) => w.call === 'setCommittedOffsets').map((w) => w.subject)).toEqual([
    'ledger-writer',
    'payments-app',
  ]);
  // journals and evidence per wave
  const keys = [...world.artifacts.objects.keys()];
  for (const wave of ['ledger', 'payments'])
    for (const step of ['fence', 'offsets', 'switch'])
      expect(keys).toContain(
        `migrations/payments-kafka-4/${EXECUTION_NAME}/cutover/waves/${wave}/journal/${step}.json`,
      );
  expect(keys.filter((k) => /\/cutover\/journal\//.test(k))).toEqual([]);
  expect(world.locks.held.size).toBe(0);
});

it('rolls back only the second wave when it fails in its rollback window: the first stays on the target, and so does the target', async () => {
  // Prepare: the payments wave's target health check fails in its window
  const world = new World({
    plan: wavesPlan(),
    failInWave: {
      wave: 'payments',
      state: 'CheckTargetHealth',
      error: new CutoverFailedError('Target health: payments-app lags 48210 records on the target'),
    },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'NextWave',
    'SwitchToTarget',
    'CheckTargetHealth',
    'RollbackCutover',
    'RollbackReplication',
    'EarlierWavesOnTarget?',
    'ReportRollback',
  ]);
  expectNeverVisited(result.visited, ['RollbackTarget', 'FinalizeApproval']);
  expect(wavesOf(world, 'RollbackCutover')).toEqual(['payments']);
  // the ledger wave stays switched; the payments wave's pointer is back at the source
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  // the target the execution created holds the ledger wave: kept; the replicator is removed
  expect(world.provisioner.created).toHaveLength(1);
  expect(world.provisioner.deleted).toEqual([]);
  expect(world.replicator.deletedNames).toEqual(world.replicator.createdNames);
  // the rollback undid the payments wave from its own journals, and wrote no record to the source
  expect(world.lastEvent('RollbackReplication')?.state.rollback.cutover).toMatchObject({
    pointers: [{ pointer: `ssm:${POINTER}`, action: 'REVERTED', restored: AT_SOURCE }],
    // the records the payments producers wrote on the target in its window, reported for reconciliation
    targetWrites: {
      records: '9',
      key: expect.stringContaining('/rollback/waves/payments/target-writes-since-switch.json'),
    },
  });
  expect(world.sourceWritesBesidesCanary().filter((w) => w.call === 'produce' || w.call === 'deleteTopics')).toEqual(
    [],
  );
  expect(world.locks.held.size).toBe(0);
});

it('ends the migration at a rejected second wave: nothing of that wave moves, the first wave stays on the target', async () => {
  // Prepare: the payments owners reject their wave
  const world = new World({ plan: wavesPlan(), waveApprovals: { payments: 'REJECT' } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expect(wavesOf(world, 'CutoverApproval')).toEqual(['ledger', 'payments']);
  expect(wavesOf(world, 'FenceProducers')).toEqual(['ledger']);
  expectVisitedInOrder(result.visited, [
    'NextWave',
    'CutoverApproval',
    'RollbackReplication',
    'EarlierWavesOnTarget?',
    'ReportRollback',
  ]);
  expectNeverVisited(result.visited, ['RollbackCutover', 'RollbackTarget']);
  expect(world.pointer.writes).toBe(0);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.provisioner.deleted).toEqual([]);
});

it('rolls back everything, target included, when the first wave fails: nothing of the plan is on the target', async () => {
  // Prepare
  const world = new World({
    plan: wavesPlan(),
    failInWave: { wave: 'ledger', state: 'CheckTargetHealth', error: new CutoverFailedError('ledger unhealthy') },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'RollbackCutover',
    'RollbackReplication',
    'EarlierWavesOnTarget?',
    'RollbackTarget',
  ]);
  expect(wavesOf(world, 'CutoverApproval')).toEqual(['ledger']);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_SOURCE);
  expect(world.pointer.writes).toBe(0);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
});

it('keeps a plan without waves on its one cutover: no $.waves, the journals where they always were', async () => {
  const world = new World();
  const result = await world.run();
  expect(result.status).toBe('SUCCEEDED');
  expect((result.output as Raw).waves).toBeUndefined();
  expect(result.visited.filter((s) => s === 'CutoverApproval')).toHaveLength(1);
  expectNeverVisited(result.visited, ['NextWave']);
  expect([...world.artifacts.objects.keys()]).toContain(
    `migrations/payments-kafka-4/${EXECUTION_NAME}/cutover/journal/switch.json`,
  );
});
