import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  Consumer,
  FetchIsolationLevels,
  murmur2,
  Producer,
} from '@platformatic/kafka';
import type { BaseOptions } from '@platformatic/kafka';
import { TransientError } from '../../core/errors';
import type {
  CommittedOffset,
  ConfigEntry,
  GroupDescription,
  KafkaConnection,
  KafkaDataPlane,
  KafkaDataPlaneFactory,
  KafkaRecordIn,
  KafkaRecordOut,
  PartitionOffsets,
  TopicDescription,
} from '../../ports/kafka';
import { mskIamTokenFromDefaultCredentials } from './msk-iam-token';
import { callWithDeadline } from './kafka-errors';
import { probeConnectivity } from './connectivity-probe';
import type { ConnectivityCheck } from '../../core/connectivity/preflight';
import type { IamTokenProvider } from './kafkajs-data-plane';
import { tlsOptions } from './tls-options';

/**
 * The KafkaDataPlane port on @platformatic/kafka 1.35 (ESM only, Node ≥ 20.19), the fallback to kafkajs: it speaks
 * only modern protocol versions (Fetch v12+, OffsetFetch v8+), which every Kafka 4 broker serves. Everything goes
 * through its public API, including reading a partition (Consumer.fetch sends a Fetch to the leader; no group is
 * joined) and setting a group's offsets (Admin.alterConsumerGroupOffsets).
 */

export interface PlatformaticDataPlaneOptions {
  readonly iamTokenProvider?: IamTokenProvider;
  readonly clientId?: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const CONFIG_BATCH = 100;
const EARLIEST = -2n;
const LATEST = -1n;

/** The client settings shared by the admin, producer and reader of a connection. */
export function platformaticOptions(
  connection: KafkaConnection,
  options: PlatformaticDataPlaneOptions = {},
): BaseOptions {
  const requestTimeout = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const auth = connection.auth;
  const base: BaseOptions = {
    clientId: options.clientId ?? `msk-migration-${connection.name}`,
    bootstrapBrokers: [...connection.bootstrapServers],
    connectTimeout: Math.min(5_000, requestTimeout),
    requestTimeout,
    timeout: requestTimeout,
    retries: 2,
    retryDelay: 200,
  };
  const tls = tlsOptions(connection.tls);
  const tlsSettings = tls === true ? {} : tls;
  switch (auth.mechanism) {
    case 'PLAINTEXT':
      return base;
    case 'TLS':
      return { ...base, tls: tlsSettings };
    case 'SCRAM-SHA-512':
    case 'SCRAM-SHA-256':
    case 'PLAIN':
      return {
        ...base,
        ...(auth.tls ? { tls: tlsSettings } : {}),
        sasl: { mechanism: auth.mechanism, username: auth.username, password: auth.password },
      };
    case 'IAM': {
      const tokens = options.iamTokenProvider ?? mskIamTokenFromDefaultCredentials;
      return {
        ...base,
        tls: tlsSettings,
        sasl: { mechanism: 'OAUTHBEARER', token: async () => (await tokens(auth.region)).token },
      };
    }
  }
}

/** Looks at the listing after a topic deletion, this far apart, until the deleted topics have left it (deleteTopics). */
const DELETED_TOPICS_LOOKS = 40;
const DELETED_TOPICS_GAP_MS = 50;

export class PlatformaticDataPlane implements KafkaDataPlane {
  private readonly options: BaseOptions;
  private readonly requestTimeoutMs: number;
  private adminClient: Admin | undefined;
  private producerClient: Producer | undefined;
  private readerClient: Consumer | undefined;
  private readonly partitionCounts = new Map<string, number>();
  private roundRobin = 0;

  constructor(
    readonly connection: KafkaConnection,
    options: PlatformaticDataPlaneOptions = {},
  ) {
    this.options = platformaticOptions(connection, options);
    this.requestTimeoutMs = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** TCP and TLS by hand on each bootstrap server, then this adapter's login and a metadata call (listTopics). */
  checkConnectivity(): Promise<ConnectivityCheck> {
    return probeConnectivity(this.connection, () => this.listTopics());
  }

  listTopics(): Promise<string[]> {
    return this.call('listTopics', async () => (await this.admin().listTopics({ includeInternals: true })).sort());
  }

  describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    if (topics.length === 0) return Promise.resolve([]);
    return this.call('describeTopics', async () => {
      const metadata = await this.admin().metadata({ topics: [...topics], forceUpdate: true });
      return topics.flatMap((name) => {
        const topic = metadata.topics.get(name);
        if (!topic) return [];
        return [
          {
            name,
            partitions: topic.partitions.map((p, partition) => ({
              partition,
              leader: p.leader,
              replicas: [...p.replicas],
              isr: [...p.isr],
            })),
          },
        ];
      });
    });
  }

  describeTopicConfigs(topics: readonly string[]): Promise<Record<string, ConfigEntry[]>> {
    return this.call('describeTopicConfigs', async () => {
      const out: Record<string, ConfigEntry[]> = {};
      for (let i = 0; i < topics.length; i += CONFIG_BATCH) {
        const batch = topics.slice(i, i + CONFIG_BATCH);
        const described = await this.admin().describeConfigs({
          resources: batch.map((resourceName) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName })),
        });
        for (const resource of described) {
          out[resource.resourceName] = resource.configs.map((c) => ({
            name: c.name,
            value: c.value ?? null,
            isDefault: c.configSource !== ConfigSources.TOPIC_CONFIG,
            isSensitive: c.isSensitive,
          }));
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
      const existing = new Set(await this.admin().listTopics({ includeInternals: true }));
      // The client's CreateTopics takes one partition count and config set per call: one call per topic.
      for (const t of topics) {
        if (existing.has(t.topic)) continue;
        await this.admin().createTopics({
          topics: [t.topic],
          partitions: t.numPartitions,
          replicas: t.replicationFactor ?? -1,
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        });
      }
      // CreateTopics answers before the partitions have leaders; a produce right after would then fail over to a retry
      // (and write twice). Like kafkajs's waitForLeaders: done once every partition of every new topic has a leader.
      await this.untilLeadersElected(topics.filter((t) => !existing.has(t.topic)).map((t) => t.topic));
    });
  }

  private async untilLeadersElected(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    const deadline = Date.now() + this.requestTimeoutMs;
    let waiting: readonly string[] = topics;
    for (let round = 0; ; round++) {
      const metadata = await this.admin()
        .metadata({ topics: [...waiting], forceUpdate: true })
        .catch(() => undefined);
      waiting = waiting.filter((name) => {
        const partitions = metadata?.topics.get(name)?.partitions ?? [];
        return partitions.length === 0 || partitions.some((p) => p === undefined || p.leader < 0);
      });
      if (waiting.length === 0) return;
      if (Date.now() >= deadline)
        throw new TransientError(
          `Kafka cluster ${this.connection.name}: topics ${waiting.join(', ')} were created but have no leader after ${this.requestTimeoutMs} ms.`,
          { cluster: this.connection.name, operation: 'createTopics', topics: [...waiting] },
        );
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** round, 500)));
    }
  }

  deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return Promise.resolve();
    return this.call('deleteTopics', async () => {
      await this.admin().deleteTopics({ topics: [...topics] });
      for (const t of topics) this.partitionCounts.delete(t);
      // The controller answers once the deletion is committed; the brokers' metadata drops the topics a moment later
      // (KRaft propagates it asynchronously). Wait, bounded, until the listing no longer holds them, so that a listing
      // right after the delete does not show them (the data plane contract); past the bound the deletion stands.
      for (let i = 0; i < DELETED_TOPICS_LOOKS; i++) {
        const listed = new Set(await this.admin().listTopics({ includeInternals: true }));
        if (!topics.some((t) => listed.has(t))) return;
        await new Promise((resolve) => setTimeout(resolve, DELETED_TOPICS_GAP_MS));
      }
    });
  }

  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.call('fetchTopicOffsets', async () => {
      const count = await this.partitionCount(topic, true);
      const partitions = Array.from({ length: count }, (_, partitionIndex) => partitionIndex);
      const ask = (timestamp: bigint): ReturnType<Admin['listOffsets']> =>
        this.admin().listOffsets({
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
        });
      const [low, high] = await Promise.all([ask(EARLIEST), ask(LATEST)]);
      const lows = new Map((low[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
      return (high[0]?.partitions ?? [])
        .map((p) => ({
          partition: p.partitionIndex,
          low: String(lows.get(p.partitionIndex) ?? 0n),
          high: String(p.offset),
        }))
        .sort((a, b) => a.partition - b.partition);
    });
  }

  listGroups(): Promise<Array<{ groupId: string; protocolType: string }>> {
    return this.call('listGroups', async () =>
      [...(await this.admin().listGroups()).values()]
        .map((g) => ({ groupId: g.id, protocolType: g.protocolType }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId)),
    );
  }

  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    if (groupIds.length === 0) return Promise.resolve([]);
    return this.call('describeGroups', async () =>
      [...(await this.admin().describeGroups({ groups: [...groupIds] })).values()].map((g) => ({
        groupId: g.id,
        state: groupState(g.state),
        protocolType: g.protocolType,
        members: [...g.members.values()].map((m) => ({
          memberId: m.id,
          clientId: m.clientId,
          clientHost: m.clientHost,
        })),
      })),
    );
  }

  fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
    return this.call('fetchCommittedOffsets', async () => {
      const request = topics
        ? {
            groupId,
            topics: await Promise.all(
              topics.map(async (name) => ({
                name,
                partitionIndexes: Array.from({ length: await this.partitionCount(name) }, (_, i) => i),
              })),
            ),
          }
        : groupId;
      const [group] = await this.admin().listConsumerGroupOffsets({ groups: [request] });
      return (group?.topics ?? [])
        .flatMap((t) =>
          t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: String(p.committedOffset) })),
        )
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    });
  }

  setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return this.call('setCommittedOffsets', async () => {
      const [group] = (await this.admin().describeGroups({ groups: [groupId] })).values();
      if (group && group.members.size > 0) {
        throw new Error(
          `Consumer group ${groupId} on ${this.connection.name} has ${group.members.size} active member(s) (state ${groupState(group.state)}): Kafka accepts offsets only for a group without members. Stop its consumers first.`,
        );
      }
      const byTopic = new Map<string, Array<{ partition: number; offset: bigint }>>();
      for (const o of offsets)
        byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: BigInt(o.offset) }]);
      await this.admin().alterConsumerGroupOffsets({
        groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      });
    });
  }

  produce(topic: string, records: readonly KafkaRecordOut[]): Promise<Array<{ partition: number; offset: string }>> {
    if (records.length === 0) return Promise.resolve([]);
    return this.call('produce', async () => {
      const count = await this.partitionCount(topic);
      const messages = records.map((r) => {
        const key = r.key === undefined || r.key === null ? undefined : Buffer.from(r.key);
        // Kafka's default partitioning (murmur2 of the key, positive), round robin without a key: known before sending,
        // so that each record's offset follows from its partition's base offset.
        const partition = r.partition ?? (key ? (murmur2(key) & 0x7fffffff) % count : this.roundRobin++ % count);
        return {
          topic,
          partition,
          key,
          value: r.value === null ? undefined : Buffer.from(r.value),
          // The client's default serializers pass header names and values through: both must already be bytes.
          headers: new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        };
      });
      const result = await this.producer().send({ messages, acks: -1 });
      const base = new Map(
        (result.offsets ?? []).filter((o) => o.topic === topic).map((o) => [o.partition, BigInt(o.offset)]),
      );
      const seen = new Map<number, bigint>();
      return messages.map((m) => {
        const index = seen.get(m.partition) ?? 0n;
        seen.set(m.partition, index + 1n);
        const offset = base.get(m.partition);
        return { partition: m.partition, offset: offset === undefined ? '-1' : (offset + index).toString() };
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
    return this.call(
      'readPartition',
      () => this.fetchRecords({ ...args, timeoutMs }),
      timeoutMs + 3 * this.requestTimeoutMs,
    );
  }

  async close(): Promise<void> {
    const clients = [this.adminClient, this.producerClient, this.readerClient];
    this.adminClient = this.producerClient = this.readerClient = undefined;
    await Promise.all(clients.map((c) => c?.close().catch(() => undefined)));
  }

  private async fetchRecords(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
    timeoutMs: number;
  }): Promise<KafkaRecordIn[]> {
    const reader = this.reader();
    const metadata = await reader.metadata({ topics: [args.topic], forceUpdate: true });
    const topic = metadata.topics.get(args.topic);
    const leader = topic?.partitions[args.partition]?.leader;
    if (!topic || leader === undefined || leader < 0)
      throw new TransientError(`${args.topic}-${args.partition} on ${this.connection.name} has no leader right now.`);
    const out: KafkaRecordIn[] = [];
    const until = args.untilOffset === undefined ? undefined : BigInt(args.untilOffset);
    let next = BigInt(args.fromOffset);
    const deadline = Date.now() + args.timeoutMs;
    for (let round = 0; round < 10_000; round++) {
      if (out.length >= args.maxRecords || (until !== undefined && next >= until)) break;
      const response = await reader.fetch({
        node: leader,
        maxWaitTime: Math.max(0, Math.min(1_000, deadline - Date.now())),
        minBytes: 1,
        maxBytes: 8 * 1024 * 1024,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        topics: [
          {
            topicId: topic.id,
            partitions: [
              {
                partition: args.partition,
                fetchOffset: next,
                partitionMaxBytes: 2 * 1024 * 1024,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              },
            ],
          },
        ],
      });
      const partition = response.responses[0]?.partitions[0];
      if (!partition) break;
      const aborted = new Set(partition.abortedTransactions.map((t) => t.producerId));
      for (const batch of partition.records ?? []) {
        const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        const isControl = (batch.attributes & 0x20) !== 0;
        const isTransactional = (batch.attributes & 0x10) !== 0;
        // A transactional batch of an aborted producer is skipped (simplified: by producer, as listed in the response).
        const skip = isControl || (isTransactional && aborted.has(batch.producerId));
        if (!skip) {
          for (const record of batch.records) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            if (offset < next || out.length >= args.maxRecords || (until !== undefined && offset >= until)) continue;
            out.push({
              topic: args.topic,
              partition: args.partition,
              offset: offset.toString(),
              timestamp: (batch.firstTimestamp + record.timestampDelta).toString(),
              key: record.key,
              value: record.value,
              headers: Object.fromEntries(record.headers.map(([k, v]) => [k?.toString() ?? '', v ?? undefined])),
            });
          }
        }
        if (batchEnd > next) next = batchEnd;
      }
      const end = partition.lastStableOffset >= 0n ? partition.lastStableOffset : partition.highWatermark;
      if (next >= end && out.length > 0) break;
      if (Date.now() >= deadline) break;
    }
    return out;
  }

  private async partitionCount(topic: string, refresh = false): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined && !refresh) return cached;
    const metadata = await this.admin().metadata({ topics: [topic], forceUpdate: refresh });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    if (count === 0) throw new Error(`Topic ${topic} has no partitions on ${this.connection.name}.`);
    this.partitionCounts.set(topic, count);
    return count;
  }

  private admin(): Admin {
    this.adminClient ??= new Admin(this.options);
    return this.adminClient;
  }

  private producer(): Producer {
    // Idempotent: this client resends a whole Produce request when one partition in it answers NOT_LEADER_OR_FOLLOWER
    // (a topic created a moment ago), which without sequence numbers writes the other partitions' records twice.
    this.producerClient ??= new Producer({ ...this.options, autocreateTopics: false, idempotent: true });
    return this.producerClient;
  }

  private reader(): Consumer {
    // A consumer client only for its Fetch: it never joins this group (no consume(), no commit).
    this.readerClient ??= new Consumer({ ...this.options, groupId: `msk-migration-reader-${this.connection.name}` });
    return this.readerClient;
  }

  private async call<T>(operation: string, fn: () => Promise<T>, deadlineMs = 3 * this.requestTimeoutMs): Promise<T> {
    return callWithDeadline(this.connection, operation, fn, deadlineMs);
  }
}

/** Kafka's state names as kafkajs reports them (`Stable`, `Empty`), from the client's upper-case ones. */
function groupState(state: string): string {
  const names: Record<string, string> = {
    STABLE: 'Stable',
    EMPTY: 'Empty',
    DEAD: 'Dead',
    PREPARING_REBALANCE: 'PreparingRebalance',
    COMPLETING_REBALANCE: 'CompletingRebalance',
    ASSIGNING: 'Assigning',
    RECONCILING: 'Reconciling',
    UNKNOWN: 'Unknown',
  };
  return names[state] ?? state;
}

export function platformaticDataPlaneFactory(options: PlatformaticDataPlaneOptions = {}): KafkaDataPlaneFactory {
  return (connection) => new PlatformaticDataPlane(connection, options);
}
