import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudWatchLagSignals } from '../../adapters/aws/cloudwatch-lag-signals';
import { CloudWatchThroughput } from '../../adapters/aws/cloudwatch-throughput';
import { DynamoDbAbortRequests } from '../../adapters/aws/dynamodb-abort-requests';
import { DynamoDbMigrationLocks } from '../../adapters/aws/dynamodb-migration-locks';
import { MskConnectMirrorMaker2 } from '../../adapters/aws/msk-connect-mm2';
import { AwsMskControlPlane } from '../../adapters/aws/msk-control-plane';
import { MskTargetProvisioner } from '../../adapters/aws/msk-provisioner';
import { MskReplicator } from '../../adapters/aws/msk-replicator';
import { S3ArtifactStore } from '../../adapters/aws/s3-artifact-store';
import { CachedSecrets } from '../../adapters/aws/secrets';
import {
  dataPlaneFactoryFor,
  kafkaClientFrom,
  KAFKA_CLIENT_ENV,
  type DataPlaneFactoryOptions,
  type KafkaClientName,
} from '../../adapters/kafka/index';
import { KafkajsDataPlane, type KafkajsDataPlaneOptions } from '../../adapters/kafka/kafkajs-data-plane';
import {
  DATA_PLANE_ENV,
  readTaskEnv,
  REPLICATOR_ENV,
  TASK_ENV,
  type TaskEnv,
  type TaskEnvName,
} from '../../contract/env';
import { InputInvalidError } from '../../core/errors';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaConnection, KafkaDataPlane, KafkaDataPlaneFactory, KafkaInventoryReads } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { AbortRequests } from '../../ports/abort-requests';
import type { MigrationLocks } from '../../ports/migration-locks';
import type { ThroughputMetrics } from '../../ports/metrics';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import type { ReplicationEngine, Replicator } from '../../ports/replicator';
import type { TargetProvisioner } from '../../ports/target-provisioner';
import { bootstrapServersFor, kafkaConnectionFor, regionOfArn } from './cluster-endpoints';
import type { TargetState } from './execution-state';

/**
 * The AWS adapters the migration task handlers wire into the task cores, built from the environment (read once at
 * start-up; a missing variable fails the cold start with its name) and, for the Kafka data planes, from the plan.
 *
 * Every variable any task function reads is listed in TASK_ENV (lambdas/contract/env.ts): the construct sets them, a
 * handler names the ones it needs in `readTaskEnv`, the one reader.
 */
export { DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV, TASK_ENV, type TaskEnv, type TaskEnvName };

/** A data plane of one cluster, whichever client the function runs; it knows its connection. */
export type TaskDataPlane = KafkaDataPlane & { readonly connection: KafkaConnection };

/** The clusters of a migration a task can open a data plane on. */
export type ClusterRole = 'source' | 'target';

export interface AwsTaskClients {
  readonly kafka?: KafkaClient;
  readonly kafkaConnect?: KafkaConnectClient;
  readonly cloudwatch?: CloudWatchClient;
  readonly s3?: S3Client;
  readonly secrets?: SecretsManagerClient;
  readonly dynamodb?: DynamoDBClient;
  /** Options of the kafkajs adapter (Inventory, and every data plane when KAFKA_CLIENT is kafkajs). */
  readonly kafkajs?: KafkajsDataPlaneOptions;
  /** Options of the adapter KAFKA_CLIENT names. @default the kafkajs options' iamTokenProvider and clientId */
  readonly dataPlane?: DataPlaneFactoryOptions;
}

/** The adapters of one task function; SDK clients created once per container, on first use. */
export class AwsTaskPorts {
  private kafkaClient: KafkaClient | undefined;
  private cloudwatchClient: CloudWatchClient | undefined;
  private secretsCache: CachedSecrets | undefined;
  private dataPlaneFactory: Promise<KafkaDataPlaneFactory> | undefined;

  constructor(
    private readonly env: TaskEnv,
    private readonly clients: AwsTaskClients = {},
  ) {}

  private require(name: TaskEnvName): string {
    const value = this.env[name];
    if (!value) throw new Error(`Task function misconfigured: ${name} is needed for this plan but not set.`);
    return value;
  }

  private get region(): string {
    return this.require('AWS_REGION');
  }

  private readonly regionalKafka = new Map<string, KafkaClient>();

  private get kafka(): KafkaClient {
    this.kafkaClient ??= this.clients.kafka ?? new KafkaClient({});
    return this.kafkaClient;
  }

  private get cloudwatch(): CloudWatchClient {
    this.cloudwatchClient ??= this.clients.cloudwatch ?? new CloudWatchClient({});
    return this.cloudwatchClient;
  }

  private get secrets(): CachedSecrets {
    this.secretsCache ??= new CachedSecrets(this.clients.secrets ?? new SecretsManagerClient({}));
    return this.secretsCache;
  }

  artifacts(): ArtifactStore {
    return new S3ArtifactStore(this.clients.s3 ?? new S3Client({}), this.require('ARTIFACT_BUCKET'));
  }

  /** The operator's abort requests, in the lock table (the poll tasks read them). */
  aborts(): AbortRequests {
    return new DynamoDbAbortRequests(
      this.clients.dynamodb ?? new DynamoDBClient({}),
      this.require('MIGRATION_LOCK_TABLE'),
    );
  }

  locks(): MigrationLocks {
    return new DynamoDbMigrationLocks(
      this.clients.dynamodb ?? new DynamoDBClient({}),
      this.require('MIGRATION_LOCK_TABLE'),
    );
  }

  msk(): MskControlPlane {
    return new AwsMskControlPlane(this.kafka, { region: this.region, clientFor: (region) => this.kafkaIn(region) });
  }

  /** An MSK client of another Region (a cross-region source), one per Region and container. */
  private kafkaIn(region: string): KafkaClient {
    let client = this.regionalKafka.get(region);
    if (!client) {
      client = new KafkaClient({ region });
      this.regionalKafka.set(region, client);
    }
    return client;
  }

  provisioner(): TargetProvisioner {
    return new MskTargetProvisioner(this.kafka);
  }

  throughput(): ThroughputMetrics {
    return new CloudWatchThroughput(this.cloudwatch);
  }

  lagSignals(): LagSignals {
    return new CloudWatchLagSignals(this.cloudwatch, this.env.ALARM_TOPIC_ARN ? [this.env.ALARM_TOPIC_ARN] : []);
  }

  /** The replication engine the plan names: MSK Replicator, or MirrorMaker 2 on MSK Connect. */
  replicator(engine: ReplicationEngine): Replicator {
    if (engine === 'MSK_REPLICATOR')
      return new MskReplicator(this.kafka, {
        serviceExecutionRoleArn: this.require('REPLICATOR_SERVICE_ROLE_ARN'),
        region: this.region,
      });
    const role = this.env.MSK_CONNECT_SERVICE_ROLE_ARN ?? this.require('REPLICATOR_SERVICE_ROLE_ARN');
    return new MskConnectMirrorMaker2(this.clients.kafkaConnect ?? new KafkaConnectClient({}), {
      serviceExecutionRoleArn: role,
      region: this.region,
      ...(this.env.MSK_CONNECT_LOG_GROUP ? { logGroupName: this.env.MSK_CONNECT_LOG_GROUP } : {}),
    });
  }

  private get requestTimeoutMs(): number | undefined {
    return this.env.KAFKA_REQUEST_TIMEOUT_MS ? Number(this.env.KAFKA_REQUEST_TIMEOUT_MS) : undefined;
  }

  /** The client KAFKA_CLIENT names (kafkajs when unset). */
  get kafkaClientName(): KafkaClientName {
    return kafkaClientFrom({ [KAFKA_CLIENT_ENV]: this.env.KAFKA_CLIENT });
  }

  /** The chosen adapter, loaded once per container (the other one is never imported). */
  private async newDataPlane(connection: KafkaConnection): Promise<TaskDataPlane> {
    const name = this.kafkaClientName;
    if (name === 'kafkajs') return new KafkajsDataPlane(connection, this.clients.kafkajs);
    const kafkajs = this.clients.kafkajs;
    this.dataPlaneFactory ??= dataPlaneFactoryFor(
      name,
      this.clients.dataPlane ?? {
        ...(kafkajs?.iamTokenProvider ? { iamTokenProvider: kafkajs.iamTokenProvider } : {}),
        ...(kafkajs?.clientId ? { clientId: kafkajs.clientId } : {}),
      },
    );
    return (await this.dataPlaneFactory)(connection) as TaskDataPlane;
  }

  /** The source's data plane, on the KAFKA_CLIENT adapter. Close it after use. */
  async sourceDataPlane(plan: MigrationPlan): Promise<TaskDataPlane> {
    return this.newDataPlane(await this.sourceConnection(plan));
  }

  /**
   * The source for the Inventory task: always kafkajs, whatever KAFKA_CLIENT says, because the inventory reads the
   * cluster, its ACLs, client quotas and broker configs (KafkaInventoryReads), which the @platformatic/kafka adapter
   * does not implement. Close it after use.
   */
  async sourceInventoryReader(plan: MigrationPlan): Promise<KafkajsDataPlane> {
    return new KafkajsDataPlane(await this.sourceConnection(plan), this.clients.kafkajs);
  }

  /** The target's data plane, on the KAFKA_CLIENT adapter, from `$.target` (its bootstrap servers once ready). Close it after use. */
  async targetDataPlane(plan: MigrationPlan, target: TargetState | undefined): Promise<TaskDataPlane> {
    return this.newDataPlane(await this.targetConnection(plan, target));
  }

  /**
   * Opens the data planes of the clusters `roles` names, in that order, runs `task` with them and closes every one it
   * opened on every path: when the task succeeds or fails, and when opening a later one fails (that error is thrown).
   * A failing close never hides the task's result.
   */
  async withClusters<const R extends ClusterRole, T>(
    plan: MigrationPlan,
    target: TargetState | undefined,
    roles: readonly R[],
    task: (planes: { readonly [K in R]: TaskDataPlane }) => Promise<T>,
  ): Promise<T> {
    const opened: TaskDataPlane[] = [];
    const planes: Partial<Record<ClusterRole, TaskDataPlane>> = {};
    try {
      for (const role of roles) {
        const plane = role === 'source' ? await this.sourceDataPlane(plan) : await this.targetDataPlane(plan, target);
        opened.push(plane);
        planes[role] = plane;
      }
      return await task(planes as { readonly [K in R]: TaskDataPlane });
    } finally {
      await closeQuietly(...opened);
    }
  }

  /**
   * The target's ACLs (DescribeAcls) for ValidateTarget: through `plane` when its adapter reads them (kafkajs),
   * else through a kafkajs connection of its own, opened on the first read only. `close` closes what it opened.
   */
  targetAclReader(
    plan: MigrationPlan,
    target: TargetState | undefined,
    plane: TaskDataPlane,
  ): { readonly reads: Pick<KafkaInventoryReads, 'describeAcls'>; close(): Promise<void> } {
    if (plane instanceof KafkajsDataPlane) return { reads: plane, close: async () => undefined };
    let opened: Promise<KafkajsDataPlane> | undefined;
    return {
      reads: {
        describeAcls: async () => {
          opened ??= this.targetConnection(plan, target).then((c) => new KafkajsDataPlane(c, this.clients.kafkajs));
          return (await opened).describeAcls();
        },
      },
      close: async () => {
        if (opened) await closeQuietly(await opened.catch(() => undefined));
      },
    };
  }

  /** The source's connection: its bootstrap servers for the plan's auth mechanism, read from MSK. */
  /** The orchestrator's connection settings for the source (the write fence opens its own admin client with them). */
  async sourceConnection(plan: MigrationPlan): Promise<KafkaConnection> {
    const cluster = await this.msk().describeCluster(plan.source.clusterArn);
    const servers = bootstrapServersFor(plan.source.clusterArn, plan.source.auth, cluster.bootstrapBrokers);
    const region = regionOfArn(plan.source.clusterArn, this.region);
    return kafkaConnectionFor(
      'source',
      servers,
      plan.source.auth,
      region,
      (arn) => this.secrets.read(arn),
      this.requestTimeoutMs,
    );
  }

  private async targetConnection(plan: MigrationPlan, target: TargetState | undefined): Promise<KafkaConnection> {
    const auth = plan.target.auth ?? { mechanism: 'IAM' as const };
    let servers = target?.bootstrapServers ?? plan.target.bootstrapServers;
    const clusterArn = target?.clusterArn ?? plan.target.clusterArn;
    if ((!servers || servers.length === 0) && clusterArn) {
      servers = bootstrapServersFor(clusterArn, auth, (await this.msk().describeCluster(clusterArn)).bootstrapBrokers);
    }
    if (!servers || servers.length === 0) {
      throw new InputInvalidError(
        'The target has no bootstrap servers yet: $.target is missing or not ready, and the plan names none.',
      );
    }
    return kafkaConnectionFor(
      'target',
      servers,
      auth,
      regionOfArn(clusterArn, this.region),
      (arn) => this.secrets.read(arn),
      this.requestTimeoutMs,
    );
  }
}

/** Closes the data planes a handler opened, even when the task failed; a failing close never hides the task's result. */
export async function closeQuietly(...planes: ReadonlyArray<{ close(): Promise<void> } | undefined>): Promise<void> {
  await Promise.allSettled(planes.map((p) => p?.close()));
}
