import {
  CreateClusterV2Command,
  DeleteClusterCommand,
  DescribeClusterV2Command,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  type Cluster,
  type CreateClusterV2Request,
} from '@aws-sdk/client-kafka';
import {
  AuthFailedError,
  MigrationError,
  ProvisioningFailedError,
  TransientError,
  isMigrationError,
} from '../../core/errors';
import type {
  TargetClusterInfo,
  TargetClusterRequest,
  TargetClusterState,
  TargetProvisioner,
} from '../../ports/target-provisioner';

/** Pages read at most per listing (100 clusters a page): a bound, not a limit anyone should reach. */
const MAX_PAGES = 50;

const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'InternalServerErrorException',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);
const REFUSED = new Set([
  'ForbiddenException',
  'UnauthorizedException',
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'ExpiredTokenException',
]);

/**
 * Maps an AWS SDK error to the taxonomy: throttling and 5xx → Migration.Transient (retried by the state machine),
 * refused credentials → Migration.AuthFailed, anything else → the caller's fatal error for this phase.
 */
export function toMigrationError(
  err: unknown,
  what: string,
  fatal: new (message: string, details?: Record<string, unknown>) => MigrationError,
): MigrationError {
  if (isMigrationError(err)) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const name = e.name ?? 'Error';
  const message = `${what} failed: ${name}: ${e.message ?? String(err)}`;
  if (TRANSIENT.has(name) || e.$retryable !== undefined || (e.$metadata?.httpStatusCode ?? 0) >= 500)
    return new TransientError(message, { awsError: name });
  if (REFUSED.has(name))
    return new AuthFailedError(`${message}. Check the task role's permissions.`, { awsError: name });
  return new fatal(message, { awsError: name });
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: string }).name === 'NotFoundException';
}

const STATES: readonly TargetClusterState[] = [
  'CREATING',
  'ACTIVE',
  'UPDATING',
  'HEALING',
  'MAINTENANCE',
  'REBOOTING_BROKER',
  'DELETING',
  'FAILED',
];

function toInfo(cluster: Cluster): TargetClusterInfo {
  const raw = cluster.State ?? 'UNKNOWN';
  const state = (STATES as readonly string[]).includes(raw) ? (raw as TargetClusterState) : 'OTHER';
  const reason = cluster.StateInfo
    ? [cluster.StateInfo.Code, cluster.StateInfo.Message].filter(Boolean).join(': ')
    : undefined;
  return {
    clusterArn: cluster.ClusterArn ?? '',
    clusterName: cluster.ClusterName ?? '',
    kind: cluster.ClusterType === 'SERVERLESS' ? 'SERVERLESS' : 'PROVISIONED',
    state,
    ...(state === 'OTHER' ? { stateDetail: raw } : reason ? { stateDetail: reason } : {}),
    tags: cluster.Tags ?? {},
  };
}

/** Builds the CreateClusterV2 request: IAM access (SASL/IAM over TLS) in both kinds, nothing unauthenticated. */
export function createClusterRequest(request: TargetClusterRequest): CreateClusterV2Request {
  const vpc = { SubnetIds: [...request.vpc.subnetIds], SecurityGroupIds: [...request.vpc.securityGroupIds] };
  if (request.kind === 'SERVERLESS') {
    return {
      ClusterName: request.clusterName,
      Tags: { ...request.tags },
      Serverless: { VpcConfigs: [vpc], ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } },
    };
  }
  const p = request.provisioned;
  if (!p)
    throw new ProvisioningFailedError(
      `Cluster ${request.clusterName}: a provisioned cluster needs broker type, count, Kafka version and volume size.`,
    );
  return {
    ClusterName: request.clusterName,
    Tags: { ...request.tags },
    Provisioned: {
      KafkaVersion: p.kafkaVersion,
      NumberOfBrokerNodes: p.numberOfBrokerNodes,
      BrokerNodeGroupInfo: {
        InstanceType: p.brokerInstanceType,
        ClientSubnets: vpc.SubnetIds,
        SecurityGroups: vpc.SecurityGroupIds,
        StorageInfo: { EbsStorageInfo: { VolumeSize: p.volumeSizeGiB } },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
    },
  };
}

export class MskTargetProvisioner implements TargetProvisioner {
  constructor(private readonly kafka: KafkaClient) {}

  async findClusters(clusterNameFilter: string): Promise<TargetClusterInfo[]> {
    const found: TargetClusterInfo[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call('ListClustersV2', () =>
        this.kafka.send(
          new ListClustersV2Command({ ClusterNameFilter: clusterNameFilter, MaxResults: 100, NextToken: nextToken }),
        ),
      );
      found.push(...(out.ClusterInfoList ?? []).map(toInfo));
      nextToken = out.NextToken;
      if (!nextToken) break;
    }
    return found;
  }

  async createCluster(request: TargetClusterRequest): Promise<{ clusterArn: string }> {
    try {
      const out = await this.kafka.send(new CreateClusterV2Command(createClusterRequest(request)));
      if (!out.ClusterArn)
        throw new ProvisioningFailedError(`CreateClusterV2 for ${request.clusterName} returned no cluster ARN.`);
      return { clusterArn: out.ClusterArn };
    } catch (err) {
      // A lost response to an earlier create: retry, and the lookup by name and tags adopts the cluster.
      if ((err as { name?: string }).name === 'ConflictException')
        throw new TransientError(
          `CreateClusterV2 for ${request.clusterName}: a cluster with this name is being created; retrying to adopt it.`,
        );
      throw toMigrationError(err, `CreateClusterV2 ${request.clusterName}`, ProvisioningFailedError);
    }
  }

  async describeCluster(clusterArn: string): Promise<TargetClusterInfo | undefined> {
    try {
      const out = await this.kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn }));
      return out.ClusterInfo ? toInfo(out.ClusterInfo) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toMigrationError(err, `DescribeClusterV2 ${clusterArn}`, ProvisioningFailedError);
    }
  }

  async getIamBootstrapBrokers(clusterArn: string): Promise<string[]> {
    const out = await this.call('GetBootstrapBrokers', () =>
      this.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn })),
    );
    return (out.BootstrapBrokerStringSaslIam ?? '').split(',').filter((b) => b.length > 0);
  }

  async deleteCluster(clusterArn: string): Promise<void> {
    try {
      await this.kafka.send(new DeleteClusterCommand({ ClusterArn: clusterArn }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw toMigrationError(err, `DeleteCluster ${clusterArn}`, ProvisioningFailedError);
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMigrationError(err, what, ProvisioningFailedError);
    }
  }
}
