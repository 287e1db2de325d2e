import {
  DescribeClusterV2Command,
  DescribeConfigurationRevisionCommand,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  type Cluster,
  type GetBootstrapBrokersResponse,
} from '@aws-sdk/client-kafka';
import { InputInvalidError, TransientError } from '../../core/errors';
import type { MskCluster } from '../../core/inventory/model';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import { toMigrationError } from './msk-provisioner';

/** ListClustersV2 pages read at most (100 clusters a page): a bound, not a limit anyone should reach. */
const MAX_PAGES = 50;

const BOOTSTRAP_KEYS: ReadonlyArray<[keyof GetBootstrapBrokersResponse, string]> = [
  ['BootstrapBrokerString', 'plaintext'],
  ['BootstrapBrokerStringTls', 'tls'],
  ['BootstrapBrokerStringSaslScram', 'saslScram'],
  ['BootstrapBrokerStringSaslIam', 'saslIam'],
  ['BootstrapBrokerStringPublicTls', 'publicTls'],
  ['BootstrapBrokerStringPublicSaslScram', 'publicSaslScram'],
  ['BootstrapBrokerStringPublicSaslIam', 'publicSaslIam'],
  ['BootstrapBrokerStringVpcConnectivityTls', 'vpcConnectivityTls'],
  ['BootstrapBrokerStringVpcConnectivitySaslScram', 'vpcConnectivitySaslScram'],
  ['BootstrapBrokerStringVpcConnectivitySaslIam', 'vpcConnectivitySaslIam'],
];

/** Java properties, as MSK stores a configuration revision: `key=value` lines, `#` and `!` comments. */
export function parseServerProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at <= 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function bootstrapBrokers(response: GetBootstrapBrokersResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of BOOTSTRAP_KEYS) {
    const value = response[key];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

/** The inventory's view of a DescribeClusterV2 `ClusterInfo` (provisioned or Serverless). */
export function toMskCluster(
  cluster: Cluster,
  bootstrap: Record<string, string>,
  configuration?: MskCluster['configuration'],
): MskCluster {
  const p = cluster.Provisioned;
  const s = cluster.Serverless;
  const pAuth = p?.ClientAuthentication;
  const storage = p?.BrokerNodeGroupInfo?.StorageInfo?.EbsStorageInfo;
  const throughput = storage?.ProvisionedThroughput;
  const vpc = s?.VpcConfigs?.[0];
  return {
    clusterArn: cluster.ClusterArn ?? '',
    clusterName: cluster.ClusterName ?? '',
    clusterType: cluster.ClusterType === 'SERVERLESS' ? 'SERVERLESS' : 'PROVISIONED',
    state: cluster.State ?? 'UNKNOWN',
    ...(p?.CurrentBrokerSoftwareInfo?.KafkaVersion ? { kafkaVersion: p.CurrentBrokerSoftwareInfo.KafkaVersion } : {}),
    ...(p
      ? {
          brokers: {
            count: p.NumberOfBrokerNodes ?? 0,
            instanceType: p.BrokerNodeGroupInfo?.InstanceType ?? 'unknown',
            ...(storage?.VolumeSize !== undefined ? { storageGiB: storage.VolumeSize } : {}),
            ...(p.StorageMode ? { storageMode: p.StorageMode } : {}),
            ...(throughput?.Enabled && throughput.VolumeThroughput !== undefined
              ? { provisionedThroughputMiBps: throughput.VolumeThroughput }
              : {}),
          },
        }
      : {}),
    authentication: {
      iam: (pAuth?.Sasl?.Iam?.Enabled ?? s?.ClientAuthentication?.Sasl?.Iam?.Enabled) === true,
      scram: pAuth?.Sasl?.Scram?.Enabled === true,
      mtls: pAuth?.Tls?.Enabled === true,
      unauthenticated: pAuth?.Unauthenticated?.Enabled === true,
    },
    encryptionInTransit: s
      ? { clientBroker: 'TLS', inCluster: true }
      : {
          ...(p?.EncryptionInfo?.EncryptionInTransit?.ClientBroker
            ? { clientBroker: p.EncryptionInfo.EncryptionInTransit.ClientBroker }
            : {}),
          ...(p?.EncryptionInfo?.EncryptionInTransit?.InCluster !== undefined
            ? { inCluster: p.EncryptionInfo.EncryptionInTransit.InCluster }
            : {}),
        },
    ...(p?.EncryptionInfo?.EncryptionAtRest?.DataVolumeKMSKeyId
      ? { encryptionAtRestKmsKeyArn: p.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId }
      : {}),
    ...(configuration ? { configuration } : {}),
    bootstrapBrokers: bootstrap,
    ...(p?.EnhancedMonitoring ? { enhancedMonitoring: p.EnhancedMonitoring } : {}),
    vpc: {
      subnetIds: [...(p?.BrokerNodeGroupInfo?.ClientSubnets ?? vpc?.SubnetIds ?? [])],
      securityGroupIds: [...(p?.BrokerNodeGroupInfo?.SecurityGroups ?? vpc?.SecurityGroupIds ?? [])],
    },
    publicAccess: (p?.BrokerNodeGroupInfo?.ConnectivityInfo?.PublicAccess?.Type ?? 'DISABLED') !== 'DISABLED',
    tags: { ...(cluster.Tags ?? {}) },
  };
}

/** MSK control plane for the inventory: DescribeClusterV2, GetBootstrapBrokers, DescribeConfigurationRevision, ListClustersV2. */
export interface AwsMskControlPlaneOptions {
  /** The Region `kafka` is in (the orchestrator's). */
  readonly region: string;
  /** A client for another Region: a cluster is described in the Region its ARN names (a cross-region source). */
  readonly clientFor: (region: string) => KafkaClient;
}

export class AwsMskControlPlane implements MskControlPlane {
  constructor(
    private readonly home: KafkaClient,
    private readonly regions?: AwsMskControlPlaneOptions,
  ) {}

  /** The client of the Region the cluster's ARN names (`arn:aws:kafka:<region>:…`), the home one when it is that. */
  private clientOf(clusterArn: string): KafkaClient {
    const region = clusterArn.split(':')[3];
    if (!this.regions || !region || region === this.regions.region) return this.home;
    return this.regions.clientFor(region);
  }

  async describeCluster(clusterArn: string): Promise<MskCluster> {
    const kafka = this.clientOf(clusterArn);
    const out = await this.call(`DescribeClusterV2 ${clusterArn}`, () =>
      kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn })),
    );
    const cluster = out.ClusterInfo;
    if (!cluster) throw new TransientError(`DescribeClusterV2 ${clusterArn} returned no ClusterInfo; retry.`);
    const brokers = await this.call(`GetBootstrapBrokers ${clusterArn}`, () =>
      kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn })),
    );
    const software = cluster.Provisioned?.CurrentBrokerSoftwareInfo;
    let configuration: MskCluster['configuration'];
    if (software?.ConfigurationArn && software.ConfigurationRevision !== undefined) {
      const arn = software.ConfigurationArn;
      const revision = software.ConfigurationRevision;
      const rev = await this.call(`DescribeConfigurationRevision ${arn} ${revision}`, () =>
        kafka.send(new DescribeConfigurationRevisionCommand({ Arn: arn, Revision: revision })),
      );
      configuration = {
        arn,
        revision,
        serverProperties: parseServerProperties(Buffer.from(rev.ServerProperties ?? new Uint8Array()).toString('utf8')),
      };
    }
    return toMskCluster(cluster, bootstrapBrokers(brokers), configuration);
  }

  async findClusterArn(clusterName: string): Promise<string | undefined> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call(`ListClustersV2 ${clusterName}`, () =>
        this.home.send(
          new ListClustersV2Command({ ClusterNameFilter: clusterName, MaxResults: 100, NextToken: nextToken }),
        ),
      );
      // The filter matches prefixes: keep the exact name only.
      const hit = (out.ClusterInfoList ?? []).find((c) => c.ClusterName === clusterName);
      if (hit?.ClusterArn) return hit.ClusterArn;
      nextToken = out.NextToken;
      if (!nextToken) return undefined;
    }
    throw new TransientError(`ListClustersV2 ${clusterName}: more than ${MAX_PAGES} pages; narrow the name.`);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') {
        throw new InputInvalidError(
          `${what}: no such MSK cluster or configuration. Check the source clusterArn in the input (account and Region included).`,
          { awsError: 'NotFoundException' },
        );
      }
      throw toMigrationError(err, what, TransientError);
    }
  }
}
