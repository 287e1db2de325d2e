import type { MigrationPlan } from './migration-plan';

/**
 * The history budget of one execution. Step Functions fails a Standard execution at its 25,000th history event and
 * runs no Catch (REFERENCE.md): a migration that polls for days must fit by design, on every path. This module is the
 * ONE model of what a state costs in history events — ValidateInput refuses a plan whose worst case does not fit,
 * `msk-migrate validate` prints it, the local runner counts an execution's events with it and fails the execution at
 * the limit as the service would — and the poll cadence each plan gets, derived from its time boxes so that it fits.
 *
 * Design (docs/operator-guide.md, "History budget"): the poll loops run inside the one execution, each loop's interval
 * stretched from the plan's so that the loop polls at most its share of polls before its deadline; the fixed states
 * are counted from the ASL itself; the worst case of a path assumes every loop runs to its deadline and every task call
 * exhausts its retries. Only plans that still do not fit are refused.
 */

/** Step Functions' quota of history events per Standard execution. */
export const HISTORY_EVENT_LIMIT = 25_000;

/**
 * History events per state visit, by type, without retries (the events the service writes):
 * - execution: ExecutionStarted + ExecutionSucceeded | ExecutionFailed;
 * - Lambda task (a function ARN as Resource, or `lambda:invoke`): TaskStateEntered, LambdaFunctionScheduled |
 *   TaskScheduled, LambdaFunctionStarted | TaskStarted, LambdaFunctionSucceeded | Failed | TimedOut (TaskSucceeded |
 *   TaskFailed), TaskStateExited;
 * - callback task (`.waitForTaskToken`) and child execution (`.sync`): the same plus TaskSubmitted;
 * - each retry of a task: scheduled, started, failed (a callback task's retry also TaskSubmitted);
 * - Wait, Choice, Pass, Succeed: entered + exited; Fail: FailStateEntered.
 */
export const HISTORY_EVENTS = {
  execution: 2,
  task: 5,
  callbackTask: 6,
  retry: 3,
  callbackRetry: 4,
  wait: 2,
  choice: 2,
  pass: 2,
  succeed: 2,
  fail: 1,
} as const;

/** The parts of an ASL state the model reads. */
export interface BudgetState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: ReadonlyArray<{ readonly Next?: string }>;
  readonly Catch?: ReadonlyArray<{ readonly Next?: string }>;
  readonly Retry?: ReadonlyArray<{ readonly MaxAttempts?: number }>;
}
export interface BudgetDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, BudgetState>>;
}

const isCallback = (s: BudgetState): boolean =>
  /\.waitForTaskToken$|\.sync(:2)?$/.test(s.Resource ?? '') && (s.Resource ?? '').startsWith('arn:aws:states:::');

/** Events one visit writes before any retry (the runner counts these on entering a state). */
export function eventsOnEntering(state: BudgetState): number {
  switch (state.Type) {
    case 'Task':
      return isCallback(state) ? HISTORY_EVENTS.callbackTask : HISTORY_EVENTS.task;
    case 'Wait':
      return HISTORY_EVENTS.wait;
    case 'Choice':
      return HISTORY_EVENTS.choice;
    case 'Pass':
      return HISTORY_EVENTS.pass;
    case 'Succeed':
      return HISTORY_EVENTS.succeed;
    case 'Fail':
      return HISTORY_EVENTS.fail;
    default:
      throw new Error(`The history budget has no model for a ${state.Type} state.`);
  }
}

/** Events one retry of a Task state writes (the runner counts these per retry). */
export function eventsPerRetry(state: BudgetState): number {
  return isCallback(state) ? HISTORY_EVENTS.callbackRetry : HISTORY_EVENTS.retry;
}

/** The most retries one visit can make: each retrier's MaxAttempts (3 when absent, as Step Functions defaults). */
export function maxRetries(state: BudgetState): number {
  return (state.Retry ?? []).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0);
}

/** Events of one visit in the worst case: every retry used. */
export function worstVisitEvents(state: BudgetState): number {
  return eventsOnEntering(state) + (state.Type === 'Task' ? maxRetries(state) * eventsPerRetry(state) : 0);
}

// ---- the poll loops and their cadence ----

export type PollLoop =
  | 'TARGET'
  | 'REPLICATOR'
  | 'CATCH_UP'
  | 'DRAIN'
  | 'CONSUMER_GROUPS'
  | 'ROLLBACK_WINDOW'
  | 'FAILBACK_CATCH_UP'
  | 'FAILBACK_DRAIN';

/** Each poll loop by the Wait state that heads it in the ASL. A Wait state missing here fails the budget. */
export const POLL_LOOP_OF_WAIT: Readonly<Record<string, PollLoop>> = {
  WaitForTarget: 'TARGET',
  WaitForReplicator: 'REPLICATOR',
  WaitForCatchUp: 'CATCH_UP',
  WaitForDrain: 'DRAIN',
  WaitForConsumerGroups: 'CONSUMER_GROUPS',
  WaitInRollbackWindow: 'ROLLBACK_WINDOW',
  WaitForFailback: 'FAILBACK_CATCH_UP',
  WaitForFailbackDrain: 'FAILBACK_DRAIN',
};

/** The most polls each loop is given before its deadline (the cadence is stretched so that it fits). */
export const POLL_SHARE: Readonly<Record<PollLoop, number>> = {
  TARGET: 90,
  REPLICATOR: 120,
  CATCH_UP: 180,
  DRAIN: 90,
  CONSUMER_GROUPS: 30,
  ROLLBACK_WINDOW: 150,
  FAILBACK_CATCH_UP: 180,
  FAILBACK_DRAIN: 90,
};

/** Fixed time boxes of the loops the plan does not size. */
export const PROVISION_TIMEOUT_MINUTES = 90;
export const REPLICATION_START_TIMEOUT_MINUTES = 120;
/** CommitConsumerOffsets waits this long for the source's groups to empty (core/cutover/commit-consumer-offsets). */
export const CONSUMER_GROUPS_TIMEOUT_SECONDS = 300;

/** Longest interval each stretched loop may poll at; past it, the plan is refused (the loop would not fit). */
export const MAX_POLL_SECONDS = {
  /** Producers are fenced during the drain: it is looked at within seconds. */
  drain: 30,
  /** A health check less often than hourly watches nothing. */
  health: 3600,
  /** Six hours between two catch-up evaluations: a catch-up of up to 45 days fits. */
  catchUp: 6 * 3600,
} as const;

/** The Wait states' seconds (`$.settings`) and the loops' fixed time boxes. */
export interface PollCadence {
  readonly provisionPollSeconds: number;
  readonly replicatorPollSeconds: number;
  readonly pollIntervalSeconds: number;
  readonly drainPollSeconds: number;
  readonly healthPollSeconds: number;
  readonly provisionTimeoutMinutes: number;
  readonly replicationStartTimeoutMinutes: number;
}

type CadencePlan = Pick<MigrationPlan, 'gates' | 'cutover'> & { readonly waves?: MigrationPlan['waves'] };

/**
 * The wave loops (a plan in waves, lambdas/core/plan/waves.ts): the cutover from its approval to the Pass that makes the
 * next wave current runs once per wave; so do, on a failback, the failback fence (from the last wave back to the
 * first), each wave's return to the source, and the release of the failback fences when the failback stops behind
 * them. The model cuts each loop's back edge (its Pass → its head) and adds, on every path through the head, the worst
 * iteration (the longest route head → Pass) once per wave before the last; the last iteration's route to the path's
 * end is counted as any path's. Inline, as a Map state's iterations would be: all of it is in the one execution's
 * history.
 */
export const WAVE_LOOPS = [
  { head: 'CutoverApproval', back: 'NextWave' },
  { head: 'FenceForFailback', back: 'PreviousWaveToFence' },
  { head: 'FailbackCutover', back: 'NextWaveToReturn' },
  { head: 'ReleaseFailbackFence', back: 'NextWaveToRelease' },
] as const;

const isWaveLoopBackEdge = (from: string, to: string): boolean =>
  WAVE_LOOPS.some((l) => l.back === from && l.head === to);

const stretched = (timeboxSeconds: number, share: number): number => Math.ceil(timeboxSeconds / share);

/**
 * Poll cadence: cluster and replicator creation are looked at every minute; the catch-up gate polls as the plan says,
 * or less often when its time box would need more polls than its share; the drain every 10 s or more so that its time
 * box fits its share (never slower than 30 s: producers are fenced); the rollback window's health about twelve times
 * across the window, between 10 s and 5 min apart, or less often when a long window needs it.
 */
export function pollCadence(plan: CadencePlan): PollCadence {
  const window = plan.cutover.rollbackWindowMinutes * 60;
  const healthPollSeconds = Math.max(
    Math.min(300, Math.max(10, Math.floor(window / 12))),
    stretched(window, POLL_SHARE.ROLLBACK_WINDOW),
  );
  return {
    provisionPollSeconds: 60,
    replicatorPollSeconds: 60,
    pollIntervalSeconds: Math.max(
      plan.gates.pollIntervalSeconds,
      stretched(plan.gates.catchUpTimeoutMinutes * 60, POLL_SHARE.CATCH_UP),
    ),
    drainPollSeconds: Math.max(10, stretched(plan.cutover.drainTimeoutMinutes * 60, POLL_SHARE.DRAIN)),
    healthPollSeconds,
    provisionTimeoutMinutes: PROVISION_TIMEOUT_MINUTES,
    replicationStartTimeoutMinutes: REPLICATION_START_TIMEOUT_MINUTES,
  };
}

/** One loop's figures: its time box, its interval, its polls at most, and the plan fields that size it. */
export interface LoopBudget {
  readonly loop: PollLoop;
  readonly timeboxSeconds: number;
  readonly pollSeconds: number;
  readonly polls: number;
  readonly fields: readonly string[];
}

/** The most polls a loop makes: one per interval until the deadline, plus the one that finds it passed. */
const pollsWithin = (timeboxSeconds: number, pollSeconds: number): number =>
  Math.floor(timeboxSeconds / pollSeconds) + 1;

export function loopBudgets(plan: CadencePlan, cadence: PollCadence = pollCadence(plan)): Record<PollLoop, LoopBudget> {
  const loop = (l: PollLoop, timeboxSeconds: number, pollSeconds: number, fields: string[]): LoopBudget => ({
    loop: l,
    timeboxSeconds,
    pollSeconds,
    polls: pollsWithin(timeboxSeconds, pollSeconds),
    fields,
  });
  const catchUp = plan.gates.catchUpTimeoutMinutes * 60;
  const drain = plan.cutover.drainTimeoutMinutes * 60;
  const catchUpFields = ['gates.catchUpTimeoutMinutes', 'gates.pollIntervalSeconds'];
  return {
    TARGET: loop('TARGET', cadence.provisionTimeoutMinutes * 60, cadence.provisionPollSeconds, []),
    REPLICATOR: loop('REPLICATOR', cadence.replicationStartTimeoutMinutes * 60, cadence.replicatorPollSeconds, []),
    CATCH_UP: loop('CATCH_UP', catchUp, cadence.pollIntervalSeconds, catchUpFields),
    DRAIN: loop('DRAIN', drain, cadence.drainPollSeconds, ['cutover.drainTimeoutMinutes']),
    CONSUMER_GROUPS: loop('CONSUMER_GROUPS', CONSUMER_GROUPS_TIMEOUT_SECONDS, cadence.drainPollSeconds, []),
    ROLLBACK_WINDOW: loop('ROLLBACK_WINDOW', plan.cutover.rollbackWindowMinutes * 60, cadence.healthPollSeconds, [
      'cutover.rollbackWindowMinutes',
    ]),
    FAILBACK_CATCH_UP: loop('FAILBACK_CATCH_UP', catchUp, cadence.pollIntervalSeconds, catchUpFields),
    FAILBACK_DRAIN: loop('FAILBACK_DRAIN', drain, cadence.drainPollSeconds, ['cutover.drainTimeoutMinutes']),
  };
}

// ---- the worst case per path ----

/** A path is named by the terminal state it ends in. */
export interface PathBudget {
  /** The terminal (Succeed / Fail) state. */
  readonly end: string;
  /** Worst-case history events of an execution that ends there. */
  readonly events: number;
  /** The poll loops on that worst path, in order. */
  readonly loops: readonly PollLoop[];
}

interface Node {
  readonly id: string;
  readonly cost: number;
  readonly next: readonly string[];
  readonly loop?: PollLoop;
}

function successors(s: BudgetState): string[] {
  return [
    ...(s.Next ? [s.Next] : []),
    ...(s.Default ? [s.Default] : []),
    ...(s.Choices ?? []).flatMap((c) => (c.Next ? [c.Next] : [])),
    ...(s.Catch ?? []).flatMap((c) => (c.Next ? [c.Next] : [])),
  ];
}

/**
 * The graph with each poll loop collapsed into one node: the loop's cycle (from its Wait state along Next / Default
 * back to it) costs one worst-case visit of each of its states per poll; its exits are the cycle's other edges.
 */
function collapse(def: BudgetDefinition, loops: Record<PollLoop, LoopBudget>): Map<string, Node> {
  const nodeOf = new Map<string, string>();
  const nodes = new Map<string, Node>();
  for (const [wait, loop] of Object.entries(POLL_LOOP_OF_WAIT)) {
    if (!def.States[wait]) continue;
    const cycle: string[] = [];
    let at: string | undefined = wait;
    while (at !== undefined && !cycle.includes(at)) {
      cycle.push(at);
      const s: BudgetState | undefined = def.States[at];
      at = s?.Type === 'Choice' ? s.Default : s?.Next;
    }
    if (at !== wait) throw new Error(`The poll loop ${wait} does not return to its Wait state.`);
    const perPoll = cycle.reduce((n, name) => n + worstVisitEvents(def.States[name]!), 0);
    const exits = new Set(cycle.flatMap((name) => successors(def.States[name]!)).filter((n) => !cycle.includes(n)));
    // One poll more than the loop's polls: the loop may be entered at its Choice, before the first Wait.
    nodes.set(wait, { id: wait, cost: perPoll * (loops[loop].polls + 1), next: [...exits], loop });
    for (const name of cycle) nodeOf.set(name, wait);
  }
  for (const [name, s] of Object.entries(def.States)) {
    if (nodeOf.has(name)) continue;
    if (s.Type === 'Wait') throw new Error(`The Wait state ${name} is no known poll loop (POLL_LOOP_OF_WAIT).`);
    nodeOf.set(name, name);
    nodes.set(name, { id: name, cost: worstVisitEvents(s), next: successors(s) });
  }
  for (const [id, n] of nodes)
    nodes.set(id, {
      ...n,
      next: [...new Set(n.next.map((x) => nodeOf.get(x) ?? x))].filter((x) => x !== id && !isWaveLoopBackEdge(id, x)),
    });
  return nodes;
}

/** The worst case of every path (one per terminal state), longest first; `waves` cutovers run on each (default 1). */
export function pathBudgets(def: BudgetDefinition, loops: Record<PollLoop, LoopBudget>, waves = 1): PathBudget[] {
  const nodes = collapse(def, loops);
  const start = [...nodes.values()].find((n) => n.id === def.StartAt || n.id === def.StartAt) ?? nodes.get(def.StartAt);
  if (!start) throw new Error(`No state ${def.StartAt}.`);
  const waveLoops = WAVE_LOOPS.filter((l) => nodes.has(l.back) && nodes.has(l.head));
  const backs = new Set<string>(waveLoops.map((l) => l.back));
  const terminals = [...nodes.values()].filter((n) => n.next.length === 0 && !backs.has(n.id)).map((n) => n.id);
  // Events of each loop's worst iteration, repeated before the last wave on every path through the loop's head.
  const waveExtra = new Map<string, number>();
  type Longest = { events: number; loops: PollLoop[] } | null;
  // Longest path from each node to `end` in the collapsed graph (a DAG: a cycle outside the poll loops is an error).
  const longestTo = (end: string): ((id: string) => Longest) => {
    const memo = new Map<string, Longest>();
    const onPath = new Set<string>();
    const longest = (id: string): Longest => {
      if (memo.has(id)) return memo.get(id)!;
      if (onPath.has(id)) throw new Error(`The states around ${id} loop without a known poll loop.`);
      onPath.add(id);
      const n = nodes.get(id)!;
      const cost = n.cost + (waveExtra.get(id) ?? 0);
      let best: Longest = null;
      if (id === end) best = { events: cost, loops: [] };
      else
        for (const next of n.next) {
          const rest = longest(next);
          if (rest && (!best || rest.events + cost > best.events))
            best = { events: rest.events + cost, loops: rest.loops };
        }
      if (best && n.loop) best = { events: best.events, loops: [n.loop, ...best.loops] };
      onPath.delete(id);
      memo.set(id, best);
      return best;
    };
    return longest;
  };
  for (const l of waveLoops) {
    const iteration = longestTo(l.back)(l.head);
    waveExtra.set(l.head, (iteration?.events ?? 0) * Math.max(0, waves - 1));
  }
  const out: PathBudget[] = [];
  for (const end of terminals) {
    const found = longestTo(end)(start.id);
    if (found) out.push({ end, events: found.events + HISTORY_EVENTS.execution, loops: found.loops });
  }
  return out.sort((a, b) => b.events - a.events);
}

/** A plan's history budget: its cadence, its loops, its worst case per path, and what does not fit. */
export interface HistoryBudget {
  readonly limit: number;
  readonly cadence: PollCadence;
  readonly loops: Readonly<Record<PollLoop, LoopBudget>>;
  readonly paths: readonly PathBudget[];
  readonly worst: PathBudget;
  /**
   * A plan in waves: the events each wave after the first adds to the worst path (the worst wave, from its approval to
   * NextWave: drain, offsets, switch, the full rollback window, every retry). Absent without waves.
   */
  readonly perWave?: number;
  /** Empty when the plan fits; else one problem per field to change. */
  readonly problems: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

export function historyBudget(plan: CadencePlan, def: BudgetDefinition): HistoryBudget {
  const cadence = pollCadence(plan);
  const loops = loopBudgets(plan, cadence);
  const waves = plan.waves?.length ?? 1;
  const paths = pathBudgets(def, loops, waves);
  const worst = paths[0]!;
  const problems: Array<{ path: string; message: string }> = [];
  const over = (l: LoopBudget) => l.polls > POLL_SHARE[l.loop] + 1;
  const figure = `the worst path (${worst.end}) would write ${worst.events.toLocaleString('en-US')} history events, over Step Functions' ${HISTORY_EVENT_LIMIT.toLocaleString('en-US')}`;
  if (cadence.drainPollSeconds > MAX_POLL_SECONDS.drain || over(loops.DRAIN))
    problems.push({
      path: 'cutover.drainTimeoutMinutes',
      message: `expected at most ${(POLL_SHARE.DRAIN * MAX_POLL_SECONDS.drain) / 60} minutes: the drain is polled at least every ${MAX_POLL_SECONDS.drain} s while producers are fenced, and ${plan.cutover.drainTimeoutMinutes} minutes would take ${loops.DRAIN.polls} polls (its share is ${POLL_SHARE.DRAIN}); ${figure}`,
    });
  if (cadence.healthPollSeconds > MAX_POLL_SECONDS.health)
    problems.push({
      path: 'cutover.rollbackWindowMinutes',
      message: `expected at most ${(POLL_SHARE.ROLLBACK_WINDOW * MAX_POLL_SECONDS.health) / 60} minutes: the window's health is checked at least hourly and at most ${POLL_SHARE.ROLLBACK_WINDOW} times within one execution's history (${cadence.healthPollSeconds} s apart for ${plan.cutover.rollbackWindowMinutes} minutes)`,
    });
  if (cadence.pollIntervalSeconds > MAX_POLL_SECONDS.catchUp)
    problems.push({
      path: 'gates.catchUpTimeoutMinutes',
      message: `expected at most ${(POLL_SHARE.CATCH_UP * MAX_POLL_SECONDS.catchUp) / 60} minutes: the catch-up gate is evaluated at most ${POLL_SHARE.CATCH_UP} times within one execution's history, at least every ${MAX_POLL_SECONDS.catchUp / 3600} h (it would be every ${cadence.pollIntervalSeconds} s)`,
    });
  if (plan.gates.consecutiveHealthyChecks * cadence.pollIntervalSeconds >= plan.gates.catchUpTimeoutMinutes * 60)
    problems.push({
      path: 'gates.consecutiveHealthyChecks',
      message: `expected fewer than ${Math.ceil((plan.gates.catchUpTimeoutMinutes * 60) / cadence.pollIntervalSeconds)}: the catch-up gate is evaluated every ${cadence.pollIntervalSeconds} s to fit the history budget, so ${plan.gates.consecutiveHealthyChecks} healthy evaluations in a row could never pass within gates.catchUpTimeoutMinutes`,
    });
  if (problems.length === 0 && worst.events > HISTORY_EVENT_LIMIT) {
    const fields = [...new Set(worst.loops.flatMap((l) => loops[l].fields))];
    if (waves > 1)
      problems.push({
        path: 'waves',
        message: `${figure} with ${waves} waves, each its own approval, drain and rollback window in this execution (and, on a failback, its own fence and return): run fewer waves per execution (split the plan), or shorten ${fields.join(', ')}`,
      });
    else problems.push({ path: fields[0] ?? '(root)', message: `${figure} (loops: ${worst.loops.join(', ')})` });
  }
  // What one more wave costs on the worst path: the same paths with one wave fewer, compared.
  const perWave =
    plan.waves && plan.waves.length > 0 ? pathBudgets(def, loops, waves + 1)[0]!.events - worst.events : undefined;
  return {
    limit: HISTORY_EVENT_LIMIT,
    cadence,
    loops,
    paths,
    worst,
    ...(perWave !== undefined ? { perWave } : {}),
    problems,
  };
}
