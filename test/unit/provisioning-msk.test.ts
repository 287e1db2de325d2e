import {
  ConflictException,
  CreateClusterV2Command,
  DeleteClusterCommand,
  DescribeClusterV2Command,
  ForbiddenException,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MskTargetProvisioner } from '../../lambdas/adapters/aws/msk-provisioner';
import {
  checkTargetCluster,
  deleteOwnedTargetCluster,
  ensureTargetCluster,
  targetClusterName,
} from '../../lambdas/core/provisioning/target-cluster';
import { ownershipTags } from '../../lambdas/core/replication/naming';

const kafka = mockClient(KafkaClient);
const provisioner = new MskTargetProvisioner(new KafkaClient({ region: 'eu-west-1' }));
const identity = { migrationId: 'orders', executionName: 'exec-1' };
const name = targetClusterName(identity);
const arn = `arn:aws:kafka:eu-west-1:111122223333:cluster/${name}/uuid-1`;
const vpc = { subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-1'] };
const meta = { $metadata: {} };

describe('MSK target provisioner', () => {
  beforeEach(() => {
    kafka.reset();
  });

  it('creates an MSK Serverless cluster with IAM access in the input VPC, tagged with the execution', async () => {
    // Prepare
    kafka.on(ListClustersV2Command).resolves({ ClusterInfoList: [] });
    kafka.on(CreateClusterV2Command).resolves({ ClusterArn: arn, State: 'CREATING' });
    // Act
    const result = await ensureTargetCluster({ kind: 'SERVERLESS', vpc }, identity, provisioner);
    // Assess
    expect(result).toEqual({ clusterArn: arn, clusterName: name, created: true });
    expect(kafka).toHaveReceivedCommandWith(ListClustersV2Command, { ClusterNameFilter: name });
    expect(kafka).toHaveReceivedCommandWith(CreateClusterV2Command, {
      ClusterName: name,
      Tags: ownershipTags(identity),
      Serverless: {
        VpcConfigs: [{ SubnetIds: ['subnet-a', 'subnet-b'], SecurityGroupIds: ['sg-1'] }],
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      },
    });
  });

  it('creates a provisioned cluster with broker type, count, Kafka version, storage, IAM auth and TLS', async () => {
    kafka.on(ListClustersV2Command).resolves({});
    kafka.on(CreateClusterV2Command).resolves({ ClusterArn: arn });
    await ensureTargetCluster(
      {
        kind: 'PROVISIONED',
        vpc,
        provisioned: {
          kafkaVersion: '3.9.x',
          brokerInstanceType: 'express.m7g.large',
          numberOfBrokerNodes: 3,
          volumeSizeGiB: 1000,
        },
      },
      identity,
      provisioner,
    );
    expect(kafka).toHaveReceivedCommandWith(CreateClusterV2Command, {
      Provisioned: {
        KafkaVersion: '3.9.x',
        NumberOfBrokerNodes: 3,
        BrokerNodeGroupInfo: {
          InstanceType: 'express.m7g.large',
          ClientSubnets: ['subnet-a', 'subnet-b'],
          SecurityGroups: ['sg-1'],
          StorageInfo: { EbsStorageInfo: { VolumeSize: 1000 } },
        },
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
        EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      },
    });
  });

  it('finds the cluster of an earlier attempt across pages and creates nothing on retry', async () => {
    kafka
      .on(ListClustersV2Command)
      .resolvesOnce({
        ClusterInfoList: [{ ClusterName: `${name}-other`, ClusterArn: 'arn:x', State: 'ACTIVE', Tags: {} }],
        NextToken: 'p2',
      })
      .resolvesOnce({
        ClusterInfoList: [
          {
            ClusterName: name,
            ClusterArn: arn,
            State: 'CREATING',
            ClusterType: 'SERVERLESS',
            Tags: ownershipTags(identity),
          },
        ],
      });
    const result = await ensureTargetCluster({ kind: 'SERVERLESS', vpc }, identity, provisioner);
    expect(result).toEqual({ clusterArn: arn, clusterName: name, created: false });
    expect(kafka).toHaveReceivedCommandTimes(ListClustersV2Command, 2);
    expect(kafka).toHaveReceivedNthSpecificCommandWith(2, ListClustersV2Command, { NextToken: 'p2' });
    expect(kafka).not.toHaveReceivedCommand(CreateClusterV2Command);
  });

  it('turns a name conflict on create into Migration.Transient so that the retry adopts the cluster', async () => {
    kafka.on(ListClustersV2Command).resolves({});
    kafka.on(CreateClusterV2Command).rejects(new ConflictException({ message: 'exists', ...meta }));
    await expect(ensureTargetCluster({ kind: 'SERVERLESS', vpc }, identity, provisioner)).rejects.toMatchObject({
      name: 'Migration.Transient',
    });
  });

  it('maps throttling to Migration.Transient and a refused role to Migration.AuthFailed', async () => {
    kafka
      .on(ListClustersV2Command)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', ...meta }))
      .rejectsOnce(new ForbiddenException({ message: 'no', ...meta }));
    await expect(provisioner.findClusters(name)).rejects.toMatchObject({ name: 'Migration.Transient' });
    await expect(provisioner.findClusters(name)).rejects.toMatchObject({ name: 'Migration.AuthFailed' });
  });

  it('reports CREATING, then ACTIVE with the SASL/IAM bootstrap brokers', async () => {
    kafka
      .on(DescribeClusterV2Command, { ClusterArn: arn })
      .resolvesOnce({
        ClusterInfo: { ClusterArn: arn, ClusterName: name, State: 'CREATING', ClusterType: 'SERVERLESS' },
      })
      .resolvesOnce({
        ClusterInfo: { ClusterArn: arn, ClusterName: name, State: 'ACTIVE', ClusterType: 'SERVERLESS' },
      });
    kafka
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslIam: 'boot-a.kafka-serverless.eu-west-1.amazonaws.com:9098' });
    expect(await checkTargetCluster(arn, provisioner)).toEqual({ ready: false, state: 'CREATING' });
    expect(await checkTargetCluster(arn, provisioner)).toEqual({
      ready: true,
      state: 'ACTIVE',
      bootstrapServers: ['boot-a.kafka-serverless.eu-west-1.amazonaws.com:9098'],
    });
    expect(kafka).toHaveReceivedCommandWith(GetBootstrapBrokersCommand, { ClusterArn: arn });
  });

  it('fails with Migration.ProvisioningFailed and the StateInfo when the cluster is FAILED', async () => {
    kafka.on(DescribeClusterV2Command).resolves({
      ClusterInfo: {
        ClusterArn: arn,
        ClusterName: name,
        State: 'FAILED',
        StateInfo: { Code: 'InsufficientCapacity', Message: 'no capacity in subnet-a' },
      },
    });
    await expect(checkTargetCluster(arn, provisioner)).rejects.toMatchObject({
      name: 'Migration.ProvisioningFailed',
      details: { stateDetail: 'InsufficientCapacity: no capacity in subnet-a' },
    });
  });

  it('fails when the cluster being waited for was deleted', async () => {
    kafka.on(DescribeClusterV2Command).rejects(new NotFoundException({ message: 'gone', ...meta }));
    await expect(checkTargetCluster(arn, provisioner)).rejects.toMatchObject({
      name: 'Migration.ProvisioningFailed',
      message: expect.stringContaining('no longer exists'),
    });
  });

  it('deletes on rollback only the cluster whose tags name this execution', async () => {
    kafka
      .on(DescribeClusterV2Command)
      .resolvesOnce({
        ClusterInfo: {
          ClusterArn: arn,
          ClusterName: name,
          State: 'ACTIVE',
          Tags: { [ownershipTags(identity)['msk-migration:migration-id'] as string]: 'x' },
        },
      })
      .resolvesOnce({
        ClusterInfo: { ClusterArn: arn, ClusterName: name, State: 'ACTIVE', Tags: ownershipTags(identity) },
      });
    kafka.on(DeleteClusterCommand).resolves({});
    expect(await deleteOwnedTargetCluster(arn, identity, provisioner)).toBe('NOT_OURS');
    expect(kafka).not.toHaveReceivedCommand(DeleteClusterCommand);
    expect(await deleteOwnedTargetCluster(arn, identity, provisioner)).toBe('DELETED');
    expect(kafka).toHaveReceivedCommandWith(DeleteClusterCommand, { ClusterArn: arn });
  });
});
