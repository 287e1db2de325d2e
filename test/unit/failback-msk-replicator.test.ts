import {
  CreateReplicatorCommand,
  DeleteReplicatorCommand,
  DescribeReplicatorCommand,
  ListReplicatorsCommand,
} from '@aws-sdk/client-kafka';
import 'aws-sdk-client-mock-jest';
import { storeEndOffsets } from '../../lambdas/core/cutover/model';
import { FAILBACK_ROLE_TAG } from '../../lambdas/core/failback/failback';
import { runStartFailback, runStopFailback } from '../../lambdas/core/failback/tasks';
import { failbackReplicatorName, ownershipTags } from '../../lambdas/core/replication/naming';
import { identity, kafka, replicator, replicatorArnOf, roleArn, sourceArn, targetArn } from './msk-replicator-fixtures';
import { FakeKafka, MemoryArtifacts } from './validation-fake-kafka';

const name = failbackReplicatorName(identity);
const arn = replicatorArnOf(name);
const forward = {
  engine: 'MSK_REPLICATOR' as const,
  name: 'mskmig-orders-0abc123',
  id: 'arn:aws:kafka:eu-west-1:111122223333:replicator/fwd/uuid',
};
const ours = { ...ownershipTags(identity), [FAILBACK_ROLE_TAG]: 'failback' };

describe('failback with a second MSK Replicator (target → source)', () => {
  let artifacts: MemoryArtifacts;
  let a: FakeKafka;
  let b: FakeKafka;
  const deps = () => ({ replicator, artifacts, source: a, target: b, now: () => new Date('2026-11-20T10:00:00Z') });
  const request = (overrides: Record<string, unknown> = {}) => ({
    identity,
    engine: 'MSK_REPLICATOR' as const,
    source: { clusterArn: sourceArn, vpc: { subnetIds: ['subnet-s1'], securityGroupIds: ['sg-src'] } },
    target: { clusterArn: targetArn, vpc: { subnetIds: ['subnet-t1'], securityGroupIds: ['sg-tgt'] } },
    topicFilter: { include: ['orders\\..*'] },
    consumerGroups: { include: ['billing-.*'], exclude: ['billing-test'] },
    topicsKey: 'migrations/orders/exec-1/replication/topics.json',
    canaryTopic: 'msk-migration.canary.orders.x',
    forwardHandle: forward,
    forwardOffsetSyncMode: 'ENHANCED' as const,
    switchTargetOffsetsKey: 'migrations/orders/exec-1/cutover/switch.json',
    ...overrides,
  });

  beforeEach(async () => {
    kafka.reset();
    artifacts = new MemoryArtifacts();
    a = new FakeKafka().addTopic('orders.created', 1).append('orders.created', 0, [{ value: 'old' }]);
    b = new FakeKafka().addTopic('orders.created', 1).append('orders.created', 0, [{ value: 'old' }, { value: 'new' }]);
    await artifacts.putJson('migrations/orders/exec-1/replication/topics.json', ['orders.created']);
    await storeEndOffsets(artifacts, identity, 'switch.json', '2026-11-20T09:00:00Z', [
      { topic: 'orders.created', partition: 0, low: '0', high: '1' },
    ]);
  });

  it('creates a replicator from the target to the source with identical names, EARLIEST, ENHANCED offset sync, source configs untouched, and keeps the forward one', async () => {
    // Prepare
    kafka.on(ListReplicatorsCommand).resolves({ Replicators: [] });
    kafka
      .on(CreateReplicatorCommand)
      .resolves({ ReplicatorArn: arn, ReplicatorName: name, ReplicatorState: 'CREATING' });
    kafka.on(DescribeReplicatorCommand).resolves({ ReplicatorState: 'CREATING' });
    // Act
    const state = await runStartFailback(request(), deps());
    // Assess
    expect(state).toMatchObject({
      created: true,
      forwardReplicator: 'KEPT',
      offsetSyncMode: 'ENHANCED',
      offsetTranslation: 'ENGINE',
      running: false,
      state: 'CREATING',
    });
    expect(kafka).toHaveReceivedCommandWith(CreateReplicatorCommand, {
      ReplicatorName: name,
      ServiceExecutionRoleArn: roleArn,
      KafkaClusters: [
        {
          AmazonMskCluster: { MskClusterArn: targetArn },
          VpcConfig: { SubnetIds: ['subnet-t1'], SecurityGroupIds: ['sg-tgt'] },
        },
        {
          AmazonMskCluster: { MskClusterArn: sourceArn },
          VpcConfig: { SubnetIds: ['subnet-s1'], SecurityGroupIds: ['sg-src'] },
        },
      ],
      ReplicationInfoList: [
        {
          SourceKafkaClusterArn: targetArn,
          TargetKafkaClusterArn: sourceArn,
          TargetCompressionType: 'NONE',
          TopicReplication: {
            TopicsToReplicate: ['orders\\..*'],
            TopicsToExclude: ['msk-migration\\.canary\\.orders\\.x'],
            TopicNameConfiguration: { Type: 'IDENTICAL' },
            StartingPosition: { Type: 'EARLIEST' },
            CopyTopicConfigurations: false,
            CopyAccessControlListsForTopics: false,
            DetectAndCopyNewTopics: true,
          },
          ConsumerGroupReplication: {
            ConsumerGroupsToReplicate: ['billing-.*'],
            ConsumerGroupsToExclude: ['billing-test'],
            DetectAndCopyNewConsumerGroups: true,
            SynchroniseConsumerGroupOffsets: true,
            ConsumerGroupOffsetSyncMode: 'ENHANCED',
          },
        },
      ],
      Tags: ours,
    });
    expect(kafka).not.toHaveReceivedCommand(DeleteReplicatorCommand);
  });

  it('adopts the replicator an earlier attempt created instead of creating a second one', async () => {
    kafka.on(ListReplicatorsCommand).resolves({ Replicators: [{ ReplicatorName: name, ReplicatorArn: arn }] });
    kafka.on(DescribeReplicatorCommand).resolves({ ReplicatorState: 'RUNNING', Tags: ours });
    const state = await runStartFailback(request(), deps());
    expect(state).toMatchObject({ created: false, running: true, handle: { id: arn } });
    expect(kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  it('creates nothing when the forward replicator is LEGACY and the approver did not accept untranslated offsets', async () => {
    await expect(runStartFailback(request({ forwardOffsetSyncMode: 'LEGACY' }), deps())).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
    });
    expect(kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  it('deletes the reverse replicator only when its tags say it is this execution failback', async () => {
    // Prepare
    kafka.on(ListReplicatorsCommand).resolves({ Replicators: [{ ReplicatorName: name, ReplicatorArn: arn }] });
    kafka
      .on(DescribeReplicatorCommand)
      .resolvesOnce({ ReplicatorState: 'RUNNING', Tags: ownershipTags(identity) })
      .resolves({ ReplicatorState: 'RUNNING', Tags: ours });
    kafka.on(DeleteReplicatorCommand).resolves({ ReplicatorArn: arn, ReplicatorState: 'DELETING' });
    const state = { handle: { engine: 'MSK_REPLICATOR' as const, name, id: arn } };
    const failback = { ...startedFailbackState(), ...state };
    // Act
    const notOurs = await runStopFailback(failback, deps());
    const deleted = await runStopFailback(failback, deps());
    // Assess
    expect([notOurs.replicator, deleted.replicator]).toEqual(['NOT_OURS', 'DELETED']);
    expect(kafka).toHaveReceivedCommandTimes(DeleteReplicatorCommand, 1);
    expect(kafka).toHaveReceivedCommandWith(DeleteReplicatorCommand, { ReplicatorArn: arn });
  });
});

/** A FailbackState as StartFailback returns it (the stop reads only identity, engine, handle and preexistingTopics). */
function startedFailbackState() {
  return {
    identity,
    engine: 'MSK_REPLICATOR' as const,
    handle: { engine: 'MSK_REPLICATOR' as const, name, id: arn },
    created: true,
    offsetSyncMode: 'ENHANCED' as const,
    offsetTranslation: 'ENGINE' as const,
    forwardReplicator: 'KEPT' as const,
    startedAt: '2026-11-20T10:00:00Z',
    catchUpTimeoutMinutes: 120,
    consumerGroups: { include: ['billing-.*'], exclude: [] },
    positionsKey: 'migrations/orders/exec-1/failback/positions.json',
    topicCount: 1,
    partitionCount: 1,
    notes: [],
    preexistingTopics: [],
    state: 'RUNNING' as const,
    running: true,
    caughtUp: false,
    checks: 0,
  };
}
