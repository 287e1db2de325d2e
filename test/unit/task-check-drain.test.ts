import { fenceNoticeSecondsOf, settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import { runCheckDrain } from '../../lambdas/tasks/check-drain/task';
import { TOPIC, cutoverWorld } from './task-cutover-world';
import { replicate } from './validation-fake-kafka';

describe('CheckDrain task', () => {
  it('reports drained: false until the source has held still for fenceSettleSeconds, then drained: true', async () => {
    // Prepare
    const w = await cutoverWorld();
    await w.fence();
    // Act
    const first = await w.drain();
    w.clock.advance(settleSecondsOf(w.plan));
    const second = await w.drain();
    // Assess
    expect(first).toMatchObject({ drained: false, polls: 1, partitionsDrained: 2 });
    expect(second).toMatchObject({ drained: true, polls: 2, partitions: 2, offsetLag: 0 });
  });

  it('looks again within one invocation with a pacer: once when every client must have held, then at the settle', async () => {
    // Prepare: a pacer whose sleep moves the world's clock
    const w = await cutoverWorld();
    const slept: number[] = [];
    const pacer = {
      everyMs: 250,
      budgetMs: 60_000,
      sleep: async (ms: number) => void (slept.push(ms), w.clock.advance(ms / 1000)),
    };
    await w.fence();
    // Act
    const progress = await runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );
    // Assess: every 250 ms up to the clients' notice (1.5 s), a look just after it, then one at the settle's end
    const settleMs = settleSecondsOf(w.plan) * 1000;
    const noticeMs = (fenceNoticeSecondsOf(w.plan) ?? 0) * 1000;
    expect(noticeMs).toBe(1_500);
    // a 100 ms interval: at least 250 ms for a send in flight (0.35 s), never past the settle (1 s here)
    expect(
      fenceNoticeSecondsOf({ cutover: { ...w.plan.cutover, clientPollIntervalSeconds: 0.1, fenceSettleSeconds: 1 } }),
    ).toBe(0.35);
    expect(
      fenceNoticeSecondsOf({ cutover: { ...w.plan.cutover, clientPollIntervalSeconds: 0.1, fenceSettleSeconds: 0.2 } }),
    ).toBe(0.2);
    const lookedAt = slept.map((_, i) => slept.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(lookedAt.some((at) => at >= noticeMs && at < settleMs)).toBe(true);
    expect(lookedAt.at(-1)).toBeGreaterThanOrEqual(settleMs);
    expect(lookedAt.at(-1)).toBeLessThan(settleMs + 10);
    expect(progress).toMatchObject({ drained: true, polls: slept.length + 1 });
  });

  it('takes the look that sees the settle elapsed when it elapses, not one pacer interval later', async () => {
    // Prepare: a pacer interval that does not divide the settle
    const w = await cutoverWorld();
    const slept: number[] = [];
    const settleMs = settleSecondsOf(w.plan) * 1000;
    const everyMs = settleMs / 2 + 100;
    const pacer = {
      everyMs,
      budgetMs: 60_000,
      sleep: async (ms: number) => void (slept.push(ms), w.clock.advance(ms / 1000)),
    };
    await w.fence();
    // Act
    const progress = await runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );
    // Assess: one full interval, a shorter sleep to the clients' notice, one look timed to end before the settle's
    // end, then the look at it, drained there
    expect(progress).toMatchObject({ drained: true, polls: 5 });
    expect(slept[0]).toBe(everyMs);
    expect(slept[1]).toBeLessThan(everyMs);
    const total = slept.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(settleMs);
    expect(total).toBeLessThan(settleMs + 10);
  });

  it("passes at the settle's end after a late write: one look is timed to end just before it", async () => {
    // Prepare: the rehearsal's clients (100 ms poll, 0.2 s settle: the notice is the settle); a producer that had not
    // seen the fence writes after the drain's second look, copied at once
    const w = await cutoverWorld({
      change: (raw) => {
        const cutover = raw['cutover'] as Record<string, unknown>;
        cutover['clientPollIntervalSeconds'] = 0.1;
        cutover['fenceSettleSeconds'] = 0.2;
      },
    });
    const slept: number[] = [];
    const pacer = {
      everyMs: 100,
      budgetMs: 60_000,
      sleep: async (ms: number) => {
        slept.push(ms);
        w.clock.advance(ms / 1000);
        if (slept.length === 2) {
          w.source.append(TOPIC, 1, [{ key: 'late', value: 'sent before the producer read the fence' }]);
          replicate(w.source, w.target, [TOPIC]);
        }
      },
    };
    await w.fence();
    // Act
    const progress = await runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );
    // Assess: the look before the settle's end saw the late write, so the one at the settle's end found the source
    // still since then and passed (without that look it would have seen the write and passed a look later)
    expect(progress).toMatchObject({ drained: true, recordsAfterFence: '1', polls: 4 });
    const passedAfterMs = Date.parse(progress.checkedAt) - Date.parse(progress.fencedAt);
    expect(passedAfterMs).toBeGreaterThanOrEqual(200);
    expect(passedAfterMs).toBeLessThan(210);
  });

  it('reads the records of a partition again within one invocation only when one of its ends moved', async () => {
    // Prepare: a late write to partition 1 during the first sleep, copied at once; every record read counted by look
    const w = await cutoverWorld();
    const readsByLook: number[][] = [];
    let reads: number[] = [];
    const readPartition = w.source.readPartition.bind(w.source);
    w.source.readPartition = async (args) => {
      reads.push(args.partition);
      return readPartition(args);
    };
    const pacer = {
      everyMs: 250,
      budgetMs: 60_000,
      sleep: async (ms: number) => {
        w.clock.advance(ms / 1000);
        if (readsByLook.length === 1) {
          w.source.append(TOPIC, 1, [{ key: 'late', value: 'sent before the producer read the fence' }]);
          replicate(w.source, w.target, [TOPIC]);
        }
      },
    };
    await w.fence();
    // Act
    const progress = await runCheckDrain(
      { state: w.state },
      {
        artifacts: w.artifacts,
        now: w.clock.now,
        source: w.source,
        target: w.target,
        pacer,
        onLook: () => void (readsByLook.push(reads), (reads = [])),
      },
    );
    // Assess: both partitions at the first look, the one written to at the next, none after; the passing look's
    // evidence names the polls whose reads it carries over
    expect(progress).toMatchObject({ drained: true, recordsAfterFence: '1' });
    expect(readsByLook[0]?.sort()).toEqual([0, 1]);
    expect(readsByLook[1]).toEqual([1]);
    expect(readsByLook.slice(2).flat()).toEqual([]);
    const evidence = await w.artifacts.getJson<{ partitions: Array<{ comparedAt?: string }> }>(progress.evidenceKey);
    expect(evidence?.partitions.map((t) => t.comparedAt)).toEqual(['poll-0001', 'poll-0002']);
  });

  it('counts the settle from the fence: a late write before the clients have all held does not restart it', async () => {
    // Prepare: a producer that had not seen the fence writes during the first sleep; the replicator copies it
    const w = await cutoverWorld();
    const slept: number[] = [];
    const pacer = {
      everyMs: 250,
      budgetMs: 60_000,
      sleep: async (ms: number) => {
        slept.push(ms);
        w.clock.advance(ms / 1000);
        if (slept.length === 1) {
          w.source.append(TOPIC, 0, [{ key: 'late', value: 'sent before the producer read the fence' }]);
          replicate(w.source, w.target, [TOPIC]);
        }
      },
    };
    await w.fence();
    // Act
    const progress = await runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );
    // Assess: the late write is copied and counted, and the drain passes at the settle's end after the fence
    expect(progress).toMatchObject({ drained: true, recordsAfterFence: '1' });
    expect(Date.parse(progress.sourceStableSince) - Date.parse(progress.fencedAt)).toBe(250);
    const passedAfterMs = Date.parse(progress.checkedAt) - Date.parse(progress.fencedAt);
    expect(passedAfterMs).toBeGreaterThanOrEqual(settleSecondsOf(w.plan) * 1000);
    expect(passedAfterMs).toBeLessThan(settleSecondsOf(w.plan) * 1000 + 10);
  });

  it('refuses a write the source shows after a look taken once every client must have held, naming the partition', async () => {
    // Prepare: a writer that ignores the pointer writes after every sleep, copied at once
    const w = await cutoverWorld();
    let t = 0;
    const pacer = {
      everyMs: 250,
      budgetMs: 60_000,
      sleep: async (ms: number) => {
        t += ms;
        w.clock.advance(ms / 1000);
        w.source.append(TOPIC, 0, [{ key: `rogue-${t}`, value: 'a writer no fence covers' }]);
        replicate(w.source, w.target, [TOPIC]);
      },
    };
    await w.fence();
    // Act
    const drain = runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );
    // Assess: refused at the first look after the one at the notice (1.5 s), before the settle's end (2 s)
    await expect(drain).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringMatching(new RegExp(`after the fence had settled.*${TOPIC}-0 \\(\\+1 record\\(s\\)`)),
    });
    expect(t).toBeGreaterThan(1_500);
    expect(t).toBeLessThan(2_000);
  });

  it('restarts the settle at every move where no client declares its notice (IAM_POLICY: IAM propagation)', async () => {
    // Prepare: an IAM_POLICY fence (its settle is IAM's propagation, 60 s); a write 10 s after the fence
    const w = await cutoverWorld({
      change: (raw) => {
        (raw['cutover'] as Record<string, unknown>)['fence'] = { type: 'IAM_POLICY', roleNames: ['producers'] };
      },
    });
    expect(fenceNoticeSecondsOf(w.plan)).toBeUndefined();
    await w.fence();
    await w.drain();
    w.clock.advance(10);
    w.source.append(TOPIC, 0, [{ key: 'late', value: 'accepted while the deny propagated' }]);
    replicate(w.source, w.target, [TOPIC]);
    const moved = await w.drain();
    // Act
    w.clock.advance(settleSecondsOf(w.plan) - 1);
    const early = await w.drain();
    w.clock.advance(2);
    const late = await w.drain();
    // Assess: still not settled 60 s after the fence, since the settle counts from the write seen 10 s after it
    expect(moved.drained).toBe(false);
    expect(early.drained).toBe(false);
    expect(late.drained).toBe(true);
  });

  it('looks at a source that keeps moving no more than five times as often as the pacer', async () => {
    // Prepare: a write after every sleep until well past the looks below (the settle never elapses); an IAM_POLICY
    // fence, whose settle restarts at every move (a POINTER fence would refuse the writer at the clients' notice)
    const w = await cutoverWorld({
      change: (raw) => {
        (raw['cutover'] as Record<string, unknown>)['fence'] = { type: 'IAM_POLICY', roleNames: ['producers'] };
      },
    });
    const slept: number[] = [];
    const pacer = {
      everyMs: 250,
      budgetMs: 2_000,
      sleep: async (ms: number) => {
        slept.push(ms);
        w.clock.advance(ms / 1000);
        w.source.append(TOPIC, 0, [{ key: `late-${slept.length}`, value: 'a producer that has not seen the fence' }]);
        replicate(w.source, w.target, [TOPIC]);
      },
    };
    await w.fence();
    // Act
    const progress = await runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );
    // Assess: sooner looks, each at least 50 ms (250 / 5) after the previous one started
    expect(progress.drained).toBe(false);
    expect(slept.length).toBeGreaterThan(2_000 / 250);
    expect(Math.min(...slept.slice(1))).toBe(50);
  });

  it('returns not drained once the looks of one invocation are spent, for the Wait state to take over', async () => {
    const w = await cutoverWorld();
    w.source.append(TOPIC, 1, [{ key: 'late', value: 'not copied yet' }]);
    const pacer = { everyMs: 250, budgetMs: 1_000, sleep: async (ms: number) => w.clock.advance(ms / 1000) };
    await w.fence();

    const progress = await runCheckDrain(
      { state: w.state },
      { artifacts: w.artifacts, now: w.clock.now, source: w.source, target: w.target, pacer },
    );

    expect(progress).toMatchObject({ drained: false, polls: 5 });
  });

  it('is not drained while the source tail is not on the target, naming the partition', async () => {
    const w = await cutoverWorld();
    w.source.append(TOPIC, 1, [{ key: 'late', value: 'not copied yet' }]);
    await w.fence();
    w.clock.advance(60);

    const progress = await w.drain();

    expect(progress.drained).toBe(false);
    expect(progress.reasons.join(' ')).toContain(`${TOPIC}-1`);
  });

  it('fails with Migration.CutoverFailed past cutover.drainTimeoutMinutes after the fence', async () => {
    // Prepare
    const w = await cutoverWorld();
    w.source.append(TOPIC, 1, [{ key: 'late', value: 'never copied' }]);
    await w.fence();
    await w.drain();
    w.clock.advance(w.plan.cutover.drainTimeoutMinutes * 60);
    // Act
    const late = w.drain();
    // Assess
    await expect(late).rejects.toMatchObject({ name: 'Migration.CutoverFailed' });
  });

  it('refuses to run before FenceProducers has recorded a fence', async () => {
    const w = await cutoverWorld();

    await expect(
      runCheckDrain(
        { state: w.state },
        { source: w.source, target: w.target, artifacts: w.artifacts, now: w.clock.now },
      ),
    ).rejects.toMatchObject({ name: 'Migration.InputInvalid', message: expect.stringContaining('$.cutover.fence') });
  });
});
