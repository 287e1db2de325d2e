import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticClientBehaviour } from '../lambdas/adapters/kafka/platformatic-client-behaviour';
import { PlatformaticProducerActivity } from '../lambdas/adapters/kafka/platformatic-producer-activity';
import { writePointerFile } from '../lambdas/adapters/local/file-cutover-switch';
import { LOCAL_CLIENT_SWITCHES, LOCAL_FENCES, LOCAL_SWITCHES } from '../lambdas/adapters/local/registry';
import { aclFencePrincipals, type ClientSwitchSpec, type MigrationPlan } from '../lambdas/core/plan/migration-plan';
import type { ClientSwitch, ClientSwitchFactory } from '../lambdas/ports/client-switch';
import type { WriteFence } from '../lambdas/ports/write-fence';
import { FsArtifactStore } from '../lambdas/adapters/local/fs-artifact-store';
import { LocalMirrorMaker2 } from '../lambdas/adapters/local/mm2-replicator';
import { startLocalApproval, type LocalApproval } from '../lambdas/approval/local-approval';
import type { CutoverSwitch } from '../lambdas/ports/cutover-switch';
import type { AlarmStatus, LagSignals } from '../lambdas/ports/lag-signals';
import { startKafkaClusters, type KafkaCluster } from './kafka/cluster';
import { mirrorMakerProcessLauncher, type MirrorMaker } from './kafka/mirror-maker';
import {
  DEFAULT_WORKLOAD_TOPICS,
  ensureWorkloadTopics,
  startWorkload,
  sumTallies,
  type WorkloadHandle,
  type WorkloadTally,
} from './workload';
import {
  UNAWARE_ENV,
  UNAWARE_GROUP,
  UNAWARE_TOPIC,
  UNAWARE_USER,
  UnawareApps,
  type UnawareTally,
} from './workload/unaware';
import { ACL_OPERATION, ACL_PATTERN, ACL_PERMISSION, ACL_RESOURCE } from '../lambdas/adapters/kafka/acl-codes';

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
  /** The Inventory's reads of producers, transactions, record batches and group types on the source. */
  readonly clientBehaviour: PlatformaticClientBehaviour;
  readonly pointerFile: string;
  /** The plan's LOCAL_FILE switch on that file, from the local runtime's registry. */
  readonly pointer: CutoverSwitch;
  readonly workload: WorkloadHandle;
  /** Stops the workload once and counts (later calls return the same tally). */
  stopWorkload(): Promise<WorkloadTally>;
  /** The tally, once the workload was stopped (by `stopWorkload` or the teardown). */
  tally(): WorkloadTally | undefined;
  readonly workloadTopics: readonly string[];
  /**
   * The migration-unaware applications (rehearsal/workload/unaware.ts), when the run has them: plain clients on the
   * clusters' SCRAM listeners, moved by the plan's LOCAL_PROCESS switches, held by its KAFKA_ACL fence.
   */
  readonly unaware?: {
    readonly apps: UnawareApps;
    /** The settings of the applications' instances on the target (the switches' environment). */
    readonly targetEnvironment: Readonly<Record<string, string>>;
    /** Their tally, once the workload was stopped. */
    tally(): UnawareTally | undefined;
  };
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
  /**
   * Also run migration-unaware clients: the clusters get a SCRAM listener (the source's with ACLs, which a KAFKA_ACL
   * fence binds), and a producer and a consumer application run there with no pointer. @default false
   */
  unawareClients?: boolean;
}): Promise<RehearsalEnvironment> {
  const { version, runDir, teardown, log } = args;
  log(`starting two Kafka ${version} clusters (source, target) under ${runDir}`);
  // The unaware applications' user has its own password on each cluster: the switch carries new credentials.
  const passwords = { source: `${UNAWARE_USER}-on-source`, target: `${UNAWARE_USER}-on-target` };
  const unawareOn = (side: 'source' | 'target') =>
    args.unawareClients
      ? { scram: { users: [{ username: UNAWARE_USER, password: passwords[side] }] }, acls: side === 'source' }
      : {};
  const [source, target] = (await startKafkaClusters([
    { name: 'source', version, runDir, ...unawareOn('source') },
    { name: 'target', version, runDir, ...unawareOn('target') },
  ])) as [KafkaCluster, KafkaCluster];
  teardown.add(`source broker (PID ${source.pid})`, () => source.stop());
  teardown.add(`target broker (PID ${target.pid})`, () => target.stop());
  log(
    `source ${source.bootstrap} (PID ${source.pid}), target ${target.bootstrap} (PID ${target.pid}), ready in ${Math.max(source.startupMs, target.startupMs)} ms`,
  );
  args.aborted();

  const { sourcePlane, targetPlane, probeSource, probeTarget, producerActivity, clientBehaviour } = dataPlaneClients(
    source,
    target,
    teardown,
  );

  const pointerFile = path.join(runDir, 'pointer.json');
  writePointerFile(pointerFile, source.bootstrap as string);
  log(`workload: ${DEFAULT_WORKLOAD_TOPICS.map((t) => t.name).join(', ')} on the source, following ${pointerFile}`);
  const workload = await startWorkload({ pointerFile, ratePerSecond: args.ratePerSecond, drainTimeoutMs: 30_000 });
  let stopping: Promise<WorkloadTally> | undefined;
  let tally: WorkloadTally | undefined;
  let stopWorkload = (): Promise<WorkloadTally> => {
    stopping ??= workload.stop();
    return stopping;
  };
  teardown.add('workload', async () => {
    tally ??= await stopWorkload();
  });

  let unaware: RehearsalEnvironment['unaware'];
  if (args.unawareClients) {
    const started = await startUnawareApps({ source, target, sourcePlane, passwords, ...args });
    unaware = started.unaware;
    const pointerStop = stopWorkload;
    stopWorkload = async () => {
      const [pointerTally, appsTally] = await Promise.all([pointerStop(), started.stop()]);
      return withUnaware(pointerTally, appsTally);
    };
  }

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
    clientBehaviour,
    pointerFile,
    pointer: LOCAL_SWITCHES.LOCAL_FILE({ type: 'LOCAL_FILE', path: pointerFile }, {}),
    workload,
    stopWorkload: async () => (tally ??= await stopWorkload()),
    tally: () => tally,
    workloadTopics: DEFAULT_WORKLOAD_TOPICS.map((t) => t.name),
    artifacts,
    replicator,
    mirrorMaker: () => launcher.started.at(-1),
    approval,
    alarms: new LocalTargetAlarms(),
    ...(unaware ? { unaware } : {}),
  };
}

/**
 * The plan's write fence and client switches, from the local runtime's registry (ValidateInput refuses a kind it has
 * none for): a KAFKA_ACL fence on the source, LOCAL_PROCESS switches over the unaware applications.
 */
export function planAdapters(
  env: RehearsalEnvironment,
  plan: MigrationPlan,
): { writeFence?: WriteFence; clientSwitches?: ClientSwitchFactory } {
  const fenceSpec = plan.cutover.fence;
  const writeFence =
    fenceSpec.type === 'KAFKA_ACL'
      ? LOCAL_FENCES.KAFKA_ACL(
          { ...fenceSpec, principals: aclFencePrincipals(plan.cutover) },
          { source: env.source.connection('write-fence') },
        )
      : undefined;
  const unawareApps = env.unaware?.apps;
  const clientSwitches = unawareApps
    ? (spec: ClientSwitchSpec): ClientSwitch => {
        if (spec.type !== 'LOCAL_PROCESS') throw new Error(`The rehearsal has no ${spec.type} client switch.`);
        return LOCAL_CLIENT_SWITCHES.LOCAL_PROCESS(spec, { supervisor: unawareApps });
      }
    : undefined;
  return { ...(writeFence ? { writeFence } : {}), ...(clientSwitches ? { clientSwitches } : {}) };
}

/** The tasks' and the probes' clients of the two clusters, closed by the teardown. */
function dataPlaneClients(source: KafkaCluster, target: KafkaCluster, teardown: Teardown) {
  const quiet = { logLevel: 'NOTHING' as const };
  const sourcePlane = new KafkajsDataPlane({ ...source.connection('source'), requestTimeoutMs: 5_000 }, quiet);
  const targetPlane = new KafkajsDataPlane({ ...target.connection('target'), requestTimeoutMs: 3_000 }, quiet);
  const probeSource = new KafkajsDataPlane({ ...source.connection('probe-source'), requestTimeoutMs: 2_000 }, quiet);
  const probeTarget = new KafkajsDataPlane({ ...target.connection('probe-target'), requestTimeoutMs: 2_000 }, quiet);
  // DescribeProducers (kafkajs has none): CheckDrain names a writer that keeps writing after the fence.
  const producerActivity = new PlatformaticProducerActivity({ ...source.connection('drain'), requestTimeoutMs: 3_000 });
  const clientBehaviour = new PlatformaticClientBehaviour({
    ...source.connection('inventory'),
    requestTimeoutMs: 5_000,
  });
  teardown.add('data-plane clients', async () => {
    await Promise.all(
      [sourcePlane, targetPlane, probeSource, probeTarget, producerActivity, clientBehaviour].map((p) =>
        p.close().catch(() => undefined),
      ),
    );
  });
  return { sourcePlane, targetPlane, probeSource, probeTarget, producerActivity, clientBehaviour };
}

/**
 * The migration-unaware applications on the clusters' SCRAM listeners: their topic, their ACLs on the source, and a
 * producer and a consumer that read their settings (bootstrap, user, password file) from the environment, no pointer.
 */
async function startUnawareApps(a: {
  source: KafkaCluster;
  target: KafkaCluster;
  sourcePlane: KafkajsDataPlane;
  runDir: string;
  passwords: Readonly<Record<'source' | 'target', string>>;
  ratePerSecond: number;
  teardown: Teardown;
  log: (line: string) => void;
}): Promise<{ unaware: NonNullable<RehearsalEnvironment['unaware']>; stop: () => Promise<UnawareTally> }> {
  const secretFile = (side: 'source' | 'target'): string => {
    const file = path.join(a.runDir, `${side}-${UNAWARE_USER}.password`);
    writeFileSync(file, a.passwords[side], { mode: 0o600 });
    return file;
  };
  const envOn = (cluster: KafkaCluster, side: 'source' | 'target') => ({
    [UNAWARE_ENV.bootstrap]: cluster.saslBootstrap as string,
    [UNAWARE_ENV.username]: UNAWARE_USER,
    [UNAWARE_ENV.passwordFile]: secretFile(side),
  });
  await ensureWorkloadTopics(a.sourcePlane, [UNAWARE_TOPIC]);
  await allowUnawareApps(a.source);
  const apps = new UnawareApps({
    ratePerSecond: Math.max(10, Math.round(a.ratePerSecond / 2)),
    sourceEnvironment: envOn(a.source, 'source'),
  });
  await apps.start();
  let unawareTally: UnawareTally | undefined;
  const stop = async (): Promise<UnawareTally> => (unawareTally ??= await apps.stop(30_000));
  a.teardown.add('unaware applications', async () => {
    await stop();
  });
  a.log(
    `unaware applications: ${UNAWARE_TOPIC.name} produced and consumed (group ${UNAWARE_GROUP}) as User:${UNAWARE_USER} on ${a.source.saslBootstrap} (SCRAM, ACLs), no pointer`,
  );
  return { unaware: { apps, targetEnvironment: envOn(a.target, 'target'), tally: () => unawareTally }, stop };
}

/** ALLOW for the unaware applications' user on the source (the authorizer denies what no ACL allows). */
async function allowUnawareApps(source: KafkaCluster): Promise<void> {
  const { TOPIC, GROUP } = ACL_RESOURCE;
  const { LITERAL } = ACL_PATTERN;
  const { ALLOW } = ACL_PERMISSION;
  const { READ, WRITE, DESCRIBE } = ACL_OPERATION;
  const admin = new Kafka({
    clientId: 'rehearsal-acls',
    brokers: [source.bootstrap as string],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const binding = (resourceType: number, resourceName: string, operation: number) => ({
      resourceType,
      resourceName,
      resourcePatternType: LITERAL,
      principal: `User:${UNAWARE_USER}`,
      host: '*',
      operation,
      permissionType: ALLOW,
    });
    await admin.createAcls({
      acl: [
        binding(TOPIC, UNAWARE_TOPIC.name, WRITE),
        binding(TOPIC, UNAWARE_TOPIC.name, READ),
        binding(TOPIC, UNAWARE_TOPIC.name, DESCRIBE),
        binding(GROUP, UNAWARE_GROUP, READ),
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** The pointer workload's tally with the unaware applications' topic, pauses and drain added. */
function withUnaware(pointer: WorkloadTally, apps: UnawareTally): WorkloadTally {
  const writePauses = [...pointer.cutover.writePauses, ...apps.writePauses];
  const longest = writePauses.reduce<number | undefined>((m, p) => Math.max(m ?? 0, p.pauseMs), undefined);
  return {
    ...pointer,
    records: sumTallies([...Object.values(pointer.records.perTopic), apps.topic]),
    cutover: { ...pointer.cutover, writePauses, writePauseMs: longest },
    drained: pointer.drained && apps.drained,
    sendFailures: pointer.sendFailures + apps.sendFailures,
    acked: { ...pointer.acked, [UNAWARE_TOPIC.name]: apps.acked },
    consumed: { ...pointer.consumed, [UNAWARE_TOPIC.name]: apps.consumed },
  };
}
