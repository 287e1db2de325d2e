import middy from '@middy/core';
import { awsApprovalServices, approvalEnvFrom } from '../../approval/aws-services';
import { InputInvalidError } from '../../core/errors';
import { telemetryFor, withObservability } from '../../middleware/observability';
import { Input, runRequestApproval, type Output, task } from './task';

/** RequestApproval (CutoverApproval and FinalizeApproval states): parse, wire the AWS adapters, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const { logger } = telemetryFor(PHASE);
const services = awsApprovalServices(approvalEnvFrom(process.env), (message, details) =>
  logger.warn(message, details ?? {}),
);

export async function requestApprovalHandler(event: unknown): Promise<Output> {
  const parsed = Input.safeParse(event);
  if (!parsed.success) {
    // Field paths only: the event carries the task token, which must not reach a log or an error message.
    throw new InputInvalidError(
      `RequestApproval payload invalid at ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}.`,
    );
  }
  return runRequestApproval(parsed.data, services);
}

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
