/**
 * The cutover's figures as the rehearsal counts them: where the time between the fence and the switch goes (per ASL
 * state, from the execution's event log), the pointer propagation each client observed, and the write-pause bound of
 * docs/cutover.md. Pure functions, unit-tested in test/unit/rehearsal-cutover-figures.test.ts.
 *
 * The bound: write pause ≤ 2 × replication-latency p99 + the clients' notice of both pointer changes, as the workflow
 * has to allow for them: the fence's, `cutover.fenceSettleSeconds`, and the switch's, one declared poll interval. A
 * single-writer cutover cannot release the producers before it knows every client saw the fence; it cannot observe
 * the clients, so it waits the settle window the plan declares and proves with the source's end offsets that nothing
 * was written across it; then a producer resumes only when it reads the target's value. The clients' observed notice
 * times are reported next to it, and must not exceed it (a settle shorter than a client's notice would let a late
 * write slip past the drain).
 */

/** One Task, Wait or Choice state's share of the cutover. */
export interface StateTime {
  readonly state: string;
  readonly visits: number;
  /** Entered → exited, summed over the visits. */
  readonly ms: number;
}

export interface CutoverTimeline {
  /** FenceProducers (or the one-invocation Cutover) entered (epoch ms). */
  readonly startedAt: number;
  /** SwitchToTarget (or the Cutover that switched) exited (epoch ms). */
  readonly endedAt: number;
  readonly totalMs: number;
  /** In the order first entered. */
  readonly states: readonly StateTime[];
  /** totalMs − Σ states: the interpreter's own time between states. */
  readonly betweenStatesMs: number;
}

interface LogEvent {
  readonly type?: string;
  readonly timestamp?: number;
  readonly state?: { readonly name?: string };
}

const EXITS = new Set(['StateExited', 'StateFailed', 'StateCaught']);

/** The one-invocation cutover's state (fence → switch in one Task), and the states it can hand over to. */
const ONE_INVOCATION = 'Cutover';
/** The state the switch leads to. */
const AFTER_SWITCH = 'WaitInRollbackWindow';
const CUTOVER_PATH = new Set([
  ONE_INVOCATION,
  'CutoverReached?',
  'FenceProducers',
  'WaitForDrain',
  'CheckDrain',
  'Drained?',
  'CommitConsumerOffsets',
  'OffsetsCommitted?',
  'WaitForConsumerGroups',
  'SwitchToTarget',
]);

/**
 * From the execution's event log: the time from `from` entered to `to` exited (the first such span), per state.
 * `undefined` when the span is not in the log (the cutover was not reached, or did not complete). The one-invocation
 * Cutover stands for both: the span starts where it is entered, and ends where it exits when it switched (the next
 * state entered is past the cutover's states).
 */
export function cutoverTimeline(
  events: readonly unknown[],
  from = 'FenceProducers',
  to = 'SwitchToTarget',
): CutoverTimeline | undefined {
  const log = events as readonly LogEvent[];
  const start = log.findIndex(
    (e) =>
      e.type === 'StateEntered' &&
      (e.state?.name === from || (from === 'FenceProducers' && e.state?.name === ONE_INVOCATION)),
  );
  if (start < 0) return undefined;
  const entered = new Map<string, number>();
  const times = new Map<string, { visits: number; ms: number }>();
  const startedAt = log[start]?.timestamp;
  if (startedAt === undefined) return undefined;
  let oneInvocationExitedAt: number | undefined;
  const span = (endedAt: number): CutoverTimeline => {
    const states = [...times].map(([state, v]) => ({ state, visits: v.visits, ms: v.ms }));
    const totalMs = endedAt - startedAt;
    return {
      startedAt,
      endedAt,
      totalMs,
      states,
      betweenStatesMs: Math.max(0, totalMs - states.reduce((n, s) => n + s.ms, 0)),
    };
  };
  for (let i = start; i < log.length; i++) {
    const e = log[i];
    const name = e?.state?.name;
    if (!e || !name || e.timestamp === undefined) continue;
    if (e.type === 'StateEntered' && oneInvocationExitedAt !== undefined && !CUTOVER_PATH.has(name)) {
      if (name !== AFTER_SWITCH) return undefined;
      // The rollback window after the Cutover, without SwitchToTarget: it switched (the Choice after it is bookkeeping).
      times.delete('CutoverReached?');
      return span(oneInvocationExitedAt);
    }
    if (e.type === 'StateEntered') {
      entered.set(name, e.timestamp);
      if (!times.has(name)) times.set(name, { visits: 0, ms: 0 });
      continue;
    }
    if (!e.type || !EXITS.has(e.type)) continue;
    const since = entered.get(name);
    const t = times.get(name);
    if (since === undefined || !t) continue;
    entered.delete(name);
    t.visits++;
    t.ms += e.timestamp - since;
    if (name === ONE_INVOCATION && e.type === 'StateExited') oneInvocationExitedAt = e.timestamp;
    if (name === to && e.type === 'StateExited') {
      const states = [...times].map(([state, v]) => ({ state, visits: v.visits, ms: v.ms }));
      const totalMs = e.timestamp - startedAt;
      return {
        startedAt,
        endedAt: e.timestamp,
        totalMs,
        states,
        betweenStatesMs: Math.max(0, totalMs - states.reduce((n, s) => n + s.ms, 0)),
      };
    }
  }
  return undefined;
}

/**
 * The work of a paced state's last look: from when that look started (`lookStartedAt`, e.g. the drain's `checkedAt`)
 * to the state's last exit in the log. `null` when either is missing or the exit comes first.
 */
export function lastLookMs(
  events: readonly unknown[],
  state: string,
  lookStartedAt: string | undefined,
): number | null {
  const startedAt = lookStartedAt === undefined ? NaN : Date.parse(lookStartedAt);
  const exits = (events as readonly LogEvent[]).filter((e) => e.type === 'StateExited' && e.state?.name === state);
  const exitedAt = exits.at(-1)?.timestamp;
  if (Number.isNaN(startedAt) || exitedAt === undefined || exitedAt < startedAt) return null;
  return exitedAt - startedAt;
}

/** One line per state, longest first: `CheckDrain ×4 1,234 ms`. */
export function describeTimeline(timeline: CutoverTimeline): string {
  const parts = [...timeline.states]
    .sort((a, b) => b.ms - a.ms)
    .map((s) => `${s.state}${s.visits > 1 ? ` ×${s.visits}` : ''} ${s.ms} ms`);
  return `fence → switch ${timeline.totalMs} ms: ${parts.join(', ')}, between states ${timeline.betweenStatesMs} ms`;
}

/** A client's notice of one pointer change (`pointer updatedAt → noticed`). */
export interface NoticeSample {
  readonly client: string;
  readonly value: string;
  readonly ms: number | undefined;
}

export interface ObservedPropagation {
  /** The slowest client's notice of the fence value. */
  readonly fenceMs: number | null;
  /** The slowest client's notice of a cluster value (the switch, or a rollback). */
  readonly switchMs: number | null;
  /** The slowest notice of any change. */
  readonly maxMs: number | null;
}

export function observedPropagation(samples: readonly NoticeSample[], fencePrefix = 'fenced:'): ObservedPropagation {
  const max = (pick: (s: NoticeSample) => boolean): number | null => {
    const ms = samples.filter(pick).flatMap((s) => (s.ms === undefined ? [] : [s.ms]));
    return ms.length > 0 ? Math.max(...ms) : null;
  };
  return {
    fenceMs: max((s) => s.value.startsWith(fencePrefix)),
    switchMs: max((s) => !s.value.startsWith(fencePrefix)),
    maxMs: max(() => true),
  };
}

export interface WritePauseBound {
  readonly writePauseMs: number;
  readonly latencyP99Ms: number;
  /** cutover.fenceSettleSeconds in ms: the clients' notice of the fence, as the workflow must allow for it. */
  readonly settleMs: number;
  /** The clients' notice of the switch: their declared poll interval (cutover.clientPollIntervalSeconds), ms. */
  readonly switchNoticeMs: number;
  /** 2 × p99 + settle + switch notice. */
  readonly boundMs: number;
  /** writePause / bound: ≤ 1 when the claim holds. */
  readonly ratio: number;
  /** The slowest observed notice of the fence, reported next to the settle it must not exceed. */
  readonly fenceNoticeMs: number | null;
}

/**
 * `undefined` when a figure is missing (no cutover, or no latency sample). The clients' notice enters a pointer
 * cutover's pause twice, so the bound holds both: the settle (the fence's notice, as the workflow allows for the
 * slowest client: it cannot see them) and the notice of the switch (one declared poll interval), which ends the pause
 * only when the producer reads the target's value.
 */
export function writePauseBound(figures: {
  readonly writePauseMs: number | null | undefined;
  readonly latencyP99Ms: number | null | undefined;
  readonly settleSeconds: number;
  readonly switchNoticeSeconds: number;
  readonly fenceNoticeMs: number | null | undefined;
}): WritePauseBound | undefined {
  const { writePauseMs, latencyP99Ms } = figures;
  if (writePauseMs === null || writePauseMs === undefined || latencyP99Ms === null || latencyP99Ms === undefined)
    return undefined;
  const settleMs = Math.round(figures.settleSeconds * 1000);
  const switchNoticeMs = Math.round(figures.switchNoticeSeconds * 1000);
  const boundMs = 2 * latencyP99Ms + settleMs + switchNoticeMs;
  return {
    writePauseMs,
    latencyP99Ms,
    settleMs,
    switchNoticeMs,
    boundMs,
    ratio: writePauseMs / Math.max(1, boundMs),
    fenceNoticeMs: figures.fenceNoticeMs ?? null,
  };
}
