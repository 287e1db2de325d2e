import type { AlarmStatus } from '../../lambdas/ports/lag-signals';
import type { KafkaCluster } from '../kafka/cluster';
import type { MirrorMaker } from '../kafka/mirror-maker';
import type { RehearsalPlan } from '../plan';
import type { WorkloadTally } from '../workload';

/**
 * What a scenario is: the fault it injects, the state the workflow must end in, and the hooks that inject the fault.
 * The runner (rehearsal/run-rehearsal.ts) knows no scenario by name: it calls the hooks of the one it runs. A run
 * "matches" when the execution ended in the defined final state with the defined outcome and nothing was lost.
 */
export interface ScenarioDefinition<N extends string = string> {
  readonly name: N;
  /** What is done to the rehearsal, and when (printed at the start of the run and in the CLI's help). */
  readonly fault: string;
  /** The terminal ASL state the execution must reach. */
  readonly finalState: string;
  readonly outcome: 'SUCCEEDED' | 'ROLLED_BACK' | 'FAILED';
  /** The error the Catch must have seen (`$.error.Error`), when the scenario is a failure. */
  readonly error?: string;
  /** What the error's message (the Catch's Cause) must say, e.g. that it names the writer. */
  readonly errorMessage?: RegExp;
  /**
   * Runs the migration-unaware applications beside the pointer workload (rehearsal/workload/unaware.ts): plain
   * clients on the SCRAM listeners, a KAFKA_ACL fence, LOCAL_PROCESS switches. @default false (the run's option)
   */
  readonly unawareClients?: boolean;
  /**
   * A scenario that stops the execution (StopExecution, as from the console): the execution must end ABORTED after
   * state `after` and before `before` was entered, with no Catch run, and the compensator, invoked as EventBridge would
   * with the ABORTED status change, must undo it: `outcome` is then its report's outcome and `finalState` is
   * `COMPENSATED_FINAL_STATE`.
   */
  readonly stopped?: { readonly after: string; readonly before: string };
  /**
   * The execution keeps its replicator on purpose (a consumers-first wave whose producers stay on the source:
   * `waves[].producersStay`): the end state must find it still running instead of gone. @default false
   */
  readonly replicationKept?: boolean;
  /** Changes the scenario makes to the rehearsal's plan (shorter gates or timeouts); the plan is validated as usual. */
  readonly plan?: (plan: RehearsalPlan) => RehearsalPlan;
  /**
   * Called once per run, after the environment started and before the execution: returns the hooks that inject the
   * fault. Per-run state (counters, what was done) lives in the closure.
   */
  readonly inject?: (context: ScenarioContext) => ScenarioHooks;
}

/** Hooks into the execution. Every hook runs after the rehearsal's own probes for the same state. */
export interface ScenarioHooks {
  /** Before the Task state's function runs. */
  readonly beforeState?: (state: string) => Promise<void> | void;
  /** After the Task state's function returned `output` (a failed state calls no hook). */
  readonly afterState?: (state: string, output: Readonly<Record<string, unknown>>) => Promise<void> | void;
  /** How an approval of `kind` is decided; `undefined` leaves it to the run's options (auto-approve, or a person). */
  readonly approval?: (kind: string) => ApprovalDecision | undefined;
  /**
   * After the execution ended and the workload was stopped and counted: a scenario that runs clients of its own
   * (rehearsal/scenarios/waves.ts) drains and counts them here, and records a mismatch for what it lost.
   */
  readonly afterRun?: (tally: WorkloadTally) => Promise<void> | void;
}

export type ApprovalDecision =
  | { readonly outcome: 'APPROVE' | 'REJECT' }
  /** Nobody decides; `note` is printed instead of the link's instructions. */
  | { readonly outcome: 'NONE'; readonly note: string };

/** What a scenario may act on. Processes are frozen and thawed by PID; the runner thaws whatever is left at the end. */
export interface ScenarioContext {
  readonly source: KafkaCluster;
  readonly target: KafkaCluster;
  /** This run's directory (the plan's pointer file is `pointer.json` there; a scenario may add pointers beside it). */
  readonly runDir: string;
  /** The MirrorMaker 2 JVM the replicator runs (the latest started), if any. */
  mirrorMaker(): MirrorMaker | undefined;
  /**
   * `msk-migrate abort` for this run's execution: the request is recorded where the workflow's poll tasks read it (the
   * lock table in AWS; the same port, in memory, here), exactly as the CLI records it.
   */
  requestAbort(reason: string): Promise<void>;
  /** StopExecution for this run's execution (the console's Stop): the runner ends it where it is, no Catch runs. */
  stopExecution(): void;
  /** Whether the workload's producers hold their writes (they saw a fence in the pointer). */
  holdingWrites(): boolean;
  /** SIGSTOP by PID, logged as the FAULT. */
  freeze(pid: number, what: string): void;
  /** SIGCONT by PID, when frozen by `freeze`. */
  thaw(pid: number, what: string): void;
  isFrozen(pid: number): boolean;
  /** Sets the target's health alarm the rollback window watches (a local stand-in for the CloudWatch alarm). */
  setTargetAlarm(state: AlarmStatus['state']): void;
  readonly targetAlarmName: string;
  /** The latest lag between the clusters sampled, in records. */
  lastLag(): number | undefined;
  log(line: string): void;
  /** Stops what the scenario started when the run ends, also when it fails before `afterRun` (in reverse order). */
  addTeardown(what: string, stop: () => Promise<void> | void): void;
  /** Records that the run did not go as the scenario requires (the run then does not match). */
  mismatch(what: string): void;
  /** An extra figure for the run's result (`RehearsalRun.figures`). */
  figure(name: string, value: unknown): void;
}

/** The final state a rehearsal reports for a stopped execution that the compensator undid (no ASL state ends it). */
export const COMPENSATED_FINAL_STATE = 'Compensated (execution ABORTED)';

/** Keeps a definition's name as a literal type, so that the list of definitions gives the union of names. */
export function defineScenario<const N extends string>(definition: ScenarioDefinition<N>): ScenarioDefinition<N> {
  return definition;
}
