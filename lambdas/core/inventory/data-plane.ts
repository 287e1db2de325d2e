import { AuthFailedError, MigrationError, TransientError, UnreachableError } from '../errors';
import type {
  ConfigEntry,
  GroupDescription,
  KafkaDataPlane,
  KafkaInventoryReads,
  PartitionOffsets,
  TopicDescription,
} from '../../ports/kafka';
import { chunk, mapBounded } from './bounded-map';
import type {
  AclInventory,
  DataPlaneInventory,
  DescribedTopic,
  GroupInventory,
  PartitionInventory,
  TopicInventory,
} from './model';

/**
 * Reads the data plane of one cluster in batches: one metadata request per `topicBatch` topics, one DescribeConfigs
 * per `configBatch` topics, offsets batched by leader, groups described `groupBatch` at a time and their committed
 * offsets read with bounded concurrency. Never one request per partition.
 *
 * Connection-level failures (Unreachable, AuthFailed, Transient) stop the whole read: a partial inventory is not an
 * inventory. A request that fails for some names only is split in halves until the failing names are found; those
 * are listed as UNDESCRIBABLE with Kafka's reason.
 */

export type InventoryDataPlane = Pick<
  KafkaDataPlane,
  | 'connection'
  | 'listTopics'
  | 'describeTopics'
  | 'describeTopicConfigs'
  | 'listGroups'
  | 'describeGroups'
  | 'fetchCommittedOffsets'
> &
  KafkaInventoryReads;

export interface DataPlaneReadOptions {
  /** @default 1000 */
  readonly topicBatch?: number;
  /** @default 500 */
  readonly configBatch?: number;
  /** @default 100 */
  readonly groupBatch?: number;
  /** Committed-offset reads in flight. @default 8 */
  readonly groupConcurrency?: number;
  /** Single-name retries while isolating failures, per phase; past it the rest of a failing batch is listed as failed. @default 64 */
  readonly isolationBudget?: number;
}

/** Kafka's own defaults, used when neither the topic nor the broker sets a value. */
const KAFKA_DEFAULTS = {
  'cleanup.policy': 'delete',
  'max.message.bytes': '1048588',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
} as const;
/** Broker settings that give a topic its default (topic config ← broker config). */
const BROKER_DEFAULT_OF: Record<keyof typeof KAFKA_DEFAULTS, readonly string[]> = {
  'cleanup.policy': ['log.cleanup.policy'],
  'max.message.bytes': ['message.max.bytes'],
  'retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'retention.bytes': ['log.retention.bytes'],
};

/**
 * Failures that say the cluster cannot be read at all (stop), as opposed to one request refused (record it): an ACL
 * denying one operation is AuthFailed with `details.kind = 'authorization'` and only concerns that request.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof AuthFailedError) return err.details?.kind !== 'authorization';
  return err instanceof UnreachableError || err instanceof TransientError;
}

export function reasonOf(err: unknown): string {
  // The taxonomy's errors carry Kafka's own error name (TOPIC_AUTHORIZATION_FAILED) in their details.
  const kafkaError = err instanceof MigrationError ? err.details?.kafkaError : undefined;
  if (err instanceof Error && typeof kafkaError === 'string') return `${kafkaError}: ${err.message}`;
  if (err instanceof Error) {
    const type = (err as { type?: unknown }).type;
    const name = typeof type === 'string' ? type : err.name;
    return name && name !== 'Error' && !err.message.includes(name) ? `${name}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * Calls `read` on all names; on a failure that is not connection-level, splits the batch until the failing names are
 * isolated (each reported to `failed`). Bounded by `budget.left` single-name calls.
 */
async function readIsolating<R>(
  names: readonly string[],
  read: (batch: readonly string[]) => Promise<R>,
  failed: Map<string, string>,
  budget: { left: number },
): Promise<R[]> {
  try {
    return [await read(names)];
  } catch (err) {
    if (isConnectionFailure(err)) throw err;
    if (names.length === 1 || budget.left <= 0) {
      for (const name of names) failed.set(name, reasonOf(err));
      return [];
    }
    budget.left -= 2;
    const mid = Math.ceil(names.length / 2);
    const left = await readIsolating(names.slice(0, mid), read, failed, budget);
    const right = await readIsolating(names.slice(mid), read, failed, budget);
    return [...left, ...right];
  }
}

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function effective(
  name: keyof typeof KAFKA_DEFAULTS,
  entries: readonly ConfigEntry[],
  brokerConfigs: Readonly<Record<string, string | null>>,
): string {
  const own = entries.find((e) => e.name === name);
  if (own && own.value !== null) return own.value;
  for (const brokerName of BROKER_DEFAULT_OF[name]) {
    const value = brokerConfigs[brokerName];
    if (value === null || value === undefined) continue;
    if (brokerName === 'log.retention.minutes') return String(Number(value) * 60_000);
    if (brokerName === 'log.retention.hours') return String(Number(value) * 3_600_000);
    return value;
  }
  return KAFKA_DEFAULTS[name];
}

function describedTopic(
  description: TopicDescription,
  entries: readonly ConfigEntry[],
  offsets: readonly PartitionOffsets[] | undefined,
  brokerConfigs: Readonly<Record<string, string | null>>,
): DescribedTopic {
  const byPartition = new Map((offsets ?? []).map((o) => [o.partition, o]));
  const partitions: PartitionInventory[] = [...description.partitions]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: [...p.replicas],
      isr: [...p.isr],
      logStartOffset: byPartition.get(p.partition)?.low ?? null,
      logEndOffset: byPartition.get(p.partition)?.high ?? null,
    }));
  const cleanupPolicy = effective('cleanup.policy', entries, brokerConfigs);
  let retained: bigint | null = offsets ? 0n : null;
  for (const p of partitions) {
    if (retained === null || p.logStartOffset === null || p.logEndOffset === null) {
      retained = null;
      break;
    }
    retained += BigInt(p.logEndOffset) - BigInt(p.logStartOffset);
  }
  const configs: Record<string, string | null> = {};
  for (const e of entries) if (!e.isDefault) configs[e.name] = e.isSensitive ? null : e.value;
  return {
    status: 'DESCRIBED',
    name: description.name,
    internal: description.isInternal === true || description.name.startsWith('__'),
    partitionCount: partitions.length,
    replicationFactor: partitions.length === 0 ? 0 : Math.min(...partitions.map((p) => p.replicas.length)),
    configs,
    cleanupPolicy,
    compacted: cleanupPolicy
      .split(',')
      .map((s) => s.trim())
      .includes('compact'),
    maxMessageBytes: numberOrNull(effective('max.message.bytes', entries, brokerConfigs)),
    retentionMs: numberOrNull(effective('retention.ms', entries, brokerConfigs)),
    retentionBytes: numberOrNull(effective('retention.bytes', entries, brokerConfigs)),
    underReplicatedPartitions: partitions.filter((p) => p.isr.length < p.replicas.length).length,
    offlinePartitions: partitions.filter((p) => p.leader < 0).length,
    retainedRecords: retained === null ? null : Number(retained),
    partitions,
  };
}

async function readTopics(
  kafka: InventoryDataPlane,
  names: readonly string[],
  brokerConfigs: Readonly<Record<string, string | null>>,
  o: Required<DataPlaneReadOptions>,
): Promise<{ topics: TopicInventory[]; offsets: Map<string, PartitionOffsets[]> }> {
  const failed = new Map<string, string>();

  const descriptions = new Map<string, TopicDescription>();
  const describeBudget = { left: o.isolationBudget };
  for (const batch of chunk(names, o.topicBatch)) {
    for (const result of await readIsolating(batch, (b) => kafka.describeTopics(b), failed, describeBudget)) {
      for (const d of result) descriptions.set(d.name, d);
    }
  }
  const described = names.filter((n) => descriptions.has(n));
  for (const n of names)
    if (!descriptions.has(n) && !failed.has(n))
      failed.set(n, 'not returned by the broker (deleted while the inventory ran?)');

  const configs = new Map<string, ConfigEntry[]>();
  const configBudget = { left: o.isolationBudget };
  for (const batch of chunk(described, o.configBatch)) {
    for (const result of await readIsolating(batch, (b) => kafka.describeTopicConfigs(b), failed, configBudget)) {
      for (const [topic, entries] of Object.entries(result)) configs.set(topic, entries);
    }
  }
  for (const n of described)
    if (!configs.has(n) && !failed.has(n)) failed.set(n, 'configs: not returned by the broker');

  const offsets = new Map<string, PartitionOffsets[]>();
  const offsetFailures = new Map<string, string>();
  const offsetBudget = { left: o.isolationBudget };
  for (const batch of chunk(described, o.topicBatch)) {
    for (const result of await readIsolating(batch, (b) => kafka.fetchTopicsOffsets(b), offsetFailures, offsetBudget)) {
      for (const [topic, list] of Object.entries(result)) offsets.set(topic, list);
    }
  }
  // A topic without offsets is still described (configs and partitions are what the rules need); its offsets are null.
  for (const [n, reason] of offsetFailures) if (!failed.has(n)) failed.set(n, `offsets: ${reason}`);

  const topics: TopicInventory[] = names.map((name) => {
    const d = descriptions.get(name);
    const c = configs.get(name);
    if (!d || !c || (failed.has(name) && !offsetFailures.has(name)))
      return { status: 'UNDESCRIBABLE', name, reason: failed.get(name) ?? 'unknown' };
    return describedTopic(d, c, offsets.get(name), brokerConfigs);
  });
  return { topics, offsets };
}

function groupFrom(
  description: GroupDescription,
  committed: ReadonlyArray<{ topic: string; partition: number; offset: string }>,
  offsets: ReadonlyMap<string, PartitionOffsets[]>,
): GroupInventory {
  let totalLag: number | null = 0;
  let behindLogStart = 0;
  const rows = committed
    .filter((c) => c.offset !== '-1')
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((c) => {
      const p = offsets.get(c.topic)?.find((o) => o.partition === c.partition);
      const lag = p ? Number(BigInt(p.high) > BigInt(c.offset) ? BigInt(p.high) - BigInt(c.offset) : 0n) : null;
      if (lag === null) totalLag = null;
      else if (totalLag !== null) totalLag += lag;
      if (p && BigInt(c.offset) < BigInt(p.low)) behindLogStart++;
      return {
        topic: c.topic,
        partition: c.partition,
        committedOffset: c.offset,
        logEndOffset: p?.high ?? null,
        logStartOffset: p?.low ?? null,
        lag,
      };
    });
  return {
    status: 'DESCRIBED',
    groupId: description.groupId,
    protocolType: description.protocolType,
    state: description.state,
    members: description.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
    offsets: rows,
    topics: [...new Set(rows.map((r) => r.topic))].sort(),
    totalLag,
    partitionsBehindLogStart: behindLogStart,
  };
}

async function readGroups(
  kafka: InventoryDataPlane,
  offsets: ReadonlyMap<string, PartitionOffsets[]>,
  o: Required<DataPlaneReadOptions>,
): Promise<GroupInventory[]> {
  const listed = await kafka.listGroups();
  const ids = [...new Set(listed.map((g) => g.groupId))].sort();
  const protocolOf = new Map(listed.map((g) => [g.groupId, g.protocolType]));
  const failed = new Map<string, string>();
  const descriptions = new Map<string, GroupDescription>();
  const budget = { left: o.isolationBudget };
  for (const batch of chunk(ids, o.groupBatch)) {
    for (const result of await readIsolating(batch, (b) => kafka.describeGroups(b), failed, budget)) {
      for (const d of result) descriptions.set(d.groupId, d);
    }
  }
  return mapBounded(ids, o.groupConcurrency, async (groupId): Promise<GroupInventory> => {
    const description = descriptions.get(groupId);
    if (!description)
      return { status: 'UNDESCRIBABLE', groupId, reason: failed.get(groupId) ?? 'not returned by the coordinator' };
    try {
      const committed = await kafka.fetchCommittedOffsets(groupId);
      return groupFrom(
        { ...description, protocolType: description.protocolType || protocolOf.get(groupId) || '' },
        committed,
        offsets,
      );
    } catch (err) {
      if (isConnectionFailure(err)) throw err;
      return { status: 'UNDESCRIBABLE', groupId, reason: `committed offsets: ${reasonOf(err)}` };
    }
  });
}

async function readAcls(kafka: InventoryDataPlane): Promise<AclInventory> {
  try {
    const listing = await kafka.describeAcls();
    if (!listing.authorizerEnabled) return { status: 'COLLECTED', authorizerEnabled: false, bindings: [] };
    return { status: 'COLLECTED', authorizerEnabled: true, bindings: listing.bindings.map((b) => ({ ...b })) };
  } catch (err) {
    if (isConnectionFailure(err)) throw err;
    return {
      status: 'NOT_COLLECTED',
      reason: `DescribeAcls refused: ${reasonOf(err)}. Grant the inventory principal DESCRIBE on the CLUSTER resource (ACLs) or kafka-cluster:DescribeCluster (IAM), then run again.`,
    };
  }
}

async function readClientQuotas(kafka: InventoryDataPlane): Promise<DataPlaneInventory['clientQuotas']> {
  try {
    const quotas = await kafka.describeClientQuotas();
    return {
      status: 'COLLECTED',
      quotas: quotas.map((q) => ({ entity: q.entity.map((e) => ({ ...e })), values: { ...q.values } })),
    };
  } catch (err) {
    if (isConnectionFailure(err)) throw err;
    return {
      status: 'NOT_COLLECTED',
      reason: `DescribeClientQuotas refused: ${reasonOf(err)}. Grant DESCRIBE_CONFIGS on the CLUSTER resource to the inventory principal, then run again.`,
    };
  }
}

async function readBrokerConfigs(
  kafka: InventoryDataPlane,
  brokerId: number | undefined,
): Promise<DataPlaneInventory['brokerConfigs']> {
  if (brokerId === undefined) return { status: 'NOT_COLLECTED', reason: 'the cluster listed no broker' };
  try {
    const entries = await kafka.describeBrokerConfigs(brokerId);
    const configs: Record<string, string | null> = {};
    for (const e of entries) if (!e.isDefault) configs[e.name] = e.isSensitive ? null : e.value;
    return { status: 'COLLECTED', brokerId, configs };
  } catch (err) {
    if (isConnectionFailure(err)) throw err;
    return {
      status: 'NOT_COLLECTED',
      reason: `DescribeConfigs on broker ${brokerId} refused: ${reasonOf(err)}. Topic defaults are then Kafka's own, not the broker's.`,
    };
  }
}

export async function readDataPlane(
  kafka: InventoryDataPlane,
  options: DataPlaneReadOptions = {},
): Promise<DataPlaneInventory> {
  const o: Required<DataPlaneReadOptions> = {
    topicBatch: 1000,
    configBatch: 500,
    groupBatch: 100,
    groupConcurrency: 8,
    isolationBudget: 64,
    ...options,
  };
  const cluster = await kafka.describeCluster();
  const brokerIds = cluster.brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const brokerConfigs = await readBrokerConfigs(
    kafka,
    cluster.controllerId !== null && brokerIds.includes(cluster.controllerId) ? cluster.controllerId : brokerIds[0],
  );
  const names = [...new Set(await kafka.listTopics())].sort();
  const { topics, offsets } = await readTopics(
    kafka,
    names,
    brokerConfigs.status === 'COLLECTED' ? brokerConfigs.configs : {},
    o,
  );
  const groups = await readGroups(kafka, offsets, o);
  const acls = await readAcls(kafka);
  const clientQuotas = await readClientQuotas(kafka);
  return {
    clusterId: cluster.clusterId,
    controllerId: cluster.controllerId,
    brokers: cluster.brokers
      .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }))
      .sort((a, b) => a.nodeId - b.nodeId),
    brokerConfigs,
    topics,
    groups,
    acls,
    clientQuotas,
  };
}
