import { runCheckTargetStatus } from '../../lambdas/tasks/check-target-status/task';
import { runProvisionTarget } from '../../lambdas/tasks/provision-target/task';
import { at, examplePlan, FakeProvisioner, stateOf } from './task-fixtures';

async function provisioned() {
  const provisioner = new FakeProvisioner();
  const plan = examplePlan('msk-to-msk-new-version');
  const target = await runProvisionTarget(
    { state: stateOf(plan) },
    { provisioner, now: at('2026-11-01T10:00:00.000Z') },
  );
  return { provisioner, state: stateOf(plan, { target }), clusterArn: target.clusterArn ?? '' };
}

describe('CheckTargetStatus task', () => {
  it('keeps polling while the cluster is CREATING, keeping the time the wait started', async () => {
    const { provisioner, state } = await provisioned();
    const target = await runCheckTargetStatus({ state }, { provisioner, now: at('2026-11-01T10:30:00.000Z') });
    expect(target).toMatchObject({
      ready: false,
      state: 'CREATING',
      startedAt: '2026-11-01T10:00:00.000Z',
      created: true,
    });
  });

  it('reports ready with the bootstrap servers once the cluster is ACTIVE', async () => {
    const { provisioner, state, clusterArn } = await provisioned();
    provisioner.setState(clusterArn, 'ACTIVE');
    const target = await runCheckTargetStatus({ state }, { provisioner, now: at('2026-11-01T10:30:00.000Z') });
    expect(target).toMatchObject({ ready: true, state: 'ACTIVE', bootstrapServers: ['t-1:9098', 't-2:9098'] });
  });

  it('fails with Migration.ProvisioningFailed when the cluster is still not ACTIVE 90 minutes after ProvisionTarget started', async () => {
    const { provisioner, state } = await provisioned();
    await expect(
      runCheckTargetStatus({ state }, { provisioner, now: at('2026-11-01T11:31:00.000Z') }),
    ).rejects.toMatchObject({
      name: 'Migration.ProvisioningFailed',
      message: expect.stringContaining('limit 90 minutes'),
    });
  });

  it('fails with Migration.ProvisioningFailed when MSK reports the cluster FAILED', async () => {
    const { provisioner, state, clusterArn } = await provisioned();
    provisioner.setState(clusterArn, 'FAILED');
    await expect(
      runCheckTargetStatus({ state }, { provisioner, now: at('2026-11-01T10:10:00.000Z') }),
    ).rejects.toMatchObject({ name: 'Migration.ProvisioningFailed' });
  });
});
