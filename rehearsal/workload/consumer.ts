import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkajsConfig, KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import type { PointerNotice } from './pointer-file';
import { decodeRecord } from './records';
import type { PointerTarget } from './tally';

/**
 * One consumer of one workload topic, in the topic's consumer group, reading the cluster the pointer names. On a fence
 * it reads what was written there, commits and leaves its group (the cutover's contract). When the pointer names another cluster it pauses, commits its
 * positions, leaves, and joins the same group there, where the cutover committed the translated offsets (a group
 * with no offsets there starts from the earliest record). Every record it sees is kept in order for the tally.
 */

export interface ConsumedRecord {
  readonly key: string;
  readonly seq: number;
  readonly cluster: string;
  readonly partition: number;
  readonly offset: string;
}

export function plaintextConnection(name: string, bootstrapServers: readonly string[]): KafkaConnection {
  return { name, bootstrapServers, auth: { mechanism: 'PLAINTEXT' }, requestTimeoutMs: 5_000 };
}

/**
 * Whether a consumer group has read every partition of `topic` on the cluster of `connection` up to its end offset:
 * by its own positions, or by the group's committed offsets where it has consumed nothing yet.
 */
export async function consumedToEnd(
  connection: KafkaConnection,
  group: { readonly groupId: string; readonly topic: string; readonly positions: ReadonlyMap<number, bigint> },
): Promise<boolean> {
  const plane = new KafkajsDataPlane(connection, { logLevel: 'NOTHING' });
  try {
    const ends = await plane.fetchTopicOffsets(group.topic);
    const committed = await plane.fetchCommittedOffsets(group.groupId, [group.topic]);
    return ends.every((end) => {
      const mine = group.positions.get(end.partition);
      const theirs = committed.find((c) => c.partition === end.partition)?.offset;
      const position = mine ?? (theirs !== undefined && theirs !== '-1' ? BigInt(theirs) : BigInt(end.low));
      return position >= BigInt(end.high);
    });
  } finally {
    await plane.close();
  }
}

export class WorkloadConsumer {
  readonly consumed: ConsumedRecord[] = [];
  readonly propagation: Array<{ readonly value: string; readonly ms: number | undefined }> = [];
  commitFailures = 0;
  lastError: string | undefined;

  private consumer: Consumer | undefined;
  private cluster: string | undefined;
  private bootstrapServers: readonly string[] = [];
  /** Next offset to read per partition, on the current cluster. */
  private positions = new Map<number, bigint>();

  constructor(
    readonly topic: string,
    readonly groupId: string,
    private readonly clientId: string,
  ) {}

  async start(target: PointerTarget): Promise<void> {
    if (target.kind === 'cluster') await this.connect(target.value, target.bootstrapServers);
  }

  /**
   * Called by the pointer watcher. The contract of docs/cutover.md: on a fence a consumer commits what it has
   * processed and leaves its group (CommitConsumerOffsets waits for that); before leaving any cluster it reads what
   * was written there up to the end offsets (bounded), so that records written to the cluster it leaves (the target's
   * writes when a rollback moves the pointer back) are consumed, not stranded.
   */
  async onPointer(notice: PointerNotice): Promise<void> {
    this.propagation.push({ value: notice.reading.value, ms: notice.propagationMs });
    const target = notice.reading.target;
    if (target.kind === 'cluster' && target.value === this.cluster) return;
    await this.drainBeforeLeaving();
    await this.disconnect();
    if (target.kind === 'cluster') await this.connect(target.value, target.bootstrapServers);
  }

  /** Polls until this consumer has read its cluster's end offsets (producers hold or have moved), at most `timeoutMs`. */
  private async drainBeforeLeaving(timeoutMs = 10_000): Promise<void> {
    if (!this.consumer) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.caughtUp().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The cluster (pointer value) this consumer reads. */
  currentCluster(): string | undefined {
    return this.cluster;
  }

  /**
   * True when the group has read every partition of the topic up to its end offset on the current cluster (its own
   * positions, or the group's committed offsets where it has consumed nothing yet).
   */
  async caughtUp(): Promise<boolean> {
    if (!this.cluster) return false;
    return consumedToEnd(plaintextConnection(`${this.clientId}-drain`, this.bootstrapServers), {
      groupId: this.groupId,
      topic: this.topic,
      positions: this.positions,
    });
  }

  async stop(): Promise<void> {
    await this.disconnect();
  }

  private async connect(value: string, bootstrapServers: readonly string[]): Promise<void> {
    const kafka = new Kafka({
      ...kafkajsConfig(plaintextConnection('workload', bootstrapServers), { logLevel: 'NOTHING' }),
      clientId: this.clientId,
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    this.cluster = value;
    this.bootstrapServers = bootstrapServers;
    this.positions = new Map();
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachMessage: async ({ partition, message }) => {
        const record = decodeRecord(message.value);
        if (record)
          this.consumed.push({ key: record.key, seq: record.seq, cluster: value, partition, offset: message.offset });
        this.positions.set(partition, BigInt(message.offset) + 1n);
      },
    });
    this.consumer = consumer;
  }

  /** Pause, commit what was read, leave the group. */
  private async disconnect(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    consumer.pause([{ topic: this.topic }]);
    const offsets = [...this.positions].map(([partition, next]) => ({
      topic: this.topic,
      partition,
      offset: next.toString(),
    }));
    if (offsets.length > 0) {
      try {
        await consumer.commitOffsets(offsets);
      } catch (err) {
        this.commitFailures++;
        this.lastError = err instanceof Error ? err.message : String(err);
      }
    }
    await consumer.disconnect().catch(() => undefined);
    this.cluster = undefined;
  }
}
