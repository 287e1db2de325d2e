import { replicatorName } from '../../lambdas/core/replication/naming';
import { runCheckReplicationStatus } from '../../lambdas/tasks/check-replication-status/task';
import { runStartReplication } from '../../lambdas/tasks/start-replication/task';
import { at, examplePlan, FakeKafka, FakeReplicator, identity, readyKafkaTarget, stateOf } from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

async function started() {
  const source = new FakeKafka().addTopic('clicks', 1);
  const replicator = new FakeReplicator('MIRROR_MAKER_2', source, new FakeKafka());
  const plan = examplePlan('msk-to-automq-mirrormaker2');
  const target = readyKafkaTarget();
  const replication = await runStartReplication(
    { state: stateOf(plan, { target }) },
    { replicator, artifacts: new MemoryArtifacts(), source, now: at('2026-11-01T11:00:00.000Z') },
  );
  return { replicator, state: stateOf(plan, { target, replication }) };
}

describe('CheckReplicationStatus task', () => {
  it('reports running once the engine is RUNNING, keeping the rest of the replication state', async () => {
    const { replicator, state } = await started();
    replicator.setState(replicatorName(identity), 'RUNNING');
    const replication = await runCheckReplicationStatus({ state }, { replicator, now: at('2026-11-01T11:20:00.000Z') });
    expect(replication).toMatchObject({
      running: true,
      state: 'RUNNING',
      startedAt: '2026-11-01T11:00:00.000Z',
      topicsKey: state.replication?.topicsKey,
    });
  });

  it('keeps polling while the replicator is CREATING within the deadline', async () => {
    const { replicator, state } = await started();
    expect(
      await runCheckReplicationStatus({ state }, { replicator, now: at('2026-11-01T12:30:00.000Z') }),
    ).toMatchObject({ running: false, state: 'CREATING' });
  });

  it('fails with Migration.ReplicationFailed when the replicator is still CREATING 120 minutes after StartReplication', async () => {
    const { replicator, state } = await started();
    await expect(
      runCheckReplicationStatus({ state }, { replicator, now: at('2026-11-01T13:01:00.000Z') }),
    ).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('limit 120 minutes'),
    });
  });

  it('fails with Migration.ReplicationFailed when the engine reports FAILED', async () => {
    const { replicator, state } = await started();
    replicator.setState(replicatorName(identity), 'FAILED');
    await expect(
      runCheckReplicationStatus({ state }, { replicator, now: at('2026-11-01T11:05:00.000Z') }),
    ).rejects.toMatchObject({ name: 'Migration.ReplicationFailed' });
  });
});
