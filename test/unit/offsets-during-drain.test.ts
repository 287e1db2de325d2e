import { settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import type { CommittedOffset } from '../../lambdas/ports/kafka';
import type { Pacer } from '../../lambdas/ports/pacer';
import { runCommitConsumerOffsets, runOffsetsDuringDrain } from '../../lambdas/tasks/commit-consumer-offsets/task';
import { runCutover } from '../../lambdas/tasks/cutover/task';
import { TOPIC, cutoverWorld, type CutoverWorld } from './task-cutover-world';
import { replicate } from './validation-fake-kafka';

/**
 * The consumer offsets while the drain looks (core/cutover/offsets-during-drain.ts): committed and read back once the
 * groups left the source, then after the drain accepted only if nothing they rest on changed; the one-invocation
 * Cutover runs the pass beside the drain and never returns while it commits.
 */

const ports = (w: CutoverWorld) => ({ artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target });
const notStopped = { stopped: () => false };

async function duringDrain(w: CutoverWorld) {
  return runOffsetsDuringDrain({ state: w.state }, { ...ports(w), ...notStopped });
}

/** The drain's passing look: one at the fence, one when the settle elapsed. */
async function drained(w: CutoverWorld): Promise<void> {
  await w.drain();
  w.clock.advance(settleSecondsOf(w.plan));
  const d = await w.drain();
  if (!d.drained) throw new Error(`not drained: ${d.reasons.join(' ')}`);
}

function countReads(w: CutoverWorld): { count: number } {
  const reads = { count: 0 };
  for (const cluster of [w.source, w.target]) {
    const read = cluster.readPartition.bind(cluster);
    cluster.readPartition = async (args) => {
      reads.count++;
      return read(args);
    };
  }
  return reads;
}

const committedOn = async (w: CutoverWorld, group: string): Promise<CommittedOffset[]> =>
  (await w.target.fetchCommittedOffsets(group, [TOPIC])).filter((c) => c.offset !== '-1');

describe('consumer offsets during the drain', () => {
  it('commits and reads back every group once the groups left the source, before the drain passed', async () => {
    // Prepare
    const w = await cutoverWorld();
    await w.fence();
    // Act
    const look = await duringDrain(w);
    // Assess: committed on the target at the records the source's offsets point at, the drain not even looked
    expect(look.status).toBe('COMMITTED');
    expect(w.state.cutover?.drain).toBeUndefined();
    expect(await committedOn(w, 'billing')).toEqual([
      { topic: TOPIC, partition: 0, offset: '5' },
      { topic: TOPIC, partition: 1, offset: '5' },
    ]);
    expect(await committedOn(w, 'ledger')).toEqual([{ topic: TOPIC, partition: 0, offset: '2' }]);
    // the intent is journaled before the first commit, as CommitConsumerOffsets does (the rollback reads it)
    expect(w.artifacts.objects.has(`migrations/${w.state.input.migrationId}/exec-1/cutover/journal/offsets.json`)).toBe(
      true,
    );
  });

  it('after the drain, accepts them without reading a record again and journals the result', async () => {
    // Prepare
    const w = await cutoverWorld();
    await w.fence();
    const look = await duringDrain(w);
    if (look.status !== 'COMMITTED') throw new Error(look.reason);
    await drained(w);
    const reads = countReads(w);
    // Act
    const progress = await runCommitConsumerOffsets({ state: w.state, duringDrain: look.result }, ports(w));
    // Assess
    expect(progress).toMatchObject({ complete: true, groups: 2, partitionsCommitted: 3, committedDuringDrain: 3 });
    expect(reads.count).toBe(0);
    // a retry returns the journaled record
    const again = await runCommitConsumerOffsets({ state: w.state }, ports(w));
    expect(again).toEqual(progress);
  });

  it("translates a group at a partition's end from the drain's latest look, without searching the target", async () => {
    // Prepare: the same pass twice, with and without the drain's look that compared the last records
    const reads: number[] = [];
    for (const withLook of [false, true]) {
      const w = await cutoverWorld();
      await w.fence();
      const look = await w.drain();
      const counted = countReads(w);
      // Act
      const out = await runOffsetsDuringDrain(
        { state: w.state },
        { ...ports(w), ...notStopped, ...(withLook ? { drainLook: () => look } : {}) },
      );
      // Assess: committed at the same offsets either way
      expect(out.status).toBe('COMMITTED');
      expect(await committedOn(w, 'billing')).toEqual([
        { topic: TOPIC, partition: 0, offset: '5' },
        { topic: TOPIC, partition: 1, offset: '5' },
      ]);
      reads.push(counted.count);
    }
    // billing read both partitions to their end: its two translations need no reads with the look
    expect(reads[1]).toBeLessThan(reads[0] as number);
  });

  it('waits while a group still has members on the source, and commits nothing', async () => {
    const w = await cutoverWorld();
    w.source.activeMembers.set('ledger', 1);
    await w.fence();

    const look = await duringDrain(w);

    expect(look).toMatchObject({ status: 'WAITING', reason: expect.stringContaining('ledger') });
    expect(w.target.committed.size).toBe(0);
  });

  it("waits while a group's last record is not on the target yet, then commits once it is copied", async () => {
    // Prepare: billing read a record the replication has not copied yet
    const w = await cutoverWorld();
    w.source.append(TOPIC, 0, [{ key: 'k10', value: 'order-10' }]);
    w.source.commit('billing', TOPIC, 0, 6);
    await w.fence();
    // Act
    const first = await duringDrain(w);
    replicate(w.source, w.target, [TOPIC]);
    const second = await duringDrain(w);
    // Assess
    expect(first).toMatchObject({ status: 'WAITING', reason: expect.stringContaining('not copied yet') });
    expect(second.status).toBe('COMMITTED');
    expect(await committedOn(w, 'billing')).toContainEqual({ topic: TOPIC, partition: 0, offset: '6' });
  });

  it("translates again after the drain when a group's committed offset moved since", async () => {
    // Prepare: ledger's offset moves after the pass (a consumer that read on while its group was empty)
    const w = await cutoverWorld();
    await w.fence();
    const look = await duringDrain(w);
    if (look.status !== 'COMMITTED') throw new Error(look.reason);
    w.source.commit('ledger', TOPIC, 0, 3);
    await drained(w);
    // Act
    const progress = await runCommitConsumerOffsets({ state: w.state, duringDrain: look.result }, ports(w));
    // Assess
    expect(progress).toMatchObject({ complete: true, partitionsCommitted: 3 });
    expect(progress).not.toHaveProperty('committedDuringDrain');
    expect(await committedOn(w, 'ledger')).toEqual([{ topic: TOPIC, partition: 0, offset: '3' }]);
  });

  it('translates again after the drain when a replayed range on the target changed the shift since', async () => {
    // Prepare: after the pass, the replication replays billing's last two records of partition 0 on the target,
    // then copies a late write: the drain passes (same last records), with the partition shifted by two
    const w = await cutoverWorld();
    await w.fence();
    const look = await duringDrain(w);
    if (look.status !== 'COMMITTED') throw new Error(look.reason);
    const log = w.target.log(TOPIC, 0);
    log.records.push(...log.records.slice(-2).map((r) => ({ ...r, headers: { ...r.headers } })));
    w.source.append(TOPIC, 0, [{ key: 'late', value: 'late write' }]);
    const late = w.source.log(TOPIC, 0).records.at(-1);
    if (late) log.records.push({ ...late, headers: { ...late.headers } });
    await drained(w);
    // Act
    const progress = await runCommitConsumerOffsets({ state: w.state, duringDrain: look.result }, ports(w));
    // Assess: billing resumes after the replayed copy of its last record (7), not before the replay (5)
    expect(progress).not.toHaveProperty('committedDuringDrain');
    expect(await committedOn(w, 'billing')).toContainEqual({ topic: TOPIC, partition: 0, offset: '7' });
  });
});

describe('the one-invocation Cutover with the offsets beside the drain', () => {
  /** A pacer whose sleep moves the world's clock, a turn of the event loop later. */
  const pacerOf = (w: CutoverWorld): Pacer => ({
    everyMs: 250,
    budgetMs: 60_000,
    sleep: (ms) =>
      new Promise((resolve) =>
        setImmediate(() => {
          w.clock.advance(ms / 1000);
          resolve();
        }),
      ),
  });
  const deps = (w: CutoverWorld) => ({ ...ports(w), pointer: w.pointer, pacer: pacerOf(w) });

  it('commits the offsets before the drain passes, and switches with them checked after it', async () => {
    // Prepare
    const w = await cutoverWorld();
    const commitsAt: number[] = [];
    const commit = w.target.setCommittedOffsets.bind(w.target);
    w.target.setCommittedOffsets = async (group, offsets) => {
      commitsAt.push(w.clock.now().getTime());
      return commit(group, offsets);
    };
    // Act
    const out = await runCutover({ state: w.state }, deps(w));
    // Assess
    expect(out.oneInvocation).toMatchObject({ reached: 'SWITCHED', offsetsDuringDrain: { status: 'COMMITTED' } });
    expect(out.offsets).toMatchObject({ complete: true, committedDuringDrain: 3 });
    expect(commitsAt.length).toBeGreaterThan(0);
    for (const at of commitsAt) expect(at).toBeLessThan(Date.parse(out.drain?.checkedAt ?? ''));
    expect(out.switch?.producers.value).toBe(w.state.input.cutover.targetValue ?? 't-1:9098,t-2:9098');
  });

  it('does not return while the offsets are being committed, even when the drain fails meanwhile', async () => {
    // Prepare: the commit waits on a gate; once it started, the drain's next look cannot reach the target
    const w = await cutoverWorld();
    let commitStarted = false;
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const commit = w.target.setCommittedOffsets.bind(w.target);
    w.target.setCommittedOffsets = async (group, offsets) => {
      commitStarted = true;
      await gate;
      return commit(group, offsets);
    };
    const listTopics = w.target.listTopics.bind(w.target);
    w.target.listTopics = async () => {
      if (commitStarted) throw new Error('the target is unreachable');
      return listTopics();
    };
    // A look after one that found every topic on the target reads its ends without listing them first
    const fetchTopicOffsets = w.target.fetchTopicOffsets.bind(w.target);
    w.target.fetchTopicOffsets = async (topic) => {
      if (commitStarted) throw new Error('the target is unreachable');
      return fetchTopicOffsets(topic);
    };
    // Act
    let settled = false;
    const run = runCutover({ state: w.state }, deps(w)).finally(() => {
      settled = true;
    });
    for (let i = 0; i < 1_000 && !commitStarted; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    const settledWhileCommitting = settled;
    open();
    // Assess: the drain's error, but only once the commit under way had finished
    await expect(run).rejects.toThrow('the target is unreachable');
    expect(commitStarted).toBe(true);
    expect(settledWhileCommitting).toBe(false);
  });
});
