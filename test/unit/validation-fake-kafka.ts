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
 * records appended at the end.
 */

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
  readonly activeMembers = new Map<string, number>();
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
    return [...this.committed.keys()].map((groupId) => ({ groupId, protocolType: 'consumer' }));
  }
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return groupIds.map((groupId) => {
      const n = this.activeMembers.get(groupId) ?? 0;
      return {
        groupId,
        state: n > 0 ? 'Stable' : 'Empty',
        protocolType: 'consumer',
        members: Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, clientId: 'c', clientHost: '/127.0.0.1' })),
      };
    });
  }
  async fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
    const offsets = this.committed.get(groupId) ?? new Map<string, string>();
    const out: CommittedOffset[] = [];
    for (const [key, offset] of offsets) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      if (!topics || topics.includes(topic)) out.push({ topic, partition: Number(partition), offset });
    }
    return out;
  }
  async setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    for (const o of offsets) this.commit(groupId, o.topic, o.partition, Number(o.offset));
  }
  async produce(
    topic: string,
    records: readonly KafkaRecordOut[],
  ): Promise<Array<{ partition: number; offset: string }>> {
    return records.map((r) => {
      const partition = r.partition ?? 0;
      const log = this.log(topic, partition);
      const headers = Object.fromEntries(Object.entries(r.headers ?? {}));
      log.records.push({
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
    return v === undefined ? undefined : (JSON.parse(v) as T);
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
