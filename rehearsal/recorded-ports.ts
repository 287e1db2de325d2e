import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { AbortRequests } from '../lambdas/ports/abort-requests';
import type { ArtifactStore } from '../lambdas/ports/artifact-store';
import { setRequests, type CutoverSwitch } from '../lambdas/ports/cutover-switch';

/**
 * The rehearsal's calls to the ports that are a network round trip on AWS and a local file or memory here: the
 * artifact store (S3 there, a folder here), the pointer (an SSM parameter or a Route 53 record there, a file here) and
 * the abort requests (a DynamoDB item there, memory here). Each call made while a cutover Task state is served is
 * recorded with its start and end, so that bench:cutover counts how many of them each step waits for one after the
 * other and models them at AWS latency (lambdas/core/cutover/pause-model.ts). The wrappers change nothing the call
 * does; the core never sees them (they wrap the adapters where the rehearsal composes its ports).
 */

export type RecordedPort = 'artifacts' | 'pointer' | 'aborts';

export interface PortCall {
  /** The Task state whose handler made the call. */
  readonly state: string;
  /**
   * The cutover step whose `run<Step>` awaited it (the one-invocation Cutover runs the drain's looks and the offsets'
   * beside them at the same time: time alone cannot tell their calls apart), when the stack names one.
   */
  readonly step?: string;
  readonly port: RecordedPort;
  /** The port's method: getJson, putJson, set, requested, … */
  readonly call: string;
  /**
   * The store requests the call makes on AWS, where the call alone does not tell (a pointer `set`: one write at an
   * expected revision, else a read and a write: setRequests).
   */
  readonly requests?: number;
  /** Epoch ms, sub-millisecond (performance.timeOrigin + performance.now()). */
  readonly startedAt: number;
  readonly endedAt: number;
}

/** The Task states inside the write pause whose calls are recorded. */
const CUTOVER_STATES: ReadonlySet<string> = new Set([
  'Cutover',
  'FenceProducers',
  'CheckDrain',
  'CommitConsumerOffsets',
  'SwitchToTarget',
]);

/** A bound on what one run records (a cutover makes tens of calls; a retry loop gone wrong must not fill memory). */
const MAX_CALLS = 10_000;

const nowMs = (): number => performance.timeOrigin + performance.now();

/** The task modules' `run<Step>` functions (lambdas/tasks/<step>/task.ts, the one invocation's steps). */
const STEP_FUNCTION = /\brun(FenceProducers|CheckDrain|OffsetsDuringDrain|CommitConsumerOffsets|SwitchToTarget)\b/;

/**
 * The innermost cutover step awaiting this call, from V8's async stack trace (`at async runCheckDrain …`). The
 * rehearsal only: it costs a stack capture per call, outside the call's timing.
 */
function awaitingStep(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return STEP_FUNCTION.exec(stack)?.[1];
}

export class PortCallLog {
  private readonly recorded: PortCall[] = [];
  private readonly serving = new AsyncLocalStorage<string>();

  /** The calls recorded so far, in the order they ended. */
  get calls(): readonly PortCall[] {
    return this.recorded;
  }

  /** Runs a Task state's handler: the calls it makes, awaited or not, are that state's. */
  serve<T>(state: string, handler: () => Promise<T>): Promise<T> {
    return this.serving.run(state, handler);
  }

  private async timed<T>(port: RecordedPort, call: string, run: () => Promise<T>, requests?: number): Promise<T> {
    const state = this.serving.getStore();
    if (state === undefined || !CUTOVER_STATES.has(state)) return run();
    const step = awaitingStep();
    const startedAt = nowMs();
    try {
      return await run();
    } finally {
      if (this.recorded.length < MAX_CALLS)
        this.recorded.push({
          state,
          ...(step ? { step } : {}),
          port,
          call,
          ...(requests !== undefined ? { requests } : {}),
          startedAt,
          endedAt: nowMs(),
        });
    }
  }

  artifacts(store: ArtifactStore): ArtifactStore {
    return {
      putJson: (key, value) => this.timed('artifacts', 'putJson', () => store.putJson(key, value)),
      getJson: <T>(key: string) => this.timed('artifacts', 'getJson', () => store.getJson<T>(key)),
      putText: (key, body, type) => this.timed('artifacts', 'putText', () => store.putText(key, body, type)),
      getText: (key) => this.timed('artifacts', 'getText', () => store.getText(key)),
      list: (prefix) => this.timed('artifacts', 'list', () => store.list(prefix)),
    };
  }

  pointer(pointer: CutoverSwitch): CutoverSwitch {
    return {
      get pointer() {
        return pointer.pointer;
      },
      read: () => this.timed('pointer', 'read', () => pointer.read()),
      set: (value, options) => this.timed('pointer', 'set', () => pointer.set(value, options), setRequests(options)),
      revert: (previous) => this.timed('pointer', 'revert', () => pointer.revert(previous)),
    };
  }

  aborts(aborts: AbortRequests): AbortRequests {
    return {
      request: (request) => this.timed('aborts', 'request', () => aborts.request(request)),
      requested: (executionArn) => this.timed('aborts', 'requested', () => aborts.requested(executionArn)),
    };
  }
}

/** A recorded call as bench:cutover reads it: ms after the fence (0.1 ms resolution). */
export interface CallAfterFence {
  readonly state: string;
  readonly step?: string;
  readonly port: RecordedPort;
  readonly call: string;
  readonly requests?: number;
  readonly fromMs: number;
  readonly toMs: number;
}

export function callsAfterFence(calls: readonly PortCall[], fencedAt: string): CallAfterFence[] {
  const fence = Date.parse(fencedAt);
  const tenth = (ms: number): number => Math.round(ms * 10) / 10;
  return calls
    .map((c) => ({
      state: c.state,
      ...(c.step ? { step: c.step } : {}),
      port: c.port,
      call: c.call,
      ...(c.requests !== undefined ? { requests: c.requests } : {}),
      fromMs: tenth(c.startedAt - fence),
      toMs: tenth(c.endedAt - fence),
    }))
    .sort((a, b) => a.fromMs - b.fromMs);
}
