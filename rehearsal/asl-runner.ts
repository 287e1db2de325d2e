import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  eventsOnEntering,
  eventsPerRetry,
  HISTORY_EVENT_LIMIT,
  HISTORY_EVENTS,
} from '../lambdas/core/plan/history-budget';

/**
 * Runs the real statemachine/migration.asl.json in-process (aws-local-stepfunctions), for the workflow tests and the
 * local rehearsal. The only change to the file is the one CloudFormation makes at deploy time: each
 * `${<Name>FunctionArn}` substitution becomes a function ARN. Every Task state is then served by a local handler
 * keyed by STATE name (the library's override mechanism); Wait states can be shortened.
 */

export const ASL_PATH = path.resolve(__dirname, '../statemachine/migration.asl.json');

export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly [key: string]: unknown;
}
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** The ASL with its substitutions filled as CloudFormation would (placeholder `X` → a function named X). */
export function loadDefinition(file = ASL_PATH): AslDefinition {
  const text = readFileSync(file, 'utf8')
    .replace(/\$\{(\w+)FunctionArn\}/g, 'arn:aws:lambda:eu-west-1:123456789012:function:msk-migration-$1')
    .replaceAll('${Partition}', 'aws');
  return JSON.parse(text) as AslDefinition;
}

/**
 * aws-local-stepfunctions 3.0.0 resolves a Task's TimeoutSecondsPath against the state's Parameters, Step Functions
 * against the state input. For the interpreter only, the path is carried through one more Parameter, so that both read
 * the same value.
 */
function forInterpreter(definition: AslDefinition): AslDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      const path = state.TimeoutSecondsPath;
      if (state.Type !== 'Task' || typeof path !== 'string' || typeof state.Parameters !== 'object')
        return [name, state];
      return [
        name,
        {
          ...state,
          Parameters: { ...(state.Parameters as object), 'localTimeoutSeconds.$': path },
          TimeoutSecondsPath: '$.localTimeoutSeconds',
        },
      ];
    }),
  );
  return { ...definition, States: states };
}

/** A Task state's local handler receives what the Lambda would: for `lambda:invoke` integrations that is `Payload`. */
export type LocalTask = (event: unknown) => Promise<unknown>;

/** The names Lambda raises when a function times out or its runtime crashes (REFERENCE.md, Step Functions). */
export type LambdaFaultName = 'Sandbox.Timedout' | 'Lambda.Unknown' | 'Lambda.ClientExecutionTimeoutException';

/**
 * One invocation of a Task state that Lambda fails as the service would: the `call`-th invocation of the state (1 =
 * the first, retries count) ends with `error`. `AFTER_RUN` runs the handler first (the function did its work, then
 * timed out before answering: its side effects stand, its result is lost); `BEFORE_RUN` never reaches the handler.
 */
export interface LambdaFault {
  readonly call: number;
  readonly error: LambdaFaultName;
  readonly when?: 'BEFORE_RUN' | 'AFTER_RUN';
}

/** Lambda's error document for a fault, as Step Functions puts it in `Cause`. */
export function lambdaFaultCause(error: LambdaFaultName): string {
  const errorMessage =
    error === 'Sandbox.Timedout'
      ? 'RequestId: 5f0c3a4e-0000-4000-8000-000000000001 Error: Task timed out after 900.00 seconds'
      : error === 'Lambda.Unknown'
        ? 'The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"Runtime exited with error: signal: killed"}'
        : 'Rate Exceeded or the client timed out waiting for the function (Lambda.ClientExecutionTimeoutException)';
  return JSON.stringify({ errorType: error, errorMessage });
}

function withFaults(state: string, handler: LocalTask, faults: readonly LambdaFault[] | undefined): LocalTask {
  if (!faults || faults.length === 0) return handler;
  let calls = 0;
  return async (event) => {
    calls++;
    const fault = faults.find((f) => f.call === calls);
    if (!fault) return handler(event);
    if ((fault.when ?? 'AFTER_RUN') === 'AFTER_RUN') await handler(event).catch(() => undefined);
    throw Object.assign(new Error(lambdaFaultCause(fault.error)), { name: fault.error, state });
  };
}

export interface RunOptions {
  /** Keyed by state name. A Task state without one makes the run fail (it would call AWS). */
  readonly tasks: Readonly<Record<string, LocalTask>>;
  /** Milliseconds per Wait state; @default 0 for every Wait state */
  readonly waits?: Readonly<Record<string, number>>;
  /** Milliseconds per state's Retry pause; @default 0 for every state with a Retry */
  readonly retryPauses?: Readonly<Record<string, number>>;
  /** Invocations Lambda fails (timeout, crash), by state name. @default none */
  readonly faults?: Readonly<Record<string, readonly LambdaFault[]>>;
  readonly executionName?: string;
  readonly taskToken?: string;
  /**
   * The execution fails (no Catch runs) when its history would pass this many events, counted with the model of
   * lambdas/core/plan/history-budget.ts. @default 25,000, Step Functions' quota
   */
  readonly historyEventLimit?: number;
  /** The clock `$$.State.EnteredTime` reads (a test's clock moves while the Waits take no time). @default the real one */
  readonly now?: () => Date;
  /**
   * StopExecution, as from the console: once this returns true (checked at every history event and before every task
   * call) the execution ends ABORTED where it is. No Catch runs and no further task is called (a Lambda already
   * running finishes, its result discarded). @default never
   */
  readonly stopRequested?: () => boolean;
}

/**
 * The "Step Functions Execution Status Change" event EventBridge delivers when an execution ends other than
 * SUCCEEDED (the compensator's input; lambdas/compensator/compensate.ts).
 */
export interface ExecutionStatusChangeEvent {
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly source: 'aws.states';
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: 'FAILED' | 'ABORTED' | 'TIMED_OUT';
    readonly startDate: number;
    readonly stopDate: number;
    readonly input: string;
    readonly error: string | null;
    readonly cause: string | null;
  };
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly output?: unknown;
  /** For every end but SUCCEEDED: the status change event EventBridge would deliver. */
  readonly statusChange?: ExecutionStatusChangeEvent;
  readonly error?: string;
  readonly cause?: string;
  /** States entered, in order (from the execution's event log). */
  readonly visited: readonly string[];
  /** The state input each Task state was entered with, last visit wins. */
  readonly events: readonly unknown[];
  /** History events the service would have written (lambdas/core/plan/history-budget.ts's model). */
  readonly historyEvents: number;
}

/** The ARN the runner gives an execution of this name (`$$.Execution.Id`, the status change's `executionArn`). */
export function localExecutionArn(executionName: string): string {
  return `arn:aws:states:eu-west-1:123456789012:execution:MskMigration:${executionName}`;
}

/** The error the runner fails an execution with at the history quota (the service runs no Catch for it). */
export const HISTORY_LIMIT_ERROR = 'States.Runtime';

const isInvokeIntegration = (state: AslState | undefined): boolean =>
  state?.Resource?.startsWith('arn:aws:states:::lambda:invoke') === true;

/**
 * aws-local-stepfunctions has no `$$.State.Name`: the context gives this marker, and the handler of the state that
 * receives it in `stateName` (the ASL's `"stateName.$": "$$.State.Name"`) gets the state's real name instead, as in AWS.
 */
const LOCAL_STATE_NAME = '<$$.State.Name>';

function withStateName(event: unknown, state: string): unknown {
  if (typeof event === 'object' && event !== null && (event as { stateName?: unknown }).stateName === LOCAL_STATE_NAME)
    return { ...(event as Record<string, unknown>), stateName: state };
  return event;
}

function stoppedError(state: string): Error {
  const error = new Error(`The execution was stopped before ${state} ran.`);
  error.name = 'Runner.ExecutionStopped';
  return error;
}

export async function runWorkflow(input: unknown, options: RunOptions): Promise<RunResult> {
  const definition = loadDefinition();
  const executionName = options.executionName ?? 'exec-1';
  const now = options.now ?? (() => new Date());
  const stateMachine = new StateMachine(forInterpreter(definition) as never, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const states = definition.States;
  // StopExecution: set once the stop is seen; the execution is aborted and no task is called after it.
  let stoppedAt: string | undefined;
  let stopExecution: (where: string) => boolean = () => false;
  const execution = stateMachine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: localTaskHandlers(states, options, (where) => stopExecution(where)) as never,
      ...timeOverrides(states, options),
    },
    context: localContext(executionName, options) as never,
  });
  const startDate = now().getTime();
  stopExecution = (where) => {
    if (stoppedAt === undefined && options.stopRequested?.()) {
      stoppedAt = where;
      execution.abort();
    }
    return stoppedAt !== undefined;
  };
  const limit = options.historyEventLimit ?? HISTORY_EVENT_LIMIT;
  const history = collectHistory(execution, states, limit, stopExecution);
  const statusChange = (
    status: ExecutionStatusChangeEvent['detail']['status'],
    error?: string,
    cause?: string,
  ): ExecutionStatusChangeEvent =>
    statusChangeEvent({ executionName, startDate, stopDate: now().getTime(), input, status, error, cause });
  const { visited, events } = history;
  try {
    const output = await execution.result;
    await history.done;
    if (history.overLimitAt !== undefined || stoppedAt !== undefined) throw new Error('stopped');
    return { status: 'SUCCEEDED', output, visited, events, historyEvents: history.count };
  } catch (err) {
    await history.done;
    const historyEvents = history.count;
    if (stoppedAt !== undefined)
      return { status: 'ABORTED', statusChange: statusChange('ABORTED'), visited, events, historyEvents };
    if (history.overLimitAt !== undefined) {
      const cause = `The execution reached the maximum number of history events (${limit.toLocaleString('en-US')}) at ${history.overLimitAt}; no Catch ran.`;
      return {
        status: 'FAILED',
        error: HISTORY_LIMIT_ERROR,
        cause,
        statusChange: statusChange('FAILED', HISTORY_LIMIT_ERROR, cause),
        visited,
        events,
        historyEvents,
      };
    }
    const { error, cause } = failureOf(err, events);
    return {
      status: 'FAILED',
      error,
      cause,
      statusChange: statusChange('FAILED', error, cause),
      visited,
      events,
      historyEvents,
    };
  }
}

/**
 * A handler per served Task state: its faults injected, never run once the execution is stopped, given the Lambda's
 * event as Step Functions builds it.
 */
function localTaskHandlers(
  states: AslDefinition['States'],
  options: Pick<RunOptions, 'tasks' | 'faults'>,
  stopExecution: (where: string) => boolean,
): Record<string, (event: unknown) => Promise<unknown>> {
  const taskHandlers: Record<string, (event: unknown) => Promise<unknown>> = {};
  for (const [name, served] of Object.entries(options.tasks)) {
    const faulty = withFaults(name, served, options.faults?.[name]);
    // A task reached after the stop is never run. Its attempt settles at once (the execution is already aborted and
    // the library's event log closed, so nothing of it is recorded): an attempt left pending would hold the library's
    // per-state timeout timer (the state's TimeoutSeconds, up to 15 minutes) and keep the process alive.
    const handler: LocalTask = (event) => (stopExecution(name) ? Promise.reject(stoppedError(name)) : faulty(event));
    // `lambda:invoke` integrations hand the Lambda only `Payload`, and the direct-ARN form hands it the whole input.
    taskHandlers[name] = isInvokeIntegration(states[name])
      ? (event) => handler(withStateName((event as { Payload: unknown }).Payload, name))
      : (event) => handler(withStateName(event, name));
  }
  return taskHandlers;
}

/** Every Wait state's and every Retry's pause: the run's, or none. */
function timeOverrides(
  states: AslDefinition['States'],
  options: Pick<RunOptions, 'waits' | 'retryPauses'>,
): { waitTimeOverrides: Record<string, number>; retryIntervalOverrides: Record<string, number> } {
  const waitTimeOverrides = Object.fromEntries(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Wait')
      .map(([n]) => [n, options.waits?.[n] ?? 0]),
  );
  const retryIntervalOverrides = Object.fromEntries(
    Object.entries(states)
      .filter(([, s]) => Array.isArray(s.Retry))
      .map(([n]) => [n, options.retryPauses?.[n] ?? 0]),
  );
  return { waitTimeOverrides, retryIntervalOverrides };
}

/** The `$$` context of the execution, with what aws-local-stepfunctions lacks of Step Functions'. */
function localContext(executionName: string, options: Pick<RunOptions, 'taskToken' | 'now'>): Record<string, unknown> {
  let tokens = 0;
  return {
    Execution: {
      Id: localExecutionArn(executionName),
      Name: executionName,
      StartTime: new Date().toISOString(),
    },
    // Step Functions issues a new token for every attempt of a `.waitForTaskToken` state: the getter is read each time
    // an attempt evaluates its Parameters (a retry evaluates them again).
    Task: {
      get Token() {
        tokens += 1;
        return `${options.taskToken ?? 'AQCEAAAAKgAAAAMAAAAAAAAAAbFakeLocalTaskToken'}-${tokens}`;
      },
    },
    // aws-local-stepfunctions 3.0.0 has no `$$.State`; the PointOfNoReturn Pass state reads $$.State.EnteredTime, the Task
    // states $$.State.Name (see withStateName). The
    // library spreads this context shallowly, so a getter is read when a state evaluates its paths: the time it ran.
    State: {
      Name: LOCAL_STATE_NAME,
      get EnteredTime() {
        return (options.now ?? (() => new Date()))().toISOString();
      },
    },
  };
}

/** The execution's event log as it is written: the states entered, the history events counted, the quota watched. */
interface History {
  readonly visited: string[];
  readonly events: unknown[];
  /** History events the service would have written so far. */
  count: number;
  /** Where the count passed the limit (the execution is then aborted). */
  overLimitAt: string | undefined;
  /** Settles once the event log is closed. */
  readonly done: Promise<void>;
}

function collectHistory(
  execution: { readonly eventLogs: unknown; abort(): void },
  states: AslDefinition['States'],
  limit: number,
  stopExecution: (where: string) => boolean,
): History {
  const history: Omit<History, 'done'> = { visited: [], events: [], count: 0, overLimitAt: undefined };
  const done = (async () => {
    for await (const event of execution.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>) {
      history.events.push(event);
      const state = event.state ? states[event.state.name] : undefined;
      if (event.type === 'ExecutionStarted' || event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed')
        history.count += HISTORY_EVENTS.execution / 2;
      if (event.type === 'StateEntered' && event.state) {
        history.visited.push(event.state.name);
        if (state) history.count += eventsOnEntering(state);
      }
      if (event.type === 'StateRetried' && state) history.count += eventsPerRetry(state);
      if (event.type === 'StateEntered' && event.state) stopExecution(event.state.name);
      if (history.count > limit && history.overLimitAt === undefined) {
        history.overLimitAt = event.state?.name ?? event.type;
        execution.abort();
      }
    }
  })();
  return Object.assign(history, { done });
}

/** The "Execution Status Change" event of the end of a local execution. */
function statusChangeEvent(a: {
  executionName: string;
  startDate: number;
  stopDate: number;
  input: unknown;
  status: ExecutionStatusChangeEvent['detail']['status'];
  error: string | undefined;
  cause: string | undefined;
}): ExecutionStatusChangeEvent {
  return {
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    detail: {
      executionArn: localExecutionArn(a.executionName),
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:MskMigration',
      name: a.executionName,
      status: a.status,
      startDate: a.startDate,
      stopDate: a.stopDate,
      input: JSON.stringify(a.input),
      error: a.error ?? null,
      cause: a.cause ?? null,
    },
  };
}

/** A failed execution's error and cause: its ExecutionFailed event's, else the library's rejection's. */
function failureOf(err: unknown, events: readonly unknown[]): { error?: string; cause?: string } {
  const e = err as { cause?: { name?: string; message?: string; cause?: string }; message?: string };
  const failEvent = events.find((ev) => (ev as { type: string }).type === 'ExecutionFailed') as
    { Error?: string; Cause?: string } | undefined;
  return { error: failEvent?.Error ?? e.cause?.name, cause: failEvent?.Cause ?? e.cause?.message ?? e.message };
}
