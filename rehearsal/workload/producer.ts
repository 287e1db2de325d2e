import { Kafka, logLevel, type Producer } from 'kafkajs';
import { kafkajsConfig } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { PointerNotice } from './pointer-file';
import { encodeRecord, type WorkloadRecord } from './records';
import { WritePauseMeter, type PointerTarget, type WritePause } from './tally';
import { keyOf, type WorkloadTopic } from './topics';

/**
 * The workload's producer: one idempotent kafkajs producer (acks=all, one request in flight, so a key's records land
 * in the order of their sequence numbers) writing every topic at a steady rate to the cluster the pointer names.
 * While the pointer is fenced nothing is sent; when it names another cluster the producer reconnects there and
 * carries on with the next sequence numbers. A send that fails is retried with the same records.
 */

export interface AckedRecord {
  readonly key: string;
  readonly seq: number;
  /** The pointer value (bootstrap servers) of the cluster that acknowledged it. */
  readonly cluster: string;
  readonly ackedAt: number;
}

export interface WorkloadProducerOptions {
  readonly topics: readonly WorkloadTopic[];
  readonly ratePerSecond: number;
  /** Stop producing after this many acknowledged records (all topics). */
  readonly maxRecords: number;
  /** Stop producing this long after the start. */
  readonly maxDurationMs: number;
  readonly producerId: string;
}

const TICK_MS = 20;
const MAX_BATCH = 500;
const RETRY_BACKOFF_MS = 100;

interface Pending {
  readonly topic: string;
  readonly record: WorkloadRecord;
}

export class WorkloadProducer {
  readonly acked = new Map<string, AckedRecord[]>();
  readonly meter = new WritePauseMeter();
  sendFailures = 0;
  lastError: string | undefined;
  readonly propagation: Array<{ readonly value: string; readonly ms: number | undefined }> = [];

  private target: PointerTarget;
  private producer: Producer | undefined;
  private connectedTo: string | undefined;
  private readonly nextSeq = new Map<string, number>();
  private readonly cursor = new Map<string, number>();
  private pending: Pending[] = [];
  private allowance = 0;
  private generated = 0;
  private ackedCount = 0;
  private lastTick = Date.now();
  private readonly startedAt = Date.now();
  private running = true;
  private sending = false;
  private loop: Promise<void> | undefined;
  private doneResolve!: () => void;
  /** Resolves when the count or time bound is reached and every generated record is acknowledged. */
  readonly done = new Promise<void>((resolve) => (this.doneResolve = resolve));

  constructor(
    private readonly options: WorkloadProducerOptions,
    initial: PointerTarget,
  ) {
    this.target = initial;
    this.meter.pointerNoticed(Date.now(), initial);
    for (const t of options.topics) this.acked.set(t.name, []);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Called by the pointer watcher. */
  onPointer(notice: PointerNotice): void {
    this.propagation.push({ value: notice.reading.value, ms: notice.propagationMs });
    this.meter.pointerNoticed(notice.noticedAt, notice.reading.target);
    this.target = notice.reading.target;
  }

  /** True once producing is over: the bound was reached and nothing is left to send. */
  finished(): boolean {
    return this.boundReached() && this.pending.length === 0;
  }

  /** A send is waiting for its acknowledgement. */
  inFlight(): boolean {
    return this.sending;
  }

  pendingCount(): number {
    return this.pending.length;
  }

  pauses(): readonly WritePause[] {
    return this.meter.pauses();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.disconnect();
  }

  private boundReached(): boolean {
    return this.generated >= this.options.maxRecords || Date.now() - this.startedAt >= this.options.maxDurationMs;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const wait = await this.step();
      if (this.finished()) this.doneResolve();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** One round: refill the rate allowance, generate the records due, send them. Returns how long to wait. */
  private async step(): Promise<number> {
    const now = Date.now();
    const target = this.target;
    if (target.kind === 'fenced') {
      this.lastTick = now;
      return TICK_MS;
    }
    if (!this.boundReached()) {
      this.allowance = Math.min(
        this.allowance + ((now - this.lastTick) * this.options.ratePerSecond) / 1000,
        this.options.ratePerSecond,
      );
      const due = Math.min(Math.floor(this.allowance), this.options.maxRecords - this.generated);
      for (let i = 0; i < due; i++) this.pending.push(this.nextRecord());
      this.allowance -= due;
    }
    this.lastTick = now;
    if (this.pending.length === 0) return TICK_MS;
    this.sending = true;
    try {
      const producer = await this.producerFor(target.value, target.bootstrapServers);
      if (this.target !== target) {
        // The pointer moved while connecting: send nothing to a cluster it no longer names.
        this.sending = false;
        return 0;
      }
      const batch = this.pending.slice(0, MAX_BATCH);
      // Taken in the same synchronous step as the check above: the send belongs to the pointer reading it was sent under.
      const ticket = this.meter.sendStarted();
      await producer.sendBatch({
        acks: -1,
        topicMessages: this.options.topics
          .map((t) => ({
            topic: t.name,
            messages: batch
              .filter((p) => p.topic === t.name)
              .map((p) => ({ key: p.record.key, value: encodeRecord(p.record) })),
          }))
          .filter((tm) => tm.messages.length > 0),
      });
      const ackedAt = Date.now();
      this.sending = false;
      this.pending = this.pending.slice(batch.length);
      for (const p of batch)
        this.acked.get(p.topic)?.push({ key: p.record.key, seq: p.record.seq, cluster: target.value, ackedAt });
      this.ackedCount += batch.length;
      this.meter.acked(ackedAt, target.value, ticket);
      return TICK_MS;
    } catch (err) {
      this.sending = false;
      this.sendFailures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      return RETRY_BACKOFF_MS;
    }
  }

  private nextRecord(): Pending {
    // Weighted round robin: the topic furthest below its share of what was generated so far.
    const total = this.generated + 1;
    let topic = this.options.topics[0];
    let deficit = -Infinity;
    for (const t of this.options.topics) {
      const d = t.weight * total - (this.cursor.get(t.name) ?? 0);
      if (d > deficit) {
        deficit = d;
        topic = t;
      }
    }
    if (!topic) throw new Error('The workload has no topics.');
    const index = this.cursor.get(topic.name) ?? 0;
    this.cursor.set(topic.name, index + 1);
    const key = keyOf(topic.name, index % topic.keys);
    const seq = (this.nextSeq.get(`${topic.name}/${key}`) ?? 0) + 1;
    this.nextSeq.set(`${topic.name}/${key}`, seq);
    this.generated++;
    return {
      topic: topic.name,
      record: { key, seq, producerId: this.options.producerId, sentAt: new Date().toISOString() },
    };
  }

  private async producerFor(value: string, bootstrapServers: readonly string[]): Promise<Producer> {
    if (this.producer && this.connectedTo === value) return this.producer;
    await this.disconnect();
    const kafka = new Kafka({
      ...kafkajsConfig(
        { name: 'workload', bootstrapServers, auth: { mechanism: 'PLAINTEXT' }, requestTimeoutMs: 5_000 },
        { logLevel: 'NOTHING' },
      ),
      clientId: `${this.options.producerId}`,
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
    this.connectedTo = value;
    return producer;
  }

  private async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connectedTo = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  /** Acknowledged records so far, all topics. */
  ackedTotal(): number {
    return this.ackedCount;
  }
}
