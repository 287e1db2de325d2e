import type { CommittedOffset, PartitionOffsets } from '../../lambdas/ports/kafka';
import { DrainCheck, partitionsBehind, type EndOffsetReads } from '../../rehearsal/workload/drain-to-end';

const GROUP = { groupId: 'orders-consumers', topic: 'orders' };

/** Lets every pending promise of the fake (no timers) settle. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A cluster's admin connection as the drain check sees it: end offsets it can move, requests and opens counted. */
class FakeCluster {
  ends: PartitionOffsets[] = [];
  committed: CommittedOffset[] = [];
  opened = 0;
  closed = 0;
  readonly requests: string[] = [];
  /** Called after each end-offsets read, before it answers (a record the consumer reads while the request is out). */
  onEnds: (() => void) | undefined;

  open = (): EndOffsetReads => {
    this.opened++;
    return {
      fetchTopicOffsets: async (topic) => {
        this.requests.push(`ListOffsets ${topic}`);
        const ends = this.ends.map((e) => ({ ...e }));
        this.onEnds?.();
        return ends;
      },
      fetchCommittedOffsets: async (groupId) => {
        this.requests.push(`OffsetFetch ${groupId}`);
        return this.committed;
      },
      close: async () => {
        this.closed++;
      },
    };
  };

  endsAt(...highs: number[]): void {
    this.ends = highs.map((high, partition) => ({ partition, low: '0', high: String(high) }));
  }
}

describe('the workload consumer drain check', () => {
  let cluster: FakeCluster;
  let positions: Map<number, bigint>;

  beforeEach(() => {
    cluster = new FakeCluster();
    positions = new Map();
  });

  it('opens one admin connection for all its looks and closes it once', async () => {
    // Prepare
    cluster.endsAt(10, 5);
    positions.set(0, 10n).set(1, 4n);
    const check = new DrainCheck(cluster.open, GROUP, positions);

    // Act
    const first = await check.caughtUp();
    positions.set(1, 5n);
    const second = await check.caughtUp();
    const third = await check.caughtUp();
    await check.close();

    // Assess
    expect([first, second, third]).toEqual([false, true, true]);
    expect(cluster.opened).toBe(1);
    expect(cluster.closed).toBe(1);
    expect(check.looks).toBe(3);
  });

  it('opens its connection when warmed, and the look on a notice uses it', async () => {
    // Prepare
    cluster.endsAt(2);
    positions.set(0, 2n);
    const check = new DrainCheck(cluster.open, GROUP, positions);

    // Act
    check.warm();
    await settle();
    const drained = await check.drain({ timeoutMs: 10_000, pollMs: 20 });

    // Assess
    expect(drained).toBe(true);
    expect(cluster.opened).toBe(1);
    expect(cluster.requests).toEqual(['ListOffsets orders', 'ListOffsets orders']);
  });

  it('refuses to look once closed, without opening a connection again', async () => {
    // Prepare
    cluster.endsAt(1);
    const check = new DrainCheck(cluster.open, GROUP, positions);
    await check.caughtUp();
    await check.close();

    // Act
    const after = check.caughtUp();

    // Assess
    await expect(after).rejects.toThrow('The drain check of group orders-consumers is closed.');
    expect(cluster.opened).toBe(1);
  });

  it('asks no committed offsets when the consumer has a position on every partition', async () => {
    // Prepare
    cluster.endsAt(3, 3, 3);
    positions.set(0, 3n).set(1, 3n).set(2, 2n);

    // Act
    const behind = await partitionsBehind(cluster.open(), GROUP, positions);

    // Assess
    expect([...behind]).toEqual([[2, 3n]]);
    expect(cluster.requests).toEqual(['ListOffsets orders']);
  });

  it("takes the group's committed offset, else the log start, where the consumer has read nothing", async () => {
    // Prepare
    cluster.ends = [
      { partition: 0, low: '0', high: '4' },
      { partition: 1, low: '0', high: '7' },
      { partition: 2, low: '6', high: '6' },
      { partition: 3, low: '2', high: '9' },
    ];
    cluster.committed = [
      { topic: 'orders', partition: 1, offset: '7' },
      { topic: 'orders', partition: 3, offset: '-1' },
    ];
    positions.set(0, 4n);

    // Act
    const behind = await partitionsBehind(cluster.open(), GROUP, positions);

    // Assess
    expect([...behind]).toEqual([[3, 9n]]);
    expect(cluster.requests).toEqual(['ListOffsets orders', 'OffsetFetch orders-consumers']);
  });

  it('compares the end offsets with the positions the consumer has once they are read', async () => {
    // Prepare: the consumer reads the last record while the end offsets are asked.
    cluster.endsAt(8);
    positions.set(0, 7n);
    cluster.onEnds = () => positions.set(0, 8n);

    // Act
    const behind = await partitionsBehind(cluster.open(), GROUP, positions);

    // Assess
    expect(behind.size).toBe(0);
  });

  it('asks the cluster again only when the consumer has reached the end offsets of its last look', async () => {
    // Prepare
    cluster.endsAt(10, 5);
    positions.set(0, 6n).set(1, 5n);
    const check = new DrainCheck(cluster.open, GROUP, positions);

    // Act: the consumer reads partition 0 one record at a time after the first look.
    const drained = check.drain({ timeoutMs: 10_000, pollMs: 20 });
    for (let next = 7n; next <= 10n; next++) {
      await settle();
      positions.set(0, next);
      check.advanced();
    }

    // Assess: one look at the notice, one that finds the end offsets unmoved; none in between.
    await expect(drained).resolves.toBe(true);
    expect(cluster.requests).toEqual(['ListOffsets orders', 'ListOffsets orders']);
    expect(cluster.opened).toBe(1);
  });

  it('does not leave on end offsets that moved while it read up to those of its first look', async () => {
    // Prepare: a record written after the first look (a producer that had not seen the fence yet).
    cluster.endsAt(4);
    positions.set(0, 3n);
    const check = new DrainCheck(cluster.open, GROUP, positions);
    let settled = false;

    // Act
    const drained = check.drain({ timeoutMs: 10_000, pollMs: 20 }).finally(() => (settled = true));
    await settle();
    cluster.endsAt(5);
    positions.set(0, 4n);
    check.advanced();
    await settle();
    const leftAtFirstEnd = settled;
    positions.set(0, 5n);
    check.advanced();

    // Assess
    await expect(drained).resolves.toBe(true);
    expect(leftAtFirstEnd).toBe(false);
    expect(check.looks).toBe(3);
  });

  it('gives up at its bound when the consumer does not reach the end offsets, looking once', async () => {
    // Prepare
    cluster.endsAt(10);
    positions.set(0, 2n);
    const check = new DrainCheck(cluster.open, GROUP, positions);

    // Act
    const drained = await check.drain({ timeoutMs: 60, pollMs: 20 });

    // Assess
    expect(drained).toBe(false);
    expect(cluster.requests).toEqual(['ListOffsets orders']);
  });

  it('looks again after a failed look, within its bound', async () => {
    // Prepare
    cluster.endsAt(3);
    positions.set(0, 3n);
    let failures = 1;
    const open = cluster.open;
    const check = new DrainCheck(
      () => {
        const reads = open();
        return {
          ...reads,
          fetchTopicOffsets: async (topic) => {
            if (failures-- > 0) throw new Error('NOT_LEADER_OR_FOLLOWER');
            return reads.fetchTopicOffsets(topic);
          },
        };
      },
      GROUP,
      positions,
    );

    // Act
    const drained = await check.drain({ timeoutMs: 10_000, pollMs: 5 });

    // Assess
    expect(drained).toBe(true);
    expect(check.looks).toBe(2);
    expect(cluster.opened).toBe(1);
  });

  it('stops draining when the consumer closes its check', async () => {
    // Prepare
    cluster.endsAt(10);
    positions.set(0, 2n);
    const check = new DrainCheck(cluster.open, GROUP, positions);

    // Act
    const drained = check.drain({ timeoutMs: 10_000, pollMs: 20 });
    await settle();
    await check.close();

    // Assess
    await expect(drained).resolves.toBe(false);
    expect(cluster.closed).toBe(1);
  });
});
