import { settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import { runCheckFailback, type Output } from '../../lambdas/tasks/check-failback/task';
import { runFenceProducers } from '../../lambdas/tasks/fence-producers/task';
import { runStartFailback } from '../../lambdas/tasks/start-failback/task';
import { replicate } from './validation-fake-kafka';
import { TOPIC, failbackWorld } from './task-cutover-world';

type World = Awaited<ReturnType<typeof failbackWorld>>;

async function started(): Promise<World> {
  const w = await failbackWorld();
  const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
  w.replicator.setState(failback.handle.name, 'RUNNING');
  w.state = { ...w.state, failback };
  return w;
}
async function check(w: World, phase?: 'DRAIN'): Promise<Output> {
  const failback = await runCheckFailback({ state: w.state as never, ...(phase ? { phase } : {}) }, w.failbackDeps);
  w.state = { ...w.state, failback };
  return failback;
}
async function fenceForFailback(w: World): Promise<void> {
  const failbackFence = await runFenceProducers(
    { state: w.state, mode: 'FAILBACK' },
    { pointer: w.pointer, producersCluster: w.target, artifacts: w.artifacts, now: w.clock.now },
  );
  w.state = { ...w.state, failbackFence } as never;
}

describe('CheckFailback task', () => {
  it('reports caughtUp once the records written to the target since the switch are on the source', async () => {
    // Prepare: the reverse replicator copied the two new records when it was created
    const w = await started();
    // Act
    const failback = await check(w);
    // Assess
    expect(failback).toMatchObject({ caughtUp: true, checks: 1, lastCheck: { lagRecords: 0 } });
    expect(failback.drained).toBeUndefined();
  });

  it('is not caught up while new target records are missing on the source', async () => {
    const w = await started();
    w.target.append(TOPIC, 1, [{ key: 'n3', value: 'not copied back yet' }]);

    expect(await check(w)).toMatchObject({ caughtUp: false, lastCheck: { lagRecords: 1 } });
  });
});

describe('CheckFailbackDrain (phase DRAIN)', () => {
  it('is drained only after the failback fence, once caught up with the target settled for fenceSettleSeconds', async () => {
    // Prepare
    const w = await started();
    await check(w);
    await fenceForFailback(w);
    w.clock.advance(1);
    // Act
    const first = await check(w, 'DRAIN');
    w.clock.advance(settleSecondsOf(w.plan));
    const second = await check(w, 'DRAIN');
    // Assess
    expect(first).toMatchObject({ caughtUp: true, drained: false, drain: { polls: 1, recordsAfterFence: '0' } });
    expect(second).toMatchObject({ caughtUp: true, drained: true, drain: { polls: 2 } });
  });

  it('waits for a record a late producer wrote after the fence to flow back, then settles again', async () => {
    // Prepare
    const w = await started();
    await fenceForFailback(w);
    w.clock.advance(settleSecondsOf(w.plan));
    w.target.append(TOPIC, 1, [{ key: 'late', value: 'written after the failback fence' }]);
    // Act
    const notCopied = await check(w, 'DRAIN');
    replicate(w.target, w.source, [TOPIC]);
    const copied = await check(w, 'DRAIN');
    w.clock.advance(settleSecondsOf(w.plan));
    const settled = await check(w, 'DRAIN');
    // Assess
    expect(notCopied).toMatchObject({ caughtUp: false, drained: false, drain: { recordsAfterFence: '1' } });
    expect(copied).toMatchObject({ caughtUp: true, drained: false });
    expect(settled.drained).toBe(true);
  });

  it('fails with Migration.CutoverFailed past drainTimeoutMinutes after the failback fence', async () => {
    const w = await started();
    await fenceForFailback(w);
    w.target.append(TOPIC, 1, [{ key: 'late', value: 'never copied back' }]);
    w.clock.advance(w.plan.cutover.drainTimeoutMinutes * 60);

    await expect(check(w, 'DRAIN')).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('still hold'),
    });
  });

  it('refuses to judge the drain before FenceForFailback has run', async () => {
    const w = await started();

    await expect(check(w, 'DRAIN')).rejects.toMatchObject({ name: 'Migration.InputInvalid' });
  });
});
