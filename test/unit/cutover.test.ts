import { checkDrain, type CheckDrainRequest, type DrainProgress } from '../../lambdas/core/cutover/check-drain';
import { checkTargetHealth, type CheckTargetHealthRequest } from '../../lambdas/core/cutover/check-target-health';
import { commitConsumerOffsets, type CommitProgress } from '../../lambdas/core/cutover/commit-consumer-offsets';
import { fenceProducers, type FenceRecord } from '../../lambdas/core/cutover/fence-producers';
import { fenceValue, isFenced } from '../../lambdas/core/cutover/model';
import { rollbackCutover } from '../../lambdas/core/cutover/rollback-cutover';
import { switchConsumers, type SwitchRecord } from '../../lambdas/core/cutover/switch-consumers';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';
import { MemorySwitch, manualClock } from './cutover-fakes';

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const CANARY = 'msk-migration.canary.orders';
const SOURCE = '10.0.0.1:9092';
const TARGET = 'target:9098';
const topics = ['orders', CANARY];
const groups = { include: ['billing'], exclude: [] };

function world(options: { consumersPointer?: boolean } = {}) {
  const source = new FakeKafka().addTopic('orders', 2).addTopic(CANARY, 1);
  const target = new FakeKafka();
  for (let i = 0; i < 10; i++) source.append('orders', i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
  replicate(source, target, ['orders', CANARY]);
  const producers = new MemorySwitch('memory:producers', { value: SOURCE, revision: '7' });
  const consumers = options.consumersPointer ? new MemorySwitch('memory:consumers', { value: SOURCE }) : undefined;
  const artifacts = new MemoryArtifacts();
  const clock = manualClock();
  return {
    source,
    target,
    producers,
    consumers,
    artifacts,
    clock,
    deps: { source, target, artifacts, now: clock.now, producers, ...(consumers ? { consumers } : {}) },
  };
}
type World = ReturnType<typeof world>;

async function fence(w: World): Promise<FenceRecord> {
  return fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
}

async function drainUntilDrained(w: World, f: FenceRecord): Promise<DrainProgress> {
  const request: CheckDrainRequest = { identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10 };
  let previous: DrainProgress | undefined;
  for (let i = 0; i < 5; i++) {
    previous = await checkDrain({ ...request, ...(previous ? { previous } : {}) }, w.deps);
    if (previous.drained) return previous;
    w.clock.advance(10);
  }
  throw new Error(`not drained: ${previous?.reasons.join(' ')}`);
}

async function throughOffsets(w: World): Promise<{ f: FenceRecord; drain: DrainProgress; offsets: CommitProgress }> {
  const f = await fence(w);
  const drain = await drainUntilDrained(w, f);
  const offsets = await commitConsumerOffsets(
    { identity, topics, canaryTopic: CANARY, consumerGroups: groups, fence: f, drain },
    w.deps,
  );
  return { f, drain, offsets };
}

describe('fenceProducers', () => {
  it('records what the pointer held, sets it to the execution fence and snapshots the source end offsets without the canary topic', async () => {
    // Prepare
    const w = world();
    // Act
    const record = await fence(w);
    // Assess
    expect(w.producers.current?.value).toBe('fenced:orders/exec-1');
    expect(isFenced(w.producers.current?.value)).toBe(true);
    expect(record).toMatchObject({
      fenceValue: fenceValue(identity),
      mode: 'SHARED_POINTER',
      producers: { pointer: 'memory:producers', previous: { value: SOURCE, revision: '7' } },
      topics: 1,
    });
    expect(record.sourceEndsAtFence).toMatchObject({ partitions: 2, totalEnd: '10' });
    expect(await w.artifacts.getJson(record.sourceEndsAtFence.key)).toMatchObject({
      partitions: [
        { topic: 'orders', partition: 0, high: '5' },
        { topic: 'orders', partition: 1, high: '5' },
      ],
    });
  });

  it('returns the same record on a retry and writes the pointer only once', async () => {
    const w = world();
    const first = await fence(w);
    w.clock.advance(30);

    const second = await fence(w);

    expect(second).toEqual(first);
    expect(w.producers.writes).toBe(1);
  });

  it('completes a fence whose first attempt died after journaling, keeping the value read before the cutover', async () => {
    // Prepare: the first attempt journaled and fenced, then the Lambda timed out before recording
    const w = world();
    await fence(w);
    const key = [...w.artifacts.objects.keys()].find((k) => k.endsWith('journal/fence.json')) as string;
    const journal = JSON.parse(w.artifacts.objects.get(key) as string) as { intent: unknown };
    w.artifacts.objects.set(key, JSON.stringify({ status: 'INTENT', intent: journal.intent }));
    // Act
    const record = await fence(w);
    // Assess
    expect(record.producers.previous).toEqual({ value: SOURCE, revision: '7' });
    expect(w.producers.writes).toBe(1);
  });

  it("refuses a pointer that holds another execution's fence", async () => {
    const w = world();
    w.producers.current = { value: 'fenced:orders/exec-0' };

    await expect(fence(w)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining("another cutover's fence"),
    });
  });

  it("records the consumers' own pointer without changing it, so consumers keep reading the source's tail", async () => {
    const w = world({ consumersPointer: true });

    const record = await fence(w);

    expect(record.mode).toBe('SEPARATE_POINTERS');
    expect(record.consumers).toEqual({ pointer: 'memory:consumers', previous: { value: SOURCE } });
    expect(w.consumers?.current?.value).toBe(SOURCE);
  });
});

describe('checkDrain', () => {
  it("is not drained while the source's last records are not on the target, naming the partition", async () => {
    // Prepare: a late record on the source that the replicator has not copied
    const w = world();
    w.source.append('orders', 1, [{ key: 'late', value: 'late order' }]);
    const f = await fence(w);
    w.clock.advance(20);
    // Act
    const progress = await checkDrain({ identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10 }, w.deps);
    // Assess
    expect(progress).toMatchObject({
      drained: false,
      sourceStable: true,
      partitions: 2,
      partitionsDrained: 1,
      offsetLag: 1,
    });
    expect(progress.reasons.join(' ')).toMatch(
      /orders-1: the source's last record \(offset 5\) is not at the target's tail/,
    );
  });

  it('waits for the fence to hold: a record written after the fence restarts the settle time', async () => {
    // Prepare
    const w = world();
    const f = await fence(w);
    w.clock.advance(20);
    w.source.append('orders', 0, [{ key: 'in-flight', value: 'written before the producer saw the fence' }]);
    replicate(w.source, w.target, ['orders']);
    // Act
    const first = await checkDrain({ identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10 }, w.deps);
    w.clock.advance(10);
    const second = await checkDrain(
      { identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10, previous: first },
      w.deps,
    );
    // Assess
    expect(first).toMatchObject({ drained: false, sourceStable: false, recordsAfterFence: '1', partitionsDrained: 2 });
    expect(first.reasons[0]).toMatch(/moved since the last check \(1 record\(s\) written after the fence\)/);
    expect(second).toMatchObject({
      drained: true,
      sourceStableSince: first.checkedAt,
      drainedAt: second.checkedAt,
      polls: 2,
    });
  });

  it('holds a settle given in fractions of a second to the millisecond', async () => {
    // Prepare
    const w = world();
    const f = await fence(w);
    const request = { identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 0.5 };
    w.clock.advance(0.499);
    // Act
    const early = await checkDrain(request, w.deps);
    w.clock.advance(0.001);
    const settled = await checkDrain({ ...request, previous: early }, w.deps);
    // Assess
    expect(early).toMatchObject({ drained: false, sourceStable: false, partitionsDrained: 2 });
    expect(early.reasons[0]).toMatch(/less than the 0.5 s the fence must hold/);
    expect(settled).toMatchObject({ drained: true, sourceStableSince: f.fencedAt });
  });

  it('is drained when the tail is on the target by content and the source has not moved for the settle time', async () => {
    const w = world();
    const f = await fence(w);
    const early = await checkDrain({ identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10 }, w.deps);
    w.clock.advance(10);

    const progress = await checkDrain(
      { identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10, previous: early },
      w.deps,
    );

    expect(early).toMatchObject({ drained: false, sourceStable: false, partitionsDrained: 2 });
    expect(progress).toMatchObject({ drained: true, sourceStable: true, sourceStableSince: f.fencedAt, offsetLag: 0 });
    expect(await w.artifacts.getJson(progress.evidenceKey)).toMatchObject({
      partitions: [
        { topic: 'orders', partition: 0, drained: true, delta: '0' },
        { partition: 1, drained: true },
      ],
    });
  });

  it('is not drained when the target has as many records but its last one differs from the source’s', async () => {
    const w = world();
    w.source.append('orders', 0, [{ key: 'a', value: 'source version' }]);
    w.target.append('orders', 0, [{ key: 'a', value: 'other content' }]);
    const f = await fence(w);
    w.clock.advance(20);

    const progress = await checkDrain({ identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10 }, w.deps);

    expect(progress).toMatchObject({ drained: false, offsetLag: 0, partitionsDrained: 1 });
  });

  it('fails the cutover with Migration.CutoverFailed once the drain timeout has passed', async () => {
    const w = world();
    w.source.append('orders', 0, [{ key: 'never', value: 'never copied' }]);
    const f = await fence(w);
    w.clock.advance(901);

    await expect(
      checkDrain({ identity, topics, canaryTopic: CANARY, fence: f, drainTimeoutSeconds: 900 }, w.deps),
    ).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('did not drain within 900 s'),
    });
  });
});

describe('commitConsumerOffsets', () => {
  it('waits while the group still has active members on the source, then fails past the timeout', async () => {
    // Prepare
    const w = world();
    w.source.commit('billing', 'orders', 0, 3);
    w.source.activeMembers.set('billing', 1);
    const f = await fence(w);
    const drain = await drainUntilDrained(w, f);
    const request = {
      identity,
      topics,
      canaryTopic: CANARY,
      consumerGroups: groups,
      fence: f,
      drain,
      groupsTimeoutSeconds: 60,
    };
    // Act
    const waiting = await commitConsumerOffsets(request, w.deps);
    w.clock.advance(61);
    // Assess
    expect(waiting).toMatchObject({ complete: false, waitingForGroups: ['billing'], partitionsCommitted: 0 });
    await expect(commitConsumerOffsets(request, w.deps)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('still have active members on the source'),
    });
  });

  it('commits on the target the offset after the same record, found by content where the target’s offsets are shifted', async () => {
    // Prepare: the target's partition 0 holds one extra record at its head, so every offset there is one higher
    const w = world();
    const target = new FakeKafka().addTopic('orders', 2).addTopic(CANARY, 1);
    target.append('orders', 0, [{ key: 'x', value: 'only on the target' }]);
    for (let i = 0; i < 10; i++) target.append('orders', i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
    const deps = { ...w.deps, target };
    w.source.commit('billing', 'orders', 0, 3).commit('billing', 'orders', 1, 5);
    const f = await fenceProducers({ identity, topics, canaryTopic: CANARY }, deps);
    w.clock.advance(20);
    const drain = await checkDrain({ identity, topics, canaryTopic: CANARY, fence: f, settleSeconds: 10 }, deps);
    // Act
    const progress = await commitConsumerOffsets(
      { identity, topics, canaryTopic: CANARY, consumerGroups: groups, fence: f, drain },
      deps,
    );
    // Assess
    expect(drain.drained).toBe(true);
    expect(progress).toMatchObject({
      complete: true,
      groups: 1,
      partitionsCommitted: 2,
      committed: [{ groupId: 'billing', partitions: 2, status: 'COMMITTED' }],
    });
    expect(await target.fetchCommittedOffsets('billing')).toEqual([
      { topic: 'orders', partition: 0, offset: '4' },
      { topic: 'orders', partition: 1, offset: '5' },
    ]);
  });

  it('refuses a group that already has active members on the target', async () => {
    const w = world();
    w.source.commit('billing', 'orders', 0, 3);
    w.target.activeMembers.set('billing', 2);
    const f = await fence(w);
    const drain = await drainUntilDrained(w, f);

    await expect(
      commitConsumerOffsets({ identity, topics, canaryTopic: CANARY, consumerGroups: groups, fence: f, drain }, w.deps),
    ).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('already have active members on the target: billing'),
    });
  });

  it('returns the recorded result on a retry without committing again', async () => {
    const w = world();
    w.source.commit('billing', 'orders', 0, 3);
    const { f, drain, offsets } = await throughOffsets(w);
    const commits = jest.spyOn(w.target, 'setCommittedOffsets');
    w.clock.advance(30);

    const again = await commitConsumerOffsets(
      { identity, topics, canaryTopic: CANARY, consumerGroups: groups, fence: f, drain },
      w.deps,
    );

    expect(again).toEqual(offsets);
    expect(commits).not.toHaveBeenCalled();
  });

  it("fences the consumers' own pointer before translating, so their source offsets stop moving", async () => {
    const w = world({ consumersPointer: true });
    w.source.commit('billing', 'orders', 1, 2);

    const { offsets } = await throughOffsets(w);

    expect(w.consumers?.current?.value).toBe('fenced:orders/exec-1');
    expect(offsets).toMatchObject({ complete: true, consumersFencedAt: expect.any(String), partitionsCommitted: 1 });
  });

  it('records a group with no committed offsets on the replicated topics as having nothing to translate', async () => {
    const w = world();
    w.source.commit('billing', 'elsewhere', 0, 3);
    w.source.addTopic('elsewhere', 1);

    const { offsets } = await throughOffsets(w);

    expect(offsets.committed).toEqual([{ groupId: 'billing', partitions: 0, status: 'NO_OFFSETS' }]);
  });
});

describe('switchConsumers', () => {
  async function switched(w: World): Promise<{ f: FenceRecord; offsets: CommitProgress; record: SwitchRecord }> {
    w.source.commit('billing', 'orders', 0, 5).commit('billing', 'orders', 1, 5);
    const { f, offsets } = await throughOffsets(w);
    w.clock.advance(2);
    const record = await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    return { f, offsets, record };
  }

  it('moves the pointers from the fence to the target, recording the target end offsets before and the write pause', async () => {
    const w = world({ consumersPointer: true });

    const { f, record } = await switched(w);

    expect(w.producers.current?.value).toBe(TARGET);
    expect(w.consumers?.current?.value).toBe(TARGET);
    expect(record).toMatchObject({
      producers: { pointer: 'memory:producers', value: TARGET },
      consumers: { pointer: 'memory:consumers', value: TARGET },
      targetEndsAtSwitch: { totalEnd: '10', partitions: 2 },
    });
    expect(record.writePauseMs).toBe(Date.parse(record.switchedAt) - Date.parse(f.fencedAt));
    expect(record.writePauseMs).toBeGreaterThan(0);
  });

  it('returns the same record on a retry and writes each pointer once', async () => {
    const w = world();
    const { f, offsets, record } = await switched(w);
    w.clock.advance(5);

    const again = await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );

    expect(again).toEqual(record);
    expect(w.producers.writes).toBe(2); // the fence and the switch
  });

  it('sets the producers\u2019 pointer at the fence\u2019s revision: one write, the next revision', async () => {
    const w = world();

    const { f } = await switched(w);

    // the pointer was at revision 7 before the cutover: the fence made 8, the switch 9
    expect(f.producers.revision).toBe('8');
    expect(w.producers.current).toEqual({ value: TARGET, revision: '9' });
    expect(w.producers.writes).toBe(2);
  });

  it('fails the cutover when another writer wrote between the fence and the switch, and the rollback puts back the source', async () => {
    // Prepare: someone writes the pointer (revision 9) after the fence (8)
    const w = world();
    const { f, offsets } = await throughOffsets(w);
    w.producers.current = { value: 'someone-else:9092', revision: '9' };
    // Act
    const switching = switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    // Assess: found after the switch's one write (SSM has no conditional put), both revisions named
    await expect(switching).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining("memory:producers: this execution's write of"),
      details: { pointer: 'memory:producers', expectedRevision: '8', writtenRevision: '10' },
    });
    expect(w.producers.current).toEqual({ value: TARGET, revision: '10' });
    // the workflow's Catch rolls back: the pointer holds this execution's target, so the value from before the fence
    // goes back and the other writer's value is not on the pointer any more (only in the store's history). A refusal
    // before the write, as without a revision below, left the other value and the rollback to a person instead.
    const rolledBack = await rollbackCutover(
      { identity, topics, canaryTopic: CANARY, rollbackWindowMinutes: 60, reason: 'Migration.CutoverFailed' },
      w.deps,
    );
    expect(rolledBack).toMatchObject({ outcome: 'REVERTED', pointers: [{ action: 'REVERTED', restored: SOURCE }] });
    expect(w.producers.current?.value).toBe(SOURCE);
  });

  it('refuses before writing, and leaves the other writer\u2019s value, where the fence recorded no revision', async () => {
    // Prepare: a fence record from before revisions were recorded (or a store without them)
    const w = world();
    const { f, offsets } = await throughOffsets(w);
    const producers = { ...f.producers, revision: undefined };
    w.producers.current = { value: 'someone-else:9092' };
    // Act
    const switching = switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: { ...f, producers }, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    // Assess
    await expect(switching).rejects.toMatchObject({ name: 'Migration.CutoverFailed' });
    expect(w.producers.current.value).toBe('someone-else:9092');
  });

  describe('retried after its intent was journaled', () => {
    /** The switch's journal as an attempt that died after its intent left it. */
    function backToIntent(w: World): void {
      const key = [...w.artifacts.objects.keys()].find((k) => k.endsWith('journal/switch.json')) as string;
      const journal = JSON.parse(w.artifacts.objects.get(key) as string) as { intent: unknown };
      w.artifacts.objects.set(key, JSON.stringify({ status: 'INTENT', intent: journal.intent }));
    }

    it('finds its own write (the fence\u2019s revision + 1) and writes nothing', async () => {
      // Prepare: the first attempt moved the pointer (revision 9), then died before its DONE
      const w = world();
      const { f, offsets } = await switched(w);
      backToIntent(w);
      // Act
      const record = await switchConsumers(
        { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
        w.deps,
      );
      // Assess: a second write would have made revision 10 and been taken for another writer's
      expect(record.producers.value).toBe(TARGET);
      expect(w.producers.current).toEqual({ value: TARGET, revision: '9' });
      expect(w.producers.writes).toBe(2);
    });

    it('writes when the first attempt died before it moved the pointer', async () => {
      // Prepare: the intent and the snapshot are durable, the pointer still holds the fence
      const w = world();
      const { f, offsets } = await switched(w);
      backToIntent(w);
      w.producers.current = { value: f.fenceValue, revision: '8' };
      // Act
      await switchConsumers(
        { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
        w.deps,
      );
      // Assess
      expect(w.producers.current).toEqual({ value: TARGET, revision: '9' });
    });

    it('refuses, writing nothing, a pointer another writer moved since the fence', async () => {
      const w = world();
      const { f, offsets } = await switched(w);
      backToIntent(w);
      w.producers.current = { value: f.fenceValue, revision: '10' }; // the fence's value, written again by someone

      await expect(
        switchConsumers(
          { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
          w.deps,
        ),
      ).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
        details: { expectedRevision: '8', foundRevision: '10' },
      });
      expect(w.producers.current).toEqual({ value: f.fenceValue, revision: '10' });
    });
  });
});

describe('checkTargetHealth', () => {
  async function afterSwitch(w: World) {
    w.source.commit('billing', 'orders', 0, 3).commit('billing', 'orders', 1, 5);
    const { f, offsets } = await throughOffsets(w);
    const record = await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    const request: CheckTargetHealthRequest = {
      identity,
      topics,
      canaryTopic: CANARY,
      switch: record,
      offsets,
      rollbackWindowMinutes: 60,
      groupGraceSeconds: 120,
      unhealthyChecks: 2,
    };
    return { record, offsets, request };
  }

  it('is healthy when the target answers, holds the topics and the group commits past its translated offsets', async () => {
    // Prepare: producers write 3 records to the target, the group consumes two of partition 0
    const w = world();
    const { request } = await afterSwitch(w);
    w.target.append('orders', 0, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    w.target.commit('billing', 'orders', 0, 6);
    w.clock.advance(600);
    // Act
    const health = await checkTargetHealth(request, w.deps);
    // Assess
    expect(health).toMatchObject({
      healthy: true,
      consecutiveUnhealthy: 0,
      windowClosed: false,
      figures: { reachable: true, recordsSinceSwitch: '3', groups: 1, groupsResumed: 1, topicsMissing: 0 },
    });
  });

  it('counts a group that has not resumed after the grace period as unhealthy, and fails after N such checks in a row', async () => {
    const w = world();
    const { request } = await afterSwitch(w);
    w.clock.advance(121);

    const first = await checkTargetHealth(request, w.deps);
    w.clock.advance(60);

    expect(first).toMatchObject({ healthy: false, consecutiveUnhealthy: 1 });
    expect(first.reasons[0]).toMatch(/billing \(lag 2\)/);
    await expect(checkTargetHealth({ ...request, previous: first }, w.deps)).rejects.toMatchObject({
      name: 'Migration.TargetUnhealthy',
    });
  });

  it('counts an unreachable target as unhealthy, with the error in the reasons', async () => {
    const w = world();
    const { request } = await afterSwitch(w);
    jest
      .spyOn(w.target, 'listTopics')
      .mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Migration.Unreachable' }));

    const health = await checkTargetHealth(request, w.deps);

    expect(health).toMatchObject({ healthy: false, figures: { reachable: false, recordsSinceSwitch: null } });
    expect(health.reasons[0]).toContain('ECONNREFUSED');
  });

  it('says when the rollback window has closed', async () => {
    const w = world();
    const { request } = await afterSwitch(w);
    w.target.commit('billing', 'orders', 1, 5).commit('billing', 'orders', 0, 5);
    w.clock.advance(3600);

    expect(await checkTargetHealth(request, w.deps)).toMatchObject({ healthy: true, windowClosed: true });
  });
});

describe('rollbackCutover', () => {
  const rollback = (w: World, extra: { reason?: string } = {}) =>
    rollbackCutover({ identity, topics, canaryTopic: CANARY, rollbackWindowMinutes: 60, ...extra }, w.deps);

  it('puts the pointer back during the window and reports, per partition, the records written to the target since the switch', async () => {
    // Prepare
    const w = world();
    const { f, offsets } = await throughOffsets(w);
    await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    w.target.append('orders', 1, [{ value: 'new-1' }, { value: 'new-2' }]);
    w.clock.advance(300);
    // Act
    const result = await rollback(w, { reason: 'Migration.TargetUnhealthy' });
    // Assess
    expect(w.producers.current?.value).toBe(SOURCE);
    expect(result).toMatchObject({
      outcome: 'REVERTED',
      pointers: [{ pointer: 'memory:producers', role: 'PRODUCERS', action: 'REVERTED', restored: SOURCE }],
      targetWrites: {
        status: 'FOUND',
        partitions: 1,
        records: '2',
        sample: [{ topic: 'orders', partition: 1, fromOffset: '5', toOffset: '7', records: '2' }],
      },
      reason: 'Migration.TargetUnhealthy',
    });
    expect(w.target.log('orders', 1).records).toHaveLength(7);
    expect(w.source.log('orders', 1).records).toHaveLength(5);
  });

  it('lifts the fence when the cutover failed before the switch, with no target writes to report', async () => {
    const w = world();
    await fence(w);

    const result = await rollback(w);

    expect(w.producers.current?.value).toBe(SOURCE);
    expect(result).toMatchObject({ outcome: 'REVERTED', pointers: [{ action: 'REVERTED' }] });
    expect(result.targetWrites).toBeUndefined();
  });

  it('puts back both pointers when consumers have their own', async () => {
    const w = world({ consumersPointer: true });
    const { f, offsets } = await throughOffsets(w);
    await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );

    const result = await rollback(w);

    expect([w.producers.current?.value, w.consumers?.current?.value]).toEqual([SOURCE, SOURCE]);
    expect(result.pointers.map((p) => [p.role, p.action])).toEqual([
      ['PRODUCERS', 'REVERTED'],
      ['CONSUMERS', 'REVERTED'],
    ]);
  });

  it('changes nothing past the point of no return and returns the failback decision request', async () => {
    const w = world();
    const { f, offsets } = await throughOffsets(w);
    const record = await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    w.clock.advance(3601);

    const result = await rollback(w);

    expect(w.producers.current?.value).toBe(TARGET);
    expect(result).toMatchObject({
      outcome: 'POINT_OF_NO_RETURN',
      pointers: [],
      decision: {
        kind: 'FAILBACK',
        switchedAt: record.switchedAt,
        options: [{ id: 'STAY_ON_TARGET' }, { id: 'FAILBACK_WITH_REVERSE_REPLICATION' }],
      },
    });
    expect(result.decision?.summary).toContain('Nothing was switched back automatically');
  });

  it('leaves a pointer another writer moved alone and fails with Migration.RollbackFailed', async () => {
    const w = world();
    await fence(w);
    w.producers.current = { value: 'hand-edited:9092' };

    await expect(rollback(w)).rejects.toMatchObject({
      name: 'Migration.RollbackFailed',
      message: expect.stringContaining('memory:producers holds "hand-edited:9092"'),
    });
    expect(w.producers.current.value).toBe('hand-edited:9092');
  });

  it('has nothing to revert when the cutover never began', async () => {
    const w = world();

    expect(await rollback(w)).toMatchObject({ outcome: 'NOTHING_TO_REVERT', pointers: [] });
    expect(w.producers.writes).toBe(0);
  });

  it('returns the recorded result on a retry', async () => {
    const w = world();
    await fence(w);
    const first = await rollback(w);
    w.clock.advance(10);

    expect(await rollback(w)).toEqual(first);
    expect(w.producers.writes).toBe(2);
  });

  it('reverts the pointers even when the target cannot be read, reporting its writes as unknown', async () => {
    const w = world();
    const { f, offsets } = await throughOffsets(w);
    await switchConsumers(
      { identity, topics, canaryTopic: CANARY, fence: f, offsets, producersTargetValue: TARGET },
      w.deps,
    );
    jest.spyOn(w.target, 'fetchTopicOffsets').mockRejectedValue(new Error('connect ECONNREFUSED'));

    const result = await rollback(w);

    expect(w.producers.current?.value).toBe(SOURCE);
    expect(result.targetWrites).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('ECONNREFUSED') });
  });
});
