import type { Compensation } from '../lambdas/compensator/compensate';
import type { RunResult } from './asl-runner';
import {
  cutoverTimeline,
  observedPropagation,
  writePauseBound,
  type CutoverTimeline,
  type ObservedPropagation,
  type WritePauseBound,
} from './cutover-figures';
import { phaseOf } from './phases';
import type { Observations } from './probes';
import type { RehearsalResult } from './report';
import type { EndState } from './end-state';
import { COMPENSATED_FINAL_STATE, type ScenarioDefinition } from './scenarios';
import type { WorkloadTally } from './workload';
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
    if (end.replicatorLeft) mismatches.push("this execution's replicator is still running at the end");
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
  const { gateChecks, lagSamples, latencies, switchedAt, windowEndsAt } = a.observations;
  const endedAt = new Date().toISOString();
  const visited = a.run?.visited ?? [];
  // A stopped execution ends in no ASL state: what the compensator made of it is the outcome.
  const stopped = a.run?.status === 'ABORTED';
  const finalState = stopped && a.compensation ? COMPENSATED_FINAL_STATE : (visited.at(-1) ?? 'none');
  const outcome: RehearsalResult['outcome'] =
    a.run?.status === 'SUCCEEDED'
      ? 'SUCCEEDED'
      : finalState === 'MigrationRolledBack' || (stopped && a.compensation?.outcome === 'ROLLED_BACK')
        ? 'ROLLED_BACK'
        : 'FAILED';
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
  const sorted = [...latencies].sort((x, y) => x - y);
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
  const checks = (gate: string) => gateChecks.filter((g) => g.gate === gate);
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
      writePauseMs: switchedAt ? writePause : null,
      pointerPropagationMs: a.tally?.cutover.pointerPropagationMs ?? null,
      at: switchedAt,
    },
    replication: { latencyP99Ms: p99, latencyP50Ms: p50, lagSamples },
    gateChecks,
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
        evidence: `Lag sampled every second (${lagSamples.length} samples), ${gateChecks.length} gate checks recorded, ${sorted.length} replication-latency samples.`,
      },
      Rollback:
        stopped && a.compensation
          ? {
              status: a.compensation.outcome === 'ROLLED_BACK' && lost === 0 ? 'PASS' : 'FAIL',
              evidence: `The execution was stopped (no Catch ran at ${visited.at(-1) ?? 'its start'}); the compensator, invoked with the ABORTED status change: ${a.compensation.outcome}. ${a.compensation.notes.join(' ')} ${lost} records lost.`,
            }
          : rollbackStates.length > 0
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
          : switchedAt
            ? windowEndsAt
            : null,
      note: passedPnr
        ? 'The rollback window closed with the target healthy: after this time nothing switches back automatically (failback is a human decision).'
        : switchedAt
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
