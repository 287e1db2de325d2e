import * as z from 'zod';
import { InputInvalidError } from '../../core/errors';
import { ApprovalPlanSchema } from '../../core/approval/evidence';
import { ApprovalKindSchema, MAX_TASK_TOKEN_LENGTH } from '../../core/approval/record';
import { requestApproval, type ApprovalServices } from '../../core/approval/service';
import { defineTask } from '../../workflow/define-task';
import { ExecutionStateSchema, parseTaskInput, scopeToCurrentWave } from '../shared/execution-state';
import { lazySchema } from '../../core/lazy-schema';

/**
 * RequestApproval: the Lambda behind the `.waitForTaskToken` states CutoverApproval and FinalizeApproval.
 * It stores the task token behind a short random approval ID, sends the e-mail and the Slack message with the
 * evidence, schedules the reminder, and returns. The state then waits until a person decides (SendTaskSuccess, or
 * SendTaskFailure `Migration.ApprovalRejected`) or its TimeoutSeconds pass (States.Timeout: the rejection path).
 *
 * ASL Payload: `{ "taskToken.$": "$$.Task.Token", "executionId.$": "$$.Execution.Id", "kind": "CUTOVER",
 * "state.$": "$" }`.
 */

export const Input = lazySchema(() =>
  z.object({
    taskToken: z.string().min(1).max(MAX_TASK_TOKEN_LENGTH),
    /** `$$.Execution.Id`: the execution ARN. */
    executionId: z.string().min(1),
    kind: ApprovalKindSchema,
    /** The whole execution state: the validated plan under `input`, the earlier phases' summaries beside it. */
    state: z.looseObject({ input: z.looseObject({ approval: z.unknown() }) }),
  }),
);
export type Input = z.infer<typeof Input>;

export const Output = lazySchema(() =>
  z.object({
    approvalId: z.string(),
    expiresAt: z.string(),
    emailsSent: z.number().int(),
    slackPosted: z.boolean(),
    reminderAt: z.string().optional(),
    requestKey: z.string(),
  }),
);
export type Output = z.infer<typeof Output>;

/** Ports and settings only; the handler builds the AWS ones, the rehearsal the local ones. */
export type Deps = ApprovalServices;

/**
 * The approval section a decision of this kind reads: for a CUTOVER of a plan in waves, the current wave's (its
 * owners decide it, and are mailed: lambdas/core/plan/waves.ts); otherwise the plan's.
 */
function approvalSectionOf(input: Input): unknown {
  if (input.kind !== 'CUTOVER' || input.state['waves'] === undefined) return input.state.input.approval;
  const state = scopeToCurrentWave(parseTaskInput('CutoverApproval', ExecutionStateSchema, input.state));
  return state.input.approval;
}

export async function runRequestApproval(input: Input, deps: Deps): Promise<Output> {
  const plan = ApprovalPlanSchema.safeParse(approvalSectionOf(input));
  if (!plan.success) {
    const fields = plan.error.issues.map((i) => `input.approval.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InputInvalidError(`The plan's approval section cannot be used: ${fields}.`);
  }
  const requested = await requestApproval(
    {
      taskToken: input.taskToken,
      executionArn: input.executionId,
      kind: input.kind,
      plan: plan.data,
      state: input.state,
    },
    deps,
  );
  return Output.parse(requested);
}

/** RequestApproval as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask<Input, Output, { readonly approvals: Deps }>({
  function: 'RequestApproval',
  Input,
  Output,
  needs: { approvals: 'approvals' },
  run: (input: Input, deps: { readonly approvals: Deps }) => runRequestApproval(input, deps.approvals),
});
