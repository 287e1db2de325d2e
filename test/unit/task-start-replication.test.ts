import { canaryTopicName, ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import { runStartReplication } from '../../lambdas/tasks/start-replication/task';
import {
  at,
  examplePlan,
  FakeKafka,
  FakeReplicator,
  fakeMsk,
  identity,
  mskCluster,
  readyKafkaTarget,
  readyServerlessTarget,
  stateOf,
} from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

const SOURCE_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5f2a9c1e-7b3d-4e8f-9a01-2b3c4d5e6f70-2';
const TARGET_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/8d7c6b5a-4f3e-2d1c-0b9a-8f7e6d5c4b3a-s2';

const kafkaTarget = readyKafkaTarget();
const serverlessTarget = readyServerlessTarget(TARGET_ARN);

describe('StartReplication task', () => {
  it('starts MirrorMaker 2 on the selected topics with the canary topic, not running yet, with the time the wait started', async () => {
    // Prepare
    const source = new FakeKafka().addTopic('clicks', 2).addTopic('audit', 1);
    const replicator = new FakeReplicator('MIRROR_MAKER_2', source, new FakeKafka());
    const artifacts = new MemoryArtifacts();
    const state = stateOf(examplePlan('msk-to-automq-mirrormaker2'), { target: kafkaTarget });
    // Act
    const replication = await runStartReplication(
      { state },
      { replicator, artifacts, source, now: at('2026-11-01T11:00:00.000Z') },
    );
    // Assess
    expect(replication).toMatchObject({
      created: true,
      running: false,
      state: 'CREATING',
      topicCount: 1,
      canaryTopic: canaryTopicName(identity),
      startedAt: '2026-11-01T11:00:00.000Z',
    });
    expect(await artifacts.getJson(replication.topicsKey)).toEqual(['clicks']);
    const spec = replicator.specs[0];
    expect(spec?.target).toMatchObject({
      bootstrapServers: ['automq-0:9092'],
      auth: { mechanism: 'TLS' },
    });
    expect(spec?.target.vpc?.subnetIds).toHaveLength(2);
    expect(spec?.mskConnect).toMatchObject({ mcuCount: 2, workerCount: 2 });
    expect(spec?.tags).toEqual(ownershipTags(identity));
  });

  it('adopts the replicator an earlier attempt created instead of creating a second one', async () => {
    const source = new FakeKafka().addTopic('clicks', 1);
    const replicator = new FakeReplicator('MIRROR_MAKER_2', source, new FakeKafka());
    const state = stateOf(examplePlan('msk-to-automq-mirrormaker2'), { target: kafkaTarget });
    await runStartReplication(
      { state },
      { replicator, artifacts: new MemoryArtifacts(), source, now: at('2026-11-01T11:00:00.000Z') },
    );
    const retry = await runStartReplication(
      { state },
      { replicator, artifacts: new MemoryArtifacts(), source, now: at('2026-11-01T11:01:00.000Z') },
    );
    expect(retry.created).toBe(false);
    expect(replicator.specs).toHaveLength(1);
  });

  it('gives MSK Replicator both clusters by ARN with the subnets and security groups MSK describes', async () => {
    const source = new FakeKafka().addTopic('orders.created', 3).addTopic('payments', 1);
    const replicator = new FakeReplicator('MSK_REPLICATOR');
    const msk = fakeMsk(
      mskCluster({ clusterArn: SOURCE_ARN, vpc: { subnetIds: ['subnet-s'], securityGroupIds: ['sg-s'] } }),
      mskCluster({
        clusterArn: TARGET_ARN,
        clusterType: 'SERVERLESS',
        vpc: { subnetIds: ['subnet-t'], securityGroupIds: ['sg-t'] },
      }),
    );
    const state = stateOf(examplePlan('msk-to-serverless-replicator'), { target: serverlessTarget });
    const replication = await runStartReplication(
      { state },
      { replicator, artifacts: new MemoryArtifacts(), source, msk, now: at('2026-11-01T11:00:00.000Z') },
    );
    expect(replicator.specs[0]?.source).toMatchObject({
      clusterArn: SOURCE_ARN,
      vpc: { subnetIds: ['subnet-s'], securityGroupIds: ['sg-s'] },
      auth: { mechanism: 'IAM' },
    });
    expect(replicator.specs[0]?.target).toMatchObject({
      clusterArn: TARGET_ARN,
      vpc: { subnetIds: ['subnet-t'], securityGroupIds: ['sg-t'] },
    });
    expect(replication).toMatchObject({
      topicCount: 2,
      handle: { name: replicatorName(identity), engine: 'MSK_REPLICATOR' },
    });
  });

  it('refuses to start while the target is not ready', async () => {
    const state = stateOf(examplePlan('msk-to-automq-mirrormaker2'), { target: { ...kafkaTarget, ready: false } });
    await expect(
      runStartReplication(
        { state },
        {
          replicator: new FakeReplicator('MIRROR_MAKER_2'),
          artifacts: new MemoryArtifacts(),
          source: new FakeKafka(),
          now: at('2026-11-01T11:00:00.000Z'),
        },
      ),
    ).rejects.toMatchObject({ name: 'Migration.InputInvalid' });
  });

  it('runs the connectivity preflight of a target this execution created, and creates no replicator when it fails', async () => {
    // Prepare
    const source = new FakeKafka().addTopic('orders.created', 1);
    const replicator = new FakeReplicator('MSK_REPLICATOR');
    const state = stateOf(examplePlan('msk-to-msk-new-version'), {
      target: { ...readyServerlessTarget(TARGET_ARN), type: 'MSK_PROVISIONED', created: true },
    });
    const target = {
      checkConnectivity: async () => ({
        cluster: 'target',
        bootstrapServers: ['b-1.new:9098'],
        stages: [{ stage: 'TCP' as const, passed: false, endpoint: 'b-1.new:9098', detail: 'ETIMEDOUT' }],
      }),
    };

    // Act
    const failure = await runStartReplication(
      { state },
      { replicator, artifacts: new MemoryArtifacts(), source, target, now: at('2026-11-01T11:00:00.000Z') },
    ).catch((err: Error) => err);

    // Assess
    expect(failure).toMatchObject({
      name: 'Migration.Unreachable',
      message: expect.stringContaining('the target cluster failed at TCP on b-1.new:9098'),
    });
    expect(replicator.specs).toEqual([]);
  });
});
