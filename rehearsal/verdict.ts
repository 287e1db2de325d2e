import type { Compensation } from '../lambdas/compensator/compensate';
import type { RunResult } from './asl-runner';
import {
  cutoverTimeline,
  lastLookMs,
  observedPropagation,
  writePauseBound,
  type CutoverTimeline,
  type ObservedPropagation,
  type WritePauseBound,
} from './cutover-figures';
import { phaseOf } from './phases';
import { noObservations, type Observations } from './probes';
import { writeRehearsalReport, type RehearsalReportFiles, type RehearsalResult } from './report';
import type { EndState } from './end-state';
import { COMPENSATED_FINAL_STATE, type ScenarioDefinition } from './scenarios';
import type { WorkloadTally } from './workload';
import type { UnawareTally } from './workload/unaware';
import type { WritePause } from './workload/tally';

/**
 * The verdict of a rehearsal: the result the report shows (outcome, records, phases, checklist, point of no return)
 * from the execution's event log, the workload's tally and the probes' observations; whether the run went as its
 * scenario defines; the cutover's figures.
 */

export interface RehearsalCutoverFigures {
  /** cutover.fenceSettleSeconds of the plan the rehearsal ran. */
  readonly settleSeconds: number;
  /** cutover.clientPollIntervalSeconds of that plan: the clients' notice of the switch. */
  readonly switchNoticeSeconds: number;
  /** Per state, FenceProducers entered → SwitchToTarget exited; absent when the switch was not reached. */
  readonly timeline?: CutoverTimeline;
  /** The slowest client's notice of the fence and of the switch, as observed. */
  readonly propagation: ObservedPropagation;
  /** write pause ≤ 2 × p99 + settle + switch notice; absent without a write pause or a latency sample. */
  readonly bound?: WritePauseBound;
  /** Every producer write pause across a pointer move (the report's writePauseMs is the longest). */
  readonly writePauses: readonly WritePause[];
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** The error the Catch routed on: the last failure of a Task state (the terminal Fail states carry their own name). */
export function errorOf(run: RunResult | undefined): { name: string; message: string } | undefined {
  if (!run) return undefined;
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

/** States only a Catch reaches: none may run in an execution that was stopped. */
const ROLLBACK_STATES = ['RollbackCutover', 'RollbackReplication', 'RollbackTarget', 'ReportRollback'];

/**
 * What did not go as the scenario defines; empty when the run matches. Besides the scenario's own end (final state,
 * outcome, error), every run must end with nothing lost and, once the compensator ran for an execution that ended
 * other than SUCCEEDED, with the producers writing again, this execution's replicator gone and the source untouched.
 */
export function judge(
  definition: ScenarioDefinition,
  result: RehearsalResult,
  run: RunResult | undefined,
  tally: WorkloadTally | undefined,
  end?: EndState,
): string[] {
  const mismatches: string[] = [];
  if (!run && result.error)
    mismatches.push(`the run did not complete: ${result.error.name}: ${result.error.message.slice(0, 500)}`);
  if (definition.stopped && run) {
    const { after, before } = definition.stopped;
    if (run.status !== 'ABORTED') mismatches.push(`execution ${run.status}, expected ABORTED (stopped)`);
    if (!run.visited.includes(after)) mismatches.push(`stopped before ${after} ran`);
    if (run.visited.includes(before)) mismatches.push(`${before} ran before the stop took effect`);
    const caughtStates = ROLLBACK_STATES.filter((s) => run.visited.includes(s));
    if (caughtStates.length > 0) mismatches.push(`a Catch ran in a stopped execution: ${caughtStates.join(', ')}`);
    if (!end?.compensation) mismatches.push('the compensator did not run');
    else if (!end.compensation.reportKey) mismatches.push('the compensator wrote no report');
  }
  if (end) {
    if (end.compensationError) mismatches.push(`the compensator failed: ${end.compensationError}`);
    if (end.stillHolding) mismatches.push('the producers still hold their writes at the end (a fence was left)');
    else if (end.writesAfterEnd === 0) mismatches.push('the producers wrote nothing after the end');
    if (end.replicatorLeft && !definition.replicationKept)
      mismatches.push("this execution's replicator is still running at the end");
    if (!end.replicatorLeft && definition.replicationKept)
      mismatches.push('the replicator kept for consumers-first readers is gone at the end');
    for (const change of end.sourceChanges) mismatches.push(`source changed: ${change}`);
  }
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
    mismatches.push(
      `error ${caught?.name ?? 'none'}${caught ? ` (${caught.message.slice(0, 300)})` : ''}, expected ${definition.error}`,
    );
  if (definition.errorMessage && !definition.errorMessage.test(caught?.message ?? ''))
    mismatches.push(
      `error message "${(caught?.message ?? '').slice(0, 300)}" does not match ${String(definition.errorMessage)}`,
    );
  return mismatches;
}

export function cutoverFigures(args: {
  result: RehearsalResult;
  run: RunResult | undefined;
  tally: WorkloadTally | undefined;
  settleSeconds: number;
  /** The clients' declared poll interval (cutover.clientPollIntervalSeconds): their notice of the switch. */
  switchNoticeSeconds: number;
}): RehearsalCutoverFigures {
  const { result, run, tally, settleSeconds, switchNoticeSeconds } = args;
  const propagation = observedPropagation(tally?.cutover.propagation ?? []);
  const timeline = run ? cutoverTimeline(run.events) : undefined;
  const bound = writePauseBound({
    writePauseMs: result.cutover.writePauseMs,
    latencyP99Ms: result.replication.latencyP99Ms,
    settleSeconds,
    switchNoticeSeconds,
    fenceNoticeMs: propagation.fenceMs,
  });
  return {
    settleSeconds,
    switchNoticeSeconds,
    propagation,
    writePauses: tally?.cutover.writePauses ?? [],
    ...(timeline ? { timeline } : {}),
    ...(bound ? { bound } : {}),
  };
}

type LogEvent = { type: string; timestamp?: number; state?: { name: string } };

function phasesOf(run: RunResult | undefined): RehearsalResult['phases'] {
  if (!run) return [];
  const phases: Array<RehearsalResult['phases'][number]> = [];
  const events = run.events as LogEvent[];
  for (const e of events) {
    if (!e.state || e.timestamp === undefined) continue;
    const name = phaseOf(e.state.name);
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

export interface ResultInputs {
  /** The compensator's answer, when the execution ended other than SUCCEEDED (EventBridge's delivery). */
  readonly compensation?: Pick<Compensation, 'outcome' | 'notes'>;
  readonly scenario: string;
  readonly startedAt: string;
  readonly run: RunResult | undefined;
  readonly tally: WorkloadTally | undefined;
  readonly failure: Error | undefined;
  readonly observations: Pick<Observations, 'gateChecks' | 'lagSamples' | 'latencies' | 'switchedAt' | 'windowEndsAt'>;
  readonly version: string;
}

export function buildResult(a: ResultInputs): RehearsalResult {
  const { gateChecks, lagSamples, latencies, switchedAt } = a.observations;
  const ending = endingOf(a);
  const sorted = [...latencies].sort((x, y) => x - y);
  const caught = errorOf(a.run);
  return {
    outcome: ending.outcome,
    finalState: ending.finalState,
    scenario: a.scenario,
    migrationId: `rehearsal-${a.scenario}`,
    startedAt: a.startedAt,
    endedAt: new Date().toISOString(),
    phases: phasesOf(a.run),
    records: recordsOf(a.tally),
    cutover: {
      writePauseMs: switchedAt ? (a.tally?.cutover.writePauseMs ?? null) : null,
      pointerPropagationMs: a.tally?.cutover.pointerPropagationMs ?? null,
      at: switchedAt,
    },
    replication: { latencyP99Ms: percentile(sorted, 99), latencyP50Ms: percentile(sorted, 50), lagSamples },
    gateChecks,
    checklist: checklistOf(a, ending, caught),
    pointOfNoReturn: pointOfNoReturnOf(a),
    ...(a.failure
      ? { error: { name: a.failure.name, message: a.failure.message.slice(0, 2000) } }
      : caught
        ? { error: { name: caught.name, message: caught.message } }
        : {}),
  };
}

/** How the execution ended: a stopped one ends in no ASL state, so what the compensator made of it is the outcome. */
interface Ending {
  readonly stopped: boolean;
  readonly finalState: string;
  readonly outcome: RehearsalResult['outcome'];
}

function endingOf(a: Pick<ResultInputs, 'run' | 'compensation'>): Ending {
  const stopped = a.run?.status === 'ABORTED';
  const finalState = stopped && a.compensation ? COMPENSATED_FINAL_STATE : (a.run?.visited.at(-1) ?? 'none');
  const outcome: RehearsalResult['outcome'] =
    a.run?.status === 'SUCCEEDED'
      ? 'SUCCEEDED'
      : finalState === 'MigrationRolledBack' || (stopped && a.compensation?.outcome === 'ROLLED_BACK')
        ? 'ROLLED_BACK'
        : 'FAILED';
  return { stopped, finalState, outcome };
}

/** The workload's counts, in total and per topic (zeros when it was not counted). */
function recordsOf(tally: WorkloadTally | undefined): RehearsalResult['records'] {
  const records = tally?.records;
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
  return {
    produced: records?.produced ?? 0,
    lost: records?.lost ?? 0,
    duplicatesConsumed: records?.duplicatesConsumed ?? 0,
    outOfOrder: records?.outOfOrder ?? 0,
    perTopic,
  };
}

/** The checklist's gates, each with its evidence from the run, the workload's counts and the observations. */
function checklistOf(
  a: ResultInputs,
  ending: Ending,
  caught: ReturnType<typeof errorOf>,
): RehearsalResult['checklist'] {
  const { gateChecks, lagSamples, latencies, switchedAt } = a.observations;
  const visited = a.run?.visited ?? [];
  const was = (s: string): boolean => visited.includes(s);
  const records = a.tally?.records;
  const lost = records?.lost ?? 0;
  const produced = records?.produced ?? 0;
  const notRun = (evidence: string) => ({ status: 'NOT_RUN' as const, evidence });
  const validations = gateChecks.filter((g) => g.gate === 'validation');
  const rollbackStates = ['RollbackCutover', 'RollbackReplication', 'RollbackTarget'].filter(was);
  return {
    Compatibility: was('Assess')
      ? {
          status: was('Inventory') && (was('StartReplication') || was('ProvisionTarget')) ? 'PASS' : 'FAIL',
          evidence: `Assessment against a KAFKA target (Kafka ${a.version}) ${was('ProvisionTarget') ? 'found no blocker' : 'stopped the migration'}; the source inventory was taken over the data plane (no MSK control plane locally).`,
        }
      : notRun('The assessment did not run.'),
    'Data copy': a.tally
      ? {
          status: lost === 0 ? 'PASS' : 'FAIL',
          evidence: `${produced.toLocaleString('en')} records acknowledged, ${lost} lost after the consumers read the cluster the pointer names at the end (${a.tally.finalPointer ?? 'unknown'}).${validations.length > 0 ? ` Validation: ${validations.at(-1)?.summary}.` : ''}`,
        }
      : notRun('The workload was not counted.'),
    Offsets: switchedAt
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
      status: lagSamples.length > 0 && gateChecks.length > 0 ? 'PASS' : 'WARN',
      evidence: `Lag sampled every second (${lagSamples.length} samples), ${gateChecks.length} gate checks recorded, ${latencies.length} replication-latency samples.`,
    },
    Rollback:
      ending.stopped && a.compensation
        ? {
            status: a.compensation.outcome === 'ROLLED_BACK' && lost === 0 ? 'PASS' : 'FAIL',
            evidence: `The execution was stopped (no Catch ran at ${visited.at(-1) ?? 'its start'}); the compensator, invoked with the ABORTED status change: ${a.compensation.outcome}. ${a.compensation.notes.join(' ')} ${lost} records lost.`,
          }
        : rollbackStates.length > 0
          ? {
              status: ending.finalState === 'MigrationRolledBack' && lost === 0 ? 'PASS' : 'FAIL',
              evidence: `${caught?.name ?? 'A failure'} ran ${rollbackStates.join(' → ')}; the execution ended in ${ending.finalState}; ${lost} records lost.`,
            }
          : notRun('No rollback branch was taken (they run in the fault scenarios).'),
  };
}

/** When the execution passed the point of no return (its PointOfNoReturn state), or when the window would have closed. */
function pointOfNoReturnOf(a: Pick<ResultInputs, 'run' | 'observations'>): RehearsalResult['pointOfNoReturn'] {
  const { switchedAt, windowEndsAt } = a.observations;
  const pnrEvent = (a.run?.events as LogEvent[] | undefined)?.find(
    (e) => e.type === 'StateEntered' && e.state?.name === 'PointOfNoReturn',
  );
  const passed = pnrEvent?.timestamp !== undefined;
  return {
    passed,
    at:
      passed && pnrEvent?.timestamp !== undefined
        ? new Date(pnrEvent.timestamp).toISOString()
        : switchedAt
          ? windowEndsAt
          : null,
    note: passed
      ? 'The rollback window closed with the target healthy: after this time nothing switches back automatically (failback is a human decision).'
      : switchedAt
        ? 'The rollback window did not close: the pointer could still be reverted automatically.'
        : 'The cutover was not reached.',
  };
}

/** No probe ran (the run failed before the environment was up): nothing was observed. */
const NOTHING_OBSERVED: Observations = noObservations();

/** Whatever the run got to: each part is absent when the run failed before it. */
export interface RehearsalEvidence {
  readonly definition: ScenarioDefinition;
  readonly startedAt: string;
  readonly version: string;
  readonly reportDir: string;
  readonly probes?: { readonly observations: Observations };
  readonly run?: RunResult;
  readonly tally?: WorkloadTally;
  readonly end?: EndState;
  readonly failure?: Error;
  readonly settleSeconds: number;
  readonly switchNoticeSeconds: number;
  /** What the scenario's hooks found wrong, and the figures they and the run recorded so far. */
  readonly mismatches: readonly string[];
  readonly figures: Readonly<Record<string, unknown>>;
}

export interface RehearsalVerdict {
  readonly result: RehearsalResult;
  readonly files: RehearsalReportFiles;
  readonly matched: boolean;
  readonly mismatches: readonly string[];
  readonly figures: Readonly<Record<string, unknown>>;
  readonly cutover: RehearsalCutoverFigures;
}

/** The result, the run's figures, whether it went as its scenario defines, and the report written to `reportDir`. */
export async function concludeRehearsal(a: RehearsalEvidence): Promise<RehearsalVerdict> {
  const { run, tally, end } = a;
  const observations = a.probes?.observations ?? NOTHING_OBSERVED;
  const result = buildResult({
    scenario: a.definition.name,
    startedAt: a.startedAt,
    run,
    tally,
    failure: a.failure,
    observations,
    version: a.version,
    ...(end?.compensation ? { compensation: end.compensation } : {}),
  });
  const figures = { ...a.figures, ...observations.figures, ...runFigures(run, tally, observations) };
  const mismatches = [...a.mismatches, ...judge(a.definition, result, run, tally, end)];
  const files = await writeRehearsalReport(result, a.reportDir);
  const { settleSeconds, switchNoticeSeconds } = a;
  return {
    result,
    files,
    matched: mismatches.length === 0,
    mismatches,
    figures,
    cutover: cutoverFigures({ result, run, tally, settleSeconds, switchNoticeSeconds }),
  };
}

/** The figures the report's schema has no field for: pointer propagation, write pauses, records read twice, drain. */
function runFigures(
  run: RunResult | undefined,
  tally: WorkloadTally | undefined,
  observations: Observations,
): Record<string, unknown> {
  const figures: Record<string, unknown> = {};
  if (tally) {
    figures['pointerPropagationMs'] = tally.cutover.pointerPropagationMs ?? null;
    figures['writePauses'] = tally.cutover.writePauses;
    figures['consumedTwice'] = consumedTwice(tally.consumed);
  }
  figures['latencySamples'] = observations.latencies.length;
  // How many looks each paced cutover state took within its visits (bench:cutover's per-look work).
  const drain = (run?.output as { cutover?: { drain?: DrainOutput } } | undefined)?.cutover?.drain;
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
  figures['cutoverLooks'] = { CheckDrain: drain?.polls ?? null };
  // The work of the drain's passing look (its start → the state's exit): its looks are not evenly spaced (the one at
  // the settle's end comes early), so the visit less the sleeps would not give it.
  figures['cutoverLastLookMs'] = {
    CheckDrain: run ? lastLookMs(run.events, 'CheckDrain', drain?.checkedAt) : null,
  };
  // The one-invocation Cutover: each step's work from its own start and end (the drain's: its passing look's).
  const oneInvocation = (run?.output as { cutover?: { oneInvocation?: OneInvocationOutput } } | undefined)?.cutover
    ?.oneInvocation;
  const steps = oneInvocation?.steps;
  const during = oneInvocation?.offsetsDuringDrain;
  figures['cutoverStepMs'] = steps ? oneInvocationStepMs(steps, drain, during) : null;
  // Each step's start and end, ms after the fence (bench:cutover prints where fence → switch went).
  const fencedAt = drain?.fencedAt ? Date.parse(drain.fencedAt) : undefined;
  figures['cutoverSteps'] =
    steps && fencedAt !== undefined
      ? {
          steps: steps.map((s) => ({
            step: s.step,
            fromMs: Date.parse(s.startedAt) - fencedAt,
            toMs: Date.parse(s.endedAt) - fencedAt,
          })),
          offsetsDuringDrain: during
            ? {
                status: during.status,
                ...(during.lookedAt ? { lookedAtMs: Date.parse(during.lookedAt) - fencedAt } : {}),
                ...(during.reason ? { reason: during.reason } : {}),
              }
            : null,
        }
      : null;
  return figures;
}

/**
 * The one-invocation Cutover's work per step (ms), from each step's start and end: the drain's from its passing look's
 * start (`drain.checkedAt`), the offsets beside the drain from their committing look's (none where they were left to
 * the step after the drain, whose own figure then holds the work). A drain that ended caught up has its record
 * replaced by ConfirmDrain's, whose look comes after the step: its caught-up look's start is not in the record, and
 * the drain's figure is left out (bench:cutover's model then takes the reference one).
 */
export function oneInvocationStepMs(
  steps: readonly OneInvocationStep[],
  drain: Pick<DrainOutput, 'checkedAt'> | undefined,
  during: OneInvocationOutput['offsetsDuringDrain'],
): Record<string, number> {
  const confirmed = (s: OneInvocationStep): boolean =>
    s.step === 'CheckDrain' && drain?.checkedAt !== undefined && Date.parse(drain.checkedAt) > Date.parse(s.endedAt);
  return Object.fromEntries(
    steps
      .filter((s) => !confirmed(s))
      .map((s) => [
        s.step,
        Date.parse(s.endedAt) -
          (s.step === 'CheckDrain' && drain?.checkedAt
            ? Date.parse(drain.checkedAt)
            : s.step === 'OffsetsDuringDrain'
              ? during?.lookedAt
                ? Date.parse(during.lookedAt)
                : Date.parse(s.endedAt)
              : Date.parse(s.startedAt)),
      ]),
  );
}

/** The parts of `$.cutover.oneInvocation` the figures read. */
interface OneInvocationOutput {
  steps?: OneInvocationStep[];
  offsetsDuringDrain?: { status: string; reason?: string; lookedAt?: string };
}

/** One step of the one-invocation Cutover (`$.cutover.oneInvocation.steps`). */
interface OneInvocationStep {
  step: string;
  startedAt: string;
  endedAt: string;
}

/** The parts of the execution's `$.cutover.drain` the figures read. */
interface DrainOutput {
  polls?: number;
  checkedAt?: string;
  fencedAt?: string;
  sourceStableSince?: string;
  recordsAfterFence?: string;
}

type RecordRead = { cluster: string; partition: number; offset: string; index: number };

/**
 * Each record a workload consumer read more than once, with where it read it each time (cluster, partition, offset,
 * and its place in the consumption order): the evidence that tells a re-read after a switch from one after a rebalance.
 */
function consumedTwice(
  consumed: WorkloadTally['consumed'],
): Array<{ topic: string; record: string; reads: RecordRead[] }> {
  const out: Array<{ topic: string; record: string; reads: RecordRead[] }> = [];
  for (const [topic, records] of Object.entries(consumed)) {
    const reads = new Map<string, RecordRead[]>();
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

/**
 * The migration-unaware applications' figures (moved by LOCAL_PROCESS switches, held by a KAFKA_ACL fence), beside
 * the pointer workload's longest pause in the same execution; logged in one line.
 */
export function unawareFigures(
  apps: UnawareTally,
  tally: WorkloadTally,
  log: (line: string) => void,
): Record<string, unknown> {
  const pause = apps.writePauses.reduce((m, w) => Math.max(m, w.pauseMs), 0);
  const theirs = new Set(apps.writePauses);
  const pointerPauses = tally.cutover.writePauses.filter((w) => !theirs.has(w));
  log(
    `unaware applications: ${apps.topic.produced} acknowledged, ${apps.topic.lost} lost, ${apps.topic.duplicatesConsumed} consumed twice; ` +
      `write pause ${apps.writePauses.length > 0 ? `${pause} ms` : 'none (never moved)'}; ${apps.sendFailures} send(s) refused or failed; ` +
      `producer ended on ${apps.producerCluster ?? 'nothing'}, consumer on ${apps.consumerCluster ?? 'nothing'}`,
  );
  return {
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
}
