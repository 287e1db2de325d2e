import './node20-polyfills';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { MemoryAbortRequests } from '../lambdas/adapters/local/memory-abort-requests';
import { MemoryMigrationLocks } from '../lambdas/adapters/local/memory-migration-locks';
import { runCompensator, type ExecutionStatusChange } from '../lambdas/compensator/compensate';
import { decide } from '../lambdas/core/approval/service';
import { LOCAL_CLIENT_SWITCHES, LOCAL_FENCES } from '../lambdas/adapters/local/registry';
import {
  MigrationPlanSchema,
  aclFencePrincipals,
  settleSecondsOf,
  type ClientSwitchSpec,
} from '../lambdas/core/plan/migration-plan';
import { canaryTopicName, replicatorName } from '../lambdas/core/replication/naming';
import type { ClientSwitch } from '../lambdas/ports/client-switch';
import { localStates } from '../lambdas/runtime/local';
import { localExecutionArn, runWorkflow, type RunResult } from './asl-runner';
import { replicatorRunning, snapshotSource, sourceChangesSince, writesResumed, type EndState } from './end-state';
import { cutoverTimeline, describeTimeline, lastLookMs } from './cutover-figures';
import { TARGET_ALARM, Teardown, startRehearsalEnvironment, type RehearsalEnvironment } from './environment';
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
import { writeRehearsalReport, type RehearsalReportFiles, type RehearsalResult } from './report';
import {
  SCENARIO_DEFINITIONS,
  type ScenarioContext,
  type ScenarioDefinition,
  type ScenarioHooks,
  type ScenarioName,
} from './scenarios';
import { buildResult, cutoverFigures, judge, type RehearsalCutoverFigures } from './verdict';
import type { WorkloadTally } from './workload';

export { REHEARSAL_FENCE_SETTLE_SECONDS, rehearsalPlan } from './plan';
export type { RehearsalCutoverFigures } from './verdict';

/**
 * The local rehearsal: two real Kafka clusters (source, target), a live sequence-numbered workload that finds its
 * cluster through a pointer file, MirrorMaker 2 as the replicator, and statemachine/migration.asl.json executed
 * in-process with every Task state served by its task module over the local adapters. It is three parts:
 *
 * - the environment (rehearsal/environment.ts) and the probes that observe it (rehearsal/probes.ts);
 * - the scenario (rehearsal/scenarios/): its plan changes and the hooks that inject its fault — this runner knows no
 *   scenario by name;
 * - the verdict (rehearsal/verdict.ts) and the report (rehearsal/report/): outcome, final state, records counted by
 *   the workload, write pause, replication latency, phases, the checklist gates, written as report.json/md/html.
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
  const scenario: ScenarioName = options.scenario ?? 'happy-path';
  const definition: ScenarioDefinition = SCENARIO_DEFINITIONS[scenario];
  const say = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const began = Date.now();
  const startedAt = new Date(began).toISOString();
  const elapsed = (): string => `${((Date.now() - began) / 1000).toFixed(1).padStart(6)}s`;
  const log = (line: string): void => say(`[rehearse ${elapsed()}] ${line}`);
  const version = kafkaVersion(options.kafkaVersion ?? LATEST_KAFKA_VERSION);
  const runDir = path.join(harnessRunDir(), `rehearsal-${scenario}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const reportDir = path.resolve(options.reportDir ?? 'rehearsal-report');

  const teardown = new Teardown(log);
  const mismatches: string[] = [];
  const figures: Record<string, unknown> = {};
  let env: RehearsalEnvironment | undefined;
  let probes: Probes | undefined;
  let run: RunResult | undefined;
  let tally: WorkloadTally | undefined;
  let failure: Error | undefined;
  let approvalUrl: string | undefined;
  let settleSeconds = REHEARSAL_FENCE_SETTLE_SECONDS;
  let switchNoticeSeconds = REHEARSAL_CLIENT_POLL_INTERVAL_SECONDS;
  let end: EndState | undefined;
  // The execution's name and ARN (the abort request names it), its locks and the operator's abort requests (the lock
  // table in AWS), and the StopExecution flag the runner reads.
  const executionName = `rehearsal-${scenario}-${Date.now()}`;
  const executionArn = localExecutionArn(executionName);
  const locks = new MemoryMigrationLocks();
  const aborts = new MemoryAbortRequests();
  let stopRequested = false;
  const aborted = (): void => {
    if (options.signal?.aborted) throw new Error('The rehearsal was interrupted (Ctrl-C).');
  };

  try {
    log(`scenario ${scenario}: ${definition.fault}`);
    env = await startRehearsalEnvironment({
      version,
      runDir,
      ratePerSecond: options.ratePerSecond ?? 100,
      teardown,
      log,
      aborted,
      unawareClients: options.unawareClients ?? definition.unawareClients ?? false,
    });
    const e = env;
    probes = startProbes(e, teardown, log);
    const p = probes;
    const hooks = scenarioHooks(definition, {
      source: e.source,
      target: e.target,
      mirrorMaker: () => e.mirrorMaker(),
      requestAbort: async (reason) => {
        await aborts.request({
          executionArn,
          reason,
          requestedBy: 'arn:aws:iam::123456789012:user/rehearsal-operator',
          requestedAt: new Date().toISOString(),
        });
      },
      stopExecution: () => {
        stopRequested = true;
      },
      holdingWrites: () => e.workload.snapshot().holdingWrites,
      freeze: (pid, what) => teardown.freeze(pid, what),
      thaw: (pid, what) => teardown.thaw(pid, what),
      isFrozen: (pid) => teardown.isFrozen(pid),
      setTargetAlarm: (state) => e.alarms.set(state),
      targetAlarmName: TARGET_ALARM,
      lastLag: () => p.observations.lastLag,
      log,
      mismatch: (what) => mismatches.push(what),
      figure: (name, value) => {
        figures[name] = value;
      },
    });

    // ---- approvals: the scenario decides, else the run's options ----
    const local = e.approval;
    const onApprovalRequested = ({ kind, approvalId }: { kind: string; approvalId: string }): void => {
      const mail = local.mailer.sent.at(-1);
      const link = /^Approve: (\S+)$/m.exec(mail?.text ?? '')?.[1] ?? `${local.url}/approvals/${approvalId}`;
      approvalUrl ??= link;
      log(`approval ${kind} requested: open ${link}`);
      const decision = hooks.approval?.(kind) ?? (options.autoApprove ? { outcome: 'APPROVE' as const } : undefined);
      if (!decision || decision.outcome === 'NONE') {
        log(decision?.note ?? `waiting for a person to decide ${kind} on that page (or run with --auto-approve)`);
        return;
      }
      const { outcome } = decision;
      setTimeout(() => {
        void decide(
          {
            approvalId,
            outcome,
            identity: { channel: 'LOCAL', id: REHEARSAL_APPROVER, name: 'rehearsal (auto)' },
            comment: `rehearsal ${scenario}`,
            context: { userAgent: 'msk-migrate rehearse' },
          },
          local.services,
        ).then((r) =>
          log(
            `approval ${kind}: ${r.status === 'DECIDED' ? `${outcome} by ${REHEARSAL_APPROVER} (LOCAL)` : `refused: ${r.refusal.message}`}`,
          ),
        );
      }, 200);
    };

    const plan = rehearsalPlan({
      scenario: definition,
      source: e.source,
      target: e.target,
      pointerFile: e.pointerFile,
      rollbackWindowMinutes: options.rollbackWindowMinutes ?? 1,
      ...(e.unaware ? { unaware: e.unaware } : {}),
    });
    const parsedPlan = MigrationPlanSchema.parse(plan);
    // The plan's write fence and client switches, from the local runtime's registry (ValidateInput refuses a kind it
    // has none for).
    const fenceSpec = parsedPlan.cutover.fence;
    const writeFence =
      fenceSpec.type === 'KAFKA_ACL'
        ? LOCAL_FENCES.KAFKA_ACL(
            { ...fenceSpec, principals: aclFencePrincipals(parsedPlan.cutover) },
            { source: e.source.connection('write-fence') },
          )
        : undefined;
    const unawareApps = e.unaware?.apps;
    const clientSwitches = unawareApps
      ? (spec: ClientSwitchSpec): ClientSwitch => {
          if (spec.type !== 'LOCAL_PROCESS') throw new Error(`The rehearsal has no ${spec.type} client switch.`);
          return LOCAL_CLIENT_SWITCHES.LOCAL_PROCESS(spec, { supervisor: unawareApps });
        }
      : undefined;

    // ---- every Task state: its task module over the local adapters, between the probes' and scenario's hooks ----
    const served = localStates(
      {
        source: e.sourcePlane,
        target: e.targetPlane,
        artifacts: e.artifacts,
        replicator: e.replicator,
        pointer: e.pointer,
        producerActivity: e.producerActivity,
        clientBehaviour: e.clientBehaviour,
        ...(writeFence ? { writeFence } : {}),
        ...(clientSwitches ? { clientSwitches } : {}),
        locks,
        aborts,
        clock: () => new Date(),
      },
      {
        approvals: {
          services: local.services as typeof local.services & { callback: typeof local.callback },
          onRequested: onApprovalRequested,
        },
        // The rollback window watches the target's health alarms (a local stand-in for CloudWatch).
        portsFor: { CheckTargetHealth: { lagSignals: e.alarms, healthAlarmNames: [TARGET_ALARM] } },
      },
    );
    let phase = 'Start';
    const progress = (sep: string): string => {
      const s = e.workload.snapshot();
      const consumed = Object.values(s.perTopic).reduce((n, t) => n + t.consumed, 0);
      const lag = p.observations.lastLag;
      return `produced ${s.acked}${sep}consumed ${consumed}${lag !== undefined ? `${sep}lag ${lag}` : ''}${s.holdingWrites ? `${sep}writes held` : ''}`;
    };
    const tasks: Record<string, (event: unknown) => Promise<unknown>> = {};
    for (const [state, handler] of Object.entries(served)) {
      tasks[state] = async (event) => {
        aborted();
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
    // A refreshing summary every 5 s between events (one line each: logs stay readable when piped).
    const ticker = setInterval(() => log(`… ${phase}: ${progress(', ')}`), 5_000);
    teardown.add('progress ticker', () => clearInterval(ticker));

    settleSeconds = settleSecondsOf(parsedPlan);
    switchNoticeSeconds = parsedPlan.cutover.clientPollIntervalSeconds;
    const sourceBefore = await snapshotSource(e.sourcePlane, e.workloadTopics);
    log(`executing statemachine/migration.asl.json (migration ${plan.migrationId})`);
    run = await runWorkflow(plan, {
      tasks,
      waits: WAITS_MS,
      retryPauses: Object.fromEntries(Object.keys(tasks).map((s) => [s, 500])),
      executionName,
      stopRequested: () => stopRequested,
    });
    const finalState = run.visited.at(-1) ?? 'none';
    log(`execution ${run.status} in ${finalState}${run.error ? ` (${run.error})` : ''}`);
    const timeline = cutoverTimeline(run.events);
    if (timeline) log(describeTimeline(timeline));
    clearInterval(ticker);
    await p.stop();

    // EventBridge: an execution that ended other than SUCCEEDED is delivered to the compensator (the orchestrator's
    // rule on ABORTED / FAILED / TIMED_OUT); one that reported itself finds nothing more to undo.
    let compensation: EndState['compensation'];
    let compensationError: string | undefined;
    if (run.statusChange) {
      try {
        compensation = await runCompensator(run.statusChange as unknown as ExecutionStatusChange, {
          artifacts: e.artifacts,
          locks,
          pointer: e.pointer,
          ...(writeFence ? { writeFence } : {}),
          replicator: e.replicator,
          lagSignals: e.alarms,
          source: e.sourcePlane,
          target: e.targetPlane,
          now: () => new Date(),
        });
        log(
          `compensator (${run.statusChange.detail.status}): ${compensation.outcome}: ${compensation.notes.join(' ')}`,
        );
        figures['compensation'] = { outcome: compensation.outcome, notes: compensation.notes };
      } catch (err) {
        compensationError = (err as Error).message;
        log(`compensator failed: ${compensationError}`);
      }
    }
    const identity = { migrationId: plan.migrationId, executionName };
    const resumed = await writesResumed(e.workload, { minWrites: 20, waitMs: 15_000 });
    log(
      `after the end: ${resumed.writesAfterEnd} send(s) acknowledged${resumed.stillHolding ? ', producers still holding' : ''}`,
    );
    end = {
      ...(compensation ? { compensation } : {}),
      ...(compensationError ? { compensationError } : {}),
      ...resumed,
      replicatorLeft: await replicatorRunning(e.replicator, replicatorName(identity)),
      sourceChanges: await sourceChangesSince(e.sourcePlane, sourceBefore, canaryTopicName(identity)),
    };
    figures['writesAfterEnd'] = end.writesAfterEnd;
    figures['sourceChanges'] = end.sourceChanges;

    // The workload stops producing, its consumers read wherever the pointer ends, and it counts.
    log('stopping the workload: consumers drain the cluster the pointer names, then the tally');
    tally = await e.stopWorkload();
    const apps = e.unaware?.tally();
    if (apps) {
      const pause = apps.writePauses.reduce((m, w) => Math.max(m, w.pauseMs), 0);
      const theirs = new Set(apps.writePauses);
      const pointerPauses = tally.cutover.writePauses.filter((w) => !theirs.has(w));
      figures['unaware'] = {
        // The pointer workload's longest pause in this same execution, beside the broker-fenced producer's.
        pointerWritePauseMs: pointerPauses.length > 0 ? Math.max(...pointerPauses.map((w) => w.pauseMs)) : null,
        produced: apps.topic.produced,
        lost: apps.topic.lost,
        duplicatesConsumed: apps.topic.duplicatesConsumed,
        writePauseMs: apps.writePauses.length > 0 ? pause : null,
        writePauses: apps.writePauses,
        refusedSends: apps.sendFailures,
        restarts: apps.restarts,
        producerEndedOn: apps.producerCluster ?? null,
        consumerEndedOn: apps.consumerCluster ?? null,
        drained: apps.drained,
      };
      log(
        `unaware applications: ${apps.topic.produced} acknowledged, ${apps.topic.lost} lost, ${apps.topic.duplicatesConsumed} consumed twice; ` +
          `write pause ${apps.writePauses.length > 0 ? `${pause} ms` : 'none (never moved)'}; ${apps.sendFailures} send(s) refused or failed; ` +
          `producer ended on ${apps.producerCluster ?? 'nothing'}, consumer on ${apps.consumerCluster ?? 'nothing'}`,
      );
    }
    if (!tally.drained) log('warning: the consumers did not reach the end offsets within 30 s');
  } catch (err) {
    failure = err as Error;
    log(`error: ${failure.message}`);
  } finally {
    log('stopping everything this rehearsal started');
    await teardown.stopAll();
  }
  tally ??= env?.tally();

  // ---- the verdict and the report ----
  const observations = probes?.observations ?? {
    gateChecks: [],
    lagSamples: [],
    latencies: [],
    switchedAt: null,
    windowEndsAt: null,
    figures: {},
  };
  const result = buildResult({
    scenario,
    startedAt,
    run,
    tally,
    failure,
    observations,
    version,
    ...(end?.compensation ? { compensation: end.compensation } : {}),
  });
  Object.assign(figures, observations.figures);
  if (tally) {
    figures['pointerPropagationMs'] = tally.cutover.pointerPropagationMs ?? null;
    figures['writePauses'] = tally.cutover.writePauses;
    figures['consumedTwice'] = consumedTwice(tally.consumed);
  }
  figures['latencySamples'] = observations.latencies.length;
  // How many looks each paced cutover state took within its visits (bench:cutover's per-look work).
  const cutoverOut = (run?.output ?? {}) as {
    cutover?: {
      drain?: {
        polls?: number;
        checkedAt?: string;
        fencedAt?: string;
        sourceStableSince?: string;
        recordsAfterFence?: string;
      };
    };
  };
  const drain = cutoverOut.cutover?.drain;
  // Where the drain's time went: records written after the fence (producers that had not seen it yet) restart the
  // settle from the look that saw them.
  figures['cutoverDrain'] = drain
    ? {
        looks: drain.polls ?? null,
        recordsAfterFence: drain.recordsAfterFence ?? null,
        stableSinceMsAfterFence:
          drain.sourceStableSince && drain.fencedAt
            ? Date.parse(drain.sourceStableSince) - Date.parse(drain.fencedAt)
            : null,
        passedMsAfterFence:
          drain.checkedAt && drain.fencedAt ? Date.parse(drain.checkedAt) - Date.parse(drain.fencedAt) : null,
      }
    : null;
  figures['cutoverLooks'] = { CheckDrain: cutoverOut.cutover?.drain?.polls ?? null };
  // The work of the drain's passing look (its start → the state's exit): its looks are not evenly spaced (the one at
  // the settle's end comes early), so the visit less the sleeps would not give it.
  figures['cutoverLastLookMs'] = {
    CheckDrain: run ? lastLookMs(run.events, 'CheckDrain', cutoverOut.cutover?.drain?.checkedAt) : null,
  };
  mismatches.push(...judge(definition, result, run, tally, end));
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
    cutover: cutoverFigures({ result, run, tally, settleSeconds, switchNoticeSeconds }),
  };
}

/** The scenario's hooks for this run (none for a scenario that injects nothing). */
function scenarioHooks(definition: ScenarioDefinition, context: ScenarioContext): ScenarioHooks {
  return definition.inject?.(context) ?? {};
}

/**
 * Each record a workload consumer read more than once, with where it read it each time (cluster, partition, offset,
 * and its place in the consumption order): the evidence that tells a re-read after a switch from one after a rebalance.
 */
function consumedTwice(consumed: WorkloadTally['consumed']): Array<{
  topic: string;
  record: string;
  reads: Array<{ cluster: string; partition: number; offset: string; index: number }>;
}> {
  const out: Array<{
    topic: string;
    record: string;
    reads: Array<{ cluster: string; partition: number; offset: string; index: number }>;
  }> = [];
  for (const [topic, records] of Object.entries(consumed)) {
    const reads = new Map<string, Array<{ cluster: string; partition: number; offset: string; index: number }>>();
    records.forEach((r, index) => {
      const id = `${r.key}#${r.seq}`;
      const list = reads.get(id) ?? [];
      list.push({ cluster: r.cluster, partition: r.partition, offset: r.offset, index });
      reads.set(id, list);
    });
    for (const [record, list] of reads)
      if (list.length > 1 && out.length < 20) out.push({ topic, record, reads: list });
  }
  return out;
}
