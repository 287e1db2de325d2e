import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CachedSecrets } from '../adapters/aws/secrets';
import {
  dataPlaneFactoryFor,
  kafkaClientFrom,
  KAFKA_CLIENT_ENV,
  type DataPlaneFactoryOptions,
  type KafkaClientName,
} from '../adapters/kafka/index';
import { KafkajsDataPlane, type KafkajsDataPlaneOptions } from '../adapters/kafka/kafkajs-data-plane';
import type { TaskEnv } from '../contract/env';
import { InputInvalidError } from '../core/errors';
import type { MigrationPlan } from '../core/plan/migration-plan';
import type { KafkaConnection, KafkaDataPlane, KafkaDataPlaneFactory, KafkaInventoryReads } from '../ports/kafka';
import type { MskControlPlane } from '../ports/msk-control-plane';
import { bootstrapServersFor, kafkaConnectionFor, regionOfArn } from '../tasks/shared/cluster-endpoints';
import type { TargetState } from '../tasks/shared/execution-state';
import { AwsMsk, mskOf } from './aws-msk';

/**
 * The Kafka side of the AWS runtime (used by its composition root, lambdas/runtime/aws.ts): MSK's control plane and
 * the data planes of a migration's clusters, reached at the bootstrap brokers MSK reports for the plan's auth
 * mechanism, with SCRAM credentials read from Secrets Manager. One MSK client (lambdas/runtime/aws-msk.ts) and one
 * secrets cache per container, made on first use (Secrets Manager's client loaded then, for a SCRAM cluster only); the Kafka adapter KAFKA_CLIENT names is loaded when a data plane is
 * first opened (@platformatic/kafka; kafkajs is in every data-plane bundle anyway).
 */

/** The module of the SCRAM credentials' reader, loaded on first use (and by a warm-up: ./aws-ports/clusters.ts). */
export const loadSecretsModule = (): Promise<typeof import('./aws-secrets')> => import('./aws-secrets');

/** A data plane of one cluster, whichever client the function runs; it knows its connection. */
export type TaskDataPlane = KafkaDataPlane & { readonly connection: KafkaConnection };

export interface AwsClusterClients {
  readonly kafka?: KafkaClient;
  readonly secrets?: SecretsManagerClient;
  /** Options of the kafkajs adapter (Inventory, and every data plane when KAFKA_CLIENT is kafkajs). */
  readonly kafkajs?: KafkajsDataPlaneOptions;
  /** Options of the adapter KAFKA_CLIENT names. @default the kafkajs options' iamTokenProvider and clientId */
  readonly dataPlane?: DataPlaneFactoryOptions;
}

export class AwsClusters {
  private secretsCache: Promise<CachedSecrets> | undefined;
  private dataPlaneFactory: Promise<KafkaDataPlaneFactory> | undefined;
  private readonly mskSide: AwsMsk;

  constructor(
    private readonly env: TaskEnv,
    private readonly clients: AwsClusterClients = {},
    /** MSK's control plane (lambdas/runtime/aws-msk.ts), shared with the function's MSK ports. */
    mskSide?: AwsMsk,
  ) {
    this.mskSide = mskSide ?? new AwsMsk(env, clients.kafka);
  }

  get region(): string {
    return this.mskSide.region;
  }

  /** The MSK client of the orchestrator's Region (also the provisioner's and MSK Replicator's). */
  get kafka(): KafkaClient {
    return this.mskSide.kafka;
  }

  /** A SCRAM secret; Secrets Manager's client is loaded on the first read (lambdas/runtime/aws-secrets.ts). */
  private async readSecret(arn: string): Promise<string> {
    this.secretsCache ??= loadSecretsModule().then(({ cachedSecrets }) => cachedSecrets(this.clients.secrets));
    return (await this.secretsCache).read(arn);
  }

  msk(): MskControlPlane {
    return this.mskSide.msk();
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

  /** The orchestrator's connection settings for the source: its bootstrap servers for the plan's auth mechanism. */
  async sourceConnection(plan: MigrationPlan): Promise<KafkaConnection> {
    const cluster = await this.msk().describeCluster(plan.source.clusterArn);
    const servers = bootstrapServersFor(plan.source.clusterArn, plan.source.auth, cluster.bootstrapBrokers);
    const region = regionOfArn(plan.source.clusterArn, this.region);
    return kafkaConnectionFor(
      'source',
      servers,
      plan.source.auth,
      region,
      (arn) => this.readSecret(arn),
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
      (arn) => this.readSecret(arn),
      this.requestTimeoutMs,
    );
  }
}

/** Closes what a handler opened, even when the task failed; a failing close never hides the task's result. */
export async function closeQuietly(...planes: ReadonlyArray<{ close(): Promise<void> } | undefined>): Promise<void> {
  await Promise.allSettled(planes.map((p) => p?.close()));
}

const clustersByEnv = new WeakMap<object, AwsClusters>();

/** The function's AwsClusters (one per container and environment), made on first use by a Kafka or MSK port. */
export function clustersOf(inv: { readonly env: TaskEnv }): AwsClusters {
  let clusters = clustersByEnv.get(inv.env);
  if (!clusters) {
    clusters = new AwsClusters(inv.env, {}, mskOf(inv));
    clustersByEnv.set(inv.env, clusters);
  }
  return clusters;
}
