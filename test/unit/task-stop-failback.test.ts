import { runStartFailback } from '../../lambdas/tasks/start-failback/task';
import { runStopFailback } from '../../lambdas/tasks/stop-failback/task';
import { failbackWorld } from './task-cutover-world';

describe('StopFailback task', () => {
  it('deletes the reverse replicator this execution created and leaves the forward one', async () => {
    // Prepare
    const w = await failbackWorld();
    const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
    w.replicator.addForeign(w.state.replication.handle.name, {});
    // Act
    const stopped = await runStopFailback(
      { state: { ...w.state, failback } as never },
      { replicator: w.replicator, now: w.clock.now },
    );
    // Assess
    expect(stopped).toMatchObject({ replicator: 'DELETED', internalTopicsDeleted: [] });
    expect(w.replicator.deleted).toEqual([failback.handle.name]);
  });

  it('reports ALREADY_GONE on a retry', async () => {
    const w = await failbackWorld();
    const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
    const deps = { replicator: w.replicator, now: w.clock.now };
    await runStopFailback({ state: { ...w.state, failback } as never }, deps);

    expect(await runStopFailback({ state: { ...w.state, failback } as never }, deps)).toMatchObject({
      replicator: 'ALREADY_GONE',
    });
    expect(w.replicator.deleted).toHaveLength(1);
  });

  it('leaves a replicator under the failback name that carries other tags', async () => {
    const w = await failbackWorld();
    const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
    w.replicator.addForeign(failback.handle.name, { owner: 'someone else' });

    const stopped = await runStopFailback(
      { state: { ...w.state, failback } as never },
      { replicator: w.replicator, now: w.clock.now },
    );

    expect(stopped.replicator).toBe('NOT_OURS');
    expect(w.replicator.deleted).toEqual([]);
  });
});
