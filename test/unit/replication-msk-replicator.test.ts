import {
  ConflictException,
  CreateReplicatorCommand,
  DeleteReplicatorCommand,
  DescribeReplicatorCommand,
  KafkaClient,
  ListReplicatorsCommand,
  NotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-kafka';
import 'aws-sdk-client-mock-jest';
import { ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import {
  checkReplication,
  planReplication,
  startReplication,
  stopReplication,
} from '../../lambdas/core/replication/replication';
import { MskReplicator } from '../../lambdas/adapters/aws/msk-replicator';
import { identity, kafka, replicator, replicatorArnOf, roleArn, sourceArn, targetArn } from './msk-replicator-fixtures';

const name = replicatorName(identity);
const arn = replicatorArnOf(name);
const meta = { $metadata: {} };

const plan = planReplication({
  identity,
  engine: 'MSK_REPLICATOR',
  source: { clusterArn: sourceArn, vpc: { subnetIds: ['subnet-s1', 'subnet-s2'], securityGroupIds: ['sg-src'] } },
  target: { clusterArn: targetArn, vpc: { subnetIds: ['subnet-t1'], securityGroupIds: ['sg-tgt'] } },
  topics: { include: ['orders\\..*'], exclude: ['.*\\.dlq'] },
  consumerGroups: { include: ['billing-.*'], exclude: ['billing-test'] },
  offsetSyncMode: 'ENHANCED',
  sourceTopics: ['orders.created', 'orders.paid'],
  canaryTopic: 'msk-migration.canary.orders.x',
});

describe('MSK Replicator adapter', () => {
  beforeEach(() => {
    kafka.reset();
  });

  it('creates the replicator with identical topic names, offset sync, both VPC configs and the construct role', async () => {
    // Prepare
    kafka
      .on(ListReplicatorsCommand)
      .resolves({ Replicators: [{ ReplicatorName: 'someone-else', ReplicatorArn: 'arn:other' }] });
    kafka
      .on(CreateReplicatorCommand)
      .resolves({ ReplicatorArn: arn, ReplicatorName: name, ReplicatorState: 'CREATING' });
    // Act
    const started = await startReplication(plan.spec, identity, replicator);
    // Assess
    expect(started).toEqual({ handle: { engine: 'MSK_REPLICATOR', name, id: arn }, created: true });
    expect(kafka).toHaveReceivedCommandWith(ListReplicatorsCommand, { ReplicatorNameFilter: name });
    expect(kafka).toHaveReceivedCommandWith(CreateReplicatorCommand, {
      ReplicatorName: name,
      ServiceExecutionRoleArn: roleArn,
      KafkaClusters: [
        {
          AmazonMskCluster: { MskClusterArn: sourceArn },
          VpcConfig: { SubnetIds: ['subnet-s1', 'subnet-s2'], SecurityGroupIds: ['sg-src'] },
        },
        {
          AmazonMskCluster: { MskClusterArn: targetArn },
          VpcConfig: { SubnetIds: ['subnet-t1'], SecurityGroupIds: ['sg-tgt'] },
        },
      ],
      ReplicationInfoList: [
        {
          SourceKafkaClusterArn: sourceArn,
          TargetKafkaClusterArn: targetArn,
          TargetCompressionType: 'NONE',
          TopicReplication: {
            TopicsToReplicate: ['orders\\..*', 'msk-migration\\.canary\\.orders\\.x'],
            TopicsToExclude: ['.*\\.dlq'],
            TopicNameConfiguration: { Type: 'IDENTICAL' },
            StartingPosition: { Type: 'EARLIEST' },
            CopyTopicConfigurations: true,
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
      Tags: ownershipTags(identity),
    });
  });

  it('adopts the replicator of an earlier attempt on retry instead of creating another', async () => {
    kafka
      .on(ListReplicatorsCommand)
      .resolves({ Replicators: [{ ReplicatorName: name, ReplicatorArn: arn, ReplicatorState: 'CREATING' }] });
    kafka
      .on(DescribeReplicatorCommand, { ReplicatorArn: arn })
      .resolves({ ReplicatorArn: arn, ReplicatorState: 'CREATING', Tags: ownershipTags(identity) });
    const started = await startReplication(plan.spec, identity, replicator);
    expect(started.created).toBe(false);
    expect(kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  it('counts the account replicators over every page and refuses the sixteenth before calling CreateReplicator', async () => {
    const page = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        ReplicatorName: `r${from + i}`,
        ReplicatorArn: `arn:r${from + i}`,
      }));
    kafka.on(ListReplicatorsCommand, { ReplicatorNameFilter: name }).resolves({ Replicators: [] });
    kafka
      .on(ListReplicatorsCommand, { NextToken: undefined, MaxResults: 100 })
      .resolves({ Replicators: page(0, 10), NextToken: 'n' });
    kafka.on(ListReplicatorsCommand, { NextToken: 'n', MaxResults: 100 }).resolves({ Replicators: page(10, 15) });
    await expect(startReplication(plan.spec, identity, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      details: { existing: 15, limit: 15 },
    });
    expect(kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  it('turns a conflict on create into Migration.Transient (the retry adopts it) and a 503 into Migration.Transient', async () => {
    kafka.on(ListReplicatorsCommand).resolves({});
    kafka
      .on(CreateReplicatorCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', ...meta }))
      .rejectsOnce(new ServiceUnavailableException({ message: 'busy', ...meta }));
    await expect(replicator.create(plan.spec)).rejects.toMatchObject({ name: 'Migration.Transient' });
    await expect(replicator.create(plan.spec)).rejects.toMatchObject({ name: 'Migration.Transient' });
  });

  it('refuses a target without a cluster ARN, pointing at MirrorMaker 2', async () => {
    await expect(
      replicator.create({ ...plan.spec, target: { bootstrapServers: ['automq:9092'] } }),
    ).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('use MIRROR_MAKER_2'),
    });
    expect(kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  it.each([
    ['CREATING', { running: false, state: 'CREATING' }],
    ['UPDATING', { running: false, state: 'UPDATING' }],
    ['RUNNING', { running: true, state: 'RUNNING' }],
  ] as const)('maps the replicator state %s for the wait loop', async (state, expected) => {
    kafka.on(DescribeReplicatorCommand).resolves({ ReplicatorArn: arn, ReplicatorState: state });
    expect(await checkReplication({ engine: 'MSK_REPLICATOR', name, id: arn }, replicator)).toEqual(expected);
  });

  it('fails with Migration.ReplicationFailed and the StateInfo when the replicator is FAILED', async () => {
    kafka.on(DescribeReplicatorCommand).resolves({
      ReplicatorArn: arn,
      ReplicatorState: 'FAILED',
      StateInfo: { Code: 'AccessDenied', Message: 'role cannot connect to cluster src' },
    });
    await expect(checkReplication({ engine: 'MSK_REPLICATOR', name, id: arn }, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      details: { detail: 'AccessDenied: role cannot connect to cluster src' },
    });
  });

  it('fails with Migration.ReplicationFailed when the replicator is DELETING or gone', async () => {
    kafka
      .on(DescribeReplicatorCommand)
      .resolvesOnce({ ReplicatorState: 'DELETING' })
      .rejectsOnce(new NotFoundException({ message: 'gone', ...meta }));
    await expect(checkReplication({ engine: 'MSK_REPLICATOR', name, id: arn }, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
    });
    await expect(checkReplication({ engine: 'MSK_REPLICATOR', name, id: arn }, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
    });
  });

  it('deletes the replicator on rollback only when this execution created it', async () => {
    kafka.on(ListReplicatorsCommand).resolves({ Replicators: [{ ReplicatorName: name, ReplicatorArn: arn }] });
    kafka
      .on(DescribeReplicatorCommand)
      .resolvesOnce({
        ReplicatorState: 'RUNNING',
        Tags: { 'msk-migration:execution': 'exec-other', 'msk-migration:migration-id': 'orders' },
      })
      .resolves({ ReplicatorState: 'RUNNING', Tags: ownershipTags(identity) });
    kafka.on(DeleteReplicatorCommand).resolves({ ReplicatorArn: arn, ReplicatorState: 'DELETING' });
    expect(await stopReplication({ engine: 'MSK_REPLICATOR', name, id: arn }, identity, replicator)).toBe('NOT_OURS');
    expect(kafka).not.toHaveReceivedCommand(DeleteReplicatorCommand);
    expect(await stopReplication({ engine: 'MSK_REPLICATOR', name, id: arn }, identity, replicator)).toBe('DELETED');
    expect(kafka).toHaveReceivedCommandWith(DeleteReplicatorCommand, { ReplicatorArn: arn });
  });

  it('creates a replicator in its own Region reading a source in another Region (cross-region replication)', async () => {
    // Prepare
    const regional = new MskReplicator(new KafkaClient({ region: 'eu-west-1' }), {
      serviceExecutionRoleArn: roleArn,
      region: 'eu-west-1',
    });
    const remoteSource = 'arn:aws:kafka:us-east-1:111122223333:cluster/src/abc';
    const spec = { ...plan.spec, source: { ...plan.spec.source, clusterArn: remoteSource } };
    kafka.on(CreateReplicatorCommand).resolves({ ReplicatorArn: arn, ReplicatorName: name });

    // Act
    const handle = await regional.create(spec);

    // Assess
    expect(handle.id).toBe(arn);
    expect(kafka).toHaveReceivedCommandWith(CreateReplicatorCommand, {
      ReplicationInfoList: [
        expect.objectContaining({ SourceKafkaClusterArn: remoteSource, TargetKafkaClusterArn: targetArn }),
      ],
    });
  });

  it('refuses a target in another Region than the orchestrator before calling CreateReplicator', async () => {
    // Prepare
    const regional = new MskReplicator(new KafkaClient({ region: 'us-east-1' }), {
      serviceExecutionRoleArn: roleArn,
      region: 'us-east-1',
    });

    // Act
    const failure = await regional.create(plan.spec).catch((err: Error) => err);

    // Assess
    expect(failure).toMatchObject({
      name: 'Migration.InputInvalid',
      message: expect.stringContaining("created in the target cluster's Region (eu-west-1)"),
    });
    expect(kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });
});
