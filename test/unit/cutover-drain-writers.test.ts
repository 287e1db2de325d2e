import { checkDrain } from '../../lambdas/core/cutover/check-drain';
import { fenceProducers } from '../../lambdas/core/cutover/fence-producers';
import type { PartitionProducers, ProducerActivity } from '../../lambdas/ports/producer-activity';
import { MemorySwitch, manualClock } from './cutover-fakes';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';

/** CheckDrain names a writer that keeps writing after the fence has settled, and fails the cutover. */

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const topics = ['orders'];

class FakeProducerActivity implements ProducerActivity {
  asked: Array<{ topic: string; partition: number }> = [];
  constructor(private readonly answer: PartitionProducers[]) {}
  async describeProducers(partitions: ReadonlyArray<{ topic: string; partition: number }>) {
    this.asked.push(...partitions);
    return this.answer;
  }
  async close(): Promise<void> {}
}

function world(producerActivity?: ProducerActivity) {
  const source = new FakeKafka().addTopic('orders', 2);
  const target = new FakeKafka();
  for (let i = 0; i < 4; i++) source.append('orders', i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
  replicate(source, target, ['orders']);
  const clock = manualClock();
  const artifacts = new MemoryArtifacts();
  const producers = new MemorySwitch('memory:producers', { value: 'source:9092' });
  return {
    source,
    target,
    clock,
    artifacts,
    deps: { source, target, artifacts, producers, now: clock.now, ...(producerActivity ? { producerActivity } : {}) },
  };
}

describe('checkDrain and writers no fence covers', () => {
  it('fails with Migration.CutoverFailed naming the topic, partition and producer ID that wrote after the fence had settled', async () => {
    // Prepare: a poll after the settle, then a write to orders-1
    const fencedAtMs = Date.parse('2026-11-20T10:00:00.000Z');
    const activity = new FakeProducerActivity([
      {
        topic: 'orders',
        partition: 1,
        producers: [
          { producerId: '4001', producerEpoch: 0, lastSequence: 9, lastTimestamp: fencedAtMs + 15_000 },
          { producerId: '17', producerEpoch: 2, lastSequence: 3, lastTimestamp: fencedAtMs - 60_000 },
        ],
      },
    ]);
    const w = world(activity);
    const fence = await fenceProducers({ identity, topics }, w.deps);
    w.clock.advance(10);
    const settled = await checkDrain({ identity, topics, fence, settleSeconds: 10 }, w.deps);
    w.source.append('orders', 1, [
      { key: 'rogue', value: 'x' },
      { key: 'rogue', value: 'y' },
    ]);
    w.clock.advance(5);
    // Act
    const drained = checkDrain({ identity, topics, fence, settleSeconds: 10, previous: settled }, w.deps);
    // Assess
    await expect(drained).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringMatching(
        /orders-1 \(\+2 record\(s\); producer ID 4001 epoch 0, last write 2026-11-20T10:00:15.000Z\)/,
      ),
      details: {
        writers: [
          {
            topic: 'orders',
            partition: 1,
            records: '2',
            producers: [{ producerId: '4001', producerEpoch: 0, lastWriteAt: '2026-11-20T10:00:15.000Z' }],
          },
        ],
      },
    });
    expect(activity.asked).toEqual([{ topic: 'orders', partition: 1 }]);
    expect(settled.drained).toBe(true);
  });

  it('names the partitions alone when no DescribeProducers is given (a non-idempotent writer leaves no producer ID)', async () => {
    const w = world();
    const fence = await fenceProducers({ identity, topics }, w.deps);
    w.clock.advance(10);
    const settled = await checkDrain({ identity, topics, fence, settleSeconds: 10 }, w.deps);
    w.source.append('orders', 0, [{ key: 'rogue', value: 'x' }]);
    w.clock.advance(5);

    await expect(
      checkDrain({ identity, topics, fence, settleSeconds: 10, previous: settled }, w.deps),
    ).rejects.toMatchObject({ message: expect.stringContaining('orders-0 (+1 record(s); no producer ID') });
  });

  it('still only waits for a write before the settle had passed: a producer that had not yet seen the fence', async () => {
    const w = world(new FakeProducerActivity([]));
    const fence = await fenceProducers({ identity, topics }, w.deps);
    w.clock.advance(3);
    const early = await checkDrain({ identity, topics, fence, settleSeconds: 10 }, w.deps);
    w.source.append('orders', 0, [{ key: 'late', value: 'x' }]);
    w.clock.advance(3);

    const next = await checkDrain({ identity, topics, fence, settleSeconds: 10, previous: early }, w.deps);

    expect(next).toMatchObject({ drained: false, sourceStable: false });
  });
  describe("with the clients' declared notice (a pointer fence)", () => {
    it('names a writer whose write the source shows after a look taken once every client must have held, before the settle', async () => {
      // Prepare: notice 3 s, settle 10 s; a look at 4 s, then a write
      const activity = new FakeProducerActivity([]);
      const w = world(activity);
      const fence = await fenceProducers({ identity, topics }, w.deps);
      w.clock.advance(4);
      const afterNotice = await checkDrain({ identity, topics, fence, settleSeconds: 10, noticeSeconds: 3 }, w.deps);
      w.source.append('orders', 1, [{ key: 'rogue', value: 'x' }]);
      w.clock.advance(1);
      // Act
      const next = checkDrain(
        { identity, topics, fence, settleSeconds: 10, noticeSeconds: 3, previous: afterNotice },
        w.deps,
      );
      // Assess
      await expect(next).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
        message: expect.stringContaining('every client that reads the pointer had held by 3 s'),
      });
      expect(activity.asked).toEqual([{ topic: 'orders', partition: 1 }]);
      expect(afterNotice.drained).toBe(false);
    });

    it('takes a write before the notice as a late one and passes at the settle after the fence, not after the write', async () => {
      // Prepare: a look at 1 s, a write (copied), a look at 4 s that sees it, then one at the settle's end (10 s)
      const w = world(new FakeProducerActivity([]));
      const fence = await fenceProducers({ identity, topics }, w.deps);
      w.clock.advance(1);
      const early = await checkDrain({ identity, topics, fence, settleSeconds: 10, noticeSeconds: 3 }, w.deps);
      w.source.append('orders', 0, [{ key: 'late', value: 'sent before the producer read the fence' }]);
      replicate(w.source, w.target, ['orders']);
      w.clock.advance(3);
      const sawIt = await checkDrain(
        { identity, topics, fence, settleSeconds: 10, noticeSeconds: 3, previous: early },
        w.deps,
      );
      w.clock.advance(6);
      // Act
      const settled = await checkDrain(
        { identity, topics, fence, settleSeconds: 10, noticeSeconds: 3, previous: sawIt },
        w.deps,
      );
      // Assess: 10 s after the fence, 6 s after the look that saw the write
      expect(sawIt).toMatchObject({ drained: false, sourceStable: false, recordsAfterFence: '1' });
      expect(settled).toMatchObject({ drained: true, sourceStable: true, recordsAfterFence: '1' });
    });
  });
});
