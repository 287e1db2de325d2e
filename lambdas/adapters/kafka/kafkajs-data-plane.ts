import type { AclBinding } from '../../core/access/acl-binding';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type KafkaConfig,
  type LogEntry,
  type PartitionMetadata,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { TransientError } from '../../core/errors';
import type {
  AclListing,
  ClientQuotaEntry,
  ClusterDescription,
  CommittedOffset,
  ConfigEntry,
  GroupDescription,
  KafkaConnection,
  KafkaDataPlane,
  KafkaDataPlaneFactory,
  KafkaInventoryReads,
  KafkaRecordIn,
  KafkaRecordOut,
  PartitionOffsets,
  TopicDescription,
} from '../../ports/kafka';
import { mskIamTokenFromDefaultCredentials } from './msk-iam-token';
import { callWithDeadline, errorChain } from './kafka-errors';
import { probeConnectivity } from './connectivity-probe';
import type { ConnectivityCheck } from '../../core/connectivity/preflight';
import { tlsOptions } from './tls-options';
import { describeClientQuotasOn } from './kafkajs-client-quotas';
import {
  committedRecords,
  createInternalCluster,
  READ_COMMITTED,
  type InternalBroker,
  type InternalCluster,
} from './kafkajs-internals';

/**
 * The KafkaDataPlane port on kafkajs 2.2.4: admin and producer through kafkajs's public API; reading a partition and
 * committing a group's offsets through its Cluster (see kafkajs-internals.ts for why). Every call is bounded in time
 * and its failure mapped to Migration.Unreachable / AuthFailed / Transient (kafka-errors.ts).
 */

export type IamTokenProvider = (region: string) => Promise<{ token: string; expiryTime: number }>;

export interface KafkajsDataPlaneOptions {
  /** MSK IAM tokens (SASL/OAUTHBEARER). @default mskIamTokenFromDefaultCredentials (msk-iam-token.ts) */
  readonly iamTokenProvider?: IamTokenProvider;
  /** @default `msk-migration-<connection name>` */
  readonly clientId?: string;
  /** Where kafkajs's own log lines go. @default errors only, one JSON line each on stderr */
  readonly log?: (entry: { level: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG'; namespace: string; message: string }) => void;
  /** kafkajs's level. @default 'ERROR' */
  readonly logLevel?: 'NOTHING' | 'ERROR' | 'WARN' | 'INFO';
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const CONFIG_BATCH = 100;
const TOPIC_RESOURCE = 2;
/** DescribeConfigs config_source: 1 is DYNAMIC_TOPIC_CONFIG, i.e. set on the topic itself. */
const TOPIC_CONFIG_SOURCE = 1;
const LEVEL_NAMES: Record<number, 'ERROR' | 'WARN' | 'INFO' | 'DEBUG'> = {
  1: 'ERROR',
  2: 'WARN',
  4: 'INFO',
  5: 'DEBUG',
};

function defaultLog(entry: { level: string; namespace: string; message: string }): void {
  console.error(JSON.stringify({ source: 'kafkajs', ...entry }));
}

const SASL_MECHANISMS = {
  'SCRAM-SHA-512': 'scram-sha-512',
  'SCRAM-SHA-256': 'scram-sha-256',
  PLAIN: 'plain',
} as const;

/** kafkajs's client settings for a connection: TLS and SASL from the auth mode, timeouts from the connection. */
export function kafkajsConfig(connection: KafkaConnection, options: KafkajsDataPlaneOptions = {}): KafkaConfig {
  const requestTimeout = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const auth = connection.auth;
  let tls = false;
  let sasl: SASLOptions | undefined;
  switch (auth.mechanism) {
    case 'PLAINTEXT':
      break;
    case 'TLS':
      tls = true;
      break;
    case 'SCRAM-SHA-512':
    case 'SCRAM-SHA-256':
    case 'PLAIN':
      tls = auth.tls ?? false;
      sasl = {
        mechanism: SASL_MECHANISMS[auth.mechanism],
        username: auth.username,
        password: auth.password,
      } as SASLOptions;
      break;
    case 'IAM': {
      tls = true;
      const tokens = options.iamTokenProvider ?? mskIamTokenFromDefaultCredentials;
      sasl = {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: (await tokens(auth.region)).token }),
      };
      break;
    }
  }
  const log = options.log ?? defaultLog;
  return {
    clientId: options.clientId ?? `msk-migration-${connection.name}`,
    brokers: [...connection.bootstrapServers],
    ssl: tls ? tlsOptions(connection.tls) : false,
    sasl,
    connectionTimeout: Math.min(5_000, requestTimeout),
    authenticationTimeout: requestTimeout,
    requestTimeout,
    enforceRequestTimeout: true,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel[options.logLevel ?? 'ERROR'],
    logCreator: () => (entry: LogEntry) => {
      const level = LEVEL_NAMES[entry.level];
      if (level) log({ level, namespace: entry.namespace, message: entry.log.message });
    },
  };
}

type Header = Buffer | string | Array<Buffer | string> | undefined;

/** Kafka's AdminClient enums (DescribeAcls) as the inventory names them; ANY (1) is the match-all filter value. */
const ACL_ANY = 1;
const ACL_RESOURCE: Record<number, AclBinding['resourceType']> = {
  2: 'TOPIC',
  3: 'GROUP',
  4: 'CLUSTER',
  5: 'TRANSACTIONAL_ID',
  6: 'DELEGATION_TOKEN',
  7: 'USER',
};
const ACL_PATTERN: Record<number, AclBinding['patternType']> = { 3: 'LITERAL', 4: 'PREFIXED' };
const ACL_OPERATION: Record<number, string> = {
  2: 'ALL',
  3: 'READ',
  4: 'WRITE',
  5: 'CREATE',
  6: 'DELETE',
  7: 'ALTER',
  8: 'DESCRIBE',
  9: 'CLUSTER_ACTION',
  10: 'DESCRIBE_CONFIGS',
  11: 'ALTER_CONFIGS',
  12: 'IDEMPOTENT_WRITE',
  13: 'CREATE_TOKENS',
  14: 'DESCRIBE_TOKENS',
};
const BROKER_RESOURCE = 4;
/** DescribeConfigs config_source 5: DEFAULT_CONFIG (Kafka's own default, not set anywhere). */
const DEFAULT_CONFIG_SOURCE = 5;
const READ_UNCOMMITTED = 0;
/**
 * Partitions one data plane reads at once. The looks that read many partitions bound themselves (8); this bounds
 * every caller together, so that a burst does not open thousands of fetches on the leaders' connections.
 */
const MAX_CONCURRENT_READS = 16;
/**
 * What a fetch answers when the cached metadata is out of date (the partition has moved to another leader, the topic
 * was deleted or recreated, the broker is gone): a read refreshes the metadata once and tries again.
 */
const STALE_METADATA_TYPES = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
]);
const STALE_METADATA_NAMES = new Set(['KafkaJSBrokerNotFound', 'KafkaJSConnectionError']);

export class KafkajsDataPlane implements KafkaDataPlane, KafkaInventoryReads {
  private readonly config: KafkaConfig;
  private readonly kafka: Kafka;
  private readonly requestTimeoutMs: number;
  private admin: Promise<Admin> | undefined;
  private producer: Promise<Producer> | undefined;
  private cluster: Promise<InternalCluster> | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitionMetadata = new Map<string, PartitionMetadata[]>();
  /**
   * Metadata refreshes of the internal cluster, one at a time: its target topics are shared by every read, and kafkajs
   * hands a caller that comes during a refresh the refresh already under way (with the topics it started with).
   */
  private refreshing: Promise<unknown> = Promise.resolve();
  /** Counts the refreshes done: a read that found its metadata stale refreshes only if no one has since. */
  private metadataGeneration = 0;
  private readonly readSlots = new Slots(MAX_CONCURRENT_READS);

  constructor(
    readonly connection: KafkaConnection,
    options: KafkajsDataPlaneOptions = {},
  ) {
    this.config = kafkajsConfig(connection, options);
    this.kafka = new Kafka(this.config);
    this.requestTimeoutMs = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** TCP and TLS by hand on each bootstrap server, then this adapter's login and a metadata call (listTopics). */
  checkConnectivity(): Promise<ConnectivityCheck> {
    return probeConnectivity(this.connection, () => this.listTopics());
  }

  listTopics(): Promise<string[]> {
    return this.call('listTopics', async () => (await (await this.adminClient()).listTopics()).sort());
  }

  describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    if (topics.length === 0) return Promise.resolve([]);
    return this.call('describeTopics', async () => {
      const { topics: metadata } = await (await this.adminClient()).fetchTopicMetadata({ topics: [...topics] });
      return metadata.map((t) => ({
        name: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas], isr: [...p.isr] }))
          .sort((a, b) => a.partition - b.partition),
      }));
    });
  }

  describeTopicConfigs(topics: readonly string[]): Promise<Record<string, ConfigEntry[]>> {
    return this.call('describeTopicConfigs', async () => {
      const admin = await this.adminClient();
      const out: Record<string, ConfigEntry[]> = {};
      for (let i = 0; i < topics.length; i += CONFIG_BATCH) {
        const batch = topics.slice(i, i + CONFIG_BATCH);
        const response = await admin.describeConfigs({
          includeSynonyms: false,
          resources: batch.map((name) => ({ type: TOPIC_RESOURCE, name })),
        });
        for (const resource of response.resources) {
          out[resource.resourceName] = resource.configEntries.map((e) => {
            const source = (e as { configSource?: number }).configSource;
            return {
              name: e.configName,
              value: e.configValue,
              isDefault: source === undefined ? e.isDefault : source !== TOPIC_CONFIG_SOURCE,
              isSensitive: e.isSensitive,
            };
          });
        }
      }
      return out;
    });
  }

  createTopics(
    topics: ReadonlyArray<{
      topic: string;
      numPartitions: number;
      replicationFactor?: number;
      configs?: Record<string, string>;
    }>,
  ): Promise<void> {
    if (topics.length === 0) return Promise.resolve();
    return this.call('createTopics', async () => {
      await (
        await this.adminClient()
      ).createTopics({
        waitForLeaders: true,
        timeout: this.requestTimeoutMs,
        topics: topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          ...(t.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}),
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    });
  }

  deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return Promise.resolve();
    return this.call('deleteTopics', async () => {
      await (await this.adminClient()).deleteTopics({ topics: [...topics], timeout: this.requestTimeoutMs });
      for (const t of topics) this.partitionMetadata.delete(t);
    });
  }

  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.call('fetchTopicOffsets', () => this.topicOffsets(topic));
  }

  /**
   * A topic's start and end offsets (read committed, as kafkajs's admin.fetchTopicOffsets reads them) in one round
   * trip: the earliest and latest ListOffsets to the cached leaders, and beside them a Metadata request for the topic,
   * so that the partition list is as of this call. Partitions the cached metadata did not have, or whose leader moved,
   * are asked again after one refresh. (kafkajs's admin refreshes the metadata first and asks the two ends one after
   * the other: three round trips.)
   */
  private async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const cluster = await this.internalCluster();
    if (!knows(cluster, topic)) await this.refreshMetadata(cluster, [topic], { unlessSince: this.metadataGeneration });
    const generation = this.metadataGeneration;
    const cached = cluster.findTopicPartitionMetadata(topic);
    const anyLeader = cached.find((p) => p.leader >= 0)?.leader;
    if (anyLeader === undefined)
      throw new TransientError(`Topic ${topic} on ${this.connection.name} has no partition with a leader right now.`);
    const [listed, first] = await Promise.allSettled([
      cluster.findBroker({ nodeId: String(anyLeader) }).then((b) => b.metadata([topic])),
      this.offsetsOnLeaders(cluster, topic, cached),
    ]);
    if (listed.status === 'rejected') throw listed.reason;
    if (first.status === 'rejected' && !isStaleMetadata(first.reason)) throw first.reason;
    const partitions = (listed.value.topicMetadata.find((t) => t.topic === topic)?.partitionMetadata ?? []).map(
      (p) => p.partitionId,
    );
    const found = first.status === 'fulfilled' ? first.value : new Map<number, PartitionOffsets>();
    const missing = new Set(partitions.filter((p) => !found.has(p)));
    if (missing.size > 0) {
      await this.refreshMetadata(cluster, [topic], { unlessSince: generation });
      const again = cluster.findTopicPartitionMetadata(topic).filter((p) => missing.has(p.partitionId));
      for (const [partition, offsets] of await this.offsetsOnLeaders(cluster, topic, again))
        found.set(partition, offsets);
    }
    const unanswered = partitions.filter((p) => !found.has(p));
    if (unanswered.length > 0)
      throw new TransientError(
        `${topic} partition(s) ${unanswered.join(', ')} on ${this.connection.name} have no leader right now.`,
      );
    return partitions.map((p) => found.get(p) as PartitionOffsets).sort((a, b) => a.partition - b.partition);
  }

  /** The earliest and the latest offset (read committed) of each partition, asked of its leader, all at once. */
  private async offsetsOnLeaders(
    cluster: InternalCluster,
    topic: string,
    partitions: ReadonlyArray<{ partitionId: number; leader: number }>,
  ): Promise<Map<number, PartitionOffsets>> {
    const byLeader = new Map<number, number[]>();
    for (const p of partitions)
      if (p.leader >= 0) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partitionId]);
    const answers = await Promise.all(
      [...byLeader].flatMap(([leader, led]) =>
        (['-2', '-1'] as const).map(async (timestamp) => {
          const broker = await cluster.findBroker({ nodeId: String(leader) });
          const response = await broker.listOffsets({
            isolationLevel: READ_COMMITTED,
            topics: [{ topic, partitions: led.map((partition) => ({ partition, timestamp })) }],
          });
          return { timestamp, partitions: response.responses.find((r) => r.topic === topic)?.partitions ?? [] };
        }),
      ),
    );
    const low = new Map<number, string>();
    const high = new Map<number, string>();
    for (const a of answers)
      for (const p of a.partitions) (a.timestamp === '-2' ? low : high).set(p.partition, String(p.offset));
    const out = new Map<number, PartitionOffsets>();
    for (const [partition, h] of high) {
      const l = low.get(partition);
      if (l !== undefined) out.set(partition, { partition, low: l, high: h });
    }
    return out;
  }

  listGroups(): Promise<Array<{ groupId: string; protocolType: string }>> {
    return this.call('listGroups', async () =>
      (await (await this.adminClient()).listGroups()).groups
        .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId)),
    );
  }

  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    if (groupIds.length === 0) return Promise.resolve([]);
    return this.call('describeGroups', async () =>
      (await (await this.adminClient()).describeGroups([...groupIds])).groups.map((g) => ({
        groupId: g.groupId,
        state: g.state,
        protocolType: g.protocolType,
        members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
      })),
    );
  }

  fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
    return this.call('fetchCommittedOffsets', async () => {
      // Without topics, kafkajs asks for every topic the group has committed offsets for (OffsetFetch with null).
      const response = await (
        await this.adminClient()
      ).fetchOffsets({ groupId, ...(topics ? { topics: [...topics] } : {}) });
      return response
        .flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    });
  }

  setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return this.call('setCommittedOffsets', async () => {
      const [group] = (await (await this.adminClient()).describeGroups([groupId])).groups;
      if (group && group.members.length > 0) {
        throw new Error(
          `Consumer group ${groupId} on ${this.connection.name} has ${group.members.length} active member(s) (state ${group.state}): Kafka accepts offsets only for a group without members. Stop its consumers first.`,
        );
      }
      const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
      for (const o of offsets)
        byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
      const cluster = await this.internalCluster();
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      // One OffsetCommit for every topic, as a group without a generation: Kafka's "simple" commit.
      await coordinator.offsetCommit({
        groupId,
        groupGenerationId: -1,
        memberId: '',
        retentionTime: -1,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
    });
  }

  produce(topic: string, records: readonly KafkaRecordOut[]): Promise<Array<{ partition: number; offset: string }>> {
    if (records.length === 0) return Promise.resolve([]);
    return this.call('produce', async () => {
      // Partitions are chosen here (kafkajs's default partitioner, as the producer would) so that each record's
      // offset is known: the broker answers with one base offset per partition.
      const metadata = await this.topicPartitions(topic);
      const messages = records.map((r) => ({
        key: r.key ?? null,
        value: r.value,
        headers: r.headers,
        partition:
          r.partition ??
          this.partitioner({ topic, partitionMetadata: metadata, message: { key: r.key ?? null, value: r.value } }),
      }));
      const producer = await this.producerClient();
      const result = await producer.send({ topic, acks: -1, timeout: this.requestTimeoutMs, messages });
      const base = new Map(result.map((m) => [m.partition, BigInt(m.baseOffset ?? '-1')]));
      const seen = new Map<number, bigint>();
      return messages.map((m) => {
        const index = seen.get(m.partition) ?? 0n;
        seen.set(m.partition, index + 1n);
        const offset = base.get(m.partition);
        return {
          partition: m.partition,
          offset: offset === undefined || offset < 0n ? '-1' : (offset + index).toString(),
        };
      });
    });
  }

  readPartition(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
    timeoutMs?: number;
  }): Promise<KafkaRecordIn[]> {
    const timeoutMs = args.timeoutMs ?? 5_000;
    // Reads run side by side (each waits for a slot, then has its whole deadline): kafkajs sends them over the
    // leader's fetch connection with their own correlation ids, and each answer names its topic and partition.
    return this.readSlots.run(() =>
      this.call(
        'readPartition',
        () => this.fetchRecords({ ...args, timeoutMs }),
        timeoutMs + 3 * this.requestTimeoutMs,
      ),
    );
  }

  /** Deletes a partition's records before `offset` (DeleteRecords), for tests and rehearsal scenarios. */
  deleteRecordsBefore(topic: string, partition: number, offset: string): Promise<void> {
    return this.call('deleteRecordsBefore', async () => {
      await (await this.adminClient()).deleteTopicRecords({ topic, partitions: [{ partition, offset }] });
    });
  }

  // Inventory reads (KafkaInventoryReads): whole-cluster reads, batched.

  describeCluster(): Promise<ClusterDescription> {
    return this.call('describeCluster', async () => {
      const c = await (await this.adminClient()).describeCluster();
      return {
        clusterId: c.clusterId ?? null,
        controllerId: c.controller ?? null,
        brokers: c.brokers
          .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
          .sort((a, b) => a.nodeId - b.nodeId),
      };
    });
  }

  async describeAcls(): Promise<AclListing> {
    try {
      return await this.call('describeAcls', async () => {
        const response = await (
          await this.adminClient()
        ).describeAcls({
          resourceType: ACL_ANY,
          resourcePatternType: ACL_ANY,
          operation: ACL_ANY,
          permissionType: ACL_ANY,
        });
        const bindings: AclBinding[] = [];
        for (const r of response.resources) {
          const resourceType = ACL_RESOURCE[r.resourceType];
          const patternType = ACL_PATTERN[r.resourcePatternType];
          if (!resourceType || !patternType)
            throw new Error(
              `DescribeAcls returned resource type ${r.resourceType} / pattern ${r.resourcePatternType} this client cannot name.`,
            );
          for (const a of r.acls) {
            bindings.push({
              resourceType,
              resourceName: r.resourceName,
              patternType,
              principal: a.principal,
              host: a.host,
              operation: ACL_OPERATION[a.operation] ?? `UNKNOWN(${a.operation})`,
              permissionType: a.permissionType === 2 ? 'DENY' : 'ALLOW',
            });
          }
        }
        return { authorizerEnabled: true as const, bindings };
      });
    } catch (err) {
      // A broker without an authorizer answers SECURITY_DISABLED (54): no ACLs exist, which is an answer.
      if (errorChain(err).some((f) => f.type === 'SECURITY_DISABLED' || f.code === 54))
        return { authorizerEnabled: false };
      throw err;
    }
  }

  describeClientQuotas(): Promise<ClientQuotaEntry[]> {
    // kafkajs has no client-quota API: the request goes through one of its broker connections (kafkajs-client-quotas.ts).
    return this.call('describeClientQuotas', async () => {
      const cluster = await this.internalCluster();
      await this.refreshMetadata(cluster, [], { always: true });
      const [first] = (await (await this.adminClient()).describeCluster()).brokers;
      if (!first) throw new Error(`Kafka cluster ${this.connection.name} listed no broker.`);
      return describeClientQuotasOn(await cluster.findBroker({ nodeId: String(first.nodeId) }));
    });
  }

  describeBrokerConfigs(brokerId: number): Promise<ConfigEntry[]> {
    return this.call('describeBrokerConfigs', async () => {
      const response = await (
        await this.adminClient()
      ).describeConfigs({ includeSynonyms: false, resources: [{ type: BROKER_RESOURCE, name: String(brokerId) }] });
      return (response.resources[0]?.configEntries ?? []).map((e) => {
        const source = (e as { configSource?: number }).configSource;
        return {
          name: e.configName,
          value: e.configValue,
          isDefault: source === undefined ? e.isDefault : source === DEFAULT_CONFIG_SOURCE,
          isSensitive: e.isSensitive,
        };
      });
    });
  }

  fetchTopicsOffsets(topics: readonly string[]): Promise<Record<string, PartitionOffsets[]>> {
    if (topics.length === 0) return Promise.resolve({});
    return this.call('fetchTopicsOffsets', () => this.listOffsetsByLeader(topics));
  }

  /** One ListOffsets per leader for the latest and one for the earliest offsets of every partition it leads, at once. */
  private async listOffsetsByLeader(topics: readonly string[]): Promise<Record<string, PartitionOffsets[]>> {
    const cluster = await this.internalCluster();
    // Fresh leaders for every topic asked: a ListOffsets to a former leader would be refused.
    await this.refreshMetadata(cluster, topics, { always: true });
    const byLeader = new Map<string, Array<{ topic: string; partitions: number[] }>>();
    for (const topic of topics) {
      const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      if (partitions.length === 0) continue;
      for (const [leader, led] of Object.entries(cluster.findLeaderForPartitions(topic, partitions))) {
        // Partitions without a leader have no offsets to read: they stay out, and the inventory reports them unknown.
        if (Number(leader) < 0) continue;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), { topic, partitions: led }]);
      }
    }
    const found = new Map<string, Map<number, { low?: string; high?: string }>>();
    // The latest and the earliest offsets asked at once, of every leader.
    await Promise.all(
      [...byLeader].flatMap(([nodeId, entries]) =>
        (
          [
            ['-1', 'high'],
            ['-2', 'low'],
          ] as const
        ).map(async ([timestamp, field]) => {
          const broker = await cluster.findBroker({ nodeId });
          const response = await broker.listOffsets({
            isolationLevel: READ_UNCOMMITTED,
            topics: entries.map((e) => ({
              topic: e.topic,
              partitions: e.partitions.map((partition) => ({ partition, timestamp })),
            })),
          });
          for (const t of response.responses) {
            const partitions = found.get(t.topic) ?? new Map<number, { low?: string; high?: string }>();
            for (const p of t.partitions)
              partitions.set(p.partition, { ...partitions.get(p.partition), [field]: String(p.offset) });
            found.set(t.topic, partitions);
          }
        }),
      ),
    );
    const out: Record<string, PartitionOffsets[]> = {};
    for (const [topic, partitions] of found) {
      out[topic] = [...partitions]
        .filter(([, o]) => o.low !== undefined && o.high !== undefined)
        .map(([partition, o]) => ({ partition, low: o.low as string, high: o.high as string }))
        .sort((a, b) => a.partition - b.partition);
    }
    return out;
  }

  async close(): Promise<void> {
    const pending = [
      this.admin?.then((a) => a.disconnect()),
      this.producer?.then((p) => p.disconnect()),
      this.cluster?.then((c) => c.disconnect()),
    ];
    this.admin = this.producer = this.cluster = undefined;
    await Promise.all(pending.map((p) => p?.catch(() => undefined)));
  }

  private async fetchRecords(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
    timeoutMs: number;
  }): Promise<KafkaRecordIn[]> {
    const cluster = await this.internalCluster();
    const out: KafkaRecordIn[] = [];
    const until = args.untilOffset === undefined ? undefined : BigInt(args.untilOffset);
    let next = BigInt(args.fromOffset);
    const deadline = Date.now() + args.timeoutMs;
    let leader: PartitionLeader | undefined;
    let refreshed = false;
    for (let round = 0; round < 10_000; round++) {
      if (out.length >= args.maxRecords || (until !== undefined && next >= until)) break;
      let response: Awaited<ReturnType<InternalBroker['fetch']>>;
      try {
        leader ??= await this.partitionLeader(cluster, args.topic, args.partition);
        response = await leader.broker.fetch({
          isolationLevel: READ_COMMITTED,
          maxWaitTime: Math.max(0, Math.min(1_000, deadline - Date.now())),
          minBytes: 1,
          maxBytes: 8 * 1024 * 1024,
          topics: [
            {
              topic: args.topic,
              partitions: [{ partition: args.partition, fetchOffset: next.toString(), maxBytes: 2 * 1024 * 1024 }],
            },
          ],
        });
      } catch (err) {
        // A leader that moved (or a topic recreated) since the metadata was read: once per read, read it again.
        if (refreshed || !isStaleMetadata(err)) throw err;
        refreshed = true;
        await this.refreshMetadata(
          cluster,
          [args.topic],
          leader ? { unlessSince: leader.generation } : { always: true },
        );
        leader = undefined;
        continue;
      }
      const answered = response.responses.find((r) => r.topicName === args.topic);
      const partition = answered?.partitions.find((p) => p.partition === args.partition);
      if (!partition) break;
      let furthest = next;
      for (const m of partition.messages) {
        const offset = BigInt(m.offset);
        if (offset >= furthest) furthest = offset + 1n;
      }
      for (const m of committedRecords(partition)) {
        const offset = BigInt(m.offset);
        if (offset < next) continue;
        if ((until !== undefined && offset >= until) || out.length >= args.maxRecords) break;
        out.push({
          topic: args.topic,
          partition: args.partition,
          offset: m.offset,
          timestamp: m.timestamp,
          key: m.key,
          value: m.value,
          headers: flattenHeaders(m.headers),
        });
      }
      next = furthest;
      // Read committed: the last stable offset is as far as a reader may go now.
      const end = BigInt(
        partition.lastStableOffset !== undefined && partition.lastStableOffset !== '-1'
          ? partition.lastStableOffset
          : partition.highWatermark,
      );
      const caughtUp = next >= end;
      if (caughtUp && out.length > 0) break;
      if (Date.now() >= deadline) break;
    }
    return out;
  }

  /**
   * The leader of a partition from the cached metadata, which is refreshed only when it does not know the partition
   * (a topic not read before, a partition added) or knows no leader for it.
   */
  private async partitionLeader(cluster: InternalCluster, topic: string, partition: number): Promise<PartitionLeader> {
    let leader = cachedLeader(cluster, topic, partition);
    if (leader === undefined || leader < 0) {
      await this.refreshMetadata(cluster, [topic], { unlessSince: this.metadataGeneration });
      leader = cachedLeader(cluster, topic, partition);
    }
    if (leader === undefined || leader < 0)
      throw new TransientError(`${topic}-${partition} on ${this.connection.name} has no leader right now.`);
    const generation = this.metadataGeneration;
    return { broker: await cluster.findBroker({ nodeId: String(leader) }), generation };
  }

  /**
   * Loads the metadata of `topics` along with those earlier reads asked for (their reads may be under way). Skipped
   * when another refresh has happened since `unlessSince` and the topics are known; `always` refreshes in any case.
   * A topic asked for earlier that fails the whole refresh now (deleted since, or one this principal may not describe)
   * is dropped: only `topics` are kept, and the refresh is tried once more.
   */
  private refreshMetadata(
    cluster: InternalCluster,
    topics: readonly string[],
    when: { always: true } | { unlessSince: number },
  ): Promise<void> {
    const refresh = this.refreshing.then(async () => {
      if (
        'unlessSince' in when &&
        when.unlessSince !== this.metadataGeneration &&
        topics.every((t) => knows(cluster, t))
      )
        return;
      const asked = new Set(topics);
      const wanted = new Set([...cluster.targetTopics, ...asked]);
      cluster.targetTopics = wanted;
      try {
        await cluster.refreshMetadata();
      } catch (err) {
        // Whatever makes a topic asked before fail the refresh now (deleted: UNKNOWN_TOPIC_OR_PARTITION; one this
        // principal may not describe: TOPIC_AUTHORIZATION_FAILED), the topics this call needs stand on their own.
        if (wanted.size === asked.size) throw err;
        cluster.targetTopics = asked;
        await cluster.refreshMetadata();
      }
      // kafkajs shares a refresh it started itself (a broker not found) with later callers, with its topics of then.
      if (!topics.every((t) => knows(cluster, t))) await cluster.refreshMetadata();
      this.metadataGeneration++;
    });
    this.refreshing = refresh.catch(() => undefined);
    return refresh;
  }

  private async topicPartitions(topic: string): Promise<PartitionMetadata[]> {
    const cached = this.partitionMetadata.get(topic);
    if (cached) return cached;
    const { topics } = await (await this.adminClient()).fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions ?? [];
    if (partitions.length === 0) throw new Error(`Topic ${topic} has no partitions on ${this.connection.name}.`);
    this.partitionMetadata.set(topic, partitions);
    return partitions;
  }

  private adminClient(): Promise<Admin> {
    this.admin ??= connectOrForget(this.kafka.admin({ retry: this.config.retry }), () => (this.admin = undefined));
    return this.admin;
  }

  private producerClient(): Promise<Producer> {
    // Idempotent, one request in flight: kafkajs resends a Produce that timed out (the client's retries), and without
    // producer sequence numbers a batch the broker had already written is written twice. The broker drops the resent
    // batch of an idempotent producer. Its InitProducerId needs kafka-cluster:WriteDataIdempotently on an IAM cluster
    // (lib/iam/operations.ts, 'canary.produce'); the client's retries stay bounded by the connection's.
    this.producer ??= connectOrForget(
      this.kafka.producer({
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
      }),
      () => (this.producer = undefined),
    );
    return this.producer;
  }

  private internalCluster(): Promise<InternalCluster> {
    this.cluster ??= connectOrForget(createInternalCluster(this.config), () => (this.cluster = undefined));
    return this.cluster;
  }

  /** Runs one port call within a deadline and maps its failure to the taxonomy. */
  private async call<T>(operation: string, fn: () => Promise<T>, deadlineMs = 3 * this.requestTimeoutMs): Promise<T> {
    return callWithDeadline(this.connection, operation, fn, deadlineMs);
  }
}

/** Connects a kafkajs client once; a failed connect is forgotten so that the next call tries again. */
function connectOrForget<T extends { connect(): Promise<void>; disconnect(): Promise<void> }>(
  client: T,
  forget: () => void,
): Promise<T> {
  return client.connect().then(
    () => client,
    async (err: unknown) => {
      forget();
      await client.disconnect().catch(() => undefined);
      throw err;
    },
  );
}

/** A partition's leader and the metadata refresh it was found in. */
interface PartitionLeader {
  readonly broker: InternalBroker;
  readonly generation: number;
}

/** The leader of a partition in the metadata the cluster holds; undefined when it holds none for the partition. */
function cachedLeader(cluster: InternalCluster, topic: string, partition: number): number | undefined {
  if (!knows(cluster, topic)) return undefined;
  return cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
}

function knows(cluster: InternalCluster, topic: string): boolean {
  try {
    return cluster.findTopicPartitionMetadata(topic).length > 0;
  } catch {
    // kafkajs throws until the first metadata has been loaded.
    return false;
  }
}

function isStaleMetadata(err: unknown): boolean {
  return errorChain(err).some(
    (f) =>
      (f.type !== undefined && STALE_METADATA_TYPES.has(f.type)) ||
      (f.name !== undefined && STALE_METADATA_NAMES.has(f.name)),
  );
}

/** At most `free` tasks at a time; the others wait in order. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

function flattenHeaders(headers: Record<string, Header>): Record<string, Buffer | string | undefined> {
  const out: Record<string, Buffer | string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    out[name] = Array.isArray(value) ? value[value.length - 1] : value;
  return out;
}

/** The factory the task handlers wire: one kafkajs data plane per connection. */
export function kafkajsDataPlaneFactory(options: KafkajsDataPlaneOptions = {}): KafkaDataPlaneFactory {
  return (connection) => new KafkajsDataPlane(connection, options);
}
