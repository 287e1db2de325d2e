import { Partitioners } from 'kafkajs';
import type {
  CommittedOffset,
  ConfigEntry,
  GroupDescription,
  KafkaDataPlane,
  KafkaRecordIn,
  KafkaRecordOut,
  PartitionOffsets,
  TopicDescription,
} from '../../lambdas/ports/kafka';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';

/**
 * An in-memory Kafka cluster behind the KafkaDataPlane port, for unit tests of the gate and validation cores (real
 * brokers are used by the integration tier). Logs keep real offsets: a log start that moves (deleteRecords) and
 * records appended at the end. It passes the port's contract as the real adapters do
 * (test/contracts/kafka-data-plane.ts, run by test/unit/fake-kafka-contract.test.ts).
 */

/** Kafka's default partitioner for a keyed record (murmur2 of the key), as kafkajs implements it. */
const keyedPartition = Partitioners.DefaultPartitioner();

interface Member {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
}

interface StoredRecord {
  /** CreateTime in ms (0 unless given). */
  timestamp?: number;
  /** A transaction marker or an aborted record: it takes an offset, a read-committed read skips it. */
  hidden?: boolean;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

interface PartitionLog {
  low: number;
  records: StoredRecord[]; // records[i] has offset low + i
}

export class FakeKafka implements KafkaDataPlane {
  readonly topics = new Map<string, { partitions: PartitionLog[]; configs: Record<string, string> }>();
  readonly committed = new Map<string, Map<string, string>>();
  /** Members of each group by count (tests set it directly); `join` also names them. */
  readonly activeMembers = new Map<string, number>();
  private readonly members = new Map<string, Member[]>();
  /** Hook to add records while a read is waiting (a replicator copying during the canary check). */
  onRead: ((topic: string, partition: number) => void) | undefined;

  constructor(
    readonly connection = {
      name: 'fake',
      bootstrapServers: ['127.0.0.1:1'],
      auth: { mechanism: 'PLAINTEXT' as const },
    },
  ) {}

  addTopic(name: string, partitions: number, configs: Record<string, string> = {}): this {
    this.topics.set(name, { partitions: Array.from({ length: partitions }, () => ({ low: 0, records: [] })), configs });
    return this;
  }

  append(
    topic: string,
    partition: number,
    records: ReadonlyArray<{
      key?: string | null;
      value: string;
      headers?: Record<string, string>;
      timestamp?: number;
      hidden?: boolean;
    }>,
  ): this {
    const log = this.log(topic, partition);
    for (const r of records) {
      log.records.push({
        ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
        ...(r.hidden ? { hidden: true } : {}),
        key: r.key == null ? null : Buffer.from(r.key),
        value: Buffer.from(r.value),
        headers: r.headers ?? {},
      });
    }
    return this;
  }

  /** Kafka's deleteRecords: moves the log start offset forward. */
  deleteRecordsBefore(topic: string, partition: number, offset: number): this {
    const log = this.log(topic, partition);
    const drop = offset - log.low;
    log.records.splice(0, drop);
    log.low = offset;
    return this;
  }

  commit(groupId: string, topic: string, partition: number, offset: number): this {
    const offsets = this.committed.get(groupId) ?? new Map<string, string>();
    offsets.set(`${topic}\u0000${partition}`, String(offset));
    this.committed.set(groupId, offsets);
    return this;
  }

  /** A consumer joins `groupId` (as a real one would, until it leaves). */
  join(groupId: string, clientId: string, clientHost = '/127.0.0.1'): { leave(): Promise<void> } {
    const member = { memberId: `${clientId}-${Math.random().toString(16).slice(2)}`, clientId, clientHost };
    this.members.set(groupId, [...(this.members.get(groupId) ?? []), member]);
    this.activeMembers.set(groupId, (this.activeMembers.get(groupId) ?? 0) + 1);
    return {
      leave: async () => {
        this.members.set(
          groupId,
          (this.members.get(groupId) ?? []).filter((m) => m !== member),
        );
        this.activeMembers.set(groupId, Math.max(0, (this.activeMembers.get(groupId) ?? 1) - 1));
      },
    };
  }

  log(topic: string, partition: number): PartitionLog {
    const t = this.topics.get(topic);
    const log = t?.partitions[partition];
    if (!log) throw new Error(`no ${topic}-${partition}`);
    return log;
  }

  async listTopics(): Promise<string[]> {
    return [...this.topics.keys()];
  }
  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    return topics.map((name) => {
      const t = this.topics.get(name);
      if (!t) throw new Error(`UNKNOWN_TOPIC_OR_PARTITION ${name}`);
      return {
        name,
        partitions: t.partitions.map((_, partition) => ({ partition, leader: 1, replicas: [1], isr: [1] })),
      };
    });
  }
  async describeTopicConfigs(topics: readonly string[]): Promise<Record<string, ConfigEntry[]>> {
    const out: Record<string, ConfigEntry[]> = {};
    for (const name of topics) {
      const t = this.topics.get(name);
      if (!t) continue;
      out[name] = [
        ...Object.entries(t.configs).map(([k, v]) => ({ name: k, value: v, isDefault: false })),
        { name: 'compression.type', value: 'producer', isDefault: true },
      ];
    }
    return out;
  }
  async createTopics(
    topics: ReadonlyArray<{ topic: string; numPartitions: number; configs?: Record<string, string> }>,
  ): Promise<void> {
    for (const t of topics) this.addTopic(t.topic, t.numPartitions, t.configs ?? {});
  }
  async deleteTopics(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.topics.delete(t);
  }
  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const t = this.topics.get(topic);
    if (!t) throw new Error(`UNKNOWN_TOPIC_OR_PARTITION ${topic}`);
    return t.partitions.map((log, partition) => ({
      partition,
      low: String(log.low),
      high: String(log.low + log.records.length),
    }));
  }
  async listGroups(): Promise<Array<{ groupId: string; protocolType: string }>> {
    const ids = new Set([
      ...this.committed.keys(),
      ...[...this.activeMembers].filter(([, n]) => n > 0).map(([id]) => id),
    ]);
    return [...ids].map((groupId) => ({ groupId, protocolType: 'consumer' }));
  }
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return groupIds.map((groupId) => {
      const n = this.activeMembers.get(groupId) ?? 0;
      const named = (this.members.get(groupId) ?? []).slice(0, n);
      const anonymous = Array.from({ length: n - named.length }, (_, i) => ({
        memberId: `m${i}`,
        clientId: 'c',
        clientHost: '/127.0.0.1',
      }));
      return {
        groupId,
        state: n > 0 ? 'Stable' : 'Empty',
        protocolType: 'consumer',
        members: [...named, ...anonymous],
      };
    });
  }
  /** Kafka's OffsetFetch: every committed offset, or for named topics every partition (-1 where none is). */
  async fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
    const offsets = this.committed.get(groupId) ?? new Map<string, string>();
    const out: CommittedOffset[] = [];
    if (topics) {
      for (const topic of topics) {
        const t = this.topics.get(topic);
        t?.partitions.forEach((_, partition) =>
          out.push({ topic, partition, offset: offsets.get(`${topic}\u0000${partition}`) ?? '-1' }),
        );
      }
      return out;
    }
    for (const [key, offset] of offsets) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      out.push({ topic, partition: Number(partition), offset });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }
  async setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    const n = this.activeMembers.get(groupId) ?? 0;
    if (offsets.length > 0 && n > 0)
      throw new Error(
        `Consumer group ${groupId} on ${this.connection.name} has ${n} active member(s) (state Stable): Kafka accepts offsets only for a group without members. Stop its consumers first.`,
      );
    for (const o of offsets) this.commit(groupId, o.topic, o.partition, Number(o.offset));
  }
  async produce(
    topic: string,
    records: readonly KafkaRecordOut[],
  ): Promise<Array<{ partition: number; offset: string }>> {
    const timestamp = Date.now();
    return records.map((r) => {
      const partitions = this.topics.get(topic)?.partitions.length ?? 1;
      const partition =
        r.partition ??
        (r.key == null
          ? 0
          : keyedPartition({
              topic,
              partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
                partitionId,
                leader: 1,
                replicas: [1],
                isr: [1],
                partitionErrorCode: 0,
              })),
              message: { key: r.key, value: r.value },
            }));
      const log = this.log(topic, partition);
      const headers = Object.fromEntries(Object.entries(r.headers ?? {}));
      log.records.push({
        timestamp,
        key: r.key == null ? null : Buffer.from(r.key),
        value: r.value == null ? null : Buffer.from(r.value),
        headers,
      });
      return { partition, offset: String(log.low + log.records.length - 1) };
    });
  }
  async readPartition(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
  }): Promise<KafkaRecordIn[]> {
    this.onRead?.(args.topic, args.partition);
    const log = this.log(args.topic, args.partition);
    const from = Math.max(Number(args.fromOffset), log.low);
    const until = Math.min(
      args.untilOffset === undefined ? Infinity : Number(args.untilOffset),
      log.low + log.records.length,
    );
    const out: KafkaRecordIn[] = [];
    for (let o = from; o < until && out.length < args.maxRecords; o++) {
      const r = log.records[o - log.low] as StoredRecord;
      if (r.hidden) continue;
      out.push({
        topic: args.topic,
        partition: args.partition,
        offset: String(o),
        timestamp: String(r.timestamp ?? 0),
        key: r.key,
        value: r.value,
        headers: { ...r.headers },
      });
    }
    return out;
  }
  async close(): Promise<void> {}
}

/** Copies every record of `topics` that `to` lacks, keeping offsets identical (an idealised replicator). */
export function replicate(from: FakeKafka, to: FakeKafka, topics: readonly string[]): void {
  for (const name of topics) {
    const src = from.topics.get(name);
    if (!src) continue;
    if (!to.topics.has(name)) to.addTopic(name, src.partitions.length, { ...src.configs });
    src.partitions.forEach((log, p) => {
      const dst = to.log(name, p);
      if (dst.records.length === 0 && dst.low === 0) dst.low = log.low;
      const next = dst.low + dst.records.length;
      for (let o = Math.max(next, log.low); o < log.low + log.records.length; o++) {
        const r = log.records[o - log.low] as StoredRecord;
        dst.records.push({ ...r, headers: { ...r.headers } });
      }
    });
  }
}

export class MemoryArtifacts implements ArtifactStore {
  readonly objects = new Map<string, string>();
  async putJson(key: string, value: unknown): Promise<string> {
    this.objects.set(key, JSON.stringify(value));
    return `memory://${key}`;
  }
  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    const v = this.objects.get(key);
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v) as T;
    } catch (err) {
      throw new Error(`memory://${key} is not JSON (${(err as Error).message}); it was not written by putJson.`);
    }
  }
  async putText(key: string, body: string): Promise<string> {
    this.objects.set(key, body);
    return `memory://${key}`;
  }
  async getText(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
