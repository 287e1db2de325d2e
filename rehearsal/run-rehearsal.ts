import './node20-polyfills';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { MemoryAbortRequests } from '../lambdas/adapters/local/memory-abort-requests';
import { MemoryMigrationLocks } from '../lambdas/adapters/local/memory-migration-locks';
import { decide } from '../lambdas/core/approval/service';
import { MigrationPlanSchema, settleSecondsOf } from '../lambdas/core/plan/migration-plan';
import { localStates } from '../lambdas/runtime/local';
import { localExecutionArn, runWorkflow, type RunResult } from './asl-runner';
import { observeEndState, snapshotSource, type EndState } from './end-state';
import { cutoverTimeline, describeTimeline } from './cutover-figures';
import {
  TARGET_ALARM,
  Teardown,
  planAdapters,
  startRehearsalEnvironment,
  type RehearsalEnvironment,
} from './environment';
import { harnessRunDir } from './kafka/cluster';
import { LATEST_KAFKA_VERSION, kafkaVersion } from './kafka/versions';
import { phaseOf } from './phases';
import {
  REHEARSAL_APPROVER,
  REHEARSAL_CLIENT_POLL_INTERVAL_SECONDS,
  REHEARSAL_FENCE_SETTLE_SECONDS,
  rehearsalPlan,
} from './plan';
import { startProbes, type Probes } from './probes';
import { PortCallLog, callsAfterFence } from './recorded-ports';
import { wavePointers } from './wave-pointers';
import type { RehearsalReportFiles, RehearsalResult } from './report';
import {
  SCENARIO_DEFINITIONS,
  type ScenarioContext,
  type ScenarioDefinition,
  type ScenarioHooks,
  type ScenarioName,
} from './scenarios';
import { concludeRehearsal, unawareFigures, type RehearsalCutoverFigures } from './verdict';
import type { WorkloadTally } from './workload';

/**
 * The local rehearsal: two real Kafka clusters (source, target), a live sequence-numbered workload that finds its
 * cluster through a pointer file, MirrorMaker 2 as the replicator, and statemachine/migration.asl.json executed
 * in-process with every Task state served by its task module over the local adapters. It is three parts:
 *
 * - the environment (rehearsal/environment.ts), the probes that observe it (rehearsal/probes.ts) and what the
 *   execution left in it (rehearsal/end-state.ts);
 * - the scenario (rehearsal/scenarios/): its plan changes and the hooks that inject its fault — this runner knows no
 *   scenario by name;
 * - the verdict (rehearsal/verdict.ts) and the report (rehearsal/report/): outcome, final state, records counted by
 *   the workload, write pause, replication latency, phases, the checklist gates, written as report.json/md/html.
 *
 * This module only joins them: one run's context (`openRun`), the execution over the environment (`rehearse`), and
 * `concludeRehearsal` over whatever the run got to.
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
  /**
   * Also run migration-unaware applications (plain clients moved by LOCAL_PROCESS switches, held by a KAFKA_ACL
   * fence), whatever the scenario. @default the scenario's `unawareClients`
   */
  readonly unawareClients?: boolean;
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

export async function runRehearsal(options: RehearsalOptions = {}): Promise<RehearsalRun> {
  const r = openRun(options);
  const teardown = new Teardown(r.log);
  const o: RunProgress = {
    mismatches: [],
    figures: {},
    settleSeconds: REHEARSAL_FENCE_SETTLE_SECONDS,
    switchNoticeSeconds: REHEARSAL_CLIENT_POLL_INTERVAL_SECONDS,
  };
  try {
    r.log(`scenario ${r.scenario}: ${r.definition.fault}`);
    await rehearse(r, teardown, o);
  } catch (err) {
    o.failure = err as Error;
    r.log(`error: ${o.failure.message}`);
  } finally {
    r.log('stopping everything this rehearsal started');
    await teardown.stopAll();
  }
  o.tally ??= o.env?.tally();
  const verdict = await concludeRehearsal({
    definition: r.definition,
    startedAt: r.startedAt,
    version: r.version,
    reportDir: r.reportDir,
    ...o,
  });
  return { ...verdict, definition: r.definition, runDir: r.runDir, approvalUrl: o.approvalUrl };
}

/** One run's fixed facts: its scenario, where it writes, how it logs, the execution's identity and its controls. */
interface RunContext {
  readonly options: RehearsalOptions;
  readonly scenario: ScenarioName;
  readonly definition: ScenarioDefinition;
  readonly log: (line: string) => void;
  readonly startedAt: string;
  readonly version: string;
  readonly runDir: string;
  readonly reportDir: string;
  readonly executionName: string;
  readonly executionArn: string;
  /** The execution's locks and the operator's abort requests (the lock table in AWS). */
  readonly locks: MemoryMigrationLocks;
  readonly aborts: MemoryAbortRequests;
  /** The StopExecution flag the runner reads. */
  readonly stop: { requested: boolean };
  /** Throws when the run was interrupted (Ctrl-C). */
  readonly aborted: () => void;
}

/** What the run has found so far: kept by whatever part got that far, so that a failed run is still judged. */
interface RunProgress {
  env?: RehearsalEnvironment;
  probes?: Probes;
  run?: RunResult;
  tally?: WorkloadTally;
  end?: EndState;
  failure?: Error;
  approvalUrl?: string;
  settleSeconds: number;
  switchNoticeSeconds: number;
  readonly mismatches: string[];
  readonly figures: Record<string, unknown>;
}

function openRun(options: RehearsalOptions): RunContext {
  const scenario: ScenarioName = options.scenario ?? 'happy-path';
  const say = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const began = Date.now();
  const elapsed = (): string => `${((Date.now() - began) / 1000).toFixed(1).padStart(6)}s`;
  const runDir = path.join(harnessRunDir(), `rehearsal-${scenario}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const executionName = `rehearsal-${scenario}-${Date.now()}`;
  return {
    options,
    scenario,
    definition: SCENARIO_DEFINITIONS[scenario],
    log: (line) => say(`[rehearse ${elapsed()}] ${line}`),
    startedAt: new Date(began).toISOString(),
    version: kafkaVersion(options.kafkaVersion ?? LATEST_KAFKA_VERSION),
    runDir,
    reportDir: path.resolve(options.reportDir ?? 'rehearsal-report'),
    executionName,
    executionArn: localExecutionArn(executionName),
    locks: new MemoryMigrationLocks(),
    aborts: new MemoryAbortRequests(),
    stop: { requested: false },
    aborted: () => {
      if (options.signal?.aborted) throw new Error('The rehearsal was interrupted (Ctrl-C).');
    },
  };
}

/** The environment, the scenario's hooks, the execution, what it left behind and the workload's count. */
async function rehearse(r: RunContext, teardown: Teardown, o: RunProgress): Promise<void> {
  const e = (o.env = await startRehearsalEnvironment({
    version: r.version,
    runDir: r.runDir,
    ratePerSecond: r.options.ratePerSecond ?? 100,
    teardown,
    log: r.log,
    aborted: r.aborted,
    unawareClients: r.options.unawareClients ?? r.definition.unawareClients ?? false,
  }));
  const p = (o.probes = startProbes(e, teardown, r.log));
  const hooks = r.definition.inject?.(scenarioContext(r, e, p, teardown, o)) ?? {};
  const { plan, parsedPlan, adapters, pointers, tasks, portCalls } = servePlan(r, e, p, hooks, teardown, o);

  o.settleSeconds = settleSecondsOf(parsedPlan);
  o.switchNoticeSeconds = parsedPlan.cutover.clientPollIntervalSeconds;
  const sourceBefore = await snapshotSource(e.sourcePlane, e.workloadTopics);
  r.log(`executing statemachine/migration.asl.json (migration ${plan.migrationId})`);
  const run = (o.run = await runWorkflow(plan, {
    tasks: tasks.byState,
    waits: WAITS_MS,
    retryPauses: Object.fromEntries(Object.keys(tasks.byState).map((s) => [s, 500])),
    executionName: r.executionName,
    stopRequested: () => r.stop.requested,
  }));
  r.log(`execution ${run.status} in ${run.visited.at(-1) ?? 'none'}${run.error ? ` (${run.error})` : ''}`);
  const timeline = cutoverTimeline(run.events);
  if (timeline) r.log(describeTimeline(timeline));
  // The artifact-store, pointer and abort-check calls of the cutover's steps, ms after the fence (bench:cutover counts
  // the round trips each step waits for and models them at AWS latency).
  const fencedAt = (run.output as { cutover?: { fence?: { fencedAt?: string } } } | undefined)?.cutover?.fence
    ?.fencedAt;
  o.figures['cutoverCalls'] = fencedAt ? callsAfterFence(portCalls.calls, fencedAt) : null;
  tasks.stopTicker();
  await p.stop();

  const identity = { migrationId: plan.migrationId, executionName: r.executionName };
  o.end = await observeEndState({
    run,
    env: e,
    locks: r.locks,
    ...adapters,
    pointerFor: pointers.pointerFor,
    identity,
    sourceBefore,
    log: r.log,
  });
  if (o.end.compensation)
    o.figures['compensation'] = { outcome: o.end.compensation.outcome, notes: o.end.compensation.notes };
  o.figures['writesAfterEnd'] = o.end.writesAfterEnd;
  o.figures['sourceChanges'] = o.end.sourceChanges;

  // The workload stops producing, its consumers read wherever the pointer ends, and it counts.
  r.log('stopping the workload: consumers drain the cluster the pointer names, then the tally');
  o.tally = await e.stopWorkload();
  await hooks.afterRun?.(o.tally);
  const apps = e.unaware?.tally();
  if (apps) o.figures['unaware'] = unawareFigures(apps, o.tally, r.log);
  if (!o.tally.drained) r.log('warning: the consumers did not reach the end offsets within 30 s');
}

/**
 * The plan the scenario runs, and every Task state served over the environment (the plan's fence and switches, the
 * pointer of the wave being served), between the probes' and the scenario's hooks.
 */
function servePlan(
  r: RunContext,
  e: RehearsalEnvironment,
  p: Probes,
  hooks: ScenarioHooks,
  teardown: Teardown,
  o: RunProgress,
) {
  const plan = rehearsalPlan({
    scenario: r.definition,
    source: e.source,
    target: e.target,
    pointerFile: e.pointerFile,
    rollbackWindowMinutes: r.options.rollbackWindowMinutes ?? 1,
    ...(e.unaware ? { unaware: e.unaware } : {}),
  });
  const parsedPlan = MigrationPlanSchema.parse(plan);
  const adapters = planAdapters(e, parsedPlan);
  // A plan in waves: each wave's cutover moves the pointer its clients read (rehearsal/wave-pointers.ts).
  const pointers = wavePointers(parsedPlan, e.pointer);
  // The ports that are a network round trip on AWS, recorded while a cutover step is served (rehearsal/recorded-ports.ts).
  const portCalls = new PortCallLog();
  const served = localStates(
    {
      ...localPortsOf(e),
      artifacts: portCalls.artifacts(e.artifacts),
      pointer: portCalls.pointer(pointers.pointer),
      ...adapters,
      locks: r.locks,
      aborts: portCalls.aborts(r.aborts),
      clock: () => new Date(),
    },
    {
      approvals: {
        services: e.approval.services as typeof e.approval.services & { callback: typeof e.approval.callback },
        onRequested: approvalResponder(r, e, hooks, (link) => (o.approvalUrl ??= link)),
      },
      // The rollback window watches the target's health alarms (a local stand-in for CloudWatch).
      portsFor: { CheckTargetHealth: { lagSignals: e.alarms, healthAlarmNames: [TARGET_ALARM] } },
    },
  );
  const following = Object.fromEntries(
    Object.entries(served).map(([state, handler]) => [
      state,
      (event: unknown) => {
        pointers.follow(event);
        return portCalls.serve(state, () => handler(event));
      },
    ]),
  );
  const tasks = observedTasks(following, { e, p, hooks, log: r.log, aborted: r.aborted });
  teardown.add('progress ticker', () => tasks.stopTicker());
  return { plan, parsedPlan, adapters, pointers, tasks, portCalls };
}

/** What a scenario's hooks may act on in this run (rehearsal/scenarios/definition.ts). */
function scenarioContext(
  r: RunContext,
  e: RehearsalEnvironment,
  p: Probes,
  teardown: Teardown,
  o: RunProgress,
): ScenarioContext {
  return {
    source: e.source,
    target: e.target,
    runDir: r.runDir,
    mirrorMaker: () => e.mirrorMaker(),
    requestAbort: async (reason) => {
      await r.aborts.request({
        executionArn: r.executionArn,
        reason,
        requestedBy: 'arn:aws:iam::123456789012:user/rehearsal-operator',
        requestedAt: new Date().toISOString(),
      });
    },
    stopExecution: () => {
      r.stop.requested = true;
    },
    holdingWrites: () => e.workload.snapshot().holdingWrites,
    freeze: (pid, what) => teardown.freeze(pid, what),
    thaw: (pid, what) => teardown.thaw(pid, what),
    isFrozen: (pid) => teardown.isFrozen(pid),
    setTargetAlarm: (state) => e.alarms.set(state),
    targetAlarmName: TARGET_ALARM,
    lastLag: () => p.observations.lastLag,
    log: r.log,
    addTeardown: (what, stop) => teardown.add(what, stop),
    mismatch: (what) => o.mismatches.push(what),
    figure: (name, value) => {
      o.figures[name] = value;
    },
  };
}

/** The ports every Task state is served over, from the environment (the plan's fence and switches are added). */
function localPortsOf(e: RehearsalEnvironment) {
  return {
    source: e.sourcePlane,
    target: e.targetPlane,
    artifacts: e.artifacts,
    replicator: e.replicator,
    pointer: e.pointer,
    producerActivity: e.producerActivity,
    clientBehaviour: e.clientBehaviour,
  };
}

/**
 * Approvals: the link is printed; the scenario decides, else the run's options (auto-approve as the listed approver,
 * channel LOCAL, or a person on the page).
 */
function approvalResponder(
  r: RunContext,
  e: RehearsalEnvironment,
  hooks: ScenarioHooks,
  linked: (link: string) => void,
): (request: { kind: string; approvalId: string }) => void {
  const local = e.approval;
  return ({ kind, approvalId }) => {
    const mail = local.mailer.sent.at(-1);
    const link = /^Approve: (\S+)$/m.exec(mail?.text ?? '')?.[1] ?? `${local.url}/approvals/${approvalId}`;
    linked(link);
    r.log(`approval ${kind} requested: open ${link}`);
    const decision = hooks.approval?.(kind) ?? (r.options.autoApprove ? { outcome: 'APPROVE' as const } : undefined);
    if (!decision || decision.outcome === 'NONE') {
      r.log(decision?.note ?? `waiting for a person to decide ${kind} on that page (or run with --auto-approve)`);
      return;
    }
    const { outcome } = decision;
    setTimeout(() => {
      void decide(
        {
          approvalId,
          outcome,
          identity: { channel: 'LOCAL', id: REHEARSAL_APPROVER, name: 'rehearsal (auto)' },
          comment: `rehearsal ${r.scenario}`,
          context: { userAgent: 'msk-migrate rehearse' },
        },
        local.services,
      ).then((d) =>
        r.log(
          `approval ${kind}: ${d.status === 'DECIDED' ? `${outcome} by ${REHEARSAL_APPROVER} (LOCAL)` : `refused: ${d.refusal.message}`}`,
        ),
      );
    }, 200);
  };
}

/**
 * Every Task state's function between the probes' and the scenario's hooks, with a progress line at each new phase
 * and a refreshing summary every 5 s between events (one line each: logs stay readable when piped).
 */
function observedTasks(
  served: Readonly<Record<string, (event: unknown) => Promise<unknown>>>,
  a: {
    e: RehearsalEnvironment;
    p: Probes;
    hooks: ScenarioHooks;
    log: (line: string) => void;
    aborted: () => void;
  },
): { byState: Record<string, (event: unknown) => Promise<unknown>>; stopTicker: () => void } {
  const { e, p, hooks, log } = a;
  let phase = 'Start';
  const progress = (sep: string): string => {
    const s = e.workload.snapshot();
    const consumed = Object.values(s.perTopic).reduce((n, t) => n + t.consumed, 0);
    const lag = p.observations.lastLag;
    return `produced ${s.acked}${sep}consumed ${consumed}${lag !== undefined ? `${sep}lag ${lag}` : ''}${s.holdingWrites ? `${sep}writes held` : ''}`;
  };
  const byState: Record<string, (event: unknown) => Promise<unknown>> = {};
  for (const [state, handler] of Object.entries(served)) {
    byState[state] = async (event) => {
      a.aborted();
      const nextPhase = phaseOf(state) ?? phase;
      if (nextPhase !== phase) {
        phase = nextPhase;
        log(`phase ${phase}: ${state} · ${progress(' · ')}`);
      }
      await p.beforeState(state);
      await hooks.beforeState?.(state);
      try {
        const output = await handler(event);
        const o = output as Record<string, unknown>;
        p.afterState(state, o);
        await hooks.afterState?.(state, o);
        return output;
      } catch (err) {
        p.failedState(state, err as Error);
        throw err;
      }
    };
  }
  const ticker = setInterval(() => log(`… ${phase}: ${progress(', ')}`), 5_000);
  return { byState, stopTicker: () => clearInterval(ticker) };
}
