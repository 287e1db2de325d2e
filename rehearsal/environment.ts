import * as path from 'node:path';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticProducerActivity } from '../lambdas/adapters/kafka/platformatic-producer-activity';
import { writePointerFile } from '../lambdas/adapters/local/file-cutover-switch';
import { LOCAL_SWITCHES } from '../lambdas/adapters/local/registry';
import { FsArtifactStore } from '../lambdas/adapters/local/fs-artifact-store';
import { LocalMirrorMaker2 } from '../lambdas/adapters/local/mm2-replicator';
import { startLocalApproval, type LocalApproval } from '../lambdas/approval/local-approval';
import type { CutoverSwitch } from '../lambdas/ports/cutover-switch';
import type { AlarmStatus, LagSignals } from '../lambdas/ports/lag-signals';
import { startKafkaClusters, type KafkaCluster } from './kafka/cluster';
import { mirrorMakerProcessLauncher, type MirrorMaker } from './kafka/mirror-maker';
import { DEFAULT_WORKLOAD_TOPICS, startWorkload, type WorkloadHandle, type WorkloadTally } from './workload';

/**
 * The rehearsal's environment: two Kafka clusters (source, target), the data-plane clients of the tasks and of the
 * probes, the workload following its pointer file, MirrorMaker 2 behind the local replicator, the local approval
 * server and the target's health alarm. Everything started is registered with a `Teardown`, which stops it in
 * reverse order (also when a later step fails or the run is aborted).
 */

/** The name of the target's health alarm the rollback window watches. */
export const TARGET_ALARM = 'rehearsal-target-health';

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Everything started, stopped in reverse order; processes frozen by a fault are thawed first. */
export class Teardown {
  private readonly stops: Array<{ what: string; stop: () => Promise<void> | void }> = [];
  private readonly frozen = new Set<number>();

  constructor(private readonly log: (line: string) => void) {}

  add(what: string, stop: () => Promise<void> | void): void {
    this.stops.push({ what, stop });
  }

  /** SIGSTOP by PID: the process keeps its sockets but answers nothing, as a hung broker or JVM. */
  freeze(pid: number, what: string): void {
    signalPid(pid, 'SIGSTOP');
    this.frozen.add(pid);
    this.log(`FAULT: ${what} (PID ${pid}) frozen with SIGSTOP`);
  }

  thaw(pid: number, what: string): void {
    if (!this.frozen.delete(pid)) return;
    signalPid(pid, 'SIGCONT');
    this.log(`${what} (PID ${pid}) resumed with SIGCONT`);
  }

  isFrozen(pid: number): boolean {
    return this.frozen.has(pid);
  }

  async stopAll(): Promise<void> {
    for (const pid of this.frozen) signalPid(pid, 'SIGCONT');
    this.frozen.clear();
    while (this.stops.length > 0) {
      const c = this.stops.pop();
      if (!c) break;
      try {
        await c.stop();
      } catch (err) {
        this.log(`stopping ${c.what} failed: ${(err as Error).message}`);
      }
    }
  }
}

/** The target's health alarm of the rollback window, as a scenario sets it (a local stand-in for CloudWatch). */
export class LocalTargetAlarms implements LagSignals {
  private state: AlarmStatus['state'] = 'OK';
  private updatedAt = new Date().toISOString();
  set(state: AlarmStatus['state']): void {
    this.state = state;
    this.updatedAt = new Date().toISOString();
  }
  async putAlarms(): Promise<void> {}
  async deleteAlarms(): Promise<void> {}
  async describeAlarms(names: readonly string[]): Promise<AlarmStatus[]> {
    return names.map((alarmName) => ({
      alarmName,
      state: alarmName === TARGET_ALARM ? this.state : 'MISSING',
      updatedAt: this.updatedAt,
      ...(this.state === 'ALARM' ? { reason: 'rehearsal fault: target health alarm set' } : {}),
    }));
  }
  async getMetricSeries(): Promise<[]> {
    return [];
  }
}

export interface RehearsalEnvironment {
  readonly source: KafkaCluster;
  readonly target: KafkaCluster;
  /** The tasks' clients. */
  readonly sourcePlane: KafkajsDataPlane;
  readonly targetPlane: KafkajsDataPlane;
  /** The probes' clients (short timeouts: a probe must not hold the run). */
  readonly probeSource: KafkajsDataPlane;
  readonly probeTarget: KafkajsDataPlane;
  /** DescribeProducers on the source, for CheckDrain. */
  readonly producerActivity: PlatformaticProducerActivity;
  readonly pointerFile: string;
  /** The plan's LOCAL_FILE switch on that file, from the local runtime's registry. */
  readonly pointer: CutoverSwitch;
  readonly workload: WorkloadHandle;
  /** Stops the workload once and counts (later calls return the same tally). */
  stopWorkload(): Promise<WorkloadTally>;
  /** The tally, once the workload was stopped (by `stopWorkload` or the teardown). */
  tally(): WorkloadTally | undefined;
  readonly workloadTopics: readonly string[];
  readonly artifacts: FsArtifactStore;
  readonly replicator: LocalMirrorMaker2;
  /** The MirrorMaker 2 JVM started last, if any. */
  mirrorMaker(): MirrorMaker | undefined;
  readonly approval: LocalApproval;
  readonly alarms: LocalTargetAlarms;
}

export async function startRehearsalEnvironment(args: {
  version: string;
  runDir: string;
  ratePerSecond: number;
  teardown: Teardown;
  log: (line: string) => void;
  /** Throws when the run was interrupted; called between the slow steps. */
  aborted: () => void;
}): Promise<RehearsalEnvironment> {
  const { version, runDir, teardown, log } = args;
  log(`starting two Kafka ${version} clusters (source, target) under ${runDir}`);
  const [source, target] = (await startKafkaClusters([
    { name: 'source', version, runDir },
    { name: 'target', version, runDir },
  ])) as [KafkaCluster, KafkaCluster];
  teardown.add(`source broker (PID ${source.pid})`, () => source.stop());
  teardown.add(`target broker (PID ${target.pid})`, () => target.stop());
  log(
    `source ${source.bootstrap} (PID ${source.pid}), target ${target.bootstrap} (PID ${target.pid}), ready in ${Math.max(source.startupMs, target.startupMs)} ms`,
  );
  args.aborted();

  const quiet = { logLevel: 'NOTHING' as const };
  const sourcePlane = new KafkajsDataPlane({ ...source.connection('source'), requestTimeoutMs: 5_000 }, quiet);
  const targetPlane = new KafkajsDataPlane({ ...target.connection('target'), requestTimeoutMs: 3_000 }, quiet);
  const probeSource = new KafkajsDataPlane({ ...source.connection('probe-source'), requestTimeoutMs: 2_000 }, quiet);
  const probeTarget = new KafkajsDataPlane({ ...target.connection('probe-target'), requestTimeoutMs: 2_000 }, quiet);
  // DescribeProducers (kafkajs has none): CheckDrain names a writer that keeps writing after the fence.
  const producerActivity = new PlatformaticProducerActivity({ ...source.connection('drain'), requestTimeoutMs: 3_000 });
  teardown.add('data-plane clients', async () => {
    await Promise.all(
      [sourcePlane, targetPlane, probeSource, probeTarget, producerActivity].map((p) =>
        p.close().catch(() => undefined),
      ),
    );
  });

  const pointerFile = path.join(runDir, 'pointer.json');
  writePointerFile(pointerFile, source.bootstrap as string);
  log(`workload: ${DEFAULT_WORKLOAD_TOPICS.map((t) => t.name).join(', ')} on the source, following ${pointerFile}`);
  const workload = await startWorkload({ pointerFile, ratePerSecond: args.ratePerSecond, drainTimeoutMs: 30_000 });
  let stopping: Promise<WorkloadTally> | undefined;
  let tally: WorkloadTally | undefined;
  const stopWorkload = (): Promise<WorkloadTally> => {
    stopping ??= workload.stop().then((t) => (tally = t));
    return stopping;
  };
  teardown.add('workload', async () => {
    await stopWorkload();
  });

  const artifacts = new FsArtifactStore(path.join(runDir, 'artifacts'));
  const launcher = mirrorMakerProcessLauncher({ version, runDir });
  const replicator = new LocalMirrorMaker2(launcher.launch, {
    refreshIntervalSeconds: 2,
    syncIntervalSeconds: 2,
    offsetFlushIntervalMs: 2_000,
  });
  teardown.add('MirrorMaker 2', async () => {
    await replicator.stopAll();
    await Promise.all(launcher.started.map((m) => m.stop()));
  });

  const approval = await startLocalApproval({ artifacts, workDir: path.join(runDir, 'approval') });
  teardown.add('approval server', () => approval.close());
  log(`approval server ${approval.url} (outbox ${path.join(runDir, 'approval', 'outbox')})`);

  return {
    source,
    target,
    sourcePlane,
    targetPlane,
    probeSource,
    probeTarget,
    producerActivity,
    pointerFile,
    pointer: LOCAL_SWITCHES.LOCAL_FILE({ type: 'LOCAL_FILE', path: pointerFile }, {}),
    workload,
    stopWorkload,
    tally: () => tally,
    workloadTopics: DEFAULT_WORKLOAD_TOPICS.map((t) => t.name),
    artifacts,
    replicator,
    mirrorMaker: () => launcher.started.at(-1),
    approval,
    alarms: new LocalTargetAlarms(),
  };
}
