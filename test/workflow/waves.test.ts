import { CutoverFailedError } from '../../lambdas/core/errors';
import type { RunResult } from '../../rehearsal/asl-runner';
import { expectNeverVisited, expectVisitedInOrder, messageOf } from './paths';
import {
  SOURCE_ARN,
  EXECUTION_NAME,
  examplePlan,
  POINTER,
  stepByStep,
  World,
  type Raw,
  AT_SOURCE,
  AT_TARGET,
} from './world';

/**
 * Waves through the real ASL: a plan in two waves (the ledger team, then the payments team), each with its topics,
 * consumer groups, pointer and owners. The cutover states run once per wave in one execution over one replicator;
 * each wave is approved by its owners, switched behind its own pointer and watched in its own rollback window; a
 * rollback undoes the current wave only, and the earlier waves stay on the target (which is then kept).
 */

const LEDGER_POINTER = '/ledger/kafka/bootstrap-servers';
const APPROVER = 'payments-oncall@example.com';
const WAVE_STATES = ['CutoverApproval', 'FenceProducers', 'CommitConsumerOffsets', 'SwitchToTarget'];

function wavesPlan(change: (raw: Raw) => void = () => undefined): Raw {
  return examplePlan((raw) => {
    // the step-by-step states, each wave's steps counted by state (a test of the one invocation sets it back)
    stepByStep(raw);
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

it('cuts over two waves in order in one execution, each approved by its owners behind its own pointer', async () => {
  // Prepare
  const world = new World({ plan: wavesPlan() });
  // Act
  const result = await world.run();
  // Assess: one pass of the cutover per wave, in order, then one finalize
  expect(result.status).toBe('SUCCEEDED');
  for (const state of WAVE_STATES) expect(world.wavesOf(state)).toEqual(['ledger', 'payments']);
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
  expect((await world.report())?.waves).toEqual([
    { name: 'ledger', team: 'Ledger', topics: ['ledger.entries'], status: 'ON_TARGET' },
    { name: 'payments', team: 'Payments', topics: ['payments'], status: 'ON_TARGET' },
  ]);
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
  expect(world.wavesOf('RollbackCutover')).toEqual(['payments']);
  // the ledger wave stays switched; the payments wave's pointer is back at the source
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect((await world.report())?.waves.map((w: Raw) => w.status)).toEqual(['ON_TARGET', 'ROLLED_BACK']);
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

it('cuts over each wave in one invocation of its own, behind its own pointer, with its own journals', async () => {
  // Prepare: the one-invocation cutover, the drain and the offsets looking again within it
  const world = new World({
    plan: wavesPlan((raw) => (raw.cutover.singleInvocation = true)),
    pacerEveryMs: 250,
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expect(world.wavesOf('Cutover')).toEqual(['ledger', 'payments']);
  expectNeverVisited(result.visited, ['FenceProducers', 'CheckDrain', 'CommitConsumerOffsets', 'SwitchToTarget']);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.pointerAt(LEDGER_POINTER).writes).toBe(2);
  expect(world.pointer.writes).toBe(2);
  const journals = [...world.artifacts.objects.keys()].filter((k) =>
    /cutover\/waves\/\w+\/journal\/switch\.json$/.test(k),
  );
  expect(journals.map((k) => k.split('/waves/')[1]?.split('/')[0]).sort()).toEqual(['ledger', 'payments']);
});

it('ends the migration at a rejected second wave: nothing of that wave moves, the first wave stays on the target', async () => {
  // Prepare: the payments owners reject their wave
  const world = new World({ plan: wavesPlan(), waveApprovals: { payments: 'REJECT' } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expect(world.wavesOf('CutoverApproval')).toEqual(['ledger', 'payments']);
  expect(world.wavesOf('FenceProducers')).toEqual(['ledger']);
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
  expect((await world.report())?.waves.map((w: Raw) => w.status)).toEqual(['ON_TARGET', 'NOT_SWITCHED']);
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
  expect(world.wavesOf('CutoverApproval')).toEqual(['ledger']);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_SOURCE);
  expect(world.pointer.writes).toBe(0);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect((await world.report())?.waves.map((w: Raw) => w.status)).toEqual(['ROLLED_BACK', 'NOT_RUN']);
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

describe('the lock of a plan in waves is scoped to its topics', () => {
  const RUNNING = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:exec-1';
  /** Another migration (its own ID, target and pointer) in one wave of these topics. */
  const otherPlan = (topics: string[]): Raw =>
    examplePlan((raw) => {
      raw.migrationId = 'payments-other';
      raw.cutover.switch.parameterName = '/payments-other/kafka/bootstrap-servers';
      raw.cutover.drainTimeoutMinutes = 5;
      raw.cutover.rollbackWindowMinutes = 30;
      raw.waves = [{ name: 'other', topics, consumerGroups: [] }];
    });

  /** exec-1 (the two waves) runs; while its first wave waits for approval, exec-2 starts in a world of its own that shares the lock table. */
  async function runBeside(second: Raw): Promise<{ first: RunResult; second: RunResult | undefined; world: World }> {
    let secondResult: RunResult | undefined;
    let started = false;
    const world: World = new World({
      plan: wavesPlan(),
      whileApprovalWaits: {
        CUTOVER: async () => {
          if (started) return;
          started = true;
          const beside = new World({ plan: second });
          beside.source.addTopic('audit.events', 2).fill('audit.events', 5);
          beside.locks = world.locks;
          secondResult = await beside.run(second, 'exec-2');
        },
      },
    });
    const first = await world.run();
    return { first, second: secondResult, world };
  }

  it('lets a migration in waves of other topics of the same cluster run beside it', async () => {
    // Prepare: exec-2 migrates a topic exec-1 does not list (its own target, pointer and replicator)
    const { first, second, world } = await runBeside(otherPlan(['audit.events']));
    // Assess
    expect(second?.visited.slice(0, 3)).toEqual(['ValidateInput', 'AcquireLock', 'Inventory']);
    expect(second?.status).toBe('SUCCEEDED');
    expect(first.status).toBe('SUCCEEDED');
    expect(world.locks.held.size).toBe(0);
    expect(world.locks.shared.size).toBe(0);
  });

  it('refuses a migration in waves that lists one of its topics, naming the topic and the running execution', async () => {
    const { first, second } = await runBeside(otherPlan(['payments']));
    expect(second?.error).toBe('Migration.Locked');
    expect(second?.visited).toEqual(['ValidateInput', 'AcquireLock', 'MigrationLocked']);
    expect(messageOf(second?.cause)).toContain(
      `The topic payments (wave other) of migration payments-other (${SOURCE_ARN}/payments) is locked by migration payments-kafka-4, execution ${RUNNING}`,
    );
    expect(first.status).toBe('SUCCEEDED');
  });

  it('refuses a migration without waves of the same cluster (it takes every topic), naming the execution in waves', async () => {
    const plain = otherPlan([]);
    delete plain.waves;
    const { first, second } = await runBeside(plain);
    expect(second?.error).toBe('Migration.Locked');
    expect(messageOf(second?.cause)).toContain(`The source cluster of migration payments-other (${SOURCE_ARN})`);
    expect(messageOf(second?.cause)).toContain(`execution ${RUNNING}`);
    expect(first.status).toBe('SUCCEEDED');
  });
});

it('a stop in the second wave: the compensator undoes that wave from its own journals and keeps the target the first wave runs on', async () => {
  // Prepare: stopped right after the payments wave's fence (the ledger wave is past its point of no return)
  const world = new World({ plan: wavesPlan(), stopAfter: { state: 'FenceProducers', call: 2 } });
  // Act
  const result = await world.run();
  expect(result.status).toBe('ABORTED');
  expect(world.wavesOf('FenceProducers')).toEqual(['ledger', 'payments']);
  expect(world.pointer.current?.value).toMatch(/^fenced:/);
  const compensation = await world.compensate(result);
  // Assess: the payments wave back on the source, the ledger wave still on the target, the target kept
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.provisioner.deleted).toEqual([]);
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.locks.held.size).toBe(0);
  expect(world.locks.shared.size).toBe(0);
  expect(compensation.notes).toContain(
    'The target is kept: the waves ledger passed their point of no return and run on it.',
  );
});
