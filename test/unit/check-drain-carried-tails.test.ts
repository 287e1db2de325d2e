import {
  DrainLookMemory,
  checkDrain,
  type CheckDrainRequest,
  type DrainProgress,
  type PartitionTail,
} from '../../lambdas/core/cutover/check-drain';
import { fenceProducers, type FenceRecord } from '../../lambdas/core/cutover/fence-producers';
import { readEndOffsets } from '../../lambdas/core/cutover/model';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import type { KafkaDataPlane } from '../../lambdas/ports/kafka';
import { MemorySwitch, manualClock } from './cutover-fakes';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';

/**
 * CheckDrain carries a partition's tail comparison over from the previous look when both of its ends are unchanged
 * (offsets are immutable: same ends, same last records), lists the target's topics only when the previous look did not
 * find them all, and writes its two artifacts at once: the look at the settle's end, inside the producers' pause,
 * costs fewer sequential round trips.
 */

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const topics = ['orders'];

/** What a look asked each cluster and the artifact store, by method. */
class Calls {
  readonly log: Array<{ who: string; method: string; partition?: number }> = [];
  count(who: string, method: string): number {
    return this.log.filter((c) => c.who === who && c.method === method).length;
  }
  partitionsRead(who: string): number[] {
    return this.log.filter((c) => c.who === who && c.method === 'readPartition').map((c) => c.partition as number);
  }
  reset(): void {
    this.log.length = 0;
  }
}

const TRACKED = new Set(['listTopics', 'fetchTopicOffsets', 'readPartition', 'putJson', 'getJson']);

/** `target` with each tracked call logged and, with `delayMs`, answered that much later (one network round trip). */
function tracked<T extends object>(who: string, target: T, calls: Calls, delayMs = 0): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      const value: unknown = Reflect.get(t, property, receiver);
      if (typeof value !== 'function') return value;
      const method = String(property);
      if (!TRACKED.has(method)) return value.bind(t);
      return async (...args: unknown[]) => {
        const partition = (args[0] as { partition?: number } | undefined)?.partition;
        calls.log.push({ who, method, ...(method === 'readPartition' ? { partition } : {}) });
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

function world(options: { delayMs?: number } = {}) {
  const source = new FakeKafka().addTopic('orders', 2);
  const target = new FakeKafka();
  for (let i = 0; i < 6; i++) source.append('orders', i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
  replicate(source, target, ['orders']);
  const clock = manualClock();
  const artifacts = new MemoryArtifacts();
  const producers = new MemorySwitch('memory:producers', { value: 'source:9092' });
  const calls = new Calls();
  const deps = {
    source: tracked<KafkaDataPlane>('source', source, calls, options.delayMs),
    target: tracked<KafkaDataPlane>('target', target, calls, options.delayMs),
    artifacts: tracked<ArtifactStore>('artifacts', artifacts, calls, options.delayMs),
    now: clock.now,
  };
  return { source, target, clock, artifacts, calls, deps, producers };
}
type World = ReturnType<typeof world>;

async function fence(w: World): Promise<FenceRecord> {
  return fenceProducers(
    { identity, topics },
    { source: w.source, artifacts: w.artifacts, producers: w.producers, now: w.clock.now },
  );
}

function request(f: FenceRecord, previous?: DrainProgress): CheckDrainRequest {
  return { identity, topics, fence: f, settleSeconds: 2, noticeSeconds: 1, ...(previous ? { previous } : {}) };
}

async function evidence(w: World, progress: DrainProgress) {
  return w.artifacts.getJson<{ partitions: PartitionTail[]; tailsCarriedOver?: { partitions: number; from: string } }>(
    progress.evidenceKey,
  );
}

describe('checkDrain carries the tails over when nothing moved', () => {
  it('reads no records and lists no topics when both ends of every partition are unchanged, naming the poll compared', async () => {
    // Prepare: a first look that compares both partitions
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    w.clock.advance(0.5);
    const first = await checkDrain(request(f), w.deps, memory);
    w.calls.reset();
    w.clock.advance(1.5);
    // Act
    const settled = await checkDrain(request(f, first), w.deps, memory);
    // Assess
    expect(first).toMatchObject({ drained: false, partitionsDrained: 2, partitionsOnTarget: 2 });
    expect(settled).toMatchObject({ drained: true, polls: 2, partitionsDrained: 2, offsetLag: 0 });
    expect(w.calls.partitionsRead('source')).toEqual([]);
    expect(w.calls.partitionsRead('target')).toEqual([]);
    expect(w.calls.count('target', 'listTopics')).toBe(0);
    expect(w.calls.count('artifacts', 'getJson')).toBe(0);
    const firstTails = (await evidence(w, first))?.partitions ?? [];
    expect(await evidence(w, settled)).toMatchObject({
      tailsCarriedOver: { partitions: 2, from: first.evidenceKey },
      partitions: firstTails.map((t) => ({ ...t, comparedAt: 'poll-0001' })),
    });
    expect(firstTails[0]).toMatchObject({ drained: true, delta: '0', last: { sourceOffset: '2', targetOffset: '2' } });
  });

  it("hands a drained look's records to the caller unwritten, and writes a look that did not pass itself", async () => {
    // Prepare: the caller takes the drained look's records (the one-invocation Cutover)
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const handed: Array<() => Promise<unknown>> = [];
    const defer = (write: () => Promise<unknown>): void => {
      handed.push(write);
    };
    const first = await checkDrain(request(f), w.deps, memory, defer);
    w.clock.advance(2);
    w.calls.reset();
    // Act
    const settled = await checkDrain(request(f, first), w.deps, memory, defer);
    const writtenBefore = w.calls.count('artifacts', 'putJson');
    await handed[0]?.();
    await handed[0]?.();
    // Assess: the first look (not drained) wrote its own; the drained look's two writes wait for the caller, once
    expect(first.drained).toBe(false);
    expect(await evidence(w, first)).toBeDefined();
    expect(settled.drained).toBe(true);
    expect(handed).toHaveLength(1);
    expect(writtenBefore).toBe(0);
    expect(w.calls.count('artifacts', 'putJson')).toBe(2);
    expect(await evidence(w, settled)).toMatchObject({ drained: true });
    expect(await w.artifacts.getJson(settled.sourceEnds.key)).toMatchObject({ partitions: expect.any(Array) });
  });

  it('keeps naming the poll that read the records when a comparison is carried over twice', async () => {
    // Prepare
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain(request(f), w.deps, memory);
    w.clock.advance(0.5);
    const second = await checkDrain(request(f, first), w.deps, memory);
    w.clock.advance(1.5);
    // Act
    const third = await checkDrain(request(f, second), w.deps, memory);
    // Assess
    expect(third).toMatchObject({ drained: true, polls: 3 });
    expect((await evidence(w, third))?.partitions.map((t) => t.comparedAt)).toEqual(['poll-0001', 'poll-0001']);
  });

  it('across invocations reads the previous look’s evidence once instead of the records', async () => {
    // Prepare: no memory, as between two CheckDrain states
    const w = world();
    const f = await fence(w);
    const first = await checkDrain(request(f), w.deps);
    w.calls.reset();
    w.clock.advance(2);
    // Act
    const settled = await checkDrain(request(f, first), w.deps);
    // Assess
    expect(settled).toMatchObject({ drained: true });
    expect(w.calls.partitionsRead('source')).toEqual([]);
    expect(w.calls.partitionsRead('target')).toEqual([]);
    expect(w.calls.count('artifacts', 'getJson')).toBe(1);
    expect(w.calls.count('target', 'listTopics')).toBe(0);
    expect((await evidence(w, settled))?.partitions.map((t) => t.comparedAt)).toEqual(['poll-0001', 'poll-0001']);
  });

  it('across invocations does not read the previous evidence when the source moved, and compares afresh', async () => {
    // Prepare: a late write (before the clients' notice), copied
    const w = world();
    const f = await fence(w);
    const first = await checkDrain(request(f), w.deps);
    w.source.append('orders', 0, [{ key: 'late', value: 'late order' }]);
    replicate(w.source, w.target, topics);
    w.calls.reset();
    w.clock.advance(0.5);
    // Act
    const next = await checkDrain(request(f, first), w.deps);
    // Assess
    expect(next).toMatchObject({ drained: false, sourceStable: false, partitionsDrained: 2 });
    expect(w.calls.count('artifacts', 'getJson')).toBe(0);
    expect(w.calls.partitionsRead('source').sort()).toEqual([0, 1]);
    expect((await evidence(w, next))?.partitions.map((t) => t.comparedAt)).toEqual([undefined, undefined]);
  });

  it('compares only the partition that moved, and carries the other over', async () => {
    // Prepare: a late write to orders-1 before the clients' notice, copied
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain(request(f), w.deps, memory);
    w.source.append('orders', 1, [{ key: 'late', value: 'late order' }]);
    replicate(w.source, w.target, topics);
    w.calls.reset();
    w.clock.advance(0.5);
    // Act
    const next = await checkDrain(request(f, first), w.deps, memory);
    // Assess: the late write is seen (not still yet); orders-1 compared, orders-0 carried over
    expect(next).toMatchObject({ drained: false, sourceStable: false, recordsAfterFence: '1', partitionsDrained: 2 });
    expect(next.reasons[0]).toMatch(/moved since the last check \(1 record\(s\) written after the fence\)/);
    expect(w.calls.partitionsRead('source')).toEqual([1]);
    expect(w.calls.partitionsRead('target')).toEqual([1]);
    expect((await evidence(w, next))?.partitions).toMatchObject([
      { partition: 0, comparedAt: 'poll-0001' },
      { partition: 1, drained: true, sourceEnd: '4', targetEnd: '4', last: { sourceOffset: '3' } },
    ]);
    expect((await evidence(w, next))?.partitions[1]).not.toHaveProperty('comparedAt');
  });

  it('compares again a partition whose target end changed while its source end did not', async () => {
    // Prepare: something writes to the target during the fence
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain(request(f), w.deps, memory);
    w.target.append('orders', 0, [{ key: 'stray', value: 'written to the target' }]);
    w.calls.reset();
    w.clock.advance(2);
    // Act
    const next = await checkDrain(request(f, first), w.deps, memory);
    // Assess: the source still, the settle elapsed, but orders-0 is not drained any more
    expect(next).toMatchObject({ drained: false, sourceStable: true, partitionsDrained: 1 });
    expect(next.reasons.join(' ')).toMatch(/orders-0: the target holds records after the source's last record/);
    expect(w.calls.partitionsRead('source')).toEqual([0]);
    expect(w.calls.partitionsRead('target')).toEqual([0]);
  });

  it('reads the source’s ends again, after the target’s, before it compares a partition afresh', async () => {
    // Prepare: the target catches up between two looks (the source unchanged)
    const w = world();
    const f = await fence(w);
    w.source.append('orders', 1, [{ key: 'late', value: 'late order' }]);
    const memory = new DrainLookMemory();
    w.clock.advance(0.5);
    const first = await checkDrain(request(f), w.deps, memory);
    replicate(w.source, w.target, topics);
    w.calls.reset();
    w.clock.advance(1.5);
    // Act
    const settled = await checkDrain(request(f, first), w.deps, memory);
    // Assess: both ends at once, then the source's once more before the fresh comparison
    expect(first).toMatchObject({ drained: false, partitionsDrained: 1 });
    expect(settled).toMatchObject({ drained: true, partitionsDrained: 2 });
    const ends = w.calls.log.filter((c) => c.method === 'fetchTopicOffsets').map((c) => c.who);
    expect(ends).toEqual(['target', 'source', 'source']);
    expect(w.calls.partitionsRead('source')).toEqual([1]);
  });

  it('reads the source’s ends once when the partitions not carried over hold no records', async () => {
    // Prepare: a third partition no producer ever wrote to
    const w = world();
    w.source.addTopic('orders', 3);
    for (let i = 0; i < 6; i++) w.source.append('orders', i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
    w.target.topics.delete('orders');
    replicate(w.source, w.target, topics);
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain(request(f), w.deps, memory);
    w.calls.reset();
    w.clock.advance(2);
    // Act
    const settled = await checkDrain(request(f, first), w.deps, memory);
    // Assess
    expect(settled).toMatchObject({ drained: true, partitions: 3, partitionsDrained: 3 });
    expect(w.calls.log.filter((c) => c.method === 'fetchTopicOffsets').map((c) => c.who)).toEqual(['target', 'source']);
    expect((await evidence(w, settled))?.partitions[2]).toMatchObject({ drained: true, detail: expect.any(String) });
  });

  it('does not turn a partition that was not drained into a drained one when it carries its comparison over', async () => {
    // Prepare: a record the replicator has not copied
    const w = world();
    w.source.append('orders', 1, [{ key: 'late', value: 'never copied' }]);
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain(request(f), w.deps, memory);
    w.calls.reset();
    w.clock.advance(2);
    // Act
    const next = await checkDrain(request(f, first), w.deps, memory);
    // Assess
    expect(next).toMatchObject({ drained: false, sourceStable: true, partitionsDrained: 1 });
    expect(next.reasons.join(' ')).toMatch(
      /orders-1: the source's last record \(offset 3\) is not at the target's tail/,
    );
    expect(w.calls.partitionsRead('source')).toEqual([]);
    expect((await evidence(w, next))?.partitions[1]).toMatchObject({
      drained: false,
      delta: null,
      comparedAt: 'poll-0001',
    });
  });

  it('compares afresh when the previous look compared with other settings', async () => {
    // Prepare
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain({ ...request(f), tailRecords: 1 }, w.deps, memory);
    w.calls.reset();
    w.clock.advance(2);
    // Act
    const next = await checkDrain(request(f, first), w.deps, memory);
    // Assess
    expect(next).toMatchObject({ drained: true });
    expect(w.calls.partitionsRead('source').sort()).toEqual([0, 1]);
  });

  it('lists the target’s topics again when the previous look did not find them all there', async () => {
    // Prepare: the target lacks the topic at the first look
    const w = world();
    w.target.topics.delete('orders');
    const f = await fence(w);
    const memory = new DrainLookMemory();
    const first = await checkDrain(request(f), w.deps, memory);
    replicate(w.source, w.target, topics);
    w.calls.reset();
    w.clock.advance(2);
    // Act
    const next = await checkDrain(request(f, first), w.deps, memory);
    // Assess
    expect(first).toMatchObject({ drained: false, partitionsOnTarget: 0 });
    expect(first.reasons.join(' ')).toMatch(/does not exist on the target yet/);
    expect(w.calls.count('target', 'listTopics')).toBe(1);
    expect(next).toMatchObject({ drained: true, partitionsOnTarget: 2 });
  });

  it('still refuses a writer that writes after a look taken once every client must have held', async () => {
    // Prepare: a look after the clients' notice, then a write to orders-1
    const w = world();
    const f = await fence(w);
    const memory = new DrainLookMemory();
    w.clock.advance(1);
    const afterNotice = await checkDrain(request(f), w.deps, memory);
    w.source.append('orders', 1, [{ key: 'rogue', value: 'x' }]);
    replicate(w.source, w.target, topics);
    w.clock.advance(0.5);
    // Act
    const next = checkDrain(request(f, afterNotice), w.deps, memory);
    // Assess
    await expect(next).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('orders-1 (+1 record(s)'),
    });
    expect(await w.artifacts.list('migrations/orders/exec-1/cutover/drain/source-ends-0002')).toHaveLength(1);
  });
});

describe('the passing look’s sequential round trips', () => {
  const ROUND_TRIP_MS = 10;

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** How many round trips one after the other `run` took: every tracked call answers ROUND_TRIP_MS later. */
  async function roundTrips<T>(run: () => Promise<T>): Promise<{ value: T; trips: number }> {
    const startedAt = Date.now();
    let endedAt: number | undefined;
    const running = run().finally(() => {
      endedAt = Date.now();
    });
    for (let i = 0; i < 100 && endedAt === undefined; i++) await jest.advanceTimersByTimeAsync(ROUND_TRIP_MS);
    const value = await running;
    return { value, trips: ((endedAt as number) - startedAt) / ROUND_TRIP_MS };
  }

  it('takes two within one invocation (ends at once, artifacts at once) where a first look takes five', async () => {
    // Prepare
    const w = world({ delayMs: ROUND_TRIP_MS });
    const f = await fence(w);
    const memory = new DrainLookMemory();
    // Act
    const first = await roundTrips(() => checkDrain(request(f), w.deps, memory));
    w.clock.advance(2);
    const settled = await roundTrips(() => checkDrain(request(f, first.value), w.deps, memory));
    // Assess: listTopics, target ends, source ends, the tails (with the snapshot put), the evidence; then two
    expect(settled.value).toMatchObject({ drained: true });
    expect(first.trips).toBe(5);
    expect(settled.trips).toBe(2);
  });

  it('reads the end offsets of several topics side by side, in topic and partition order', async () => {
    // Prepare
    const kafka = new FakeKafka().addTopic('payments', 1).addTopic('orders', 2).addTopic('audit', 1);
    kafka.append('orders', 1, [{ value: 'x' }]);
    const calls = new Calls();
    // Act
    const read = await roundTrips(() =>
      readEndOffsets(tracked<KafkaDataPlane>('source', kafka, calls, ROUND_TRIP_MS), ['payments', 'orders', 'audit']),
    );
    // Assess
    expect(read.trips).toBe(1);
    expect(read.value.map((e) => `${e.topic}-${e.partition}=${e.high}`)).toEqual([
      'audit-0=0',
      'orders-0=0',
      'orders-1=1',
      'payments-0=0',
    ]);
  });

  it('takes three across invocations: the previous evidence is one read', async () => {
    // Prepare
    const w = world({ delayMs: ROUND_TRIP_MS });
    const f = await fence(w);
    const first = await roundTrips(() => checkDrain(request(f), w.deps));
    w.clock.advance(2);
    // Act
    const settled = await roundTrips(() => checkDrain(request(f, first.value), w.deps));
    // Assess
    expect(settled.value).toMatchObject({ drained: true });
    expect(settled.trips).toBe(3);
  });
});
