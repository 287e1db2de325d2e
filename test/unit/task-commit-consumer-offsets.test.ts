import { settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import { TOPIC, cutoverWorld } from './task-cutover-world';

describe('CommitConsumerOffsets task', () => {
  it('answers complete: false while a group still has members on the source, and commits nothing', async () => {
    // Prepare
    const w = await cutoverWorld();
    w.source.activeMembers.set('ledger', 1);
    await w.fence();
    await w.drain();
    w.clock.advance(settleSecondsOf(w.plan));
    await w.drain();
    // Act
    const progress = await w.offsets();
    // Assess
    expect(progress).toMatchObject({ complete: false, waitingForGroups: ['ledger'], partitionsCommitted: 0 });
    expect(w.target.committed.size).toBe(0);
  });

  it("commits each group's offsets on the target at the same records once the groups have left the source", async () => {
    const w = await cutoverWorld();

    const progress = await w.throughOffsets();

    expect(progress).toMatchObject({ complete: true, groups: 2, partitionsCommitted: 3 });
    // Kafka answers -1 for a partition the group has no offset on (the ledger group read partition 0 only).
    expect(await w.target.fetchCommittedOffsets('ledger', [TOPIC])).toEqual([
      { topic: TOPIC, partition: 0, offset: '2' },
      { topic: TOPIC, partition: 1, offset: '-1' },
    ]);
  });

  it('returns the journaled result on a retry without committing again', async () => {
    // Prepare
    const w = await cutoverWorld();
    const first = await w.throughOffsets();
    let commits = 0;
    const commit = w.target.setCommittedOffsets.bind(w.target);
    w.target.setCommittedOffsets = async (...args) => {
      commits++;
      return commit(...args);
    };
    w.clock.advance(30);
    // Act
    const again = await w.offsets();
    // Assess
    expect(again).toEqual(first);
    expect(commits).toBe(0);
  });
});
