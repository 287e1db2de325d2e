/**
 * How a polling task looks again within one invocation, instead of returning to a Wait state: every `everyMs`, for at
 * most `budgetMs` of the invocation, then it returns what it saw and the ASL's Wait/Choice loop takes over. The
 * cutover's drain and offset commit use it, so that the producers' hold costs milliseconds per look, not a Wait
 * state's seconds (docs/cutover.md). Runtimes without one (the workflow tests by default) look once per invocation.
 */
export interface Pacer {
  readonly everyMs: number;
  readonly budgetMs: number;
  sleep(ms: number): Promise<void>;
}

/** The pacer the deployed functions use: four looks a second for up to a minute (their timeout is 5 minutes or more). */
export const LAMBDA_PACER_SETTINGS = { everyMs: 250, budgetMs: 60_000 } as const;

/**
 * The one-invocation Cutover looks until its own deadline instead: its function's timeout less this margin, which the
 * step under way when the deadline passes finishes within (lambdas/tasks/cutover/task.ts).
 */
export const ONE_INVOCATION_DEADLINE_MARGIN_SECONDS = 60;
