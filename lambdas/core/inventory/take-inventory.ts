import { AuthFailedError, MigrationError, TransientError, UnreachableError, isMigrationError } from '../errors';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { KafkaConnection } from '../../ports/kafka';
import type { ThroughputMetrics } from '../../ports/metrics';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import type { ClientBehaviourReads } from '../../ports/client-behaviour';
import type { ConnectorInventoryReads } from '../../ports/connectors';
import { readClientBehaviour, type ClientBehaviourReadOptions } from './client-behaviour';
import { readConnectClusters } from './connect-clusters';
import { readConnectors } from './connectors';
import type { HttpEndpoint, JsonHttpReads } from '../../ports/http-json';
import {
  readSchemaRegistries,
  schemaRegistryGaps,
  type SchemaRegistriesPlan,
  type SchemaRegistryReaders,
} from './schema-registries';
import { readDataPlane, reasonOf, type DataPlaneReadOptions, type InventoryDataPlane } from './data-plane';
import {
  INVENTORY_SCHEMA_VERSION,
  describedTopics,
  type ControlPlaneInventory,
  type Inventory,
  type InventoryGap,
  type InventorySummary,
  type ThroughputInventory,
} from './model';
import { readThroughput } from './throughput';

/**
 * Takes the inventory of the source: control plane (when the source is an MSK cluster), data plane, throughput; writes
 * it to the artifact store; returns the small summary the execution state carries.
 */

export interface InventoryRequest {
  readonly migrationId: string;
  readonly executionName: string;
  /** The MSK cluster behind the connection; without it the control plane and the metrics are not collected. */
  readonly clusterArn?: string;
  readonly throughput?: {
    readonly lookbackHours?: number;
    readonly periodSeconds?: number;
    readonly maxTopics?: number;
  };
  readonly dataPlane?: DataPlaneReadOptions;
  readonly clientBehaviour?: ClientBehaviourReadOptions;
  /** The plan's schemaRegistries: the registries to read. */
  readonly schemaRegistries?: SchemaRegistriesPlan;
  /** The plan's connectClusters: the Kafka Connect REST APIs to read. */
  readonly connectClusters?: readonly HttpEndpoint[];
}

export interface InventoryDeps {
  readonly kafka: InventoryDataPlane;
  /** The second Kafka client's reads (producers, transactions, record samples, group types); absent in test fakes. */
  readonly clientBehaviour?: ClientBehaviourReads;
  /** MSK Connect's connectors of the Region; absent in the local rehearsal and test fakes. */
  readonly connectors?: ConnectorInventoryReads;
  /** The schema registries' readers (Glue in AWS, the REST one); absent in test fakes. */
  readonly schemaRegistries?: SchemaRegistryReaders;
  /** The Kafka Connect clusters' REST reader; absent in test fakes. */
  readonly connectClusters?: JsonHttpReads;
  readonly msk?: MskControlPlane;
  readonly metrics?: ThroughputMetrics;
  readonly store: ArtifactStore;
  readonly now?: () => Date;
}

export const INVENTORY_ARTIFACT = 'inventory.json';

/** Adds to a connection-level failure what the operator should check, keeping its class (its name is what the ASL matches). */
export function withWhatToCheck(err: unknown, connection: KafkaConnection): MigrationError {
  const where = `${connection.name} (${connection.bootstrapServers.join(',')}, ${connection.auth.mechanism})`;
  const details = {
    cluster: connection.name,
    bootstrapServers: [...connection.bootstrapServers],
    auth: connection.auth.mechanism,
  };
  if (err instanceof UnreachableError) {
    return new UnreachableError(
      `${err.message} — inventory of ${where}: check the bootstrap servers, DNS, and that the security groups let the task's subnets reach the listener port of the ${connection.auth.mechanism} listener.`,
      { ...err.details, ...details },
    );
  }
  if (err instanceof AuthFailedError && err.details?.kind === 'authorization') {
    return new AuthFailedError(
      `${err.message} — inventory of ${where}: the inventory principal needs DESCRIBE on the cluster, its topics and groups and DESCRIBE_CONFIGS on topics and the cluster (ACLs), or kafka-cluster:Describe* (IAM).`,
      { ...err.details, ...details },
    );
  }
  if (err instanceof AuthFailedError) {
    const hint =
      connection.auth.mechanism === 'IAM'
        ? "the task role's kafka-cluster:Connect / Describe* permissions and that IAM access control is enabled on the cluster"
        : connection.auth.mechanism.startsWith('SCRAM')
          ? 'the SASL/SCRAM secret (username, password, the secret is associated with the cluster) and that SCRAM is enabled on the cluster'
          : 'the TLS client certificate and the listener this mechanism uses';
    return new AuthFailedError(`${err.message} — inventory of ${where}: check ${hint}.`, {
      ...err.details,
      ...details,
    });
  }
  if (err instanceof TransientError)
    return new TransientError(
      `${err.message} — inventory of ${where}: retried with backoff; if it persists check the brokers' health, and that the port is the ${connection.auth.mechanism} listener (a TLS listener stays silent to a plaintext client, and the reverse).`,
      { ...err.details, ...details },
    );
  if (isMigrationError(err)) return err;
  return new TransientError(`Inventory of ${where} failed unexpectedly: ${reasonOf(err)}`, details);
}

function gapsOf(
  controlPlane: ControlPlaneInventory,
  inventory: Pick<
    Inventory,
    'dataPlane' | 'throughput' | 'clientBehaviour' | 'connectors' | 'schemaRegistries' | 'connectClusters'
  >,
): InventoryGap[] {
  const gaps: InventoryGap[] = [];
  const behaviour = inventory.clientBehaviour;
  if (behaviour)
    for (const part of ['producers', 'transactions', 'records', 'groupTypes'] as const) {
      const read = behaviour[part];
      if (read.status === 'NOT_COLLECTED') gaps.push({ part, reason: read.reason });
    }
  if (inventory.connectors?.status === 'NOT_COLLECTED')
    gaps.push({ part: 'connectors', reason: inventory.connectors.reason });
  for (const reason of schemaRegistryGaps(inventory.schemaRegistries)) gaps.push({ part: 'schemaRegistries', reason });
  for (const c of inventory.connectClusters ?? [])
    if (c.status === 'NOT_COLLECTED') gaps.push({ part: 'connectClusters', reason: `${c.url}: ${c.reason}` });
  if (controlPlane.status === 'NOT_COLLECTED') gaps.push({ part: 'controlPlane', reason: controlPlane.reason });
  const dp = inventory.dataPlane;
  if (dp.brokerConfigs.status === 'NOT_COLLECTED')
    gaps.push({ part: 'brokerConfigs', reason: dp.brokerConfigs.reason });
  if (dp.acls.status === 'NOT_COLLECTED') gaps.push({ part: 'acls', reason: dp.acls.reason });
  if (dp.clientQuotas.status === 'NOT_COLLECTED') gaps.push({ part: 'clientQuotas', reason: dp.clientQuotas.reason });
  if (inventory.throughput.status === 'NOT_COLLECTED')
    gaps.push({ part: 'throughput', reason: inventory.throughput.reason });
  for (const t of dp.topics) {
    if (t.status === 'UNDESCRIBABLE') gaps.push({ part: `topic:${t.name}`, reason: t.reason });
    else if (t.partitions.some((p) => p.logEndOffset === null))
      gaps.push({ part: `topic:${t.name}:offsets`, reason: 'log offsets not read: lag and retained records unknown' });
  }
  for (const g of dp.groups)
    if (g.status === 'UNDESCRIBABLE') gaps.push({ part: `group:${g.groupId}`, reason: g.reason });
  return gaps;
}

export function summarizeInventory(inventory: Inventory, inventoryKey: string, location: string): InventorySummary {
  const topics = describedTopics(inventory);
  const cluster = inventory.controlPlane.status === 'COLLECTED' ? inventory.controlPlane.cluster : undefined;
  const auth = cluster
    ? (['iam', 'scram', 'mtls', 'unauthenticated'] as const)
        .filter((k) => cluster.authentication[k])
        .map((k) => k.toUpperCase())
    : [inventory.source.authMechanism];
  const dp = inventory.dataPlane;
  const throughput = inventory.throughput.status === 'COLLECTED' ? inventory.throughput.cluster : undefined;
  const gaps = inventory.gaps.map((g) => `${g.part}: ${g.reason}`);
  return {
    inventoryKey,
    location,
    collectedAt: inventory.collectedAt,
    complete: inventory.complete,
    // The state carries a handful; the artifact has them all.
    gaps: gaps.length > 10 ? [...gaps.slice(0, 10), `… and ${gaps.length - 10} more in the inventory artifact`] : gaps,
    cluster: {
      clusterType: cluster?.clusterType ?? 'KAFKA',
      kafkaVersion: cluster?.kafkaVersion ?? null,
      brokers: cluster?.brokers?.count ?? dp.brokers.length,
      authentication: auth,
    },
    counts: {
      topics: topics.length,
      internalTopics: describedTopics(inventory, { includeInternal: true }).length - topics.length,
      undescribableTopics: dp.topics.filter((t) => t.status === 'UNDESCRIBABLE').length,
      partitions: topics.reduce((n, t) => n + t.partitionCount, 0),
      compactedTopics: topics.filter((t) => t.compacted).length,
      compactedPartitions: topics.filter((t) => t.compacted).reduce((n, t) => n + t.partitionCount, 0),
      groups: dp.groups.length,
      aclBindings: dp.acls.status === 'COLLECTED' ? dp.acls.bindings.length : null,
      clientQuotas: dp.clientQuotas.status === 'COLLECTED' ? dp.clientQuotas.quotas.length : null,
    },
    peakBytesInPerSec: throughput?.bytesInPerSec?.peak ?? null,
    peakBytesOutPerSec: throughput?.bytesOutPerSec?.peak ?? null,
  };
}

export async function takeInventory(
  request: InventoryRequest,
  deps: InventoryDeps,
): Promise<{ inventory: Inventory; summary: InventorySummary }> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const connection = deps.kafka.connection;

  let controlPlane: ControlPlaneInventory;
  if (!request.clusterArn)
    controlPlane = {
      status: 'NOT_COLLECTED',
      reason:
        'No MSK cluster ARN in the input: the source is read through Kafka only (no Kafka version, broker type, storage or auth modes from MSK).',
    };
  else if (!deps.msk)
    controlPlane = { status: 'NOT_COLLECTED', reason: 'No MSK control plane in this runtime (local rehearsal).' };
  else controlPlane = { status: 'COLLECTED', cluster: await deps.msk.describeCluster(request.clusterArn) };

  let dataPlane;
  try {
    dataPlane = await readDataPlane(deps.kafka, request.dataPlane);
  } catch (err) {
    throw withWhatToCheck(err, connection);
  }

  let throughput: ThroughputInventory;
  if (controlPlane.status !== 'COLLECTED')
    throughput = {
      status: 'NOT_COLLECTED',
      reason:
        'Throughput comes from CloudWatch AWS/Kafka, which needs the MSK cluster (its name is the metrics dimension).',
    };
  else if (!deps.metrics)
    throughput = { status: 'NOT_COLLECTED', reason: 'No metrics service in this runtime (local rehearsal).' };
  else {
    try {
      throughput = await readThroughput(deps.metrics, {
        cluster: controlPlane.cluster,
        brokerIds: dataPlane.brokers.map((b) => b.nodeId),
        topics: dataPlane.topics.filter((t) => t.status === 'DESCRIBED' && !t.internal).map((t) => t.name),
        now: started,
        ...request.throughput,
      });
    } catch (err) {
      // A permission the task role lacks is a gap to report, not a reason to lose the whole inventory; throttling is retried.
      if (!(err instanceof AuthFailedError)) throw err;
      throughput = {
        status: 'NOT_COLLECTED',
        reason: `CloudWatch refused: ${err.message}. Grant cloudwatch:GetMetricData to the Inventory task's role.`,
      };
    }
  }

  let clientBehaviour: Inventory['clientBehaviour'];
  if (deps.clientBehaviour) {
    try {
      clientBehaviour = await readClientBehaviour(deps.clientBehaviour, dataPlane, request.clientBehaviour);
    } catch (err) {
      throw withWhatToCheck(err, connection);
    }
  }

  const connectors = deps.connectors ? await readConnectors(deps.connectors, connection.bootstrapServers) : undefined;

  const schemaRegistries = await readSchemaRegistries(deps.schemaRegistries ?? {}, request.schemaRegistries, {
    dataPlane,
    ...(clientBehaviour ? { clientBehaviour } : {}),
  });

  const connectClusters = await readConnectClusters(deps.connectClusters, request.connectClusters, dataPlane);

  const partial = {
    dataPlane,
    throughput,
    ...(clientBehaviour ? { clientBehaviour } : {}),
    ...(connectors ? { connectors } : {}),
    ...(schemaRegistries ? { schemaRegistries } : {}),
    ...(connectClusters ? { connectClusters } : {}),
  };
  const gaps = gapsOf(controlPlane, partial);
  const inventory: Inventory = {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    collectedAt: started.toISOString(),
    durationSeconds: Math.max(0, (now().getTime() - started.getTime()) / 1000),
    source: {
      name: connection.name,
      bootstrapServers: [...connection.bootstrapServers],
      authMechanism: connection.auth.mechanism,
      ...(request.clusterArn ? { clusterArn: request.clusterArn } : {}),
    },
    controlPlane,
    dataPlane,
    throughput,
    ...(clientBehaviour ? { clientBehaviour } : {}),
    ...(connectors ? { connectors } : {}),
    ...(schemaRegistries ? { schemaRegistries } : {}),
    ...(connectClusters ? { connectClusters } : {}),
    complete: gaps.length === 0,
    gaps,
  };
  const key = artifactKey(request.migrationId, request.executionName, INVENTORY_ARTIFACT);
  const location = await deps.store.putJson(key, inventory);
  return { inventory, summary: summarizeInventory(inventory, key, location) };
}
