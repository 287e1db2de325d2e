import { settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
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

  it('looks again within one invocation with a pacer, and returns drained once the settle has passed', async () => {
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
    // Assess
    const settleMs = settleSecondsOf(w.plan) * 1000;
    expect(progress).toMatchObject({ drained: true, polls: settleMs / 250 + 1 });
    expect(slept.reduce((a, b) => a + b, 0)).toBe(settleMs);
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
    // Assess: one full interval, then a shorter sleep to the settle's end (a few ms after it), and drained there
    expect(progress).toMatchObject({ drained: true, polls: 3 });
    expect(slept[0]).toBe(everyMs);
    expect(slept[1]).toBeLessThan(everyMs);
    const total = slept.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(settleMs);
    expect(total).toBeLessThan(settleMs + 10);
  });

  it('looks again right away after a look that saw the source move, so the settle restarts near the late write', async () => {
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
    // Assess: the look after the one that saw the write is not a full interval later; the settle counts from that look
    expect(slept[0]).toBe(250);
    expect(slept[1]).toBeLessThan(250);
    expect(progress).toMatchObject({ drained: true, recordsAfterFence: '1' });
    expect(Date.parse(progress.sourceStableSince) - Date.parse(progress.fencedAt)).toBe(250);
  });

  it('looks at a source that keeps moving no more than five times as often as the pacer', async () => {
    // Prepare: a write after every sleep until well past the looks below (the settle never elapses)
    const w = await cutoverWorld();
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
