import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { ecsServiceSwitch, examplePlan, SOURCE_BOOTSTRAP, TARGET_BOOTSTRAP, World, type Raw } from './world';

/**
 * The one-invocation cutover (the Cutover state) through the real ASL: the fence, the drain, the consumer offsets and
 * the switch in one Lambda invocation; where it stops, CutoverReached? continues on the step-by-step states; a
 * failure inside it goes to RollbackCutover, which undoes from the journals what it did.
 */

const AT_SOURCE = SOURCE_BOOTSTRAP.join(',');
const AT_TARGET = TARGET_BOOTSTRAP.join(',');
const STEP_STATES = [
  'FenceProducers',
  'WaitForDrain',
  'CheckDrain',
  'CommitConsumerOffsets',
  'WaitForConsumerGroups',
  'SwitchToTarget',
];

it('fences, drains, commits the offsets and switches in one invocation: no step-by-step state entered', async () => {
  // Prepare: the drain and the offsets look again within the invocation, as deployed
  const world = new World({ pacerEveryMs: 250 });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expectVisitedInOrder(result.visited, [
    'WarmCutover',
    'TranslateOffsetsBeforeFence',
    'Cutover',
    'CutoverReached?',
    'WaitInRollbackWindow',
    'CheckTargetHealth',
    'MigrationSucceeded',
  ]);
  expectNeverVisited(result.visited, [...STEP_STATES, 'RollbackCutover']);
  expect(result.visited.filter((s) => s === 'Cutover')).toHaveLength(1);
  const cutover = (result.output as Raw).cutover;
  expect(cutover.oneInvocation).toMatchObject({ reached: 'SWITCHED' });
  // in the order they ended: the consumer offsets committed beside the drain's looks, checked after it caught up;
  // the look at the settle's end, then the switch
  expect(cutover.oneInvocation.steps.map((s: Raw) => s.step)).toEqual([
    'FenceProducers',
    'OffsetsDuringDrain',
    'CheckDrain',
    'CommitConsumerOffsets',
    'ConfirmDrain',
    'SwitchToTarget',
  ]);
  expect(cutover.oneInvocation.offsetsDuringDrain).toMatchObject({ status: 'COMMITTED' });
  // each step's record where its own state would have put it, and what was there before kept
  expect(cutover.fence.fenceValue).toMatch(/^fenced:/);
  expect(cutover.drain).toMatchObject({ drained: true });
  expect(cutover.drain.polls).toBeGreaterThan(1);
  expect(cutover.offsets).toMatchObject({ complete: true, partitionsCommitted: 5, committedDuringDrain: 5 });
  expect(cutover.switch.producers.value).toBe(AT_TARGET);
  expect(cutover.offsetsBeforeFence).toMatchObject({ groups: 2 });
  expect(cutover.warm).toMatchObject({ warm: true, function: 'Cutover' });
  // the pointer: fenced, then the target; nothing else
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.pointer.writes).toBe(2);
  expect((await world.report())?.outcome).toBe('SUCCEEDED');
});

it('continues on the step-by-step states from where its deadline stopped the drain: nothing lost, nothing done twice', async () => {
  // Prepare: a settle (10 min) longer than the invocation's deadline (4 min): its looks end undrained at the deadline
  const plan = examplePlan((raw) => {
    raw.cutover.fenceSettleSeconds = 600;
    raw.cutover.drainTimeoutMinutes = 15;
  });
  const world = new World({ plan, pacerEveryMs: 250 });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expectVisitedInOrder(result.visited, [
    'Cutover',
    'CutoverReached?',
    'WaitForDrain',
    'CheckDrain',
    'Drained?',
    'CommitConsumerOffsets',
    'SwitchToTarget',
    'WaitInRollbackWindow',
  ]);
  expectNeverVisited(result.visited, ['FenceProducers', 'RollbackCutover']);
  const cutover = (result.output as Raw).cutover;
  expect(cutover.oneInvocation).toMatchObject({ reached: 'DRAINING' });
  expect(cutover.oneInvocation.steps.map((s: Raw) => s.step)).toEqual([
    'FenceProducers',
    'OffsetsDuringDrain',
    'CheckDrain',
  ]);
  // what it committed beside the drain is translated again by CommitConsumerOffsets after it, as its own state
  expect(cutover.offsets).toMatchObject({ complete: true, partitionsCommitted: 5 });
  expect(cutover.offsets.committedDuringDrain).toBeUndefined();
  // the drain went on counting its looks from the invocation's, against the fence the invocation took
  const firstStepDrain = world.calls.find((c) => c.state === 'CheckDrain')?.event.state.cutover.drain;
  expect(firstStepDrain.polls).toBeGreaterThan(1);
  expect(cutover.drain.polls).toBeGreaterThan(firstStepDrain.polls);
  expect(cutover.drain.fencedAt).toBe(cutover.fence.fencedAt);
  expect(Date.parse(cutover.drain.checkedAt) - Date.parse(cutover.fence.fencedAt)).toBeGreaterThanOrEqual(600_000);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.pointer.writes).toBe(2);
});

it('rolls back exactly what it did when a step inside it fails: the fence it took is released, nothing switched', async () => {
  // Prepare: the target refuses the consumer-offset commits: beside the drain (one per group, two groups: the pass
  // leaves them to the step after the drain) and that step's
  const world = new World({ pacerEveryMs: 250 });
  const refused = new Error('GROUP_AUTHORIZATION_FAILED');
  world.target.failNext('setCommittedOffsets', refused, refused, refused);
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, ['Cutover', 'RollbackCutover', 'RollbackReplication', 'ReportRollback']);
  expectNeverVisited(result.visited, [...STEP_STATES, 'CutoverReached?', 'WaitInRollbackWindow']);
  expect(world.lastEvent('RollbackCutover')?.state.error.Error).toBe('Error');
  // the rollback found the fence in the journal (the failed invocation's result never reached the state)
  expect(world.lastEvent('RollbackCutover')?.state.cutover.fence).toBeUndefined();
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointer.writes).toBe(2); // the fence, then back to the source
  const journal = 'migrations/payments-kafka-4/exec-1/cutover/journal';
  expect(world.artifacts.objects.has(`${journal}/fence.json`)).toBe(true);
  expect(world.artifacts.objects.has(`${journal}/switch.json`)).toBe(false);
  expect((await world.report())?.outcome).toBe('ROLLED_BACK');
});

it('leaves a plan with client switches to the step-by-step states', async () => {
  // Prepare: the Cutover reads the plan, finds a switch it has no adapters and grants for, and does nothing
  const plan = examplePlan((raw) => {
    raw.cutover.switches = [ecsServiceSwitch('orders-api')];
  });
  const world = new World({ plan });
  // Act
  const result = await world.run();
  // Assess: NOT_RUN, then FenceProducers onwards (this world has no switch adapters: the step path fails and rolls back)
  expectVisitedInOrder(result.visited, ['Cutover', 'CutoverReached?', 'FenceProducers']);
  const notRun = world.calls.find((c) => c.state === 'FenceProducers')?.event.state.cutover.oneInvocation;
  expect(notRun).toMatchObject({ reached: 'NOT_RUN', steps: [] });
  expect(notRun.reason).toContain('cutover.switches');
});
