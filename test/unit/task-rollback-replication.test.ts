import { canaryTopicName, ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import type { LagSignals } from '../../lambdas/ports/lag-signals';
import { runRollbackReplication } from '../../lambdas/tasks/rollback-replication/task';
import { runStartReplication } from '../../lambdas/tasks/start-replication/task';
import { at, examplePlan, FakeKafka, FakeReplicator, identity, readyKafkaTarget, stateOf } from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

const now = at('2026-11-01T12:00:00.000Z');
const target = readyKafkaTarget();

function untouchable(): FakeReplicator & LagSignals {
  const fail = async (): Promise<never> => {
    throw new Error('must not be called');
  };
  return Object.assign(new FakeReplicator('MIRROR_MAKER_2'), {
    find: fail,
    delete: fail,
    putAlarms: fail,
    deleteAlarms: fail,
    describeAlarms: fail,
    getMetricSeries: fail,
  });
}

describe('RollbackReplication task', () => {
  it('deletes the replicator and the canary topic on both clusters, leaves the source topics, and a second run finds nothing left', async () => {
    // Prepare
    const source = new FakeKafka().addTopic('clicks', 1).append('clicks', 0, [{ value: 'a' }]);
    const targetKafka = new FakeKafka();
    const replicator = new FakeReplicator('MIRROR_MAKER_2', source, targetKafka);
    const plan = examplePlan('msk-to-automq-mirrormaker2');
    const replication = await runStartReplication(
      { state: stateOf(plan, { target }) },
      { replicator, artifacts: new MemoryArtifacts(), source, now },
    );
    const state = stateOf(plan, { target, replication, error: { Error: 'Migration.LagTimeout', Cause: 'lag' } });
    // Act
    const first = await runRollbackReplication({ state }, { replicator, source, target: targetKafka, now });
    const second = await runRollbackReplication({ state }, { replicator, source, target: targetKafka, now });
    // Assess
    expect(first).toMatchObject({ outcome: 'DONE', replicator: 'DELETED', canaryTopicDeleted: true });
    expect(second).toMatchObject({ outcome: 'DONE', replicator: 'ALREADY_GONE' });
    expect(replicator.deleted).toEqual([replicatorName(identity)]);
    expect(await source.listTopics()).toEqual(['clicks']);
    expect(await targetKafka.listTopics()).toEqual(['clicks']);
  });

  it('reports nothing to do, touching no port, when StartReplication never ran', async () => {
    const ports = untouchable();
    const state = stateOf(examplePlan('msk-to-msk-new-version'), { error: { Error: 'Migration.ProvisioningFailed' } });
    const result = await runRollbackReplication({ state }, { replicator: ports, lagSignals: ports, now });
    expect(result).toMatchObject({
      outcome: 'NOTHING_TO_DO',
      replicator: 'NONE',
      alarmsDeleted: 0,
      canaryTopicDeleted: false,
    });
  });

  it('leaves a replicator under our name that another execution created', async () => {
    const source = new FakeKafka().addTopic('clicks', 1);
    const replicator = new FakeReplicator('MIRROR_MAKER_2');
    const plan = examplePlan('msk-to-automq-mirrormaker2');
    const replication = await runStartReplication(
      { state: stateOf(plan, { target }) },
      { replicator, artifacts: new MemoryArtifacts(), source, now },
    );
    replicator.addForeign(replication.handle.name, ownershipTags({ ...identity, executionName: 'another-execution' }));
    const result = await runRollbackReplication(
      { state: stateOf(plan, { target, replication }) },
      { replicator, source, now },
    );
    expect(result).toMatchObject({ outcome: 'NOT_OURS', replicator: 'NOT_OURS' });
    expect(replicator.deleted).toEqual([]);
  });

  it("after a StartReplication that failed part-way, deletes the canary topic and replicator found under this execution's names", async () => {
    const source = new FakeKafka().addTopic('clicks', 1);
    const replicator = new FakeReplicator('MIRROR_MAKER_2');
    const plan = examplePlan('msk-to-automq-mirrormaker2');
    await runStartReplication(
      { state: stateOf(plan, { target }) },
      { replicator, artifacts: new MemoryArtifacts(), source, now },
    );
    const state = stateOf(plan, { target, error: { Error: 'Migration.ReplicationFailed' } });
    const result = await runRollbackReplication({ state }, { replicator, source, now });
    expect(result).toMatchObject({ outcome: 'DONE', replicator: 'DELETED', canaryTopicDeleted: true });
    expect(await source.listTopics()).not.toContain(canaryTopicName(identity));
  });
});

describe('RollbackReplication task after a StartReplication that failed before recording anything', () => {
  it("leaves a replicator under this execution's name that another execution created", async () => {
    const replicator = new FakeReplicator('MIRROR_MAKER_2');
    replicator.addForeign(replicatorName(identity), ownershipTags({ ...identity, executionName: 'another-execution' }));
    const state = stateOf(examplePlan('msk-to-automq-mirrormaker2'), {
      target,
      error: { Error: 'Migration.ReplicationFailed' },
    });
    const result = await runRollbackReplication({ state }, { replicator, source: new FakeKafka(), now });
    expect(result).toMatchObject({ outcome: 'NOT_OURS', replicator: 'NOT_OURS' });
    expect(replicator.deleted).toEqual([]);
  });
});
