import { checkDrain } from '../../lambdas/core/cutover/check-drain';
import {
  commitConsumerOffsets,
  translateOffsetsBeforeFence,
  type OffsetsBeforeFence,
} from '../../lambdas/core/cutover/commit-consumer-offsets';
import { fenceProducers } from '../../lambdas/core/cutover/fence-producers';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';
import { MemorySwitch, manualClock } from './cutover-fakes';

/**
 * The consumer-group offsets translated before the fence (the bulk) and only the tail after the drain: what the
 * pre-pass proves is reused only where nothing can have changed it, and every commit is still content-checked.
 */

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const CANARY = 'msk-migration.canary.orders';
const topics = ['orders', CANARY];
const consumerGroups = { include: ['billing', 'audit'], exclude: [] };

function world() {
  const source = new FakeKafka().addTopic('orders', 2).addTopic(CANARY, 1);
  const target = new FakeKafka();
  for (let i = 0; i < 10; i++) source.append('orders', i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
  replicate(source, target, ['orders', CANARY]);
  const artifacts = new MemoryArtifacts();
  const clock = manualClock();
  const producers = new MemorySwitch('memory:producers', { value: '10.0.0.1:9092' });
  return { source, target, artifacts, clock, deps: { source, target, artifacts, now: clock.now, producers } };
}
type World = ReturnType<typeof world>;

const beforeFence = (w: World, lagAllowance = 0): Promise<OffsetsBeforeFence> =>
  translateOffsetsBeforeFence({ identity, topics, canaryTopic: CANARY, consumerGroups, lagAllowance }, w.deps);

/** Fence, drain (the settle elapsed) and commit, with the pre-pass's record when given. */
async function cutOver(w: World, early?: OffsetsBeforeFence) {
  const fence = await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
  w.clock.advance(20);
  const drain = await checkDrain({ identity, topics, canaryTopic: CANARY, fence, settleSeconds: 10 }, w.deps);
  expect(drain.drained).toBe(true);
  return commitConsumerOffsets(
    { identity, topics, canaryTopic: CANARY, consumerGroups, fence, drain, ...(early ? { beforeFence: early } : {}) },
    w.deps,
  );
}

/** Records read from the target's partitions from now on. */
function countTargetReads(w: World): { readonly reads: number } {
  const counter = { reads: 0 };
  const read = w.target.readPartition.bind(w.target);
  w.target.readPartition = async (request) => {
    counter.reads++;
    return read(request);
  };
  return counter;
}

it('translates the groups before the fence by content, commits nothing, and journals the proofs', async () => {
  // Prepare
  const w = world();
  w.source.commit('billing', 'orders', 0, 3).commit('billing', 'orders', 1, 5).commit('audit', 'orders', 0, 1);
  // Act
  const early = await beforeFence(w);
  // Assess
  expect(early).toMatchObject({ groups: 2, partitionsTranslated: 3, partitionsLeft: 0 });
  expect(await w.target.fetchCommittedOffsets('billing')).toEqual([]);
  const evidence = await w.artifacts.getJson<{ groups: Array<{ groupId: string; translations: unknown[] }> }>(
    early.evidenceKey,
  );
  expect(evidence?.groups.find((g) => g.groupId === 'billing')?.translations).toEqual([
    expect.objectContaining({ topic: 'orders', partition: 0, sourceOffset: '3', targetOffset: '3' }),
    expect.objectContaining({ topic: 'orders', partition: 1, sourceOffset: '5', targetOffset: '5' }),
  ]);
});

it('reuses the translations of groups that did not move and reads the target only to check the commits', async () => {
  // Prepare: the same cutover twice, with and without the pre-pass
  const commits = (w: World): void => {
    w.source.commit('billing', 'orders', 0, 3).commit('billing', 'orders', 1, 5).commit('audit', 'orders', 0, 1);
  };
  const plain = world();
  commits(plain);
  const plainReads = countTargetReads(plain);
  const withPrepass = world();
  commits(withPrepass);
  const early = await beforeFence(withPrepass);
  const prepassReads = countTargetReads(withPrepass);
  // Act
  const withoutIt = await cutOver(plain);
  const progress = await cutOver(withPrepass, early);
  // Assess: the same offsets committed, fewer target reads after the fence
  expect(progress).toMatchObject({ complete: true, partitionsCommitted: 3, translatedBeforeFence: 3 });
  expect(withoutIt.translatedBeforeFence).toBeUndefined();
  for (const group of ['billing', 'audit'])
    expect(await withPrepass.target.fetchCommittedOffsets(group)).toEqual(
      await plain.target.fetchCommittedOffsets(group),
    );
  expect(await withPrepass.target.fetchCommittedOffsets('billing')).toEqual([
    { topic: 'orders', partition: 0, offset: '3' },
    { topic: 'orders', partition: 1, offset: '5' },
  ]);
  expect(prepassReads.reads).toBeLessThan(plainReads.reads);
});

it('translates after the drain the tail: a group that consumed after the pre-pass', async () => {
  // Prepare: billing reads on after the pre-pass, and more records arrive before the fence
  const w = world();
  w.source.commit('billing', 'orders', 0, 2).commit('audit', 'orders', 0, 1);
  const early = await beforeFence(w);
  w.source.append('orders', 0, [{ key: 'k10', value: 'order-10' }]);
  replicate(w.source, w.target, ['orders']);
  w.source.commit('billing', 'orders', 0, 6);
  // Act
  const progress = await cutOver(w, early);
  // Assess: audit reused, billing translated again at its new position
  expect(progress).toMatchObject({ complete: true, partitionsCommitted: 2, translatedBeforeFence: 1 });
  expect(await w.target.fetchCommittedOffsets('billing')).toEqual([{ topic: 'orders', partition: 0, offset: '6' }]);
  expect(await w.target.fetchCommittedOffsets('audit')).toEqual([{ topic: 'orders', partition: 0, offset: '1' }]);
});

it('translates again a partition the target shifted after the pre-pass (a replayed range), never the stale pair', async () => {
  // Prepare: after the pre-pass the replicator replays partition 0's last three records (offsets 2-4) on the target
  const w = world();
  w.source.commit('billing', 'orders', 0, 3).commit('billing', 'orders', 1, 5);
  const early = await beforeFence(w);
  w.target.append('orders', 0, [
    { key: 'k4', value: 'order-4' },
    { key: 'k6', value: 'order-6' },
    { key: 'k8', value: 'order-8' },
  ]);
  // Act
  const progress = await cutOver(w, early);
  // Assess: partition 1 reused; partition 0's shift differs from the pre-pass's pair (offset 3, which would make the
  // group read the replayed records again), so it was translated again: after the last copy of its last record
  expect(progress).toMatchObject({ complete: true, translatedBeforeFence: 1, redeliveredRecords: 0 });
  expect(await w.target.fetchCommittedOffsets('billing')).toEqual([
    { topic: 'orders', partition: 0, offset: '6' },
    { topic: 'orders', partition: 1, offset: '5' },
  ]);
});

it('leaves for after the drain a partition whose record the target does not hold yet, without failing', async () => {
  // Prepare: the target lags partition 0 by three records the group already consumed
  const w = world();
  w.source.append('orders', 0, [
    { key: 'k10', value: 'order-10' },
    { key: 'k12', value: 'order-12' },
    { key: 'k14', value: 'order-14' },
  ]);
  w.source.commit('billing', 'orders', 0, 8).commit('billing', 'orders', 1, 5);
  // Act
  const early = await beforeFence(w);
  replicate(w.source, w.target, ['orders']);
  const progress = await cutOver(w, early);
  // Assess
  expect(early).toMatchObject({ partitionsTranslated: 1, partitionsLeft: 1 });
  expect(progress).toMatchObject({ complete: true, translatedBeforeFence: 1 });
  expect(await w.target.fetchCommittedOffsets('billing')).toEqual([
    { topic: 'orders', partition: 0, offset: '8' },
    { topic: 'orders', partition: 1, offset: '5' },
  ]);
});

it('finds a record the target still lags by up to the lag allowance before the fence', async () => {
  // Prepare: partition 0 of the target lags by two records, the group is before them
  const w = world();
  w.source.append('orders', 0, [
    { key: 'k10', value: 'order-10' },
    { key: 'k12', value: 'order-12' },
  ]);
  w.source.commit('billing', 'orders', 0, 4);
  // Act: a window of one record finds it only with the lag allowance
  const narrow = await translateOffsetsBeforeFence(
    { identity, topics, canaryTopic: CANARY, consumerGroups, searchWindow: 1 },
    w.deps,
  );
  const allowed = await translateOffsetsBeforeFence(
    { identity, topics, canaryTopic: CANARY, consumerGroups, searchWindow: 1, lagAllowance: 4 },
    w.deps,
  );
  // Assess
  expect(narrow).toMatchObject({ partitionsTranslated: 0, partitionsLeft: 1 });
  expect(allowed).toMatchObject({ partitionsTranslated: 1, partitionsLeft: 0 });
});

it('never translates a group that committed past the ends it read: its last record is not read twice', async () => {
  // Prepare: between the pre-pass's reads, a producer writes one record (replicated at once) and billing consumes
  // and commits it: in the rehearsal this left the group one record short on the target (read twice after the switch)
  const w = world();
  w.source.commit('billing', 'orders', 0, 5).commit('billing', 'orders', 1, 5);
  const fetch = w.source.fetchCommittedOffsets.bind(w.source);
  let raced = false;
  w.source.fetchCommittedOffsets = async (groupId, ofTopics) => {
    if (!raced && groupId === 'billing') {
      raced = true;
      w.source.append('orders', 0, [{ key: 'k10', value: 'order-10' }]);
      replicate(w.source, w.target, ['orders']);
      w.source.commit('billing', 'orders', 0, 6);
    }
    return fetch(groupId, ofTopics);
  };
  // Act
  const early = await beforeFence(w);
  const progress = await cutOver(w, early);
  // Assess: resumes after the record it consumed, with nothing to read again
  expect(progress).toMatchObject({ complete: true, partitionsCommitted: 2 });
  expect(progress.replayAheadRecords ?? 0).toBe(0);
  expect(await w.target.fetchCommittedOffsets('billing')).toEqual([
    { topic: 'orders', partition: 0, offset: '6' },
    { topic: 'orders', partition: 1, offset: '5' },
  ]);
});

it('refuses a reused translation one record short even when its proof is not the record right before the offset', async () => {
  // Prepare: the pre-pass's evidence says billing's offset 5 on orders-0 (the partition end) translates to 4, aligned
  // on source record 3: a proof two records back, as a transaction marker or a clamped read leaves it. Reused as is,
  // the group would read source record 4 twice on the target.
  const w = world();
  w.source.commit('billing', 'orders', 0, 5);
  const early = await beforeFence(w);
  const evidence = await w.artifacts.getJson<{ groups: Array<{ groupId: string; translations: unknown[] }> }>(
    early.evidenceKey,
  );
  const billing = evidence?.groups.find((g) => g.groupId === 'billing');
  if (!billing) throw new Error('the pre-pass translated no billing offsets');
  billing.translations = [
    {
      topic: 'orders',
      partition: 0,
      sourceOffset: '5',
      targetOffset: '4',
      proof: { relation: 'after', sourceRecord: '3', targetRecord: '3' },
    },
  ];
  await w.artifacts.putJson(early.evidenceKey, evidence);
  // Act
  const commit = cutOver(w, early);
  // Assess: the read-back reads the records before both offsets afresh and refuses the pair
  await expect(commit).rejects.toThrow(
    /committed offset 4 for orders-0 on the target does not follow the source's offset 5: the record before it is target offset 3, not a copy of source offset 4/,
  );
});
