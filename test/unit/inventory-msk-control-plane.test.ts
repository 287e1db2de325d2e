import {
  DescribeClusterV2Command,
  DescribeConfigurationRevisionCommand,
  ForbiddenException,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  NotFoundException,
  TooManyRequestsException,
  type Cluster,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsMskControlPlane, parseServerProperties } from '../../lambdas/adapters/aws/msk-control-plane';
import { MskClusterSchema } from '../../lambdas/core/inventory/model';

const kafka = mockClient(KafkaClient);
const msk = new AwsMskControlPlane(new KafkaClient({ region: 'eu-west-1' }));
const arn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/uuid-1';
const configArn = 'arn:aws:kafka:eu-west-1:111122223333:configuration/orders-config/uuid-2';
const meta = { $metadata: {} };

const provisioned: Cluster = {
  ClusterArn: arn,
  ClusterName: 'orders',
  ClusterType: 'PROVISIONED',
  State: 'ACTIVE',
  Tags: { team: 'payments' },
  Provisioned: {
    NumberOfBrokerNodes: 3,
    StorageMode: 'TIERED',
    EnhancedMonitoring: 'PER_TOPIC_PER_BROKER',
    BrokerNodeGroupInfo: {
      InstanceType: 'kafka.m7g.xlarge',
      ClientSubnets: ['subnet-a', 'subnet-b', 'subnet-c'],
      SecurityGroups: ['sg-1'],
      StorageInfo: {
        EbsStorageInfo: { VolumeSize: 2000, ProvisionedThroughput: { Enabled: true, VolumeThroughput: 250 } },
      },
      ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
    },
    CurrentBrokerSoftwareInfo: { KafkaVersion: '3.9.x', ConfigurationArn: configArn, ConfigurationRevision: 4 },
    ClientAuthentication: {
      Sasl: { Iam: { Enabled: true }, Scram: { Enabled: true } },
      Tls: { Enabled: false },
      Unauthenticated: { Enabled: false },
    },
    EncryptionInfo: {
      EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      EncryptionAtRest: { DataVolumeKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
    },
  },
};

describe('MSK control plane adapter', () => {
  beforeEach(() => {
    kafka.reset();
  });

  it('describes a provisioned cluster: version, brokers, storage, auth modes, configuration revision and bootstrap brokers', async () => {
    // Prepare
    kafka.on(DescribeClusterV2Command).resolves({ ClusterInfo: provisioned });
    kafka.on(GetBootstrapBrokersCommand).resolves({
      BootstrapBrokerStringSaslIam: 'b-1:9098,b-2:9098',
      BootstrapBrokerStringSaslScram: 'b-1:9096',
      BootstrapBrokerString: '',
    });
    kafka.on(DescribeConfigurationRevisionCommand).resolves({
      ServerProperties: Buffer.from(
        '# MSK\nauto.create.topics.enable=false\nmessage.max.bytes = 2097152\n\nlog.retention.hours=72\n',
      ),
    });
    // Act
    const cluster = await msk.describeCluster(arn);
    // Assess
    expect(kafka).toHaveReceivedCommandWith(DescribeClusterV2Command, { ClusterArn: arn });
    expect(kafka).toHaveReceivedCommandWith(GetBootstrapBrokersCommand, { ClusterArn: arn });
    expect(kafka).toHaveReceivedCommandWith(DescribeConfigurationRevisionCommand, { Arn: configArn, Revision: 4 });
    expect(MskClusterSchema.parse(cluster)).toEqual(cluster);
    expect(cluster).toMatchObject({
      clusterType: 'PROVISIONED',
      kafkaVersion: '3.9.x',
      brokers: {
        count: 3,
        instanceType: 'kafka.m7g.xlarge',
        storageGiB: 2000,
        storageMode: 'TIERED',
        provisionedThroughputMiBps: 250,
      },
      authentication: { iam: true, scram: true, mtls: false, unauthenticated: false },
      encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      encryptionAtRestKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      configuration: {
        arn: configArn,
        revision: 4,
        serverProperties: {
          'auto.create.topics.enable': 'false',
          'message.max.bytes': '2097152',
          'log.retention.hours': '72',
        },
      },
      bootstrapBrokers: { saslIam: 'b-1:9098,b-2:9098', saslScram: 'b-1:9096' },
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      vpc: { subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'], securityGroupIds: ['sg-1'] },
      publicAccess: false,
      tags: { team: 'payments' },
    });
  });

  it('describes an MSK Serverless cluster: IAM, TLS, its VPC, and no configuration revision to read', async () => {
    kafka.on(DescribeClusterV2Command).resolves({
      ClusterInfo: {
        ClusterArn: arn,
        ClusterName: 'target',
        ClusterType: 'SERVERLESS',
        State: 'ACTIVE',
        Serverless: {
          VpcConfigs: [{ SubnetIds: ['subnet-x'], SecurityGroupIds: ['sg-9'] }],
          ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
        },
      },
    });
    kafka.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: 'boot-abc.kafka-serverless:9098' });
    const cluster = await msk.describeCluster(arn);
    expect(kafka).not.toHaveReceivedCommand(DescribeConfigurationRevisionCommand);
    expect(cluster).toMatchObject({
      clusterType: 'SERVERLESS',
      authentication: { iam: true, scram: false, mtls: false, unauthenticated: false },
      vpc: { subnetIds: ['subnet-x'] },
    });
    expect(cluster.kafkaVersion).toBeUndefined();
    expect(cluster.brokers).toBeUndefined();
  });

  it('finds a cluster by its exact name across ListClustersV2 pages', async () => {
    kafka
      .on(ListClustersV2Command)
      .resolvesOnce({ ClusterInfoList: [{ ClusterName: 'orders-old', ClusterArn: 'arn:old' }], NextToken: 'page-2' })
      .resolvesOnce({ ClusterInfoList: [{ ClusterName: 'orders', ClusterArn: arn }] });
    await expect(msk.findClusterArn('orders')).resolves.toBe(arn);
    expect(kafka).toHaveReceivedCommandTimes(ListClustersV2Command, 2);
    expect(kafka).toHaveReceivedNthCommandWith(1, ListClustersV2Command, {
      ClusterNameFilter: 'orders',
      MaxResults: 100,
    });
    expect(kafka).toHaveReceivedNthCommandWith(2, ListClustersV2Command, {
      ClusterNameFilter: 'orders',
      MaxResults: 100,
      NextToken: 'page-2',
    });
  });

  it('returns undefined when no cluster has the name', async () => {
    kafka.on(ListClustersV2Command).resolves({ ClusterInfoList: [] });
    await expect(msk.findClusterArn('nope')).resolves.toBeUndefined();
  });

  it('maps an unknown ARN to Migration.InputInvalid, refused credentials to AuthFailed and throttling to Transient', async () => {
    kafka
      .on(DescribeClusterV2Command)
      .rejectsOnce(new NotFoundException({ ...meta, message: 'not found' }))
      .rejectsOnce(new ForbiddenException({ ...meta, message: 'denied' }))
      .rejectsOnce(new TooManyRequestsException({ ...meta, message: 'slow down' }));
    await expect(msk.describeCluster(arn)).rejects.toMatchObject({ name: 'Migration.InputInvalid' });
    await expect(msk.describeCluster(arn)).rejects.toMatchObject({ name: 'Migration.AuthFailed' });
    await expect(msk.describeCluster(arn)).rejects.toMatchObject({ name: 'Migration.Transient' });
  });

  it('reads server.properties with comments, blank lines and colons', () => {
    expect(parseServerProperties('! c\n# c\na=1\nb : two\n\nc=x=y\n')).toEqual({ a: '1', b: 'two', c: 'x=y' });
  });

  it('describes a cluster of another Region (a cross-region source) with a client of that Region', async () => {
    // Prepare
    const asked: string[] = [];
    const remote = new KafkaClient({ region: 'us-east-1' });
    const regional = new AwsMskControlPlane(new KafkaClient({ region: 'eu-west-1' }), {
      region: 'eu-west-1',
      clientFor: (region) => {
        asked.push(region);
        return remote;
      },
    });
    const remoteArn = 'arn:aws:kafka:us-east-1:111122223333:cluster/orders/uuid-9';
    kafka.on(DescribeClusterV2Command).resolves({ ...meta, ClusterInfo: { ...provisioned, ClusterArn: remoteArn } });
    kafka.on(GetBootstrapBrokersCommand).resolves({ ...meta, BootstrapBrokerStringSaslIam: 'b-1:9098' });
    kafka.on(DescribeConfigurationRevisionCommand).resolves({ ...meta, ServerProperties: new Uint8Array() });

    // Act
    const described = await regional.describeCluster(remoteArn);
    await regional.describeCluster(arn);

    // Assess
    expect(described.clusterArn).toBe(remoteArn);
    expect(asked).toEqual(['us-east-1']);
    // DescribeClusterV2, GetBootstrapBrokers and DescribeConfigurationRevision of the remote cluster: its Region's client.
    expect(
      kafka
        .calls()
        .slice(0, 3)
        .map((c) => c.thisValue === remote),
    ).toEqual([true, true, true]);
    expect(kafka.calls()[3]?.thisValue).not.toBe(remote);
  });
});
