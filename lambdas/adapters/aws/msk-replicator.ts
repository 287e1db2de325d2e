import {
  CreateReplicatorCommand,
  DeleteReplicatorCommand,
  DescribeReplicatorCommand,
  KafkaClient,
  ListReplicatorsCommand,
  type CreateReplicatorRequest,
  type ReplicatorSummary as AwsReplicatorSummary,
} from '@aws-sdk/client-kafka';
import { InputInvalidError, ReplicationFailedError, TransientError } from '../../core/errors';
import type {
  ReplicationEndpoint,
  Replicator,
  ReplicatorHandle,
  ReplicatorSpec,
  ReplicatorState,
  ReplicatorStatus,
  ReplicatorSummary,
} from '../../ports/replicator';
import { toMigrationError } from './msk-provisioner';

export interface MskReplicatorOptions {
  /** The role MSK Replicator assumes (lib/replicator-role.ts). */
  readonly serviceExecutionRoleArn: string;
  /** The Region of the client: a target in another Region is refused before CreateReplicator. @default not checked */
  readonly region?: string;
  /** @default 'NONE' (records keep the producer's compression) */
  readonly targetCompressionType?: 'NONE' | 'GZIP' | 'SNAPPY' | 'LZ4' | 'ZSTD';
  /** Copy topic ACLs (useful MSK provisioned → provisioned; MSK Serverless has no ACLs). @default false */
  readonly copyAccessControlListsForTopics?: boolean;
}

const MAX_PAGES = 50;
const STATES: readonly ReplicatorState[] = ['CREATING', 'RUNNING', 'UPDATING', 'DELETING', 'FAILED'];

function toState(raw: string | undefined): ReplicatorState {
  // An unknown state is reported as UPDATING so the wait loop keeps polling (and times out) rather than passing.
  return raw && (STATES as readonly string[]).includes(raw) ? (raw as ReplicatorState) : 'UPDATING';
}

function mskCluster(
  side: 'source' | 'target',
  endpoint: ReplicationEndpoint,
): { arn: string; vpc: { SubnetIds: string[]; SecurityGroupIds: string[] } } {
  if (!endpoint.clusterArn || !endpoint.vpc) {
    throw new ReplicationFailedError(
      `MSK Replicator needs the ${side} cluster's ARN and the subnets and security groups it reaches it from (${side}.clusterArn, ${side}.vpc); use MIRROR_MAKER_2 for a target that is not MSK.`,
    );
  }
  return {
    arn: endpoint.clusterArn,
    vpc: { SubnetIds: [...endpoint.vpc.subnetIds], SecurityGroupIds: [...endpoint.vpc.securityGroupIds] },
  };
}

/** The CreateReplicator request for a migration: IDENTICAL topic names, offsets synchronised, both sides over IAM. */
export function createReplicatorRequest(spec: ReplicatorSpec, options: MskReplicatorOptions): CreateReplicatorRequest {
  const source = mskCluster('source', spec.source);
  const target = mskCluster('target', spec.target);
  return {
    ReplicatorName: spec.name,
    Description: `MSK migration: ${source.arn} → ${target.arn}`.slice(0, 1024),
    ServiceExecutionRoleArn: options.serviceExecutionRoleArn,
    KafkaClusters: [
      { AmazonMskCluster: { MskClusterArn: source.arn }, VpcConfig: source.vpc },
      { AmazonMskCluster: { MskClusterArn: target.arn }, VpcConfig: target.vpc },
    ],
    ReplicationInfoList: [
      {
        SourceKafkaClusterArn: source.arn,
        TargetKafkaClusterArn: target.arn,
        TargetCompressionType: options.targetCompressionType ?? 'NONE',
        TopicReplication: {
          TopicsToReplicate: [...spec.topics.include],
          TopicsToExclude: [...spec.topics.exclude],
          TopicNameConfiguration: { Type: 'IDENTICAL' },
          StartingPosition: { Type: spec.startingPosition },
          CopyTopicConfigurations: spec.copyTopicConfigurations,
          CopyAccessControlListsForTopics: options.copyAccessControlListsForTopics ?? false,
          DetectAndCopyNewTopics: spec.detectAndCopyNewTopics,
        },
        ConsumerGroupReplication: {
          ConsumerGroupsToReplicate: [...spec.consumerGroups.include],
          ConsumerGroupsToExclude: [...spec.consumerGroups.exclude],
          DetectAndCopyNewConsumerGroups: true,
          SynchroniseConsumerGroupOffsets: spec.syncGroupOffsets,
          ConsumerGroupOffsetSyncMode: spec.offsetSyncMode,
        },
      },
    ],
    Tags: { ...spec.tags },
  };
}

/** MSK Replicator behind the Replicator port (MSK → MSK in one account, IAM on both clusters). */
export class MskReplicator implements Replicator {
  readonly engine = 'MSK_REPLICATOR' as const;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: MskReplicatorOptions,
  ) {}

  async find(name: string): Promise<ReplicatorSummary | undefined> {
    const match = (await this.list(name)).find((r) => r.ReplicatorName === name);
    if (!match?.ReplicatorArn) return undefined;
    const handle: ReplicatorHandle = { engine: this.engine, name, id: match.ReplicatorArn };
    try {
      const described = await this.kafka.send(new DescribeReplicatorCommand({ ReplicatorArn: match.ReplicatorArn }));
      return { handle, state: toState(described.ReplicatorState), tags: described.Tags ?? {} };
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') return undefined;
      throw toMigrationError(err, `DescribeReplicator ${name}`, ReplicationFailedError);
    }
  }

  async countExisting(): Promise<number> {
    return (await this.list()).length;
  }

  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    const targetRegion = spec.target.clusterArn?.split(':')[3];
    if (this.options.region && targetRegion && targetRegion !== this.options.region) {
      // MSK Replicator lives in the target's Region (cross-region replication reads the source from there); this
      // orchestrator creates, describes, alarms on and deletes its replicators in its own Region.
      throw new InputInvalidError(
        `MSK Replicator is created in the target cluster's Region (${targetRegion}), and this orchestrator runs in ${this.options.region}: deploy it in ${targetRegion} to replicate from a source in another Region. Nothing was created.`,
        { targetRegion, orchestratorRegion: this.options.region },
      );
    }
    const request = createReplicatorRequest(spec, this.options);
    try {
      const out = await this.kafka.send(new CreateReplicatorCommand(request));
      if (!out.ReplicatorArn) throw new ReplicationFailedError(`CreateReplicator ${spec.name} returned no ARN.`);
      return { engine: this.engine, name: spec.name, id: out.ReplicatorArn };
    } catch (err) {
      if ((err as { name?: string }).name === 'ConflictException') {
        throw new TransientError(
          `CreateReplicator ${spec.name}: a replicator with this name already exists; retrying to adopt it.`,
        );
      }
      throw toMigrationError(err, `CreateReplicator ${spec.name}`, ReplicationFailedError);
    }
  }

  async describe(handle: ReplicatorHandle): Promise<ReplicatorStatus | undefined> {
    try {
      const out = await this.kafka.send(new DescribeReplicatorCommand({ ReplicatorArn: handle.id }));
      const detail = out.StateInfo ? [out.StateInfo.Code, out.StateInfo.Message].filter(Boolean).join(': ') : undefined;
      return { state: toState(out.ReplicatorState), ...(detail ? { detail } : {}) };
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') return undefined;
      throw toMigrationError(err, `DescribeReplicator ${handle.name}`, ReplicationFailedError);
    }
  }

  async delete(handle: ReplicatorHandle): Promise<void> {
    try {
      await this.kafka.send(new DeleteReplicatorCommand({ ReplicatorArn: handle.id }));
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') return;
      throw toMigrationError(err, `DeleteReplicator ${handle.name}`, ReplicationFailedError);
    }
  }

  private async list(nameFilter?: string): Promise<AwsReplicatorSummary[]> {
    const all: AwsReplicatorSummary[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      try {
        const out = await this.kafka.send(
          new ListReplicatorsCommand({
            MaxResults: 100,
            NextToken: nextToken,
            ...(nameFilter ? { ReplicatorNameFilter: nameFilter } : {}),
          }),
        );
        all.push(...(out.Replicators ?? []));
        nextToken = out.NextToken;
      } catch (err) {
        throw toMigrationError(err, 'ListReplicators', ReplicationFailedError);
      }
      if (!nextToken) break;
    }
    return all;
  }
}
