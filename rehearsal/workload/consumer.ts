import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkajsConfig, KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import { DrainCheck } from './drain-to-end';
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
 * How long a fetch waits at the broker for records. kafkajs's disconnect waits for the fetch in flight before it
 * leaves the group, and on a fence no records come: the fetch's whole wait is added to the leave that the cutover's
 * CommitConsumerOffsets waits for.
 */
const FETCH_MAX_WAIT_MS = 20;

/** The longest wait between two evaluations of a draining consumer's positions (each record it reads wakes it too). */
const DRAIN_POLL_MS = 20;

export class WorkloadConsumer {
  readonly consumed: ConsumedRecord[] = [];
  readonly propagation: Array<{ readonly value: string; readonly ms: number | undefined }> = [];
  commitFailures = 0;
  lastError: string | undefined;

  private consumer: Consumer | undefined;
  private cluster: string | undefined;
  /** Next offset to read per partition, on the current cluster. */
  private positions = new Map<number, bigint>();
  /** The drain check of the current cluster's connection: its own admin connection, warmed once the consumer runs. */
  private check: DrainCheck | undefined;

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

  /**
   * Until this consumer has read its cluster's end offsets, read after the notice (producers hold or have moved), at
   * most `timeoutMs`: the end offsets are asked again only once its positions reached those of the last look.
   */
  private async drainBeforeLeaving(timeoutMs = 10_000): Promise<void> {
    if (!this.consumer) return;
    await this.check?.drain({ timeoutMs, pollMs: DRAIN_POLL_MS });
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
    if (!this.cluster || !this.check) return false;
    return this.check.caughtUp();
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
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const positions = new Map<number, bigint>();
    const check = new DrainCheck(
      () =>
        new KafkajsDataPlane(plaintextConnection(`${this.clientId}-drain`, bootstrapServers), { logLevel: 'NOTHING' }),
      { groupId: this.groupId, topic: this.topic },
      positions,
    );
    this.cluster = value;
    this.positions = positions;
    this.check = check;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachMessage: async ({ partition, message }) => {
        const record = decodeRecord(message.value);
        if (record)
          this.consumed.push({ key: record.key, seq: record.seq, cluster: value, partition, offset: message.offset });
        positions.set(partition, BigInt(message.offset) + 1n);
        check.advanced();
      },
    });
    this.consumer = consumer;
    check.warm();
  }

  /** Pause, commit what was read, leave the group. */
  private async disconnect(): Promise<void> {
    const consumer = this.consumer;
    const check = this.check;
    this.check = undefined;
    if (!consumer) {
      await check?.close().catch(() => undefined);
      return;
    }
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
    await Promise.all([consumer.disconnect().catch(() => undefined), check?.close().catch(() => undefined)]);
    this.cluster = undefined;
  }
}
