import { settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import type { PartitionTail } from '../../lambdas/core/cutover/check-drain';
import type { OffsetTranslation } from '../../lambdas/core/cutover/commit-consumer-offsets';
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

  it("translates a group that read to the source's end from the drain's comparison of the last records", async () => {
    // Prepare: billing read both partitions to their end (offset 5); ledger is part-way through partition 0
    const w = await cutoverWorld();
    await w.fence();
    w.clock.advance(settleSecondsOf(w.plan));
    const drain = await w.drain();
    const reads: Array<{ partition: number; fromOffset: string }> = [];
    const read = w.source.readPartition.bind(w.source);
    w.source.readPartition = async (args) => {
      reads.push({ partition: args.partition, fromOffset: args.fromOffset });
      return read(args);
    };
    // Act
    const progress = await w.offsets();
    // Assess: billing's pairs carry the drain's proof (the last record by digest on both sides), and only the commit's
    // check read partition 1 (the record before the offset), not a translation's search window
    const tails = (await w.artifacts.getJson<{ partitions: PartitionTail[] }>(drain.evidenceKey))?.partitions ?? [];
    const evidence = await w.artifacts.getJson<{
      groups: Array<{ groupId: string; translations: OffsetTranslation[] }>;
    }>(progress.evidenceKey as string);
    const billing = evidence?.groups.find((g) => g.groupId === 'billing')?.translations ?? [];
    expect(billing).toHaveLength(2);
    for (const x of billing) {
      const last = tails.find((t) => t.partition === x.partition)?.last;
      expect(x).toMatchObject({
        sourceOffset: '5',
        targetOffset: '5',
        proof: {
          relation: 'after',
          sourceRecord: last?.sourceOffset,
          targetRecord: last?.targetOffset,
          digest: last?.digest,
        },
      });
    }
    expect(reads.filter((r) => r.partition === 1).every((r) => r.fromOffset === '4')).toBe(true);
    // ledger's offset is mid-partition: translated by reading, as before
    expect(await w.target.fetchCommittedOffsets('ledger', [TOPIC])).toContainEqual({
      topic: TOPIC,
      partition: 0,
      offset: '2',
    });
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
