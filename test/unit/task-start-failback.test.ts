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
