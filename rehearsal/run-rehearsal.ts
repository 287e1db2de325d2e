import './node20-polyfills';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { FileCutoverSwitch, writePointerFile } from '../lambdas/adapters/local/file-cutover-switch';
import { FsArtifactStore } from '../lambdas/adapters/local/fs-artifact-store';
import { LocalMirrorMaker2 } from '../lambdas/adapters/local/mm2-replicator';
import { startLocalApproval, type LocalApproval } from '../lambdas/approval/local-approval';
import { decide } from '../lambdas/core/approval/service';
import type { AlarmStatus, LagSignals } from '../lambdas/ports/lag-signals';
import { runWorkflow, type RunResult } from './asl-runner';
import {
  cutoverTimeline,
  describeTimeline,
  observedPropagation,
  writePauseBound,
  type CutoverTimeline,
  type ObservedPropagation,
  type WritePauseBound,
} from './cutover-figures';
import { harnessRunDir, startKafkaClusters, type KafkaCluster } from './kafka/cluster';
import { mirrorMakerProcessLauncher, type MirrorMaker } from './kafka/mirror-maker';
import { LATEST_KAFKA_VERSION, kafkaVersion } from './kafka/versions';
import { writeRehearsalReport, type RehearsalReportFiles, type RehearsalResult } from './report';
import type { GateCheck, LagSample } from './report';
import { SCENARIO_DEFINITIONS, type ScenarioDefinition, type ScenarioName } from './scenarios';
import { lateFunctions, localFunctions, taskStatesByFunction } from './tasks';
import {
  DEFAULT_WORKLOAD_TOPICS,
  consumerGroupOf,
  startWorkload,
  type WorkloadHandle,
  type WorkloadTally,
} from './workload';
import type { WritePause } from './workload/tally';

/**
 * The local rehearsal: two real Kafka clusters (source, target), a live sequence-numbered workload that finds its
 * cluster through a pointer file, MirrorMaker 2 as the replicator, and statemachine/migration.asl.json executed
 * in-process with every Task state served by its task module over the local adapters. A scenario injects one fault;
 * the result (outcome, final state, records counted by the workload, write pause, replication latency, phases, the
 * checklist gates) is written as report.json/md/html.
 *
 * Replication latency (`replication.latencyP99Ms`): during catch-up a reader on the TARGET consumes the workload
 * topics' copies from their end; for each record produced after the reader started, latency = the time the reader got
 * it − the record's timestamp (CreateTime set by the workload's producer on the source, kept by MirrorMaker 2). It is
 * source-produce → target-consumable, including one consumer fetch (≤ 100 ms), on one machine's clock.
 */

export interface RehearsalOptions {
  /** @default 'happy-path' */
  readonly scenario?: ScenarioName;
  /** Decide every approval as the listed approver (channel LOCAL) once its link is printed. @default false */
  readonly autoApprove?: boolean;
  /** @default './rehearsal-report' */
  readonly reportDir?: string;
  /** A version or a line (`3` → 3.9.x). @default the newest of rehearsal/kafka/versions.json */
  readonly kafkaVersion?: string;
  /** Records per second of the workload, all topics. @default 100 */
  readonly ratePerSecond?: number;
  /** @default 1 (0: the first healthy check closes the window) */
  readonly rollbackWindowMinutes?: number;
  /** Progress lines (phase, lag, records, gate checks). @default stderr */
  readonly progress?: (line: string) => void;
  /** Ends the run early (Ctrl-C): everything started is stopped, the result says FAILED. */
  readonly signal?: AbortSignal;
}

export interface RehearsalRun {
  readonly result: RehearsalResult;
  readonly files: RehearsalReportFiles;
  readonly definition: ScenarioDefinition;
  /** The execution ended in the scenario's defined state and outcome with nothing lost. */
  readonly matched: boolean;
  readonly mismatches: readonly string[];
  readonly runDir: string;
  readonly approvalUrl: string | undefined;
  /** Extra figures the report's schema has no field for (pointer propagation, target writes reported, …). */
  readonly figures: Readonly<Record<string, unknown>>;
  /** The cutover's figures (rehearsal/cutover-figures.ts): where fence → switch went, propagation, the bound. */
  readonly cutover: RehearsalCutoverFigures;
}

export interface RehearsalCutoverFigures {
  /** cutover.fenceSettleSeconds of the plan the rehearsal ran. */
  readonly settleSeconds: number;
  /** Per state, FenceProducers entered → SwitchToTarget exited; absent when the switch was not reached. */
  readonly timeline?: CutoverTimeline;
  /** The slowest client's notice of the fence and of the switch, as observed. */
  readonly propagation: ObservedPropagation;
  /** write pause ≤ 2 × p99 + settle; absent without a write pause or a latency sample. */
  readonly bound?: WritePauseBound;
  /** Every producer write pause across a pointer move (the report's writePauseMs is the longest). */
  readonly writePauses: readonly WritePause[];
}

const APPROVER = 'rehearsal-approver@example.com';
const LATENCY_GROUP = 'rehearsal-latency-probe';
const TARGET_ALARM = 'rehearsal-target-health';
const SOURCE_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/rehearsal-source/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-1';

/** Which phase of the runbook a state belongs to (the report's timeline). */
const PHASE_OF: Readonly<Record<string, string>> = {
  ValidateInput: 'Validate input',
  Inventory: 'Inventory',
  Assess: 'Assess',
  ProvisionTarget: 'Target',
  'TargetReady?': 'Target',
  WaitForTarget: 'Target',
  CheckTargetStatus: 'Target',
  StartReplication: 'Replication',
  'ReplicatorRunning?': 'Replication',
  WaitForReplicator: 'Replication',
  CheckReplicationStatus: 'Replication',
  WaitForCatchUp: 'Catch-up',
  EvaluateCatchUp: 'Catch-up',
  'CaughtUp?': 'Catch-up',
  ValidateTarget: 'Validation',
  CutoverApproval: 'Cutover approval',
  FenceProducers: 'Cutover',
  WaitForDrain: 'Cutover',
  CheckDrain: 'Cutover',
  'Drained?': 'Cutover',
  CommitConsumerOffsets: 'Cutover',
  'OffsetsCommitted?': 'Cutover',
  WaitForConsumerGroups: 'Cutover',
  SwitchToTarget: 'Cutover',
  WaitInRollbackWindow: 'Rollback window',
  CheckTargetHealth: 'Rollback window',
  'WindowClosed?': 'Rollback window',
  PointOfNoReturn: 'Finalize',
  FinalizeApproval: 'Finalize',
  Finalize: 'Finalize',
  RollbackCutover: 'Rollback',
  RollbackReplication: 'Rollback',
  RollbackTarget: 'Rollback',
};

/**
 * Wait states: real, but seconds instead of minutes. Catch-up and health keep their real evaluations. The cutover's
 * two loops poll every 100 ms: between the fence and the switch the producers hold, so each poll's wait is write
 * pause that the source's state does not call for (a CheckDrain poll itself takes tens of milliseconds locally).
 */
const WAITS_MS: Readonly<Record<string, number>> = {
  WaitForTarget: 1_000,
  WaitForReplicator: 1_000,
  WaitForCatchUp: 1_000,
  WaitForDrain: 100,
  WaitForConsumerGroups: 100,
  WaitInRollbackWindow: 2_000,
  WaitForFailback: 1_000,
  WaitForFailbackDrain: 250,
};

/** The target's health alarm of the rollback window, as the failure-in-rollback-window scenario sets it. */
class LocalTargetAlarms implements LagSignals {
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

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

const signalPid = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
};

export async function runRehearsal(options: RehearsalOptions = {}): Promise<RehearsalRun> {
  const scenario: ScenarioName = options.scenario ?? 'happy-path';
  const definition = SCENARIO_DEFINITIONS[scenario];
  const say = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const began = Date.now();
  const startedAt = new Date(began).toISOString();
  const elapsed = (): string => `${((Date.now() - began) / 1000).toFixed(1).padStart(6)}s`;
  const log = (line: string): void => say(`[rehearse ${elapsed()}] ${line}`);
  const version = kafkaVersion(options.kafkaVersion ?? LATEST_KAFKA_VERSION);
  const runDir = path.join(harnessRunDir(), `rehearsal-${scenario}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const reportDir = path.resolve(options.reportDir ?? 'rehearsal-report');

  // Everything started, stopped in reverse order at the end (also on error and abort).
  const cleanups: Array<{ what: string; stop: () => Promise<void> | void }> = [];
  const frozen = new Set<number>();
  let approval: LocalApproval | undefined;
  let workload: WorkloadHandle | undefined;
  let tally: WorkloadTally | undefined;
  let run: RunResult | undefined;
  let failure: Error | undefined;
  const gateChecks: GateCheck[] = [];
  const lagSamples: LagSample[] = [];
  const latencies: number[] = [];
  const mismatches: string[] = [];
  const figures: Record<string, unknown> = {};
  let switchedAt: string | null = null;
  let windowEndsAt: string | null = null;
  let phase = 'Start';
  let lastLag: number | undefined;
  let approvalUrl: string | undefined;
  let settleSeconds = REHEARSAL_FENCE_SETTLE_SECONDS;

  const stopAll = async (): Promise<void> => {
    for (const pid of frozen) signalPid(pid, 'SIGCONT');
    frozen.clear();
    while (cleanups.length > 0) {
      const c = cleanups.pop();
      if (!c) break;
      try {
        await c.stop();
      } catch (err) {
        log(`stopping ${c.what} failed: ${(err as Error).message}`);
      }
    }
  };
  const aborted = (): void => {
    if (options.signal?.aborted) throw new Error('The rehearsal was interrupted (Ctrl-C).');
  };

  try {
    log(`scenario ${scenario}: ${definition.fault}`);
    log(`starting two Kafka ${version} clusters (source, target) under ${runDir}`);
    const [source, target] = (await startKafkaClusters([
      { name: 'source', version, runDir },
      { name: 'target', version, runDir },
    ])) as [KafkaCluster, KafkaCluster];
    cleanups.push({ what: `source broker (PID ${source.pid})`, stop: () => source.stop() });
    cleanups.push({ what: `target broker (PID ${target.pid})`, stop: () => target.stop() });
    log(
      `source ${source.bootstrap} (PID ${source.pid}), target ${target.bootstrap} (PID ${target.pid}), ready in ${Math.max(source.startupMs, target.startupMs)} ms`,
    );
    aborted();

    const quiet = { logLevel: 'NOTHING' as const };
    const sourcePlane = new KafkajsDataPlane({ ...source.connection('source'), requestTimeoutMs: 5_000 }, quiet);
    const targetPlane = new KafkajsDataPlane({ ...target.connection('target'), requestTimeoutMs: 3_000 }, quiet);
    const probeSource = new KafkajsDataPlane({ ...source.connection('probe-source'), requestTimeoutMs: 2_000 }, quiet);
    const probeTarget = new KafkajsDataPlane({ ...target.connection('probe-target'), requestTimeoutMs: 2_000 }, quiet);
    cleanups.push({
      what: 'data-plane clients',
      stop: async () => {
        await Promise.all(
          [sourcePlane, targetPlane, probeSource, probeTarget].map((p) => p.close().catch(() => undefined)),
        );
      },
    });

    const pointerFile = path.join(runDir, 'pointer.json');
    writePointerFile(pointerFile, source.bootstrap as string);
    log(`workload: ${DEFAULT_WORKLOAD_TOPICS.map((t) => t.name).join(', ')} on the source, following ${pointerFile}`);
    workload = await startWorkload({
      pointerFile,
      ratePerSecond: options.ratePerSecond ?? 100,
      drainTimeoutMs: 30_000,
    });
    const wl = workload;
    cleanups.push({
      what: 'workload',
      stop: async () => {
        tally ??= await wl.stop();
      },
    });

    const artifacts = new FsArtifactStore(path.join(runDir, 'artifacts'));
    const launcher = mirrorMakerProcessLauncher({ version, runDir });
    const replicator = new LocalMirrorMaker2(launcher.launch, {
      refreshIntervalSeconds: 2,
      syncIntervalSeconds: 2,
      offsetFlushIntervalMs: 2_000,
    });
    cleanups.push({
      what: 'MirrorMaker 2',
      stop: async () => {
        await replicator.stopAll();
        await Promise.all(launcher.started.map((m) => m.stop()));
      },
    });
    const mm2 = (): MirrorMaker | undefined => launcher.started.at(-1);

    approval = await startLocalApproval({ artifacts, workDir: path.join(runDir, 'approval') });
    const local = approval;
    cleanups.push({ what: 'approval server', stop: () => local.close() });
    log(`approval server ${local.url} (outbox ${path.join(runDir, 'approval', 'outbox')})`);

    const alarms = new LocalTargetAlarms();
    const pointer = new FileCutoverSwitch(pointerFile);

    // ---- live figures: lag between the clusters, replication latency during catch-up ----
    const workloadTopics = DEFAULT_WORKLOAD_TOPICS.map((t) => t.name);
    const sampleLag = async (): Promise<void> => {
      let lag = 0;
      for (const topic of workloadTopics) {
        const [s, t] = await Promise.all([
          probeSource.fetchTopicOffsets(topic),
          probeTarget.fetchTopicOffsets(topic).catch(() => []),
        ]);
        for (const p of s) {
          const copied = t.find((x) => x.partition === p.partition);
          lag += Math.max(0, Number(BigInt(p.high) - BigInt(copied?.high ?? '0')));
        }
      }
      lastLag = lag;
      lagSamples.push({ at: new Date().toISOString(), lag });
    };
    let samplingOn = false;
    let sampleBusy = false;
    const lagTimer = setInterval(() => {
      if (!samplingOn || sampleBusy) return;
      sampleBusy = true;
      void sampleLag()
        .catch(() => undefined)
        .finally(() => {
          sampleBusy = false;
        });
    }, 1_000);
    const startSampling = (): void => {
      samplingOn = true;
    };
    const stopSampling = (): void => {
      samplingOn = false;
    };
    cleanups.push({ what: 'lag sampler', stop: () => clearInterval(lagTimer) });

    let latencyReader: Consumer | undefined;
    let latencySince = 0;
    const startLatencyReader = async (): Promise<void> => {
      if (latencyReader) return;
      const present = new Set(await probeTarget.listTopics());
      if (!workloadTopics.every((t) => present.has(t))) return;
      const kafka = new Kafka({
        clientId: 'rehearsal-latency',
        brokers: [target.bootstrap as string],
        logLevel: logLevel.NOTHING,
      });
      const consumer = kafka.consumer({
        groupId: LATENCY_GROUP,
        maxWaitTimeInMs: 100,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
      });
      latencyReader = consumer;
      await consumer.connect();
      await consumer.subscribe({ topics: workloadTopics, fromBeginning: false });
      latencySince = Date.now();
      await consumer.run({
        eachMessage: async ({ message }) => {
          const created = Number(message.timestamp);
          if (created >= latencySince && latencyReading) latencies.push(Math.max(0, Date.now() - created));
        },
      });
    };
    let latencyReading = false;
    const stopLatencyReader = async (): Promise<void> => {
      latencyReading = false;
      const c = latencyReader;
      latencyReader = undefined;
      await c?.disconnect().catch(() => undefined);
    };
    cleanups.push({ what: 'latency reader', stop: stopLatencyReader });

    // ---- scenario faults, keyed on states ----
    let healthyEvaluations = 0;
    let crash: { killedAt: number; unhealthyWhileDown: number; restarted: boolean } | undefined;
    const freeze = (pid: number, what: string): void => {
      signalPid(pid, 'SIGSTOP');
      frozen.add(pid);
      log(`FAULT: ${what} (PID ${pid}) frozen with SIGSTOP`);
    };
    const thaw = (pid: number, what: string): void => {
      if (!frozen.delete(pid)) return;
      signalPid(pid, 'SIGCONT');
      log(`${what} (PID ${pid}) resumed with SIGCONT`);
    };
    const beforeState = async (state: string): Promise<void> => {
      if (state === 'EvaluateCatchUp') {
        startSampling();
        if (!latencyReading) {
          latencyReading = true;
          await startLatencyReader().catch(() => undefined);
        } else if (!latencyReader) await startLatencyReader().catch(() => undefined);
        const m = mm2();
        if (scenario === 'lag-never-converges' && m && !frozen.has(m.pid())) freeze(m.pid(), 'MirrorMaker 2');
      }
      if (state === 'ValidateTarget') {
        await stopLatencyReader();
        if (scenario === 'target-down-at-validation' && !frozen.has(target.pid)) freeze(target.pid, 'target broker');
      }
      if (state === 'RollbackReplication' || state === 'RollbackCutover') {
        thaw(target.pid, 'target broker');
        const m = mm2();
        if (m) thaw(m.pid(), 'MirrorMaker 2');
      }
    };
    const afterState = async (state: string, output: unknown): Promise<void> => {
      const o = output as Record<string, unknown>;
      const now = new Date().toISOString();
      if (state === 'EvaluateCatchUp') {
        const passed = o['passed'] === true;
        const healthy = o['lastHealthy'] === true;
        const reasons = (o['lastReasons'] as string[] | undefined) ?? [];
        const summary = `${healthy ? 'healthy' : 'unhealthy'}, ${String(o['consecutiveHealthy'])} in a row${passed ? ': caught up' : ''}${reasons.length > 0 ? ` (${reasons.slice(0, 2).join('; ')})` : ''}${lastLag !== undefined ? `; lag ${lastLag} records` : ''}`;
        gateChecks.push({ at: now, gate: 'catch-up', passed: healthy, summary: summary.slice(0, 500) });
        log(`gate catch-up #${String(o['evaluations'])}: ${summary.slice(0, 300)}`);
        if (crash && !crash.restarted) {
          if (healthy || passed) mismatches.push('the catch-up gate was healthy while MirrorMaker 2 was down');
          else crash.unhealthyWhileDown++;
          if (crash.unhealthyWhileDown >= 2) {
            crash.restarted = true;
            await mm2()?.restart();
            log(
              `MirrorMaker 2 restarted (PID ${mm2()?.pid()}) after ${crash.unhealthyWhileDown} unhealthy evaluations while down`,
            );
          }
        }
        if (healthy) healthyEvaluations++;
        if (scenario === 'replicator-crash' && !crash && healthyEvaluations === 1 && !passed) {
          const m = mm2();
          if (m) {
            log(`FAULT: MirrorMaker 2 killed (SIGKILL, PID ${m.pid()})`);
            await m.kill();
            crash = { killedAt: Date.now(), unhealthyWhileDown: 0, restarted: false };
          }
        }
      }
      if (state === 'ValidateTarget') {
        const checked = o['checked'] as Record<string, number> | undefined;
        const summary = checked
          ? Object.entries(checked)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')
          : 'passed';
        gateChecks.push({ at: now, gate: 'validation', passed: true, summary });
        log(`gate validation: passed (${summary})`);
      }
      if (state === 'SwitchToTarget') {
        switchedAt = (o['switchedAt'] as string | undefined) ?? now;
        stopSampling();
        log(`switched: the pointer names the target since ${switchedAt}`);
      }
      if (state === 'CheckTargetHealth') {
        windowEndsAt = (o['windowEndsAt'] as string | undefined) ?? windowEndsAt;
        const healthy = o['healthy'] === true;
        const reasons = (o['reasons'] as string[] | undefined) ?? [];
        const summary = `${healthy ? 'healthy' : 'unhealthy'}${reasons.length > 0 ? ` (${reasons.slice(0, 2).join('; ')})` : ''}, window ends ${String(o['windowEndsAt'])}`;
        gateChecks.push({ at: now, gate: 'target-health', passed: healthy, summary: summary.slice(0, 500) });
        log(`gate target-health: ${summary.slice(0, 300)}`);
        if (scenario === 'failure-in-rollback-window' && healthy) {
          alarms.set('ALARM');
          log(`FAULT: target health alarm ${TARGET_ALARM} set to ALARM`);
        }
      }
      if (state === 'RollbackCutover') figures['rollbackCutover'] = output;
    };
    const failedState = (state: string, err: Error): void => {
      const gate =
        state === 'EvaluateCatchUp'
          ? 'catch-up'
          : state === 'ValidateTarget'
            ? 'validation'
            : state === 'CheckTargetHealth'
              ? 'target-health'
              : undefined;
      if (gate)
        gateChecks.push({
          at: new Date().toISOString(),
          gate,
          passed: false,
          summary: `${err.name}: ${err.message}`.slice(0, 500),
        });
      log(`${state} failed: ${err.name}: ${err.message.slice(0, 300)}`);
    };

    // ---- approvals ----
    const onApprovalRequested = ({ kind, approvalId }: { kind: string; approvalId: string }): void => {
      const mail = local.mailer.sent.at(-1);
      const link = /^Approve: (\S+)$/m.exec(mail?.text ?? '')?.[1] ?? `${local.url}/approvals/${approvalId}`;
      approvalUrl ??= link;
      log(`approval ${kind} requested: open ${link}`);
      const outcome =
        scenario === 'approval-rejected' && kind === 'CUTOVER'
          ? 'REJECT'
          : scenario === 'approval-timeout' && kind === 'CUTOVER'
            ? undefined
            : options.autoApprove
              ? 'APPROVE'
              : undefined;
      if (!outcome) {
        log(
          scenario === 'approval-timeout' && kind === 'CUTOVER'
            ? 'nobody decides: the approval expires in 1 minute'
            : `waiting for a person to decide ${kind} on that page (or run with --auto-approve)`,
        );
        return;
      }
      setTimeout(() => {
        void decide(
          {
            approvalId,
            outcome,
            identity: { channel: 'LOCAL', id: APPROVER, name: 'rehearsal (auto)' },
            comment: `rehearsal ${scenario}`,
            context: { userAgent: 'msk-migrate rehearse' },
          },
          local.services,
        ).then((r) =>
          log(
            `approval ${kind}: ${r.status === 'DECIDED' ? `${outcome} by ${APPROVER} (LOCAL)` : `refused: ${r.refusal.message}`}`,
          ),
        );
      }, 200);
    };

    const ports = {
      source: sourcePlane,
      target: targetPlane,
      artifacts,
      replicator,
      pointer,
      approvals: local.services as typeof local.services & { callback: typeof local.callback },
      targetAlarms: { signals: alarms, alarmNames: [TARGET_ALARM] },
      onApprovalRequested,
      now: () => new Date(),
    };
    const functions = { ...localFunctions(ports), ...(await lateFunctions(ports)) };
    const tasks: Record<string, (event: unknown) => Promise<unknown>> = {};
    for (const [state, fn] of Object.entries(taskStatesByFunction())) {
      const handler = functions[fn];
      if (!handler) continue;
      tasks[state] = async (event) => {
        aborted();
        const nextPhase = PHASE_OF[state] ?? (state.startsWith('Report') ? 'Report' : phase);
        if (nextPhase !== phase) {
          phase = nextPhase;
          const s = wl.snapshot();
          const consumed = Object.values(s.perTopic).reduce((n, t) => n + t.consumed, 0);
          log(
            `phase ${phase}: ${state} · produced ${s.acked} · consumed ${consumed}${lastLag !== undefined ? ` · lag ${lastLag}` : ''}${s.holdingWrites ? ' · writes held' : ''}`,
          );
        }
        await beforeState(state);
        try {
          const output = await handler(event);
          await afterState(state, output);
          return output;
        } catch (err) {
          failedState(state, err as Error);
          throw err;
        }
      };
    }
    // A refreshing summary every 5 s between events (one line each: logs stay readable when piped).
    const ticker = setInterval(() => {
      const s = wl.snapshot();
      const consumed = Object.values(s.perTopic).reduce((n, t) => n + t.consumed, 0);
      log(
        `… ${phase}: produced ${s.acked}, consumed ${consumed}${lastLag !== undefined ? `, lag ${lastLag}` : ''}${s.holdingWrites ? ', writes held' : ''}`,
      );
    }, 5_000);
    cleanups.push({ what: 'progress ticker', stop: () => clearInterval(ticker) });

    const plan = rehearsalPlan({
      scenario,
      source,
      target,
      pointerFile,
      rollbackWindowMinutes: options.rollbackWindowMinutes ?? 1,
    });
    settleSeconds = (plan['cutover'] as { fenceSettleSeconds: number }).fenceSettleSeconds;
    log(`executing statemachine/migration.asl.json (migration ${plan.migrationId})`);
    run = await runWorkflow(plan, {
      tasks,
      waits: WAITS_MS,
      retryPauses: Object.fromEntries(Object.keys(tasks).map((s) => [s, 500])),
      executionName: `rehearsal-${scenario}-${Date.now()}`,
    });
    const finalState = run.visited.at(-1) ?? 'none';
    log(`execution ${run.status} in ${finalState}${run.error ? ` (${run.error})` : ''}`);
    const timeline = cutoverTimeline(run.events);
    if (timeline) log(describeTimeline(timeline));
    clearInterval(ticker);
    stopSampling();
    await stopLatencyReader();

    // The workload stops producing, its consumers read wherever the pointer ends, and it counts.
    log('stopping the workload: consumers drain the cluster the pointer names, then the tally');
    tally = await wl.stop();
    if (!tally.drained) log('warning: the consumers did not reach the end offsets within 30 s');
    if (crash) figures['replicatorCrash'] = crash;
  } catch (err) {
    failure = err as Error;
    log(`error: ${failure.message}`);
  } finally {
    log('stopping everything this rehearsal started');
    await stopAll();
  }

  const result = buildResult({
    scenario,
    startedAt,
    run,
    tally,
    failure,
    gateChecks,
    lagSamples,
    latencies,
    switchedAt,
    windowEndsAt,
    version,
  });
  if (tally) {
    figures['pointerPropagationMs'] = tally.cutover.pointerPropagationMs ?? null;
    figures['writePauses'] = tally.cutover.writePauses;
  }
  figures['latencySamples'] = latencies.length;
  const propagation = observedPropagation(tally?.cutover.propagation ?? []);
  const timeline = run ? cutoverTimeline(run.events) : undefined;
  const bound = writePauseBound({
    writePauseMs: result.cutover.writePauseMs,
    latencyP99Ms: result.replication.latencyP99Ms,
    settleSeconds,
    fenceNoticeMs: propagation.fenceMs,
  });
  const cutover: RehearsalCutoverFigures = {
    settleSeconds,
    propagation,
    writePauses: tally?.cutover.writePauses ?? [],
    ...(timeline ? { timeline } : {}),
    ...(bound ? { bound } : {}),
  };
  const caught = errorOf(run);
  if (result.finalState !== definition.finalState)
    mismatches.push(
      `final state ${result.finalState}, expected ${definition.finalState}${caught ? ` (${caught.name}: ${caught.message.slice(0, 300)})` : ''}`,
    );
  if (result.outcome !== definition.outcome)
    mismatches.push(`outcome ${result.outcome}, expected ${definition.outcome}`);
  if (!tally) mismatches.push('the workload was not counted');
  else if (result.records.lost !== 0) mismatches.push(`${result.records.lost} records lost`);
  if (definition.error && caught?.name !== definition.error)
    mismatches.push(`error ${caught?.name ?? 'none'}, expected ${definition.error}`);
  const files = await writeRehearsalReport(result, reportDir);
  return {
    result,
    files,
    definition,
    matched: mismatches.length === 0,
    mismatches,
    runDir,
    approvalUrl,
    figures,
    cutover,
  };
}

/**
 * cutover.fenceSettleSeconds of the rehearsal's plan: the propagation time the drain allows for. The workload's
 * clients poll the pointer file every 100 ms and notice a change within tens of milliseconds; 0.5 s leaves five poll
 * intervals of margin for a loaded machine (the report gives the slowest notice observed beside it).
 */
export const REHEARSAL_FENCE_SETTLE_SECONDS = 0.5;

/** The migration plan of a rehearsal: the real schema, local addresses, short gates. */
export function rehearsalPlan(args: {
  scenario: ScenarioName;
  source: Pick<KafkaCluster, 'bootstrap'>;
  target: Pick<KafkaCluster, 'bootstrap'>;
  pointerFile: string;
  rollbackWindowMinutes: number;
}): Record<string, unknown> & { migrationId: string } {
  const { scenario } = args;
  return {
    migrationId: `rehearsal-${scenario}`.slice(0, 40).replace(/-+$/, ''),
    source: { clusterArn: SOURCE_ARN, auth: { mechanism: 'PLAINTEXT' } },
    target: { type: 'KAFKA', bootstrapServers: [args.target.bootstrap], auth: { mechanism: 'PLAINTEXT' } },
    replication: {
      engine: 'MIRROR_MAKER_2',
      topics: { include: DEFAULT_WORKLOAD_TOPICS.map((t) => t.name.replace(/[.]/g, '\\.')) },
      consumerGroups: { include: DEFAULT_WORKLOAD_TOPICS.map((t) => consumerGroupOf(t.name)) },
      startingPosition: 'EARLIEST',
      canary: true,
    },
    gates: {
      maxLagRecords: 200,
      consecutiveHealthyChecks: 2,
      // The schema's minimum; the rehearsal shortens the Wait states themselves, the evaluations stay real.
      pollIntervalSeconds: 10,
      catchUpTimeoutMinutes: scenario === 'lag-never-converges' ? 1 : 10,
      canaryTimeoutSeconds: 5,
    },
    approval: {
      email: [APPROVER],
      approvers: [APPROVER],
      timeoutMinutes: scenario === 'approval-timeout' ? 1 : 60,
    },
    cutover: {
      switch: { type: 'LOCAL_FILE', path: args.pointerFile },
      rollbackWindowMinutes:
        scenario === 'failure-in-rollback-window'
          ? Math.max(1, args.rollbackWindowMinutes)
          : args.rollbackWindowMinutes,
      drainTimeoutMinutes: 2,
      fenceSettleSeconds: REHEARSAL_FENCE_SETTLE_SECONDS,
    },
  };
}

function errorOf(run: RunResult | undefined): { name: string; message: string } | undefined {
  if (!run) return undefined;
  // The error the Catch routed on: the last failure of a Task state (the terminal Fail states carry their own name).
  for (let i = run.events.length - 1; i >= 0; i--) {
    const e = run.events[i] as {
      type?: string;
      state?: { name?: string; type?: string };
      Error?: string;
      Cause?: string;
    };
    const name = e.state?.name ?? '';
    if (e.type !== 'StateFailed' || !e.Error || name.startsWith('Migration') || name === 'InputRejected') continue;
    return { name: e.Error, message: String(e.Cause ?? '').slice(0, 2000) };
  }
  return undefined;
}

interface BuildArgs {
  scenario: ScenarioName;
  startedAt: string;
  run: RunResult | undefined;
  tally: WorkloadTally | undefined;
  failure: Error | undefined;
  gateChecks: GateCheck[];
  lagSamples: LagSample[];
  latencies: number[];
  switchedAt: string | null;
  windowEndsAt: string | null;
  version: string;
}

type LogEvent = { type: string; timestamp?: number; state?: { name: string } };

function phasesOf(run: RunResult | undefined): RehearsalResult['phases'] {
  if (!run) return [];
  const phases: Array<RehearsalResult['phases'][number]> = [];
  const events = run.events as LogEvent[];
  for (const e of events) {
    if (!e.state || e.timestamp === undefined) continue;
    const name = PHASE_OF[e.state.name] ?? (e.state.name.startsWith('Report') ? 'Report' : undefined);
    if (!name) continue;
    const at = new Date(e.timestamp).toISOString();
    const last = phases.at(-1);
    if (e.type === 'StateEntered') {
      if (last && last.name === name) {
        if (!last.states.includes(e.state.name)) last.states.push(e.state.name);
        delete (last as { end?: string }).end;
      } else {
        if (last && !last.end) last.end = at;
        phases.push({
          name,
          states: [e.state.name],
          start: at,
          status: name === 'Rollback' ? 'ROLLED_BACK' : 'RUNNING',
        });
      }
    } else if (last && last.name === name) {
      last.end = at;
      if (e.type === 'StateFailed' || e.type === 'StateCaught') last.status = 'FAILED';
      else if (last.status === 'RUNNING') last.status = 'SUCCEEDED';
    }
  }
  for (const p of phases) {
    if (p.status === 'RUNNING' && p.end) p.status = 'SUCCEEDED';
  }
  return phases;
}

function buildResult(a: BuildArgs): RehearsalResult {
  const endedAt = new Date().toISOString();
  const visited = a.run?.visited ?? [];
  const finalState = visited.at(-1) ?? 'none';
  const outcome: RehearsalResult['outcome'] =
    a.run?.status === 'SUCCEEDED' ? 'SUCCEEDED' : finalState === 'MigrationRolledBack' ? 'ROLLED_BACK' : 'FAILED';
  const records = a.tally?.records;
  const perTopic = Object.fromEntries(
    Object.entries(records?.perTopic ?? {}).map(([t, r]) => [
      t,
      {
        produced: r.produced,
        consumed: r.consumed,
        lost: r.lost,
        duplicatesConsumed: r.duplicatesConsumed,
        outOfOrder: r.outOfOrder,
        compacted: r.compacted,
      },
    ]),
  );
  const sorted = [...a.latencies].sort((x, y) => x - y);
  const p99 = percentile(sorted, 99);
  const p50 = percentile(sorted, 50);
  const caught = errorOf(a.run);
  const was = (s: string): boolean => visited.includes(s);
  const rollbackStates = ['RollbackCutover', 'RollbackReplication', 'RollbackTarget'].filter(was);
  const pnrEvent = (a.run?.events as LogEvent[] | undefined)?.find(
    (e) => e.type === 'StateEntered' && e.state?.name === 'PointOfNoReturn',
  );
  const passedPnr = pnrEvent?.timestamp !== undefined;
  const lost = records?.lost ?? 0;
  const produced = records?.produced ?? 0;
  const notRun = (evidence: string) => ({ status: 'NOT_RUN' as const, evidence });
  const checks = (gate: string) => a.gateChecks.filter((g) => g.gate === gate);
  const writePause = a.tally?.cutover.writePauseMs ?? null;
  const result: RehearsalResult = {
    outcome,
    finalState,
    scenario: a.scenario,
    migrationId: `rehearsal-${a.scenario}`,
    startedAt: a.startedAt,
    endedAt,
    phases: phasesOf(a.run),
    records: {
      produced,
      lost,
      duplicatesConsumed: records?.duplicatesConsumed ?? 0,
      outOfOrder: records?.outOfOrder ?? 0,
      perTopic,
    },
    cutover: {
      writePauseMs: a.switchedAt ? writePause : null,
      pointerPropagationMs: a.tally?.cutover.pointerPropagationMs ?? null,
      at: a.switchedAt,
    },
    replication: { latencyP99Ms: p99, latencyP50Ms: p50, lagSamples: a.lagSamples },
    gateChecks: a.gateChecks,
    checklist: {
      Compatibility: was('Assess')
        ? {
            status: was('Inventory') && (was('StartReplication') || was('ProvisionTarget')) ? 'PASS' : 'FAIL',
            evidence: `Assessment against a KAFKA target (Kafka ${a.version}) ${was('ProvisionTarget') ? 'found no blocker' : 'stopped the migration'}; the source inventory was taken over the data plane (no MSK control plane locally).`,
          }
        : notRun('The assessment did not run.'),
      'Data copy': a.tally
        ? {
            status: lost === 0 ? 'PASS' : 'FAIL',
            evidence: `${produced.toLocaleString('en')} records acknowledged, ${lost} lost after the consumers read the cluster the pointer names at the end (${a.tally.finalPointer ?? 'unknown'}).${checks('validation').length > 0 ? ` Validation: ${checks('validation').at(-1)?.summary}.` : ''}`,
          }
        : notRun('The workload was not counted.'),
      Offsets: a.switchedAt
        ? {
            status: (records?.duplicatesConsumed ?? 0) === 0 ? 'PASS' : 'WARN',
            evidence: `Consumer groups committed on the target at offsets translated by content; ${records?.duplicatesConsumed ?? 0} records consumed twice.`,
          }
        : notRun('The cutover was not reached: consumer offsets were not translated.'),
      Ordering: a.tally
        ? {
            status: (records?.outOfOrder ?? 0) === 0 ? 'PASS' : 'FAIL',
            evidence: `${records?.outOfOrder ?? 0} records consumed after a later record of their key (ledger: one partition, strict order).`,
          }
        : notRun('The workload was not counted.'),
      Security: {
        status: 'WARN',
        evidence: 'Rehearsal on PLAINTEXT listeners: authentication and ACL-to-IAM mapping are not exercised locally.',
      },
      Observability: {
        status: a.lagSamples.length > 0 && a.gateChecks.length > 0 ? 'PASS' : 'WARN',
        evidence: `Lag sampled every second (${a.lagSamples.length} samples), ${a.gateChecks.length} gate checks recorded, ${sorted.length} replication-latency samples.`,
      },
      Rollback:
        rollbackStates.length > 0
          ? {
              status: finalState === 'MigrationRolledBack' && lost === 0 ? 'PASS' : 'FAIL',
              evidence: `${caught?.name ?? 'A failure'} ran ${rollbackStates.join(' → ')}; the execution ended in ${finalState}; ${lost} records lost.`,
            }
          : notRun('No rollback branch was taken (they run in the fault scenarios).'),
    },
    pointOfNoReturn: {
      passed: passedPnr,
      at:
        passedPnr && pnrEvent?.timestamp !== undefined
          ? new Date(pnrEvent.timestamp).toISOString()
          : a.switchedAt
            ? a.windowEndsAt
            : null,
      note: passedPnr
        ? 'The rollback window closed with the target healthy: after this time nothing switches back automatically (failback is a human decision).'
        : a.switchedAt
          ? 'The rollback window did not close: the pointer could still be reverted automatically.'
          : 'The cutover was not reached.',
    },
    ...(a.failure
      ? { error: { name: a.failure.name, message: a.failure.message.slice(0, 2000) } }
      : caught
        ? { error: { name: caught.name, message: caught.message } }
        : {}),
  };
  return result;
}
