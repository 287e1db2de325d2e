import { randomBytes } from 'node:crypto';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { plaintextConnection, WorkloadConsumer, type ConsumedRecord } from './consumer';
import { PointerWatcher, type PointerNotice } from './pointer-file';
import { WorkloadProducer, type AckedRecord } from './producer';
import { longestWritePause, sumTallies, tallyTopic, type RecordsTally, type WritePause } from './tally';
import { consumerGroupOf, DEFAULT_WORKLOAD_TOPICS, ensureWorkloadTopics, type WorkloadTopic } from './topics';

/**
 * The rehearsal workload: one producer writing sequence-numbered records to every workload topic, one consumer group
 * per topic, all of them finding their cluster through the pointer file and following it across the cutover.
 * `stop()` ends producing, lets the consumers drain the cluster the pointer names, and counts.
 */

export interface WorkloadOptions {
  /** The JSON pointer file (`{value, revision, updatedAt}`) the local cutover switch writes. */
  readonly pointerFile: string;
  /** @default DEFAULT_WORKLOAD_TOPICS (orders: 6 partitions, 50 keys; ledger: 1 partition; customer-profiles: compacted) */
  readonly topics?: readonly WorkloadTopic[];
  /** Records per second, all topics together. @default 200 */
  readonly ratePerSecond?: number;
  /** Stop producing after this many records. @default unbounded */
  readonly maxRecords?: number;
  /** Stop producing this long after the start. @default unbounded */
  readonly maxDurationMs?: number;
  /** How often clients read the pointer. @default 100 */
  readonly pointerPollMs?: number;
  /** How long `stop()` lets the consumers catch up with the end offsets. @default 30_000 */
  readonly drainTimeoutMs?: number;
  /** Creates the topics that are missing on the cluster the pointer names at start. @default true */
  readonly createTopics?: boolean;
  /** @default `workload-<random>` */
  readonly producerId?: string;
}

export interface TopicProgress {
  readonly acked: number;
  /** Distinct records consumed. */
  readonly consumed: number;
  readonly consumerCluster: string | undefined;
}

export interface WorkloadProgress {
  readonly pointer: string | undefined;
  /** Writes held: the pointer is fenced, or moved and no send has been acknowledged since. */
  readonly holdingWrites: boolean;
  readonly acked: number;
  readonly pending: number;
  /** A send is waiting for its acknowledgement (none starts while writes are held). */
  readonly sending: boolean;
  /** The count or time bound was reached and everything generated was acknowledged. */
  readonly producingFinished: boolean;
  readonly sendFailures: number;
  readonly perTopic: Readonly<Record<string, TopicProgress>>;
  readonly writePauses: readonly WritePause[];
}

export interface PropagationSample {
  /** `producer` or the consumer group. */
  readonly client: string;
  readonly value: string;
  readonly ms: number | undefined;
}

export interface WorkloadTally {
  readonly startedAt: string;
  readonly endedAt: string;
  /** In the shape of the rehearsal report's `records`. */
  readonly records: RecordsTally;
  readonly cutover: {
    /** The longest producer write pause across a pointer move; `undefined` when the pointer never moved. */
    readonly writePauseMs: number | undefined;
    /** The slowest notice of a pointer change by any client (pointer updatedAt → noticed), over all changes. */
    readonly pointerPropagationMs: number | undefined;
    readonly writePauses: readonly WritePause[];
    readonly propagation: readonly PropagationSample[];
  };
  /** Where the pointer pointed at the end, and whether every consumer read it up to its end offsets. */
  readonly finalPointer: string | undefined;
  readonly drained: boolean;
  readonly sendFailures: number;
  /** Acknowledged records per topic, for the verifier. */
  readonly acked: Readonly<Record<string, readonly AckedRecord[]>>;
  /** Consumed records per topic, in consumption order. */
  readonly consumed: Readonly<Record<string, readonly ConsumedRecord[]>>;
}

export interface WorkloadHandle {
  /** Stops producing, drains the consumers on the cluster the pointer names, stops everything, counts. */
  stop(): Promise<WorkloadTally>;
  snapshot(): WorkloadProgress;
  /** Resolves when the count or time bound is reached and everything generated was acknowledged. */
  readonly produced: Promise<void>;
}

export async function startWorkload(options: WorkloadOptions): Promise<WorkloadHandle> {
  const startedAt = new Date().toISOString();
  const topics = options.topics ?? DEFAULT_WORKLOAD_TOPICS;
  const watcher = new PointerWatcher(options.pointerFile, options.pointerPollMs ?? 100);
  const initial = watcher.initial();
  if (initial.target.kind === 'cluster' && (options.createTopics ?? true)) {
    const plane = new KafkajsDataPlane(plaintextConnection('workload-admin', initial.target.bootstrapServers), {
      logLevel: 'NOTHING',
    });
    try {
      await ensureWorkloadTopics(plane, topics);
    } finally {
      await plane.close();
    }
  }

  const producerId = options.producerId ?? `workload-${randomBytes(3).toString('hex')}`;
  const producer = new WorkloadProducer(
    {
      topics,
      ratePerSecond: options.ratePerSecond ?? 200,
      maxRecords: options.maxRecords ?? Number.MAX_SAFE_INTEGER,
      maxDurationMs: options.maxDurationMs ?? Number.MAX_SAFE_INTEGER,
      producerId,
    },
    initial.target,
  );
  const consumers = topics.map(
    (t) => new WorkloadConsumer(t.name, consumerGroupOf(t.name), `${producerId}-${t.name}-consumer`),
  );
  await Promise.all(consumers.map((c) => c.start(initial.target)));
  producer.start();
  watcher.start(async (notice: PointerNotice) => {
    producer.onPointer(notice);
    await Promise.all(consumers.map((c) => c.onPointer(notice)));
  });

  const snapshot = (): WorkloadProgress => ({
    pointer: watcher.current()?.value,
    holdingWrites: watcher.current()?.target.kind === 'fenced' || producer.meter.holding(),
    acked: producer.ackedTotal(),
    pending: producer.pendingCount(),
    sending: producer.inFlight(),
    producingFinished: producer.finished(),
    sendFailures: producer.sendFailures,
    perTopic: Object.fromEntries(
      consumers.map((c) => [
        c.topic,
        {
          acked: producer.acked.get(c.topic)?.length ?? 0,
          consumed: new Set(c.consumed.map((r) => `${r.key}#${r.seq}`)).size,
          consumerCluster: c.currentCluster(),
        },
      ]),
    ),
    writePauses: producer.pauses(),
  });

  let stopping: Promise<WorkloadTally> | undefined;
  const stop = async (): Promise<WorkloadTally> => {
    await producer.stop();
    // Let the consumers follow a last pointer move, then drain: every partition read up to its end offset.
    const deadline = Date.now() + (options.drainTimeoutMs ?? 30_000);
    let drained = false;
    while (Date.now() < deadline) {
      const pointer = watcher.current();
      const onPointer =
        pointer?.target.kind !== 'cluster' || consumers.every((c) => c.currentCluster() === pointer.value);
      if (onPointer && (await Promise.all(consumers.map((c) => c.caughtUp().catch(() => false)))).every(Boolean)) {
        drained = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    watcher.stop();
    await Promise.all(consumers.map((c) => c.stop()));

    const records = sumTallies(
      topics.map((t) =>
        tallyTopic({
          topic: t.name,
          compacted: t.compacted,
          acked: producer.acked.get(t.name) ?? [],
          consumed: consumers.find((c) => c.topic === t.name)?.consumed ?? [],
        }),
      ),
    );
    const propagation: PropagationSample[] = [
      ...producer.propagation.map((p) => ({ client: 'producer', ...p })),
      ...consumers.flatMap((c) => c.propagation.map((p) => ({ client: c.groupId, ...p }))),
    ];
    const noticed = propagation.flatMap((p) => (p.ms === undefined ? [] : [p.ms]));
    return {
      startedAt,
      endedAt: new Date().toISOString(),
      records,
      cutover: {
        writePauseMs: longestWritePause(producer.pauses())?.pauseMs,
        pointerPropagationMs: noticed.length > 0 ? Math.max(...noticed) : undefined,
        writePauses: producer.pauses(),
        propagation,
      },
      finalPointer: watcher.current()?.value,
      drained,
      sendFailures: producer.sendFailures,
      acked: Object.fromEntries([...producer.acked]),
      consumed: Object.fromEntries(consumers.map((c) => [c.topic, c.consumed])),
    };
  };

  return {
    snapshot,
    produced: producer.done,
    stop: () => (stopping ??= stop()),
  };
}
