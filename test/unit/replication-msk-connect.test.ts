import {
  CreateConnectorCommand,
  DeleteConnectorCommand,
  DescribeConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  ListTagsForResourceCommand,
  NotFoundException,
} from '@aws-sdk/client-kafkaconnect';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MskConnectMirrorMaker2 } from '../../lambdas/adapters/aws/msk-connect-mm2';
import { ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import {
  checkReplication,
  planReplication,
  startReplication,
  stopReplication,
} from '../../lambdas/core/replication/replication';

const connect = mockClient(KafkaConnectClient);
const roleArn = 'arn:aws:iam::111122223333:role/msk-migration-connect';
const mm2 = new MskConnectMirrorMaker2(new KafkaConnectClient({ region: 'eu-west-1' }), {
  serviceExecutionRoleArn: roleArn,
  region: 'eu-west-1',
  logGroupName: '/msk-migration/mm2',
});
const identity = { migrationId: 'orders', executionName: 'exec-1' };
const name = replicatorName(identity);
const pluginArn = 'arn:aws:kafkaconnect:eu-west-1:111122223333:custom-plugin/mm2/abc';
const sourceArn = `arn:aws:kafkaconnect:eu-west-1:111122223333:connector/${name}-source/1`;
const checkpointArn = `arn:aws:kafkaconnect:eu-west-1:111122223333:connector/${name}-checkpoint/2`;
const handle = { engine: 'MIRROR_MAKER_2' as const, name, id: `${sourceArn},${checkpointArn}` };

const plan = planReplication({
  identity,
  engine: 'MIRROR_MAKER_2',
  source: { bootstrapServers: ['b-1.src:9098', 'b-2.src:9098'], auth: { mechanism: 'IAM' } },
  target: {
    bootstrapServers: ['automq-1:9092'],
    auth: { mechanism: 'PLAINTEXT' },
    vpc: { subnetIds: ['subnet-t'], securityGroupIds: ['sg-t'] },
  },
  topics: { include: ['orders\\..*'], exclude: [] },
  consumerGroups: { include: ['.*'], exclude: [] },
  sourceTopics: ['orders.created'],
  mskConnect: {
    customPluginArn: pluginArn,
    customPluginRevision: 1,
    workerConfigurationArn: 'arn:wc',
    workerConfigurationRevision: 2,
  },
});

describe('MirrorMaker 2 on MSK Connect adapter', () => {
  beforeEach(() => {
    connect.reset();
  });

  it('creates a source and a checkpoint connector with identity replication, running against the target', async () => {
    // Prepare
    connect.on(ListConnectorsCommand).resolves({ connectors: [] });
    connect.on(CreateConnectorCommand, { connectorName: `${name}-source` }).resolves({ connectorArn: sourceArn });
    connect
      .on(CreateConnectorCommand, { connectorName: `${name}-checkpoint` })
      .resolves({ connectorArn: checkpointArn });
    // Act
    const started = await startReplication(plan.spec, identity, mm2);
    // Assess
    expect(started).toEqual({ handle, created: true });
    expect(connect).toHaveReceivedCommandWith(CreateConnectorCommand, {
      connectorName: `${name}-source`,
      kafkaCluster: {
        apacheKafkaCluster: {
          bootstrapServers: 'automq-1:9092',
          vpc: { subnets: ['subnet-t'], securityGroups: ['sg-t'] },
        },
      },
      kafkaClusterClientAuthentication: { authenticationType: 'NONE' },
      kafkaClusterEncryptionInTransit: { encryptionType: 'PLAINTEXT' },
      plugins: [{ customPlugin: { customPluginArn: pluginArn, revision: 1 } }],
      serviceExecutionRoleArn: roleArn,
      workerConfiguration: { workerConfigurationArn: 'arn:wc', revision: 2 },
      logDelivery: { workerLogDelivery: { cloudWatchLogs: { enabled: true, logGroup: '/msk-migration/mm2' } } },
      tags: ownershipTags(identity),
      connectorConfiguration: expect.objectContaining({
        'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
        'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        'offset-syncs.topic.location': 'target',
        'source.cluster.bootstrap.servers': 'b-1.src:9098,b-2.src:9098',
        'source.cluster.sasl.mechanism': 'AWS_MSK_IAM',
        'target.cluster.security.protocol': 'PLAINTEXT',
        topics: 'orders\\..*',
        'sync.topic.configs.enabled': 'true',
        'consumer.auto.offset.reset': 'earliest',
      }),
    });
    expect(connect).toHaveReceivedCommandWith(CreateConnectorCommand, {
      connectorName: `${name}-checkpoint`,
      connectorConfiguration: expect.objectContaining({
        'connector.class': 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
        'sync.group.offsets.enabled': 'true',
        groups: '.*',
        'offset-syncs.topic.location': 'target',
      }),
    });
  });

  it('creates only the missing connector when a retry follows a partial create', async () => {
    connect.on(ListConnectorsCommand).resolves({
      connectors: [{ connectorName: `${name}-source`, connectorArn: sourceArn, connectorState: 'CREATING' }],
    });
    connect.on(ListTagsForResourceCommand).resolves({ tags: ownershipTags(identity) });
    connect.on(CreateConnectorCommand).resolves({ connectorArn: checkpointArn });
    const started = await mm2.create(plan.spec);
    expect(started.id).toBe(`${sourceArn},${checkpointArn}`);
    expect(connect).toHaveReceivedCommandTimes(CreateConnectorCommand, 1);
    expect(connect).toHaveReceivedCommandWith(CreateConnectorCommand, { connectorName: `${name}-checkpoint` });
  });

  it('adopts both connectors of an earlier attempt without creating anything', async () => {
    connect.on(ListConnectorsCommand).resolves({
      connectors: [
        { connectorName: `${name}-checkpoint`, connectorArn: checkpointArn, connectorState: 'RUNNING' },
        { connectorName: `${name}-source`, connectorArn: sourceArn, connectorState: 'RUNNING' },
      ],
    });
    connect.on(ListTagsForResourceCommand, { resourceArn: sourceArn }).resolves({ tags: ownershipTags(identity) });
    expect(await startReplication(plan.spec, identity, mm2)).toEqual({ handle, created: false });
    expect(connect).not.toHaveReceivedCommand(CreateConnectorCommand);
  });

  it('refuses a SCRAM-only target that MSK Connect workers cannot authenticate to', async () => {
    const scram = {
      ...plan.spec,
      target: {
        ...plan.spec.target,
        auth: { mechanism: 'SCRAM-SHA-512' as const, secretArn: 'arn:secret', tls: true },
      },
    };
    connect.on(ListConnectorsCommand).resolves({});
    await expect(mm2.create(scram)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('SCRAM-only target'),
    });
  });

  it('requires the MirrorMaker 2 plugin from the input', async () => {
    const { mskConnect: _omitted, ...withoutPlugin } = plan.spec;
    await expect(mm2.create(withoutPlugin)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('customPluginArn'),
    });
  });

  it.each([
    [['CREATING', 'RUNNING'], 'CREATING'],
    [['RUNNING', 'UPDATING'], 'UPDATING'],
    [['RUNNING', 'RUNNING'], 'RUNNING'],
  ] as const)('folds connector states %j into %s', async (states, expected) => {
    connect.on(DescribeConnectorCommand, { connectorArn: sourceArn }).resolves({ connectorState: states[0] });
    connect.on(DescribeConnectorCommand, { connectorArn: checkpointArn }).resolves({ connectorState: states[1] });
    expect((await checkReplication(handle, mm2)).state).toBe(expected);
  });

  it('fails with Migration.ReplicationFailed and the connector reason when one connector FAILED or was paused', async () => {
    connect.on(DescribeConnectorCommand, { connectorArn: sourceArn }).resolves({
      connectorName: `${name}-source`,
      connectorState: 'FAILED',
      stateDescription: { code: 'WorkerError', message: 'cannot reach b-1.src' },
    });
    connect
      .on(DescribeConnectorCommand, { connectorArn: checkpointArn })
      .resolves({ connectorName: `${name}-checkpoint`, connectorState: 'PAUSED' });
    await expect(checkReplication(handle, mm2)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      details: {
        detail: `${name}-source: WorkerError: cannot reach b-1.src; ${name}-checkpoint: paused by someone; it copies nothing while paused`,
      },
    });
  });

  it('deletes both connectors on rollback, ignoring one already gone', async () => {
    connect.on(ListConnectorsCommand).resolves({
      connectors: [
        { connectorName: `${name}-source`, connectorArn: sourceArn, connectorState: 'RUNNING' },
        { connectorName: `${name}-checkpoint`, connectorArn: checkpointArn, connectorState: 'RUNNING' },
      ],
    });
    connect.on(ListTagsForResourceCommand).resolves({ tags: ownershipTags(identity) });
    connect
      .on(DeleteConnectorCommand, { connectorArn: sourceArn })
      .rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    connect.on(DeleteConnectorCommand, { connectorArn: checkpointArn }).resolves({});
    expect(await stopReplication(handle, identity, mm2)).toBe('DELETED');
    expect(connect).toHaveReceivedCommandTimes(DeleteConnectorCommand, 2);
  });
});
