import { failbackReplicatorName } from '../../lambdas/core/replication/naming';
import { runStartFailback } from '../../lambdas/tasks/start-failback/task';
import { failbackWorld, identity } from './task-cutover-world';

describe('StartFailback task', () => {
  it('starts the reverse replication from the target end offsets of the switch, keeping the forward MSK Replicator', async () => {
    // Prepare
    const w = await failbackWorld();
    // Act
    const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
    // Assess
    expect(failback).toMatchObject({
      engine: 'MSK_REPLICATOR',
      handle: { name: failbackReplicatorName(identity) },
      created: true,
      forwardReplicator: 'KEPT',
      offsetTranslation: 'NONE',
      caughtUp: false,
      partitionCount: 2,
    });
    expect(w.replicator.specs[0]).toMatchObject({
      source: { bootstrapServers: ['127.0.0.1:1'] },
      target: { clusterArn: w.plan.source.clusterArn },
      startingPosition: 'EARLIEST',
    });
    expect(await w.artifacts.getJson(failback.positionsKey)).toMatchObject({
      partitions: [
        { topic: 'orders.created', partition: 0, targetStart: '5' },
        { topic: 'orders.created', partition: 1, targetStart: '5' },
      ],
    });
  });

  it('adopts the replicator it created on a retry instead of creating a second one', async () => {
    const w = await failbackWorld();
    await runStartFailback({ state: w.state }, w.failbackDeps);

    const again = await runStartFailback({ state: w.state }, w.failbackDeps);

    expect(again.created).toBe(false);
    expect(w.replicator.specs).toHaveLength(1);
  });

  it('refuses a LEGACY forward MSK Replicator when the approver did not accept untranslated offsets', async () => {
    const w = await failbackWorld();
    w.state = { ...w.state, approvals: { failback: { approved: true } } };

    await expect(runStartFailback({ state: w.state }, w.failbackDeps)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('acceptUntranslatedOffsets'),
    });
    expect(w.replicator.specs).toHaveLength(0);
  });
});

describe('StartFailback task, a plan in waves', () => {
  it('refuses when no wave of the plan switched in this execution, naming the waves, and creates nothing', async () => {
    // Prepare: the plan is in one wave, but its journals are not under cutover/waves/<name>/
    const w = await failbackWorld();
    const plan = { ...w.plan, waves: [{ name: 'orders', topics: ['orders.created'], consumerGroups: ['billing'] }] };
    const cursor = { name: 'orders', index: 0, count: 1, last: true };
    w.state = { ...w.state, input: plan, waves: { all: [cursor], current: cursor } } as typeof w.state;
    // Act / Assess
    await expect(runStartFailback({ state: w.state }, w.failbackDeps)).rejects.toMatchObject({
      name: 'Migration.InputInvalid',
      message: expect.stringContaining('No wave of orders switched to the target in this execution'),
    });
    expect(w.replicator.specs).toHaveLength(0);
  });

  it('fails back the switched wave over exactly its topics and groups, each partition from its own switch', async () => {
    // Prepare: the same cutover, journaled as the wave's own
    const w = await failbackWorld();
    for (const [key, value] of [...w.artifacts.objects])
      if (key.includes('/cutover/journal/'))
        w.artifacts.objects.set(key.replace('/cutover/', '/cutover/waves/orders/'), value);
    const plan = { ...w.plan, waves: [{ name: 'orders', topics: ['orders.created'], consumerGroups: ['billing'] }] };
    const cursor = { name: 'orders', index: 0, count: 1, last: true };
    w.state = { ...w.state, input: plan, waves: { all: [cursor], current: cursor } } as typeof w.state;
    // Act
    const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
    // Assess
    expect(failback.identity).toEqual(identity);
    expect(w.replicator.specs[0]).toMatchObject({
      topics: { include: ['orders\\.created'] },
      consumerGroups: { include: ['billing'] },
    });
    expect(await w.artifacts.getJson(failback.positionsKey)).toMatchObject({
      partitions: [
        { topic: 'orders.created', partition: 0, targetStart: '5', wave: 'orders' },
        { topic: 'orders.created', partition: 1, targetStart: '5', wave: 'orders' },
      ],
    });
  });
});
