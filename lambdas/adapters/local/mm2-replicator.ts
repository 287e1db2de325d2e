import { ReplicationFailedError } from '../../core/errors';
import { mm2DedicatedProperties, mm2StartOffsetRecords, type Mm2LocalTuning } from '../../core/replication/mm2-config';
import type { KafkaDataPlane } from '../../ports/kafka';
import type {
  ReplicationEndpoint,
  Replicator,
  ReplicatorHandle,
  ReplicatorSpec,
  ReplicatorStatus,
  ReplicatorSummary,
} from '../../ports/replicator';

/**
 * MirrorMaker 2 as a local process (the rehearsal), behind the same Replicator port as MSK Replicator and MSK
 * Connect. The process is started by the Kafka harness's MM2 launcher (rehearsal/kafka/), passed in as `launch`, so
 * this adapter holds no knowledge of jars or JVM flags. One process per replicator name, kept in this adapter's
 * registry: the local runtime runs every task in one Node process.
 */

export interface Mm2ProcessHandle {
  readonly pid: number;
  /** True once the process has exited (crashed or stopped). */
  exited(): boolean;
  /** Last lines of its log, for the FAILED reason. */
  logTail?(): string;
  stop(): Promise<void>;
}

export type Mm2Launcher = (request: { name: string; properties: Record<string, string> }) => Promise<Mm2ProcessHandle>;

/** A data-plane client for the cluster a flow writes to: needed only for specs with `startOffsets` (a failback). */
export type Mm2OffsetStoreClient = (cluster: ReplicationEndpoint) => KafkaDataPlane;

interface Entry {
  readonly spec: ReplicatorSpec;
  readonly process: Mm2ProcessHandle;
  deleted: boolean;
}

export class LocalMirrorMaker2 implements Replicator {
  readonly engine = 'MIRROR_MAKER_2' as const;
  private readonly running = new Map<string, Entry>();

  constructor(
    private readonly launch: Mm2Launcher,
    private readonly tuning: Mm2LocalTuning = {},
    private readonly offsetStoreClient?: Mm2OffsetStoreClient,
  ) {}

  async find(name: string): Promise<ReplicatorSummary | undefined> {
    const entry = this.running.get(name);
    if (!entry || entry.deleted) return undefined;
    return {
      handle: this.handleOf(name, entry),
      state: entry.process.exited() ? 'FAILED' : 'RUNNING',
      tags: entry.spec.tags,
    };
  }

  async countExisting(): Promise<undefined> {
    return undefined;
  }

  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    const existing = this.running.get(spec.name);
    if (existing && !existing.deleted && !existing.process.exited()) return this.handleOf(spec.name, existing);
    if (spec.startOffsets?.length) await this.seedStartOffsets(spec);
    let process: Mm2ProcessHandle;
    try {
      process = await this.launch({ name: spec.name, properties: mm2DedicatedProperties(spec, this.tuning) });
    } catch (err) {
      throw new ReplicationFailedError(`MirrorMaker 2 ${spec.name} did not start: ${(err as Error).message}`);
    }
    const entry: Entry = { spec, process, deleted: false };
    this.running.set(spec.name, entry);
    return this.handleOf(spec.name, entry);
  }

  async describe(handle: ReplicatorHandle): Promise<ReplicatorStatus | undefined> {
    const entry = this.running.get(handle.name);
    if (!entry || entry.deleted) return undefined;
    if (entry.process.exited()) {
      return {
        state: 'FAILED',
        detail: `MirrorMaker 2 process ${entry.process.pid} exited${entry.process.logTail ? `: ${entry.process.logTail()}` : ''}`,
      };
    }
    return { state: 'RUNNING' };
  }

  async delete(handle: ReplicatorHandle): Promise<void> {
    const entry = this.running.get(handle.name);
    if (!entry || entry.deleted) return;
    entry.deleted = true;
    await entry.process.stop();
  }

  /** Stops every process this adapter started (the rehearsal's and the tests' cleanup). */
  async stopAll(): Promise<void> {
    for (const [name, entry] of this.running) {
      if (!entry.deleted) await this.delete(this.handleOf(name, entry));
    }
  }

  /**
   * Writes the start offsets into the flow's Connect offsets topic before MM2 reads it (see mm2StartOffsetRecords).
   * Only when that topic does not exist yet: once it does, it holds this flow's own progress (or an earlier attempt's
   * seed), and writing the start offsets again would copy the same records twice. One partition, so that MM2's later
   * writes of the same keys always come after the seed.
   */
  private async seedStartOffsets(spec: ReplicatorSpec): Promise<void> {
    if (!this.offsetStoreClient) {
      throw new ReplicationFailedError(
        `MirrorMaker 2 ${spec.name} must start from given offsets, but the local adapter has no client for the cluster it writes to; nothing was started.`,
      );
    }
    const seed = mm2StartOffsetRecords(spec);
    const cluster = this.offsetStoreClient(spec.target);
    try {
      if ((await cluster.listTopics()).includes(seed.topic)) return;
      await cluster.createTopics([
        {
          topic: seed.topic,
          numPartitions: 1,
          replicationFactor: this.tuning.replicationFactor ?? 1,
          configs: { 'cleanup.policy': 'compact' },
        },
      ]);
      if (seed.records.length > 0)
        await cluster.produce(
          seed.topic,
          seed.records.map((r) => ({ ...r, partition: 0 })),
        );
    } finally {
      await cluster.close();
    }
  }

  private handleOf(name: string, entry: Entry): ReplicatorHandle {
    return { engine: this.engine, name, id: `local-mm2:${entry.process.pid}` };
  }
}
