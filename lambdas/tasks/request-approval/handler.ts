import middy from '@middy/core';
import { InputInvalidError } from '../../core/errors';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { approvals } from '../../runtime/aws-ports/approvals';
import { Input, type Output, task } from './task';

/** RequestApproval (CutoverApproval, FinalizeApproval and FailbackDecision states): the approval services from the AWS root, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;

/** Field paths only: the event carries the task token, which must not reach a log or an error message. */
function parse(event: unknown): Input {
  const parsed = Input.safeParse(event);
  if (!parsed.success)
    throw new InputInvalidError(
      `RequestApproval payload invalid at ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}.`,
    );
  return parsed.data;
}

/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const requestApprovalHandler = awsTaskHandler(task, { approvals }, { parse }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(requestApprovalHandler).use(
  withObservability(PHASE, {
    successStatus: 'WAITING',
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Approval ${o.approvalId} requested; decide before ${o.expiresAt}`,
        figures: { emailsSent: o.emailsSent, slackPosted: o.slackPosted },
      };
    },
  }),
);
