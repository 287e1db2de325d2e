import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AWS_TIMINGS,
  PATH_STEPS,
  POINTER_REQUESTS_PER_CALL,
  REFERENCE_ROUND_TRIPS,
  REFERENCE_WORK_MS,
  describePauseModel,
  fullPathKey,
  planPauseModel,
  type FunctionProfile,
  type OffsetsPath,
  type PauseModel,
  type StepRoundTrips,
} from '../lambdas/core/cutover/pause-model';
import { MigrationPlanSchema, type MigrationPlan } from '../lambdas/core/plan/migration-plan';
import { FUNCTIONS, type FunctionName } from '../lambdas/workflow/catalogue';
import type { CutoverTimeline } from '../rehearsal/cutover-figures';
import type { CallAfterFence, RecordedPort } from '../rehearsal/recorded-ports';
import { measureBundles } from './bundle-figures';

/**
 * What `npm run bench:cutover` models beside the rehearsal's local pause: the write pause the deployed workflow would
 * impose on AWS, for the default plan (every cutover field at its default: examples/msk-to-serverless-replicator.json)
 * with a pointer fence and with a broker fence (KAFKA_ACL), and for each example in examples/. The model
 * (lambdas/core/cutover/pause-model.ts) walks the real ASL with each plan's Wait seconds, and takes from this run the
 * replication p99 and each cutover Task's work, and from the bundles built here each function's import time.
 */

const ROOT = path.resolve(__dirname, '..');
export const CUTOVER_FUNCTIONS: readonly FunctionName[] = [
  'FenceProducers',
  'CheckDrain',
  'CommitConsumerOffsets',
  'SwitchToTarget',
];

export function readDefinition(): unknown {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'statemachine/migration.asl.json'), 'utf8')) as unknown;
}

export interface NamedPlan {
  readonly name: string;
  readonly plan: MigrationPlan;
}

/** The default plan (pointer and broker fence) and every example. */
export function modeledPlans(): NamedPlan[] {
  const dir = path.join(ROOT, 'examples');
  const raw = (file: string): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
  const defaults = raw('msk-to-serverless-replicator.json');
  const withBrokerFence = {
    ...defaults,
    cutover: { ...(defaults['cutover'] as object), fence: { type: 'KAFKA_ACL' } },
  };
  return [
    { name: 'default plan, pointer fence', plan: MigrationPlanSchema.parse(defaults) },
    { name: 'default plan, broker fence (KAFKA_ACL)', plan: MigrationPlanSchema.parse(withBrokerFence) },
    ...fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ name: `examples/${f}`, plan: MigrationPlanSchema.parse(raw(f)) })),
  ];
}

/** Import time and memory of the cutover functions, from bundles built now. */
export function measuredFunctions(): Record<string, FunctionProfile> {
  return Object.fromEntries(
    measureBundles(CUTOVER_FUNCTIONS).map((b) => [b.fn, { importMs: b.importMs, memoryMb: FUNCTIONS[b.fn].memoryMb }]),
  );
}

/**
 * Mean work of one look of each cutover Task state, from the rehearsal's timeline: a visit's time divided by the looks
 * it took where the state looks again within its invocation (`looks`, e.g. CheckDrain's polls), less the pacer's
 * sleeps between them (`everyMs`); where the work of the state's last look is measured (`lastLookMs`, its start to
 * the state's exit), that instead — the look at the settle's end comes early, so the sleeps are not all `everyMs`.
 */
export function workOf(
  timeline: CutoverTimeline | undefined,
  looks: Readonly<Record<string, number | null | undefined>> = {},
  everyMs = 0,
  lastLookMs: Readonly<Record<string, number | null | undefined>> = {},
): Record<string, number> {
  const work: Record<string, number> = {};
  for (const s of timeline?.states ?? []) {
    if (!(CUTOVER_FUNCTIONS as readonly string[]).includes(s.state) || s.visits === 0) continue;
    const last = lastLookMs[s.state];
    if (last !== null && last !== undefined) {
      work[s.state] = Math.max(1, Math.round(last));
      continue;
    }
    const n = Math.max(s.visits, looks[s.state] ?? s.visits);
    work[s.state] = Math.max(1, Math.round((s.ms - (n - s.visits) * everyMs) / n));
  }
  return work;
}

export interface ModeledPause {
  readonly name: string;
  readonly model: PauseModel;
  /** The plan's fence is enforced by the source (KAFKA_ACL, IAM_POLICY), not by the pointer alone. */
  readonly brokerFence: boolean;
}

export function modelPauses(args: {
  readonly definition: unknown;
  readonly plans: readonly NamedPlan[];
  readonly functions: Record<string, FunctionProfile>;
  readonly workMs: Record<string, number>;
  readonly replicationP99Ms: number;
  /** The round trips counted in the run (stepRoundTrips); the model's reference counts without them. */
  readonly roundTrips?: Readonly<Record<string, StepRoundTrips>>;
}): ModeledPause[] {
  return args.plans.map(({ name, plan }) => ({
    name,
    brokerFence: plan.cutover.fence.type !== 'POINTER',
    model: planPauseModel(plan, args.definition, {
      functions: args.functions,
      workMs: args.workMs,
      replicationP99Ms: args.replicationP99Ms,
      ...(args.roundTrips ? { roundTrips: args.roundTrips } : {}),
    }),
  }));
}

/** One step of the one-invocation Cutover, ms after the fence (the rehearsal's `cutoverSteps`). */
interface StepSpan {
  readonly step: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** A step's critical stretch (ms after the fence) and the round trips it waits for there. */
export interface StepStretch extends StepRoundTrips {
  readonly step: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The calls one after the other, overlapping ones joined by `|`: `getJson putJson|putJson pointer.set`. */
  readonly sequence: string;
}

/** Step boundaries are whole milliseconds (ISO times), calls tenths: a call this close to a boundary is inside it. */
const BOUNDARY_MS = 1;

/**
 * The round trips each cutover step waits for one after the other on its critical stretch, from the rehearsal's
 * recorded calls (rehearsal/recorded-ports.ts):
 * - FenceProducers from the start of its pointer set to its end (the set is one write at the revision read before
 *   the intent: the pause starts with it; a retried set reads first);
 * - CheckDrain from its passing look's start (`drainPassedMs`), OffsetsDuringDrain from its committing look's start;
 * - CommitConsumerOffsets, and the caught-up drain's PrepareSwitch and ConfirmDrain, whole;
 * - SwitchToTarget from its start to the end of its pointer set (the switch; what follows holds nobody). Where the
 *   run's switch prepared itself before its set (`splitSwitchAtSet`: a FULL run without a PrepareSwitch step), that
 *   stretch is split at the set's start into PrepareSwitch (its journal read, snapshot and INTENT) and SwitchToTarget
 *   (the set alone), as the caught-up drain runs them (byOffsetsPath joins them again for the FULL switch).
 * A CheckDrain whose drain record's look came after the step (the caught-up drain's: the record is ConfirmDrain's)
 * has no passing look in it: left out.
 * Calls that overlap count once (their intervals merged): the costliest of them on AWS, a pointer `set` as
 * the requests it made (`requests`: one for a set at an expected revision) or else
 * POINTER_REQUESTS_PER_CALL. `localCallMs` is the merged calls' local time. A call is a step's when the step
 * awaited it (`step`, from the stack: the drain's looks and the offsets' beside them run at the same time) and it
 * falls in the stretch; one the stack named no step for, by time alone.
 */
export function stepRoundTrips(a: {
  readonly steps: readonly StepSpan[];
  readonly calls: readonly CallAfterFence[];
  readonly drainPassedMs?: number | null;
  readonly offsetsLookedAtMs?: number | null;
  readonly splitSwitchAtSet?: boolean;
}): StepStretch[] {
  const cost: Readonly<Record<RecordedPort, number>> = {
    artifacts: AWS_TIMINGS.artifactRoundTripMs,
    pointer: AWS_TIMINGS.pointerRoundTripMs,
    aborts: AWS_TIMINGS.abortCheckRoundTripMs,
  };
  const requests = (c: CallAfterFence): number =>
    c.requests ?? (c.port === 'pointer' ? (POINTER_REQUESTS_PER_CALL[c.call] ?? 1) : 1);
  // A boundary taken from a call's own time is exact; one from a step's ISO time is whole milliseconds.
  const within = (c: CallAfterFence, from: number, to: number, exact = { from: false, to: false }): boolean =>
    c.fromMs >= from - (exact.from ? 0 : BOUNDARY_MS) && c.toMs <= to + (exact.to ? 0 : BOUNDARY_MS);
  /** The calls of a stretch, one after the other (overlapping ones merged: the costliest counts). */
  const stretch = (step: string, fromMs: number, toMs: number, calls: readonly CallAfterFence[]): StepStretch => {
    const trips = { artifacts: 0, pointer: 0, aborts: 0 };
    let localCallMs = 0;
    const sequence: string[] = [];
    const sorted = [...calls].sort((x, y) => x.fromMs - y.fromMs);
    for (let i = 0; i < sorted.length;) {
      const group = [sorted[i] as CallAfterFence];
      let end = group[0]?.toMs ?? 0;
      for (i++; i < sorted.length && (sorted[i] as CallAfterFence).fromMs < end; i++) {
        group.push(sorted[i] as CallAfterFence);
        end = Math.max(end, (sorted[i] as CallAfterFence).toMs);
      }
      const costliest = group.reduce((x, y) => (requests(y) * cost[y.port] > requests(x) * cost[x.port] ? y : x));
      trips[costliest.port] += requests(costliest);
      localCallMs += end - (group[0]?.fromMs ?? end);
      sequence.push(group.map((c) => (c.port === 'artifacts' ? c.call : `${c.port}.${c.call}`)).join('|'));
    }
    return {
      step,
      fromMs,
      toMs,
      ...trips,
      localCallMs: Math.round(localCallMs * 10) / 10,
      sequence: sequence.join(' '),
    };
  };
  const preparedApart = a.steps.some((s) => s.step === 'PrepareSwitch');
  const stretches: StepStretch[] = [];
  for (const span of a.steps) {
    const inStep = a.calls.filter(
      (c) => (c.step === undefined || c.step === span.step) && within(c, span.fromMs, span.toMs),
    );
    const sets = inStep.filter((c) => c.port === 'pointer' && c.call === 'set');
    let fromMs = span.fromMs;
    let toMs = span.toMs;
    if (span.step === 'FenceProducers' && sets[0]) fromMs = sets[0].fromMs;
    if (span.step === 'CheckDrain' && a.drainPassedMs !== null && a.drainPassedMs !== undefined) {
      // The drain record's look is the confirming one, after this step: its caught-up look's start is not recorded.
      if (a.drainPassedMs > span.toMs + BOUNDARY_MS) continue;
      fromMs = Math.max(fromMs, a.drainPassedMs);
    }
    if (span.step === 'OffsetsDuringDrain') {
      // Not committed beside the drain: CommitConsumerOffsets did its work.
      if (a.offsetsLookedAtMs === null || a.offsetsLookedAtMs === undefined) continue;
      fromMs = Math.max(fromMs, a.offsetsLookedAtMs);
    }
    if (span.step === 'SwitchToTarget' && sets.length > 0) toMs = Math.max(...sets.map((c) => c.toMs));
    const exact = {
      from: span.step === 'FenceProducers' && sets.length > 0,
      to: span.step === 'SwitchToTarget' && sets.length > 0,
    };
    const calls = inStep.filter((c) => within(c, fromMs, toMs, exact));
    const set = sets[0];
    if (span.step === 'SwitchToTarget' && a.splitSwitchAtSet && !preparedApart && set) {
      // Its preparation (the calls that started before the set), then the set and what overlaps it.
      stretches.push(
        stretch(
          'PrepareSwitch',
          fromMs,
          set.fromMs,
          calls.filter((c) => c.fromMs < set.fromMs && c !== set),
        ),
        stretch(
          'SwitchToTarget',
          set.fromMs,
          toMs,
          calls.filter((c) => c.fromMs >= set.fromMs || c === set),
        ),
      );
      continue;
    }
    stretches.push(stretch(span.step, fromMs, toMs, calls));
  }
  return stretches;
}

/**
 * `FenceProducers 2/1/0 (1.5 ms local of 18 ms, fence + 0–18: pointer.set putJson putJson), …`: per step, the S3,
 * pointer and DynamoDB round trips, their local time and the calls.
 */
export function describeRoundTrips(stretches: readonly StepStretch[], withCalls = false): string {
  return stretches
    .map(
      (s) =>
        `${s.step} ${s.artifacts}/${s.pointer}/${s.aborts} (${s.localCallMs} ms local of ${Math.round(s.toMs - s.fromMs)} ms, fence + ${Math.round(s.fromMs)}–${Math.round(s.toMs)}${withCalls && s.sequence ? `: ${s.sequence}` : ''})`,
    )
    .join(', ');
}

/**
 * The goal a modeled pause is held to. With a pointer fence: 2 × replication p99 + the clients' notice of both pointer
 * changes, as the workflow allows for them — the settle (the fence's) and one declared poll interval (the switch's);
 * the same bound as the local pause's (rehearsal/cutover-figures.ts, writePauseBound). With a broker fence the goal is
 * the issue's ≤ 5 s: no settle, but CommitConsumerOffsets still waits for the consumers' notice of the pointer's fence
 * (they must leave their groups), which that bound would not hold.
 */
export function modeledGoalMs(pause: ModeledPause): { readonly goalMs: number; readonly label: string } {
  const { model } = pause;
  if (pause.brokerFence) return { goalMs: BROKER_FENCE_GOAL_MS, label: 'goal' };
  return {
    goalMs: 2 * model.replicationP99Ms + model.settleMs + model.clientNoticeMs,
    label: '2 × p99 + settle + notice',
  };
}

/** The issue's goal for the default plan with a broker fence. */
export const BROKER_FENCE_GOAL_MS = 5_000;

export function describeModeled(pause: ModeledPause): string {
  const { goalMs, label } = modeledGoalMs(pause);
  return (
    `${pause.name}: ${describePauseModel(pause.model)} vs ${label} ${(goalMs / 1000).toFixed(2)} s: ` +
    `${pause.model.totalMs <= goalMs ? 'within' : 'OVER'}`
  );
}

/**
 * The path the rehearsal's steps after the drain took (pause-model.ts PATH_STEPS): ACCEPT where the one-invocation
 * Cutover committed the offsets beside the drain (`oneInvocation.offsetsDuringDrain.status` COMMITTED), else FULL
 * (WAITING or LEFT, or no one invocation: the step-by-step states).
 */
export function rehearsalOffsetsPath(offsetsDuringDrainStatus: string | null | undefined): OffsetsPath {
  return offsetsDuringDrainStatus === 'COMMITTED' ? 'ACCEPT' : 'FULL';
}

/**
 * A run's per-step figures (work or round trips) named by the path they were measured on: a FULL run's
 * CommitConsumerOffsets and SwitchToTarget under fullPathKey, so that the model takes them only for a plan it runs on
 * that path, and that path's reference figures for the other. A FULL run's OffsetsDuringDrain is left out: its
 * committing look never ended (its recorded work is 0), and the model then takes the reference one. Where the run
 * prepared the switch apart from its set (PrepareSwitch: the caught-up drain's FULL path, or a FULL run's switch split
 * at its set, stepRoundTrips), SwitchToTarget is the set alone — the figure the ACCEPT path and the caught-up drain
 * take — and the FULL switch (`SwitchToTarget.full`, the step-by-step states') the two `join`ed.
 */
export function byOffsetsPath<T>(
  figures: Readonly<Record<string, T>>,
  path: OffsetsPath,
  join: (prepare: T, set: T) => T,
): Record<string, T> {
  const prepared = figures['PrepareSwitch'];
  const named: Record<string, T> = {};
  for (const [step, v] of Object.entries(figures)) {
    if (path === 'FULL' && step === 'OffsetsDuringDrain') continue;
    if (step === 'SwitchToTarget' && prepared !== undefined) {
      named[step] = v;
      named[fullPathKey(step)] = join(prepared, v);
      continue;
    }
    named[(PATH_STEPS as readonly string[]).includes(step) ? fullPathKey(step, path) : step] = v;
  }
  return named;
}

/** byOffsetsPath's `join` for round trips: a step's calls one after the other, then the other's. */
export function joinRoundTrips(a: StepRoundTrips, b: StepRoundTrips): StepRoundTrips {
  return {
    artifacts: a.artifacts + b.artifacts,
    pointer: a.pointer + b.pointer,
    aborts: a.aborts + b.aborts,
    localCallMs: Math.round((a.localCallMs + b.localCallMs) * 10) / 10,
  };
}

/**
 * ConfirmDrain's figures where the run has none (its drain never ended caught up: the rehearsal's notice is its
 * settle), from its passing look where it has one: both are one look that reads both clusters' end offsets at once,
 * carries every comparison over and leaves its records to the writes after it (none before the set). Measured beats the
 * reference; `borrowed` names what was taken so.
 */
export function withConfirmFromPassingLook(
  workMs: Readonly<Record<string, number>>,
  roundTrips: Readonly<Record<string, StepRoundTrips>> | undefined,
): {
  readonly workMs: Record<string, number>;
  readonly roundTrips: Record<string, StepRoundTrips> | undefined;
  readonly borrowed: boolean;
} {
  const look = workMs['CheckDrain'];
  if (workMs['ConfirmDrain'] !== undefined || look === undefined)
    return { workMs: { ...workMs }, roundTrips: roundTrips && { ...roundTrips }, borrowed: false };
  const trips = roundTrips?.['CheckDrain'];
  return {
    workMs: { ...workMs, ConfirmDrain: look },
    roundTrips: roundTrips && (trips ? { ...roundTrips, ConfirmDrain: trips } : { ...roundTrips }),
    borrowed: true,
  };
}

/**
 * `after the settle (caught-up drain): ConfirmDrain 10 ms 0/0/0 (reference), SwitchToTarget's set 2 ms 0/1/0
 * (measured); inside it on FULL: PrepareSwitch 6 ms 2/0/0 (measured)`: the figures the model takes for the caught-up
 * drain's steps (pause-model.ts CAUGHT_UP_STEPS, and the set), measured where the run has them, else the reference.
 */
export function describeCaughtUpFigures(
  workMs: Readonly<Record<string, number>>,
  roundTrips: Readonly<Record<string, StepRoundTrips>> | undefined,
  /** ConfirmDrain's figures are the passing look's (withConfirmFromPassingLook). */
  confirmFromPassingLook = false,
): string {
  const one = (step: string, label = step): string => {
    const work = workMs[step];
    const trips = roundTrips?.[step];
    const source =
      step === 'ConfirmDrain' && confirmFromPassingLook
        ? "this run's passing look: the same look"
        : work !== undefined && trips !== undefined
          ? 'measured'
          : work !== undefined
            ? 'work measured'
            : trips !== undefined
              ? 'round trips measured'
              : 'reference';
    const w = work ?? REFERENCE_WORK_MS[step] ?? 0;
    const r = trips ?? REFERENCE_ROUND_TRIPS[step];
    return `${label} ${Math.round(w)} ms ${r ? `${r.artifacts}/${r.pointer}/${r.aborts}` : '0/0/0'} (${source})`;
  };
  return (
    `caught-up drain's steps as modeled (work, S3/pointer/DynamoDB): after the settle ${one('ConfirmDrain')}, ` +
    `${one('SwitchToTarget', "SwitchToTarget's set")}; inside it on FULL ${one('PrepareSwitch')}`
  );
}

/**
 * `offsets after the drain: rehearsal FULL (LEFT); modeled: default plan, pointer fence ACCEPT (committed at fence +
 * 1.26 s, drain caught up 1.58 s), …`: the path the run took and the one each modeled plan took (`caught up` where the
 * drain ended at its caught-up look, else `passed`).
 */
export function describeOffsetsPaths(
  rehearsal: { readonly path: OffsetsPath; readonly status: string | null | undefined },
  pauses: readonly ModeledPause[],
): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const modeled = pauses.map(({ name, model: { offsets, caughtUp } }) =>
    offsets
      ? `${name} ${offsets.path} (${offsets.committedAtMs === null ? 'no pass' : `committed ${s(offsets.committedAtMs)}`}, drain ${caughtUp ? 'caught up' : 'passed'} ${s(offsets.drainPassedMs)})`
      : `${name} —`,
  );
  return `offsets after the drain: rehearsal ${rehearsal.path} (${rehearsal.status ?? 'no one invocation'}); modeled: ${modeled.join(', ')}`;
}
