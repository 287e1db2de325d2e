import { checkDrain, type DrainProgress } from '../../lambdas/core/cutover/check-drain';
import {
  commitConsumerOffsets,
  type CommitConsumerOffsetsRequest,
} from '../../lambdas/core/cutover/commit-consumer-offsets';
import { fenceProducers, type FenceRecord } from '../../lambdas/core/cutover/fence-producers';
import { FakeKafka, MemoryArtifacts } from './validation-fake-kafka';
import { MemorySwitch, manualClock } from './cutover-fakes';

/**
 * CommitConsumerOffsets on a target that holds a replayed range: each group resumes after the last copy of its last
 * record, so it reads nothing twice and skips nothing; fresh groups start from a timestamp with their replay counted.
 */

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const topics = ['orders'];
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const rec = (i: number) => ({ key: `k${i}`, value: `v${i}`, timestamp: 1_000_000 + i * 1_000 });

async function replayedWorld(order: number[]) {
  const source = new FakeKafka().addTopic('orders', 1).append('orders', 0, range(0, 999).map(rec));
  const target = new FakeKafka().addTopic('orders', 1).append('orders', 0, order.map(rec));
  const artifacts = new MemoryArtifacts();
  const clock = manualClock();
  const producers = new MemorySwitch('memory:producers', { value: 'source:9092', revision: '1' });
  const deps = { source, target, artifacts, now: clock.now, producers };
  const fence: FenceRecord = await fenceProducers({ identity, topics }, deps);
  clock.advance(20);
  const drain: DrainProgress = await checkDrain({ identity, topics, fence, settleSeconds: 10 }, deps);
  const request: CommitConsumerOffsetsRequest = {
    identity,
    topics,
    consumerGroups: { include: ['.*'], exclude: [] },
    fence,
    drain,
    searchWindow: 20,
  };
  return { source, target, deps, request, drain };
}

describe('commitConsumerOffsets across a replayed range', () => {
  it('resumes each group after the last copy of its last record: nothing skipped, nothing read twice', async () => {
    // Prepare: the target holds source 450–599 twice (offsets 450–599 and 600–749)
    const w = await replayedWorld([...range(0, 599), ...range(450, 999)]);
    w.source.commit('in-replay', 'orders', 0, 500).commit('before-replay', 'orders', 0, 300);
    w.source.commit('after-replay', 'orders', 0, 800);
    // Act
    const progress = await commitConsumerOffsets(w.request, w.deps);
    // Assess: source 499 is at target 649 (last copy), 299 at 299 (one copy), 799 at 949
    expect(w.drain.drained).toBe(true);
    expect(await w.target.fetchCommittedOffsets('in-replay')).toEqual([
      { topic: 'orders', partition: 0, offset: '650' },
    ]);
    expect(await w.target.fetchCommittedOffsets('before-replay')).toEqual([
      { topic: 'orders', partition: 0, offset: '300' },
    ]);
    expect(await w.target.fetchCommittedOffsets('after-replay')).toEqual([
      { topic: 'orders', partition: 0, offset: '950' },
    ]);
    expect(progress).toMatchObject({
      complete: true,
      partitionsCommitted: 3,
      redeliveredRecords: 0,
      replayAheadRecords: 150,
    });
    // The group before the replayed range will read it: 150 duplicates ahead of it, forced by the replay, reported
    expect(progress.committed).toContainEqual(expect.objectContaining({ groupId: 'before-replay', replayAhead: 150 }));
  });

  it('starts a fresh group at the first record at or after its timestamp and counts what it reads again', async () => {
    // Prepare: the group consumed source 0–799 (committed 800); it starts fresh from source record 700's time
    const w = await replayedWorld([...range(0, 599), ...range(450, 999)]);
    w.source.commit('reporting', 'orders', 0, 800);
    const request: CommitConsumerOffsetsRequest = {
      ...w.request,
      consumerGroups: { include: ['nothing-else'], exclude: [] },
      recovery: {
        freshGroups: [
          {
            groupId: 'reporting',
            startAt: new Date(1_000_000 + 700 * 1_000).toISOString(),
            acceptedBy: 'reporting-team@example.com',
          },
        ],
      },
    };
    // Act
    const progress = await commitConsumerOffsets(request, w.deps);
    // Assess: source 700 is at target 850; the translation would have been 950: 100 records read again
    expect(await w.target.fetchCommittedOffsets('reporting')).toEqual([
      { topic: 'orders', partition: 0, offset: '850' },
    ]);
    expect(progress.committed).toEqual([
      expect.objectContaining({ groupId: 'reporting', status: 'FRESH', partitions: 1, redelivered: 100 }),
    ]);
    expect(progress.redeliveredRecords).toBe(100);
  });
});
