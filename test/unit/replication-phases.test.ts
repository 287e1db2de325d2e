import { canaryTopicName, ownershipTags } from '../../lambdas/core/replication/naming';
import {
  runCheckReplicationStatus,
  runCheckTargetStatus,
  runEvaluateCatchUp,
  runProvisionTarget,
  runStartReplication,
  runValidateTarget,
  type StartReplicationRequest,
} from '../../lambdas/core/replication/phases';
import { ReplicationStateSchema } from '../../lambdas/core/replication/state';
import type { AlarmDefinition, LagSignals } from '../../lambdas/ports/lag-signals';
import type { Replicator, ReplicatorHandle, ReplicatorSpec, ReplicatorState } from '../../lambdas/ports/replicator';
import type { TargetClusterInfo, TargetProvisioner } from '../../lambdas/ports/target-provisioner';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';

const identity = { migrationId: 'orders', executionName: 'exec-7' };

function fakeReplicator(
  engine: 'MSK_REPLICATOR' | 'MIRROR_MAKER_2',
  source: FakeKafka,
  target: FakeKafka,
): Replicator & { specs: ReplicatorSpec[]; state: ReplicatorState } {
  const specs: ReplicatorSpec[] = [];
  return {
    engine,
    specs,
    state: 'CREATING',
    async find() {
      return undefined;
    },
    async countExisting() {
      return 0;
    },
    async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
      specs.push(spec);
      replicate(source, target, [...(await source.listTopics())]);
      return { engine, name: spec.name, id: `id-${spec.name}` };
    },
    async describe() {
      return { state: this.state };
    },
    async delete() {},
  };
}

const request = (engine: 'MSK_REPLICATOR' | 'MIRROR_MAKER_2'): StartReplicationRequest => ({
  identity,
  engine,
  source: { clusterArn: 'arn:aws:kafka:eu-west-1:1:cluster/s/1', bootstrapServers: ['127.0.0.1:1'] },
  target: { clusterArn: 'arn:aws:kafka:eu-west-1:1:cluster/t/2', bootstrapServers: ['127.0.0.1:2'] },
  topics: { include: ['orders'], exclude: [] },
  consumerGroups: { include: ['.*'], exclude: [] },
  maxLagRecords: 10,
});

describe('replication phases', () => {
  it('StartReplication creates the canary topic, keeps the topic list as an artifact and puts the MSK Replicator alarms', async () => {
    // Prepare
    const source = new FakeKafka().addTopic('orders', 2).addTopic('audit', 1);
    const target = new FakeKafka();
    const replicator = fakeReplicator('MSK_REPLICATOR', source, target);
    const put: AlarmDefinition[] = [];
    const lagSignals: LagSignals = {
      putAlarms: async (a) => void put.push(...a),
      deleteAlarms: async () => undefined,
      describeAlarms: async () => [],
      getMetricSeries: async () => [],
    };
    const artifacts = new MemoryArtifacts();
    // Act
    const state = await runStartReplication(request('MSK_REPLICATOR'), { replicator, artifacts, source, lagSignals });
    // Assess
    expect(ReplicationStateSchema.parse(state)).toEqual(state);
    expect(state).toMatchObject({
      created: true,
      running: false,
      topicCount: 1,
      canaryTopic: canaryTopicName(identity),
      startingPosition: 'EARLIEST',
    });
    expect(await artifacts.getJson(state.topicsKey)).toEqual(['orders']);
    expect(await source.listTopics()).toContain(canaryTopicName(identity));
    expect(put.map((a) => a.metric.metricName)).toEqual([
      'MessageLag',
      'ReplicationLatency',
      'ReplicationFailures',
      'ConsumerGroupOffsetSyncFailure',
    ]);
    expect(state.alarmNames).toEqual(put.map((a) => a.alarmName));
    expect(put[0]?.tags).toEqual(ownershipTags(identity));
  });

  it('StartReplication puts no alarms for MirrorMaker 2 and runs without a canary when asked', async () => {
    const source = new FakeKafka().addTopic('orders', 1);
    const state = await runStartReplication(
      { ...request('MIRROR_MAKER_2'), canary: false },
      {
        replicator: fakeReplicator('MIRROR_MAKER_2', source, new FakeKafka()),
        artifacts: new MemoryArtifacts(),
        source,
      },
    );
    expect(state.alarmNames).toEqual([]);
    expect(state.canaryTopic).toBeUndefined();
    expect(await source.listTopics()).toEqual(['orders']);
  });

  it('CheckReplicationStatus reports running once the engine is RUNNING', async () => {
    const source = new FakeKafka().addTopic('orders', 1);
    const replicator = fakeReplicator('MIRROR_MAKER_2', source, new FakeKafka());
    const state = await runStartReplication(request('MIRROR_MAKER_2'), {
      replicator,
      artifacts: new MemoryArtifacts(),
      source,
    });
    replicator.state = 'RUNNING';
    expect(await runCheckReplicationStatus(state, replicator)).toMatchObject({ state: 'RUNNING', running: true });
  });

  it('EvaluateCatchUp and ValidateTarget read the replicated topics from the artifact store and pass on a faithful copy', async () => {
    // Prepare
    const source = new FakeKafka()
      .addTopic('orders', 2)
      .append('orders', 0, [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ])
      .commit('billing', 'orders', 0, 2);
    const target = new FakeKafka();
    const artifacts = new MemoryArtifacts();
    const state = await runStartReplication(
      { ...request('MIRROR_MAKER_2'), canary: false },
      { replicator: fakeReplicator('MIRROR_MAKER_2', source, target), artifacts, source },
    );
    target.commit('billing', 'orders', 0, 2);
    // Act
    const catchUp = await runEvaluateCatchUp(
      identity,
      state,
      { maxLagRecords: 0, consecutiveHealthyChecks: 1, catchUpTimeoutMinutes: 5 },
      undefined,
      { artifacts, source, target, now: () => new Date(0) },
    );
    const validation = await runValidateTarget(
      { identity, replication: state, consumerGroups: { include: ['.*'], exclude: [] }, configPolicy: { ignored: [] } },
      { source, target, artifacts, now: () => new Date(0) },
    );
    // Assess
    expect(catchUp).toMatchObject({ passed: true, evaluations: 1 });
    expect(validation.checked).toMatchObject({ topics: 1, partitions: 2, groupPartitions: 1 });
  });

  it('ProvisionTarget then CheckTargetStatus carry the cluster until it is ACTIVE with its brokers', async () => {
    const clusters: TargetClusterInfo[] = [];
    const provisioner: TargetProvisioner = {
      findClusters: async () => clusters,
      createCluster: async (r) => {
        clusters.push({
          clusterArn: 'arn:c',
          clusterName: r.clusterName,
          kind: r.kind,
          state: 'CREATING',
          tags: r.tags,
        });
        return { clusterArn: 'arn:c' };
      },
      describeCluster: async () => clusters[0],
      getIamBootstrapBrokers: async () => ['b:9098'],
      deleteCluster: async () => undefined,
    };
    const created = await runProvisionTarget(
      identity,
      { kind: 'SERVERLESS', vpc: { subnetIds: ['a', 'b'], securityGroupIds: ['sg'] } },
      provisioner,
    );
    expect(await runCheckTargetStatus(created, provisioner)).toMatchObject({ ready: false, state: 'CREATING' });
    (clusters[0] as { state: string }).state = 'ACTIVE';
    expect(await runCheckTargetStatus(created, provisioner)).toMatchObject({
      ready: true,
      state: 'ACTIVE',
      bootstrapServers: ['b:9098'],
      created: true,
    });
  });
});
