import { targetClusterName } from '../../lambdas/core/provisioning/target-cluster';
import { ownershipTags } from '../../lambdas/core/replication/naming';
import { runProvisionTarget } from '../../lambdas/tasks/provision-target/task';
import { runRollbackTarget } from '../../lambdas/tasks/rollback-target/task';
import { at, examplePlan, FakeProvisioner, identity, stateOf } from './task-fixtures';

const now = at('2026-11-01T12:00:00.000Z');

describe('RollbackTarget task', () => {
  it('deletes the cluster this execution created, and counts a second run as done without deleting again', async () => {
    // Prepare
    const provisioner = new FakeProvisioner();
    const plan = examplePlan('msk-to-msk-new-version');
    const target = await runProvisionTarget({ state: stateOf(plan) }, { provisioner, now });
    const state = stateOf(plan, { target });
    // Act
    const first = await runRollbackTarget({ state }, { provisioner, now });
    const second = await runRollbackTarget({ state }, { provisioner, now });
    // Assess
    expect(first).toMatchObject({ outcome: 'DONE', deletion: 'DELETED', clusterArn: target.clusterArn });
    expect(second).toMatchObject({ outcome: 'DONE', deletion: 'DELETED' });
    expect(provisioner.deletes).toEqual([target.clusterArn]);
  });

  it('never deletes a target the plan named by ARN, even when asked to roll back', async () => {
    const provisioner = new FakeProvisioner().add({
      clusterArn: 'arn:existing',
      clusterName: 'orders-serverless',
      tags: {},
    });
    const state = stateOf(examplePlan('msk-to-serverless-replicator'), {
      target: {
        type: 'MSK_SERVERLESS',
        source: 'EXISTING_MSK',
        clusterArn: 'arn:existing',
        created: false,
        state: 'ACTIVE',
        ready: true,
        startedAt: '2026-11-01T10:00:00.000Z',
      },
    });
    const result = await runRollbackTarget({ state }, { provisioner, now });
    expect(result).toMatchObject({ outcome: 'NOTHING_TO_DO', deletion: 'NONE' });
    expect(provisioner.deletes).toEqual([]);
  });

  it("leaves a cluster with our name but another execution's tags untouched", async () => {
    const provisioner = new FakeProvisioner().add({
      clusterArn: 'arn:theirs',
      clusterName: targetClusterName(identity),
      tags: ownershipTags({ ...identity, executionName: 'someone-else' }),
    });
    const state = stateOf(examplePlan('msk-to-msk-new-version'), {
      target: {
        type: 'MSK_PROVISIONED',
        source: 'CREATE',
        clusterArn: 'arn:theirs',
        clusterName: targetClusterName(identity),
        created: false,
        state: 'CREATING',
        ready: false,
        startedAt: '2026-11-01T10:00:00.000Z',
      },
    });
    expect(await runRollbackTarget({ state }, { provisioner, now })).toMatchObject({
      outcome: 'NOT_OURS',
      deletion: 'NOT_OURS',
    });
    expect(provisioner.deletes).toEqual([]);
  });

  it('finds by name and tags the cluster a ProvisionTarget that failed before recording it had created', async () => {
    const provisioner = new FakeProvisioner();
    const plan = examplePlan('msk-to-msk-new-version');
    await runProvisionTarget({ state: stateOf(plan) }, { provisioner, now });
    const result = await runRollbackTarget({ state: stateOf(plan) }, { provisioner, now });
    expect(result).toMatchObject({ outcome: 'DONE', deletion: 'DELETED' });
    expect(provisioner.deletes).toHaveLength(1);
  });

  it('reports nothing to do when ProvisionTarget created nothing', async () => {
    const provisioner = new FakeProvisioner();
    expect(
      await runRollbackTarget({ state: stateOf(examplePlan('msk-to-msk-new-version')) }, { provisioner, now }),
    ).toMatchObject({ outcome: 'NOTHING_TO_DO', deletion: 'NONE' });
  });
});
