import {
  checkTargetCluster,
  deleteOwnedTargetCluster,
  ensureTargetCluster,
  targetClusterName,
  type TargetClusterPlan,
} from '../../lambdas/core/provisioning/target-cluster';
import { ownershipTags } from '../../lambdas/core/replication/naming';
import type {
  TargetClusterInfo,
  TargetClusterRequest,
  TargetProvisioner,
} from '../../lambdas/ports/target-provisioner';

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const plan: TargetClusterPlan = {
  kind: 'SERVERLESS',
  vpc: { subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-1'] },
  tags: { team: 'payments' },
};

class FakeProvisioner implements TargetProvisioner {
  readonly clusters: TargetClusterInfo[] = [];
  readonly requests: TargetClusterRequest[] = [];
  readonly deleted: string[] = [];
  brokers: string[] = ['b-1.example:9098'];
  async findClusters(filter: string): Promise<TargetClusterInfo[]> {
    return this.clusters.filter((c) => c.clusterName.includes(filter));
  }
  async createCluster(request: TargetClusterRequest): Promise<{ clusterArn: string }> {
    this.requests.push(request);
    const clusterArn = `arn:aws:kafka:eu-west-1:111122223333:cluster/${request.clusterName}/${this.requests.length}`;
    this.clusters.push({
      clusterArn,
      clusterName: request.clusterName,
      kind: request.kind,
      state: 'CREATING',
      tags: request.tags,
    });
    return { clusterArn };
  }
  async describeCluster(clusterArn: string): Promise<TargetClusterInfo | undefined> {
    return this.clusters.find((c) => c.clusterArn === clusterArn);
  }
  async getIamBootstrapBrokers(): Promise<string[]> {
    return this.brokers;
  }
  async deleteCluster(clusterArn: string): Promise<void> {
    this.deleted.push(clusterArn);
  }
  set(clusterArn: string, change: Partial<TargetClusterInfo>): void {
    const i = this.clusters.findIndex((c) => c.clusterArn === clusterArn);
    this.clusters[i] = { ...(this.clusters[i] as TargetClusterInfo), ...change };
  }
}

describe('target provisioning', () => {
  it('creates the cluster with the input tags plus the ownership tags', async () => {
    const provisioner = new FakeProvisioner();
    const result = await ensureTargetCluster(plan, identity, provisioner);
    expect(result).toEqual({
      clusterArn: expect.stringContaining(targetClusterName(identity)),
      clusterName: targetClusterName(identity),
      created: true,
    });
    expect(provisioner.requests).toEqual([
      {
        clusterName: targetClusterName(identity),
        kind: 'SERVERLESS',
        vpc: plan.vpc,
        tags: { team: 'payments', ...ownershipTags(identity) },
      },
    ]);
  });

  it('never creates a second cluster when the task is retried', async () => {
    const provisioner = new FakeProvisioner();
    const first = await ensureTargetCluster(plan, identity, provisioner);
    const retry = await ensureTargetCluster(plan, identity, provisioner);
    expect(retry).toEqual({ ...first, created: false });
    expect(provisioner.requests).toHaveLength(1);
  });

  it('refuses to adopt a cluster with our name that another execution created', async () => {
    const provisioner = new FakeProvisioner();
    await ensureTargetCluster(plan, { ...identity, executionName: 'other' }, provisioner);
    provisioner.clusters[0] = {
      ...(provisioner.clusters[0] as TargetClusterInfo),
      clusterName: targetClusterName(identity),
    };
    await expect(ensureTargetCluster(plan, identity, provisioner)).rejects.toMatchObject({
      name: 'Migration.ProvisioningFailed',
    });
    expect(provisioner.requests).toHaveLength(1);
  });

  it('requires broker settings for a provisioned cluster', async () => {
    await expect(
      ensureTargetCluster({ ...plan, kind: 'PROVISIONED' }, identity, new FakeProvisioner()),
    ).rejects.toMatchObject({ name: 'Migration.ProvisioningFailed' });
  });

  it('keeps waiting while the cluster is CREATING, then returns its IAM bootstrap brokers when ACTIVE', async () => {
    const provisioner = new FakeProvisioner();
    const { clusterArn } = await ensureTargetCluster(plan, identity, provisioner);
    expect(await checkTargetCluster(clusterArn, provisioner)).toEqual({ ready: false, state: 'CREATING' });
    provisioner.set(clusterArn, { state: 'ACTIVE' });
    expect(await checkTargetCluster(clusterArn, provisioner)).toEqual({
      ready: true,
      state: 'ACTIVE',
      bootstrapServers: ['b-1.example:9098'],
    });
  });

  it('retries (Migration.Transient) when the cluster is ACTIVE but its brokers are not published yet', async () => {
    const provisioner = new FakeProvisioner();
    const { clusterArn } = await ensureTargetCluster(plan, identity, provisioner);
    provisioner.set(clusterArn, { state: 'ACTIVE' });
    provisioner.brokers = [];
    await expect(checkTargetCluster(clusterArn, provisioner)).rejects.toMatchObject({ name: 'Migration.Transient' });
  });

  it('fails with Migration.ProvisioningFailed and the MSK reason when the cluster is FAILED', async () => {
    const provisioner = new FakeProvisioner();
    const { clusterArn } = await ensureTargetCluster(plan, identity, provisioner);
    provisioner.set(clusterArn, { state: 'FAILED', stateDetail: 'InsufficientCapacity: subnets' });
    await expect(checkTargetCluster(clusterArn, provisioner)).rejects.toMatchObject({
      name: 'Migration.ProvisioningFailed',
      details: { stateDetail: 'InsufficientCapacity: subnets' },
    });
  });

  it('deletes on rollback only a cluster this execution created', async () => {
    const provisioner = new FakeProvisioner();
    const ours = await ensureTargetCluster(plan, identity, provisioner);
    const theirs = await ensureTargetCluster(plan, { migrationId: 'orders', executionName: 'exec-9' }, provisioner);
    expect(await deleteOwnedTargetCluster(theirs.clusterArn, identity, provisioner)).toBe('NOT_OURS');
    expect(await deleteOwnedTargetCluster(ours.clusterArn, identity, provisioner)).toBe('DELETED');
    expect(await deleteOwnedTargetCluster('arn:gone', identity, provisioner)).toBe('ALREADY_GONE');
    expect(provisioner.deleted).toEqual([ours.clusterArn]);
  });
});
