import { ownershipTags } from '../../lambdas/core/replication/naming';
import { runProvisionTarget } from '../../lambdas/tasks/provision-target/task';
import { at, examplePlan, FakeProvisioner, fakeMsk, identity, mskCluster, stateOf } from './task-fixtures';

const TARGET_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/8d7c6b5a-4f3e-2d1c-0b9a-8f7e6d5c4b3a-s2';

describe('ProvisionTarget task', () => {
  it('creates the target cluster with the ownership tags and reports it not ready yet, with the time the wait started', async () => {
    // Prepare
    const provisioner = new FakeProvisioner();
    const state = stateOf(examplePlan('msk-to-msk-new-version'));
    // Act
    const target = await runProvisionTarget({ state }, { provisioner, now: at('2026-11-01T10:05:00.000Z') });
    // Assess
    expect(target).toMatchObject({
      type: 'MSK_PROVISIONED',
      source: 'CREATE',
      created: true,
      ready: false,
      state: 'CREATING',
      startedAt: '2026-11-01T10:05:00.000Z',
    });
    expect(provisioner.clusters[0]?.tags).toMatchObject({ ...ownershipTags(identity), 'cost-center': 'payments' });
  });

  it('adopts the cluster an earlier attempt created instead of creating a second one', async () => {
    const provisioner = new FakeProvisioner();
    const state = stateOf(examplePlan('msk-to-msk-new-version'));
    const first = await runProvisionTarget({ state }, { provisioner, now: at('2026-11-01T10:05:00.000Z') });
    const retry = await runProvisionTarget({ state }, { provisioner, now: at('2026-11-01T10:06:00.000Z') });
    expect(provisioner.creates).toBe(1);
    expect(retry).toMatchObject({ clusterArn: first.clusterArn, created: false });
  });

  it('describes an existing MSK target: ready when ACTIVE, with its IAM bootstrap servers, and never created by us', async () => {
    const msk = fakeMsk(
      mskCluster({
        clusterArn: TARGET_ARN,
        clusterName: 'orders-serverless',
        state: 'ACTIVE',
        bootstrapBrokers: { saslIam: 'boot-1:9098,boot-2:9098' },
      }),
    );
    const provisioner = new FakeProvisioner();
    const target = await runProvisionTarget(
      { state: stateOf(examplePlan('msk-to-serverless-replicator')) },
      { provisioner, msk, now: at('2026-11-01T10:05:00.000Z') },
    );
    expect(target).toMatchObject({
      source: 'EXISTING_MSK',
      clusterArn: TARGET_ARN,
      created: false,
      ready: true,
      bootstrapServers: ['boot-1:9098', 'boot-2:9098'],
    });
    expect(provisioner.creates).toBe(0);
  });

  it('reports an existing MSK target that is still UPDATING as not ready, so the workflow polls it', async () => {
    const msk = fakeMsk(mskCluster({ clusterArn: TARGET_ARN, state: 'UPDATING' }));
    const target = await runProvisionTarget(
      { state: stateOf(examplePlan('msk-to-serverless-replicator')) },
      { msk, now: at('2026-11-01T10:05:00.000Z') },
    );
    expect(target).toMatchObject({ ready: false, state: 'UPDATING', created: false });
    expect(target.bootstrapServers).toBeUndefined();
  });

  it('takes a Kafka-compatible target named by address as ready at once, without any AWS call', async () => {
    const target = await runProvisionTarget(
      { state: stateOf(examplePlan('msk-to-automq-mirrormaker2')) },
      { now: at('2026-11-01T10:05:00.000Z') },
    );
    expect(target).toMatchObject({ type: 'KAFKA', source: 'BOOTSTRAP', created: false, ready: true });
    expect(target.bootstrapServers).toHaveLength(3);
  });
});
