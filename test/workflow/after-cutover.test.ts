import { UnreachableError } from '../../lambdas/core/errors';
import { expectNeverVisited, expectVisitedInOrder, messageOf } from './paths';
import { aslTaskStates, examplePlan, stepByStep, World, type Raw, AT_SOURCE, AT_TARGET } from './world';

/**
 * The real ASL from the cutover on: single-writer switch, rollback window, point of no return, finalize, and the
 * failback branch a person decides on. Task states are the task modules over the world's in-memory ports.
 */

const FAILBACK_STATES = [
  'StartFailback',
  'CheckFailback',
  'FenceForFailback',
  'CheckFailbackDrain',
  'FailbackCutover',
  'StopFailback',
];
const recordsIn = (world: World, cluster: 'source' | 'target', topic: string) =>
  world[cluster].topics.get(topic)?.partitions.map((p) => p.records.length);

it('serves every Task state of the ASL with a local task, so that a new state cannot go untested', () => {
  // Prepare
  const served = Object.keys(new World().tasks());
  // Act
  const missing = aslTaskStates().filter((state) => !served.includes(state));
  // Assess
  expect(missing).toEqual([]);
  expect(aslTaskStates().length).toBeGreaterThan(30);
});

it('drains within one CheckDrain invocation when the function looks again sub-second: WaitForDrain never entered', async () => {
  // Prepare: a settle longer than the first look, a pacer as deployed
  const plan = examplePlan((raw) => {
    stepByStep(raw);
    raw.cutover.fenceSettleSeconds = 30;
  });
  const world = new World({ plan, pacerEveryMs: 250 });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expectVisitedInOrder(result.visited, [
    'CutoverApproval',
    'WarmFenceProducers',
    'WarmCheckDrain',
    'WarmCommitConsumerOffsets',
    'WarmSwitchToTarget',
    'TranslateOffsetsBeforeFence',
    'FenceProducers',
    'CheckDrain',
  ]);
  expect(result.visited.filter((s) => s === 'CheckDrain')).toHaveLength(1);
  expectNeverVisited(result.visited, ['WaitForDrain', 'WaitForConsumerGroups']);
  expect((result.output as Raw).cutover.drain).toMatchObject({ drained: true });
  expect((result.output as Raw).cutover.drain.polls).toBeGreaterThan(1);
});

it('falls back to the WaitForDrain loop without a pacer: one look per invocation', async () => {
  const plan = examplePlan((raw) => {
    stepByStep(raw);
    raw.cutover.fenceSettleSeconds = 30;
  });
  const world = new World({ plan });

  const result = await world.run();

  expect(result.status).toBe('SUCCEEDED');
  expect(result.visited).toContain('WaitForDrain');
  expect(result.visited.filter((s) => s === 'CheckDrain').length).toBeGreaterThan(1);
});

it('migrates end to end: MigrationSucceeded with the pointer at the target, the replicator deleted by Finalize and the report written', async () => {
  // Prepare
  const world = new World();
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expectVisitedInOrder(result.visited, [
    'ValidateInput',
    'Inventory',
    'Assess',
    'ProvisionTarget',
    'CheckTargetStatus',
    'StartReplication',
    'CheckReplicationStatus',
    'EvaluateCatchUp',
    'ValidateTarget',
    'CutoverApproval',
    'TranslateOffsetsBeforeFence',
    // without a pacer the one invocation looks once: the drain's settle has not elapsed, the Wait loop goes on
    'Cutover',
    'CutoverReached?',
    'WaitForDrain',
    'CheckDrain',
    'CommitConsumerOffsets',
    'SwitchToTarget',
    'CheckTargetHealth',
    'PointOfNoReturn',
    'FinalizeApproval',
    'Finalize',
    'ReportSuccess',
    'MigrationSucceeded',
  ]);
  expectNeverVisited(result.visited, [
    'RollbackCutover',
    'RollbackReplication',
    'RollbackTarget',
    'FailbackDecision',
    ...FAILBACK_STATES,
  ]);
  const output = result.output as Raw;
  // the groups' offsets translated before the fence; after the drain, the unmoved ones reused, the tail translated
  // (the world's groups do not consume during the cutover: every translation from before the fence still holds)
  expect(output.cutover.offsetsBeforeFence).toMatchObject({ groups: 2, partitionsTranslated: 5, partitionsLeft: 0 });
  expect(output.cutover.offsets).toMatchObject({ complete: true, partitionsCommitted: 5, translatedBeforeFence: 5 });
  expect(output.report).toMatchObject({
    outcome: 'SUCCEEDED',
    reportKey: 'migrations/payments-kafka-4/exec-1/report/report.json',
    markdownKey: 'migrations/payments-kafka-4/exec-1/report/report.md',
    htmlKey: 'migrations/payments-kafka-4/exec-1/report/report.html',
  });
  // the deployed report's seven gates, judged from the phases' evidence, in the output and in report.json/.html
  expect(output.report.gates).toEqual({
    Compatibility: 'WARN',
    'Data copy': 'PASS',
    Offsets: 'PASS',
    Ordering: 'PASS',
    Security: 'WARN',
    Observability: 'PASS',
    Rollback: 'NOT_RUN',
  });
  expect(output.finalize).toMatchObject({ outcome: 'DONE', replicator: 'DELETED' });
  expect(output.approvals.cutover).toMatchObject({ approved: true, approver: 'payments-oncall@example.com' });
  expect(output.approvals.finalize).toMatchObject({ approved: true });
  expect(output.window.closed).toBe(true);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.replicator.deletedNames).toEqual(world.replicator.createdNames);
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.lagSignals.alarms.size).toBe(0);
  expect(world.provisioner.deleted).toEqual([]);
  expect(world.sourceWritesBesidesCanary()).toEqual([]);
  expect([...world.source.topics.keys()].sort()).toEqual(['ledger.entries', 'payments']);
  // consumer groups' offsets were committed on the target before the switch
  expect(
    world.target.writes
      .filter((w) => w.call === 'setCommittedOffsets')
      .map((w) => w.subject)
      .sort(),
  ).toEqual(['ledger-writer', 'payments-app']);
  const report = await world.report();
  expect(report).toMatchObject({ outcome: 'SUCCEEDED', pointOfNoReturn: output.pointOfNoReturn.passedAt });
  expect(report?.phasesReached).toEqual(expect.arrayContaining(['SwitchToTarget', 'PointOfNoReturn', 'Finalize']));
  const checklist = report?.checklist as Record<string, { status: string; evidenceKeys?: string[] }>;
  expect(Object.keys(checklist)).toEqual([
    'Compatibility',
    'Data copy',
    'Offsets',
    'Ordering',
    'Security',
    'Observability',
    'Rollback',
  ]);
  expect(checklist.Offsets?.evidenceKeys).toContain('migrations/payments-kafka-4/exec-1/cutover/consumer-offsets.json');
  const html = await world.artifacts.getText(output.report.htmlKey as string);
  expect(html?.match(/<td class="gate">/g)).toHaveLength(7);
});

it('reverts the pointer and reports the target writes when the target stays unhealthy inside the rollback window', async () => {
  // Prepare: after the switch the consumer groups never join on the target while records wait for them
  const world = new World({ consumersResumeOnTarget: false });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, [
    'SwitchToTarget',
    'CheckTargetHealth',
    'CheckTargetHealth',
    'CheckTargetHealth',
    'RollbackCutover',
    'RollbackReplication',
    'RollbackTarget',
    'ReportRollback',
    'MigrationRolledBack',
  ]);
  expectNeverVisited(result.visited, ['PointOfNoReturn', 'FinalizeApproval', 'Finalize', 'FailbackDecision']);
  expect(result.visited.filter((s) => s === 'CheckTargetHealth')).toHaveLength(3);
  expect(messageOf(result.cause)).toMatch(/unhealthy in 3 checks in a row/);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  const rolledBack = world.lastEvent('ReportRollback')?.state.rollback.cutover;
  expect(rolledBack).toMatchObject({
    outcome: 'REVERTED',
    reason: 'Migration.TargetUnhealthy',
    targetWrites: { status: 'FOUND', partitions: 3, records: '9' },
  });
  expect(world.sourceWritesBesidesCanary()).toEqual([]);
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
});

it('asks a person after the point of no return and, when the failback is rejected, switches nothing back: MigrationNeedsAttention', async () => {
  // Prepare
  const world = new World({ approvals: { FINALIZE: 'REJECT', FAILBACK: 'REJECT' } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, [
    'PointOfNoReturn',
    'FinalizeApproval',
    'FailbackDecision',
    'ReportNeedsAttention',
    'MigrationNeedsAttention',
  ]);
  expectNeverVisited(result.visited, [
    'Finalize',
    'RollbackCutover',
    'RollbackReplication',
    'RollbackTarget',
    ...FAILBACK_STATES,
  ]);
  expect(JSON.parse(result.cause ?? '{}')).toMatchObject({ approved: false, kind: 'FAILBACK' });
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.replicator.createdNames).toHaveLength(1);
  expect(world.provisioner.deleted).toEqual([]);
  expect(world.sourceWritesBesidesCanary()).toEqual([]);
  expect(await world.report()).toMatchObject({ outcome: 'NEEDS_ATTENTION' });
});

it('fails back to the source when the person approves the failback: the target writes flow back, the pointer returns, MigrationFailedBack', async () => {
  // Prepare: ENHANCED offset sync, which lets offsets be translated back
  const world = new World({
    approvals: { FINALIZE: 'REJECT' },
    plan: examplePlan((raw) => (raw.replication.offsetSyncMode = 'ENHANCED')),
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.FailedBack');
  expectVisitedInOrder(result.visited, [
    'PointOfNoReturn',
    'FinalizeApproval',
    'FailbackDecision',
    ...FAILBACK_STATES,
    'ReportFailedBack',
    'MigrationFailedBack',
  ]);
  expectNeverVisited(result.visited, ['Finalize', 'RollbackCutover', 'ReportNeedsAttention']);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  // the 3 records per partition written to the target after the switch are on the source now, once each
  expect(recordsIn(world, 'source', 'payments')).toEqual([23, 23, 23]);
  const [forward, reverse] = world.replicator.createdNames;
  expect(world.replicator.deletedNames).toEqual([reverse]);
  expect(world.replicator.replicators.has(forward ?? '')).toBe(true);
  const failedBack = world.lastEvent('ReportFailedBack')?.state.failbackCutover;
  expect(failedBack).toMatchObject({
    mode: 'FAILBACK',
    outcome: 'FAILED_BACK',
    pointer: { action: 'REVERTED', restored: AT_SOURCE },
  });
  expect(await world.report()).toMatchObject({ outcome: 'FAILED_BACK' });
  // states that run another state's function pass their own name ($$.State.Name), for its logs and metrics
  for (const state of ['FenceForFailback', 'CheckFailbackDrain', 'FailbackCutover'])
    expect([state, world.lastEvent(state)?.stateName]).toEqual([state, state]);
  expect(world.lastEvent('FailbackDecision')?.stateName).toBe('FailbackDecision');
});

it("lifts the failback fence when the failback stops behind it: the target's producers write again, a person is asked", async () => {
  // Prepare: the source becomes unreachable once the target's producers are fenced for the way back
  const world = new World({
    approvals: { FINALIZE: 'REJECT' },
    plan: examplePlan((raw) => (raw.replication.offsetSyncMode = 'ENHANCED')),
    failState: { state: 'CheckFailbackDrain', error: new UnreachableError('The source cluster does not answer.') },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, [
    'FenceForFailback',
    'CheckFailbackDrain',
    'ReleaseFailbackFence',
    'ReportNeedsAttention',
    'MigrationNeedsAttention',
  ]);
  expectNeverVisited(result.visited, ['FailbackCutover', 'ReportFailedBack']);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.lastEvent('ReportNeedsAttention')?.state.failbackRelease).toMatchObject({
    outcome: 'RELEASED',
    value: AT_TARGET,
  });
  expect(await world.report()).toMatchObject({ outcome: 'NEEDS_ATTENTION' });
});
