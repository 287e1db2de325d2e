import { CutoverFailedError, UnreachableError } from '../../lambdas/core/errors';
import { expectNeverVisited, expectVisitedInOrder } from './paths';
import { EXECUTION_NAME, examplePlan, POINTER, World, type Raw, AT_SOURCE, AT_TARGET } from './world';

/**
 * The failback of a plan in waves through the real ASL: after the last wave's point of no return every wave is on the
 * target; a rejected finalize and an approved failback return them all over one reverse replicator. The failback fence
 * goes on each wave's pointer (last wave first), one drain covers every wave's topics, then each wave returns in the
 * plan's order — its groups' offsets translated back, its pointer to its value before the cutover — journaled under
 * its name. A failback that stops behind its fences releases those still held, and only those.
 */

const LEDGER_POINTER = '/ledger/kafka/bootstrap-servers';
const RUN = `migrations/payments-kafka-4/${EXECUTION_NAME}`;

function wavesPlan(): Raw {
  return examplePlan((raw) => {
    raw.replication.offsetSyncMode = 'ENHANCED';
    raw.cutover.drainTimeoutMinutes = 5;
    raw.cutover.rollbackWindowMinutes = 30;
    raw.waves = [
      {
        name: 'ledger',
        topics: ['ledger.entries'],
        consumerGroups: ['ledger-writer'],
        switch: { type: 'SSM_PARAMETER', parameterName: LEDGER_POINTER },
      },
      { name: 'payments', topics: ['payments'], consumerGroups: ['payments-app'] },
    ];
  });
}

const recordsIn = (world: World, cluster: 'source' | 'target', topic: string) =>
  world[cluster].topics.get(topic)?.partitions.map((p) => p.records.length);

it('fails back both waves after both switched: each wave fenced, one drain, each returned with its own groups and pointer', async () => {
  // Prepare: the finalize is rejected after the second wave; the failback is approved
  const world = new World({ plan: wavesPlan(), approvals: { FINALIZE: 'REJECT' } });
  const before = {
    payments: recordsIn(world, 'source', 'payments'),
    ledger: recordsIn(world, 'source', 'ledger.entries'),
  };
  // Act
  const result = await world.run();
  // Assess: the path, the fences from the last wave back, the returns in the plan's order
  expect(result.error).toBe('Migration.FailedBack');
  expectVisitedInOrder(result.visited, [
    'FinalizeApproval',
    'FailbackDecision',
    'StartFailback',
    'CheckFailback',
    'FenceForFailback',
    'FenceEarlierWave?',
    'PreviousWaveToFence',
    'FenceForFailback',
    'FenceEarlierWave?',
    'CheckFailbackDrain',
    'FailbackCutover',
    'ReturnNextWave?',
    'NextWaveToReturn',
    'FailbackCutover',
    'ReturnNextWave?',
    'StopFailback',
    'ReportFailedBack',
    'MigrationFailedBack',
  ]);
  expectNeverVisited(result.visited, ['ReleaseFailbackFence', 'RollbackCutover', 'ReportNeedsAttention']);
  expect(world.wavesOf('StartFailback')).toEqual(['payments']);
  expect(world.wavesOf('FenceForFailback')).toEqual(['payments', 'ledger']);
  expect(world.wavesOf('FailbackCutover')).toEqual(['ledger', 'payments']);
  // every wave's pointer is back at the source: fenced for the failback, then returned
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_SOURCE);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
  expect(world.pointerAt(LEDGER_POINTER).writes).toBe(4); // forward fence, target, failback fence, source
  expect(world.pointer.writes).toBe(4);
  // the drain covered both waves' topics: the fence of the wave fenced first is in its baseline
  const drain = world.lastEvent('FailbackCutover')?.state.failback.drain;
  expect(drain).toMatchObject({ recordsAfterFence: '0' });
  // one reverse replicator, for exactly the waves' topics and groups; the forward one kept (ENHANCED, both ways)
  const [forward, reverse] = world.replicator.createdNames;
  expect(world.replicator.createdNames).toHaveLength(2);
  expect(world.replicator.deletedNames).toEqual([reverse]);
  expect(world.replicator.replicators.has(forward ?? '')).toBe(true);
  // the 3 records per partition each wave's producers wrote to the target are on the source, once each
  expect(recordsIn(world, 'source', 'payments')).toEqual(before.payments?.map((n) => n + 3));
  expect(recordsIn(world, 'source', 'ledger.entries')).toEqual(before.ledger?.map((n) => n + 3));
  // each partition starts at its own wave's switch
  const positions = await world.artifacts.getJson<Raw>(`${RUN}/failback/positions.json`);
  expect(new Set(positions?.partitions.map((p: Raw) => `${p.topic}:${p.wave}`))).toEqual(
    new Set(['ledger.entries:ledger', 'payments:payments']),
  );
  // each wave's groups committed on the source by its own return, evidence and journals under its name
  expect(world.source.writes.filter((w) => w.call === 'setCommittedOffsets').map((w) => w.subject)).toEqual([
    'ledger-writer',
    'payments-app',
  ]);
  const keys = [...world.artifacts.objects.keys()];
  for (const wave of ['ledger', 'payments']) {
    expect(keys).toContain(`${RUN}/cutover/waves/${wave}/journal/failback-fence.json`);
    expect(keys).toContain(`${RUN}/cutover/waves/${wave}/journal/failback-cutover.json`);
    expect(keys).toContain(`${RUN}/failback/waves/${wave}/offsets-committed.json`);
  }
  expect(keys.filter((k) => k.startsWith(`${RUN}/cutover/journal/`))).toEqual([]);
  // no record deleted, no topic created or removed on the source
  expect(world.sourceWritesBesidesCanary().filter((w) => w.call !== 'setCommittedOffsets')).toEqual([]);
  expect(await world.report()).toMatchObject({ outcome: 'FAILED_BACK' });
  expect((await world.report())?.waves.map((w: Raw) => w.status)).toEqual(['FAILED_BACK', 'FAILED_BACK']);
  expect(world.locks.held.size).toBe(0);
});

it('releases every wave it fenced when the failback drain fails: both waves write on the target again, a person is asked', async () => {
  // Prepare: the source becomes unreachable once both waves are fenced for the way back
  const world = new World({
    plan: wavesPlan(),
    approvals: { FINALIZE: 'REJECT' },
    failState: { state: 'CheckFailbackDrain', error: new UnreachableError('The source cluster does not answer.') },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, [
    'FenceForFailback',
    'PreviousWaveToFence',
    'FenceForFailback',
    'CheckFailbackDrain',
    'ReleaseFailbackFence',
    'ReleaseNextWave?',
    'NextWaveToRelease',
    'ReleaseFailbackFence',
    'ReleaseNextWave?',
    'ReportNeedsAttention',
    'MigrationNeedsAttention',
  ]);
  expectNeverVisited(result.visited, ['FailbackCutover', 'StopFailback', 'ReportFailedBack']);
  expect(world.wavesOf('ReleaseFailbackFence')).toEqual(['ledger', 'payments']);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.source.writes.filter((w) => w.call === 'setCommittedOffsets')).toEqual([]);
  expect(world.lastEvent('ReportNeedsAttention')?.state.failbackRelease).toMatchObject({
    outcome: 'RELEASED',
    pointer: `ssm:${POINTER}`,
    value: AT_TARGET,
  });
  expect(await world.report()).toMatchObject({ outcome: 'NEEDS_ATTENTION' });
});

it("fails the second wave's return: the first wave stays back on the source, the second's fence is released, the reverse replication stays", async () => {
  // Prepare: the payments wave's FailbackCutover fails (the ledger wave has returned)
  const world = new World({
    plan: wavesPlan(),
    approvals: { FINALIZE: 'REJECT' },
    failInWave: {
      wave: 'payments',
      state: 'FailbackCutover',
      error: new CutoverFailedError('payments-app: the source refused the commit'),
    },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, [
    'FailbackCutover',
    'NextWaveToReturn',
    'FailbackCutover',
    'ReleaseFailbackFence',
    'ReleaseNextWave?',
    'ReportNeedsAttention',
  ]);
  expectNeverVisited(result.visited, ['NextWaveToRelease', 'StopFailback', 'ReportFailedBack']);
  expect(
    world.calls.filter((c) => c.state === 'FailbackCutover').map((c) => [c.event.state.waves.current.name, c.outcome]),
  ).toEqual([
    ['ledger', 'OK'],
    ['payments', 'ERROR'],
  ]);
  expect(world.wavesOf('ReleaseFailbackFence')).toEqual(['payments']);
  // what the failback finished stays done; what it held is given back; nothing else moved
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_SOURCE);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.source.writes.filter((w) => w.call === 'setCommittedOffsets').map((w) => w.subject)).toEqual([
    'ledger-writer',
  ]);
  expect(world.replicator.replicators.size).toBe(2);
  expect(world.replicator.deletedNames).toEqual([]);
  expect((await world.report())?.waves.map((w: Raw) => w.status)).toEqual(['FAILED_BACK', 'ON_TARGET']);
});

it('releases the waves already fenced when the failback fence of an earlier wave fails', async () => {
  // Prepare: the ledger wave's failback fence fails after the payments wave's was taken
  const world = new World({
    plan: wavesPlan(),
    approvals: { FINALIZE: 'REJECT' },
    failInWave: { wave: 'ledger', state: 'FenceForFailback', error: new UnreachableError('SSM does not answer.') },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.NeedsAttention');
  expectVisitedInOrder(result.visited, [
    'FenceForFailback',
    'PreviousWaveToFence',
    'FenceForFailback',
    'ReleaseFailbackFence',
    'NextWaveToRelease',
    'ReleaseFailbackFence',
    'ReportNeedsAttention',
  ]);
  expectNeverVisited(result.visited, ['CheckFailbackDrain', 'FailbackCutover']);
  expect(world.wavesOf('ReleaseFailbackFence')).toEqual(['ledger', 'payments']);
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_TARGET);
});

it('a stop after the first wave returned: the compensator releases the fence the second wave still holds, and leaves the first on the source', async () => {
  // Prepare: stopped right after the ledger wave's FailbackCutover (payments still behind its failback fence)
  const world = new World({
    plan: wavesPlan(),
    approvals: { FINALIZE: 'REJECT' },
    stopAfter: { state: 'FailbackCutover', call: 1 },
  });
  const result = await world.run();
  expect(result.status).toBe('ABORTED');
  expect(world.pointer.current?.value).toMatch(/^fenced:.*\/failback$/);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_SOURCE);
  // Act: EventBridge delivers the ABORTED status change
  const compensation = await world.compensate(result);
  // Assess: the payments producers write on the target again; the ledger wave stays returned; both replicators stay
  expect(compensation.outcome).toBe('NEEDS_ATTENTION');
  expect(world.pointer.current?.value).toBe(AT_TARGET);
  expect(world.pointerAt(LEDGER_POINTER).current?.value).toBe(AT_SOURCE);
  expect(world.replicator.deletedNames).toEqual([]);
  expect(compensation.notes).toEqual(
    expect.arrayContaining([
      `The pointer of wave ledger does not hold this execution's failback fence (${AT_SOURCE}): left as it is.`,
      `The failback fence of wave payments was released: the pointer names the target again (${AT_TARGET}); the target's producers write again.`,
    ]),
  );
  expect(world.locks.held.size).toBe(0);
});

it("does nothing twice when the second wave's return is retried after it did its work (Sandbox.Timedout)", async () => {
  // Prepare: the payments wave's FailbackCutover commits and returns its pointer, then times out before answering
  const world = new World({
    plan: wavesPlan(),
    approvals: { FINALIZE: 'REJECT' },
    lambdaFaults: { FailbackCutover: [{ call: 2, error: 'Sandbox.Timedout', when: 'AFTER_RUN' }] },
  });
  // Act
  const result = await world.run();
  // Assess: retried from its own journal, in the same wave
  expect(result.error).toBe('Migration.FailedBack');
  expect(world.wavesOf('FailbackCutover')).toEqual(['ledger', 'payments', 'payments']);
  expect(world.source.writes.filter((w) => w.call === 'setCommittedOffsets').map((w) => w.subject)).toEqual([
    'ledger-writer',
    'payments-app',
  ]);
  expect(world.pointer.writes).toBe(4);
  expect(world.pointer.current?.value).toBe(AT_SOURCE);
});
