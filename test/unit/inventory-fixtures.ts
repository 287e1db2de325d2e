import type { AclBinding } from '../../lambdas/core/access/acl-binding';
import type {
  DescribedGroup,
  DescribedTopic,
  Inventory,
  MskCluster,
  Peak,
  ThroughputInventory,
  TopicRecordSample,
} from '../../lambdas/core/inventory/model';

/** Builders of inventories for the assessment's unit tests: defaults are a healthy, small, IAM-enabled MSK cluster. */

export function topic(
  name: string,
  o: Partial<Omit<DescribedTopic, 'status' | 'name'>> & { records?: number } = {},
): DescribedTopic {
  const partitionCount = o.partitionCount ?? 3;
  const rf = o.replicationFactor ?? 3;
  const perPartition = o.records === undefined ? 10 : Math.floor(o.records / partitionCount);
  const cleanupPolicy = o.cleanupPolicy ?? o.configs?.['cleanup.policy'] ?? 'delete';
  return {
    status: 'DESCRIBED',
    name,
    internal: name.startsWith('__'),
    partitionCount,
    replicationFactor: rf,
    configs: o.configs ?? {},
    cleanupPolicy,
    compacted: o.compacted ?? cleanupPolicy.includes('compact'),
    maxMessageBytes: o.maxMessageBytes ?? 1_048_588,
    retentionMs: o.retentionMs ?? 604_800_000,
    retentionBytes: o.retentionBytes ?? -1,
    underReplicatedPartitions: 0,
    offlinePartitions: 0,
    retainedRecords: o.retainedRecords ?? perPartition * partitionCount,
    partitions:
      o.partitions ??
      Array.from({ length: partitionCount }, (_, p) => ({
        partition: p,
        leader: 1,
        replicas: [1, 2, 3].slice(0, rf),
        isr: [1, 2, 3].slice(0, rf),
        logStartOffset: '0',
        logEndOffset: String(perPartition),
      })),
  };
}

export function group(groupId: string, o: Partial<Omit<DescribedGroup, 'status' | 'groupId'>> = {}): DescribedGroup {
  const offsets = o.offsets ?? [
    { topic: 'orders', partition: 0, committedOffset: '10', logEndOffset: '10', logStartOffset: '0', lag: 0 },
  ];
  return {
    status: 'DESCRIBED',
    groupId,
    protocolType: o.protocolType ?? 'consumer',
    state: o.state ?? 'Stable',
    members: o.members ?? [{ memberId: `${groupId}-1`, clientId: groupId, clientHost: '/10.0.0.1' }],
    offsets,
    topics: o.topics ?? [...new Set(offsets.map((x) => x.topic))],
    totalLag: o.totalLag === undefined ? offsets.reduce((s, x) => s + (x.lag ?? 0), 0) : o.totalLag,
    partitionsBehindLogStart: o.partitionsBehindLogStart ?? 0,
  };
}

export function acl(
  principal: string,
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  operation: string,
  o: Partial<AclBinding> = {},
): AclBinding {
  return {
    principal,
    resourceType,
    resourceName,
    operation,
    patternType: 'LITERAL',
    host: '*',
    permissionType: 'ALLOW',
    ...o,
  };
}

export function mskCluster(o: Partial<MskCluster> = {}): MskCluster {
  return {
    clusterArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/source/uuid-1',
    clusterName: 'source',
    clusterType: 'PROVISIONED',
    state: 'ACTIVE',
    kafkaVersion: '3.9.x',
    brokers: { count: 3, instanceType: 'kafka.m7g.large', storageGiB: 1000, storageMode: 'LOCAL' },
    authentication: { iam: true, scram: false, mtls: false, unauthenticated: false },
    encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
    bootstrapBrokers: { saslIam: 'b-1.source:9098,b-2.source:9098' },
    enhancedMonitoring: 'DEFAULT',
    vpc: { subnetIds: ['subnet-a'], securityGroupIds: ['sg-1'] },
    publicAccess: false,
    tags: {},
    ...o,
  };
}

export function peakOf(value: number, mean: number | null = null): Peak {
  return { peak: value, peakAt: '2026-11-01T10:00:00.000Z', mean, datapoints: 336 };
}

export const clusterPeaks = {
  bytesInPerSec: peakOf(10_000_000, 5_000_000),
  bytesOutPerSec: peakOf(20_000_000, 10_000_000),
  messagesInPerSec: peakOf(10_000),
  connectionCount: peakOf(300),
};

export function throughput(
  o: Partial<Extract<ThroughputInventory, { status: 'COLLECTED' }>> = {},
): ThroughputInventory {
  return {
    status: 'COLLECTED',
    window: { start: '2026-10-18T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z', periodSeconds: 3600 },
    cluster: clusterPeaks,
    topics: [],
    notes: [],
    ...o,
  };
}

export interface InventoryParts {
  topics?: Inventory['dataPlane']['topics'];
  groups?: Inventory['dataPlane']['groups'];
  acls?: Inventory['dataPlane']['acls'];
  clientQuotas?: Inventory['dataPlane']['clientQuotas'];
  brokerConfigs?: Inventory['dataPlane']['brokerConfigs'];
  controlPlane?: Inventory['controlPlane'];
  throughput?: ThroughputInventory;
  authMechanism?: string;
}

export function inventory(parts: InventoryParts = {}): Inventory {
  const inv: Inventory = {
    schemaVersion: 1,
    collectedAt: '2026-11-01T00:00:00.000Z',
    durationSeconds: 1.5,
    source: { name: 'source', bootstrapServers: ['b-1.source:9098'], authMechanism: parts.authMechanism ?? 'IAM' },
    controlPlane: parts.controlPlane ?? { status: 'COLLECTED', cluster: mskCluster() },
    dataPlane: {
      clusterId: 'cluster-id',
      controllerId: 1,
      brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: `b-${nodeId}.source`, port: 9098, rack: null })),
      brokerConfigs: parts.brokerConfigs ?? { status: 'COLLECTED', brokerId: 1, configs: {} },
      topics: parts.topics ?? [topic('orders'), topic('payments')],
      groups: parts.groups ?? [group('orders-service')],
      acls: parts.acls ?? { status: 'COLLECTED', authorizerEnabled: true, bindings: [] },
      clientQuotas: parts.clientQuotas ?? { status: 'COLLECTED', quotas: [] },
    },
    throughput: parts.throughput ?? throughput(),
    complete: true,
    gaps: [],
  };
  return inv;
}

/** One partition's record sample: 100 records in 10 uncompressed batches, none idempotent or transactional. */
export function recordSample(t: string, o: Partial<TopicRecordSample> = {}): TopicRecordSample {
  return {
    topic: t,
    partitionsSampled: 1,
    batches: 10,
    records: 100,
    codecs: { none: 10 },
    maxBatchBytes: 20_000,
    p99BatchBytes: 15_000,
    maxRecordBytes: 2_000,
    p99RecordBytes: 1_500,
    idempotentBatches: 0,
    transactionalBatches: 0,
    ...o,
  };
}

/**
 * An inventory of these topics whose sampled record values are all in one schema registry's wire format (Confluent's
 * or Glue's), carrying these schema ids (Confluent) or schema version ids (Glue), by topic.
 */
export function inventoryWithSchemaIds(format: 'confluent' | 'glue', byTopic: Record<string, string[]>): Inventory {
  const wireFormats = (schemaIds: string[]) => ({
    confluent: format === 'confluent' ? 100 : 0,
    glue: format === 'glue' ? 100 : 0,
    other: 0,
    schemaIds,
  });
  return {
    ...inventory({ topics: Object.keys(byTopic).map((t) => topic(t)) }),
    clientBehaviour: {
      client: '@platformatic/kafka',
      note: 'n',
      producers: { status: 'COLLECTED', partitionsAsked: 0, partitionsRead: 0, topics: [], notes: [] },
      transactions: { status: 'COLLECTED', transactions: [], notes: [] },
      records: {
        status: 'COLLECTED',
        bytesPerPartition: 1,
        notes: [],
        topics: Object.entries(byTopic).map(([t, ids]) => recordSample(t, { wireFormats: wireFormats(ids) })),
      },
      groupTypes: { status: 'COLLECTED', groups: [] },
      notVisible: [],
    },
  };
}
