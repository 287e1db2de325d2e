import * as z from 'zod';
import { InputInvalidError } from '../../core/errors';
import { checkPlan } from '../../core/plan/check-plan';
import { pollCadence } from '../../core/plan/history-budget';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { Runtime, RuntimeContext } from '../../core/plan/runtimes';
import { wavesStateOf, type WavesState } from '../../core/plan/waves';
import type { ExecutionIdentity } from '../../core/replication/naming';
import { defineTask } from '../../workflow/define-task';
import { WORKFLOW_DEFINITION } from '../shared/workflow-definition';
import { lazySchema } from '../../core/lazy-schema';

/**
 * ValidateInput: the first state. Checks the execution input against the contract (lambdas/core/plan) and replaces
 * the state with what every later state reads: the plan with its defaults (`$.input`), the execution's identity
 * (`$.identity`: names and ownership tags derive from it), the execution itself (`$.execution`) and the Wait states'
 * seconds (`$.settings`). Nothing is created. An invalid input fails with Migration.InputInvalid naming every field.
 *
 * ASL Parameters: `{ "plan.$": "$", "executionId.$": "$$.Execution.Id", "executionName.$": "$$.Execution.Name",
 * "startedAt.$": "$$.Execution.StartTime" }`, ResultPath `$`.
 */

export const Input = lazySchema(() =>
  z.object({
    /** The execution input, unchecked. */
    plan: z.unknown(),
    /** `$$.Execution.Id`: the execution ARN. */
    executionId: z.string().min(1),
    /** `$$.Execution.Name`; the last segment of the ARN when absent. */
    executionName: z.string().min(1).optional(),
    /** `$$.Execution.StartTime`; the time of this call when absent. */
    startedAt: z.string().min(1).optional(),
  }),
);
export type Input = z.input<typeof Input>;

/** The Wait states' seconds and the poll loops' deadlines (SettingsSchema of lambdas/tasks/shared/execution-state.ts). */
export interface Settings {
  readonly provisionPollSeconds: number;
  readonly replicatorPollSeconds: number;
  readonly pollIntervalSeconds: number;
  readonly drainPollSeconds: number;
  readonly healthPollSeconds: number;
  readonly provisionTimeoutMinutes: number;
  readonly replicationStartTimeoutMinutes: number;
  /** The approval states' own timeout (TimeoutSecondsPath): the plan's approval.timeoutMinutes plus a margin. */
  readonly approvalTimeoutSeconds: number;
}

export interface Output {
  readonly input: MigrationPlan;
  /** A plan in waves: every wave and the first, current one (lambdas/core/plan/waves.ts); absent otherwise. */
  readonly waves?: WavesState;
  readonly identity: ExecutionIdentity;
  readonly execution: { readonly id: string; readonly name: string; readonly startedAt: string };
  readonly settings: Settings;
}

/**
 * The error message lists every issue up to this many characters: the Catch puts it in the state as `Cause`, and a
 * state's data is capped at 256 KB. The details hold them all (in-process callers such as the rehearsal read them).
 */
const MESSAGE_BUDGET = 16_000;

/** The execution name is the last segment of its ARN (`arn:aws:states:<region>:<account>:execution:<machine>:<name>`). */
export function executionNameOf(executionArn: string): string {
  return executionArn.split(':').pop() || executionArn;
}

/**
 * The Wait states' seconds: the poll cadence of lambdas/core/plan/history-budget.ts, derived from the plan's time boxes
 * so that every loop fits its share of the execution's 25,000 history events.
 */
export function settingsFor(plan: MigrationPlan): Settings {
  return {
    ...pollCadence(plan),
    approvalTimeoutSeconds: plan.approval.timeoutMinutes * 60 + APPROVAL_TIMEOUT_MARGIN_SECONDS,
  };
}

/**
 * The approval states wait this long past the plan's approval.timeoutMinutes: the approval service's own deadline (a
 * Scheduler schedule) fires first, marks the approval EXPIRED, audits it and fails the task as rejected; the state's
 * timeout (States.Timeout, the same rejection path) is the backstop should that delivery itself fail.
 */
export const APPROVAL_TIMEOUT_MARGIN_SECONDS = 15 * 60;

/**
 * The plan checked for the runtime serving it (lambdas/core/plan/check-plan.ts): the contract, what this runtime has
 * no adapter for (the deployed workflow refuses the rehearsal's LOCAL_FILE switch), the state's size and the history
 * budget, every problem at once. `runtime` defaults to AWS, the stricter.
 */
export function runValidateInput(
  event: Input,
  now: () => Date = () => new Date(),
  runtime: Runtime = 'AWS',
  context: RuntimeContext = {},
): Output {
  const payload = Input.safeParse(event);
  if (!payload.success) {
    throw new InputInvalidError(
      `ValidateInput payload invalid at ${payload.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}: the state machine passes {plan, executionId, executionName, startedAt}.`,
    );
  }
  const { plan, executionId } = payload.data;
  const result = checkPlan(plan, runtime, WORKFLOW_DEFINITION, context);
  if (!result.valid) {
    const listed: string[] = [];
    let length = 0;
    for (const i of result.issues) {
      const line = `${i.path}: ${i.message}`;
      if (length + line.length > MESSAGE_BUDGET && listed.length > 0) break;
      listed.push(line);
      length += line.length + 2;
    }
    const more = result.issues.length - listed.length;
    throw new InputInvalidError(
      `The execution input is not a valid migration plan (${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}; nothing was created): ${listed.join('; ')}${more > 0 ? `; and ${more} more (msk-migrate validate lists them all)` : ''}.`,
      { issues: result.issues },
    );
  }
  const name = payload.data.executionName ?? executionNameOf(executionId);
  const waves = wavesStateOf(result.plan);
  return {
    input: result.plan,
    ...(waves ? { waves } : {}),
    identity: { migrationId: result.plan.migrationId, executionName: name },
    execution: { id: executionId, name, startedAt: payload.data.startedAt ?? now().toISOString() },
    settings: settingsFor(result.plan),
  };
}

interface Deps {
  readonly now: () => Date;
  /** Which runtime serves the execution (AWS when the runtime does not say). */
  readonly runtime?: Runtime;
  /** The Region the orchestrator runs in (AWS): MSK Replicators are created there. */
  readonly region?: string;
}

/** ValidateInput as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask<Input, Output, Deps>({
  function: 'ValidateInput',
  Input,
  needs: { now: 'clock', runtime: 'runtime', region: 'region' },
  run: (input: Input, deps: Deps) =>
    runValidateInput(input, deps.now, deps.runtime ?? 'AWS', deps.region ? { region: deps.region } : {}),
  parsesOwnInput: true,
});
