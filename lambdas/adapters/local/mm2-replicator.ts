import { ReplicationFailedError } from '../../core/errors';
import { mm2DedicatedProperties, type Mm2LocalTuning } from '../../core/replication/mm2-config';
import type { Replicator, ReplicatorHandle, ReplicatorSpec, ReplicatorStatus, ReplicatorSummary } from '../../ports/replicator';

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
  ) {}

  async find(name: string): Promise<ReplicatorSummary | undefined> {
    const entry = this.running.get(name);
    if (!entry || entry.deleted) return undefined;
    return { handle: this.handleOf(name, entry), state: entry.process.exited() ? 'FAILED' : 'RUNNING', tags: entry.spec.tags };
  }

  async countExisting(): Promise<undefined> {
    return undefined;
  }

  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    const existing = this.running.get(spec.name);
    if (existing && !existing.deleted && !existing.process.exited()) return this.handleOf(spec.name, existing);
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
      return { state: 'FAILED', detail: `MirrorMaker 2 process ${entry.process.pid} exited${entry.process.logTail ? `: ${entry.process.logTail()}` : ''}` };
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

  private handleOf(name: string, entry: Entry): ReplicatorHandle {
    return { engine: this.engine, name, id: `local-mm2:${entry.process.pid}` };
  }
}
