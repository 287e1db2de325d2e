import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { msk } from '../../runtime/aws-ports/msk';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { provisioner } from '../../runtime/aws-ports/provisioner';
import { type Output, task } from './task';

/** CheckTargetStatus: the AWS root builds the MSK provisioner and control plane, run. Announces only the transition to ready. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const checkTargetStatusHandler = awsTaskHandler(task, { provisioner, msk, clock, aborts }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(checkTargetStatusHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).ready,
    summarize: (output) => ({
      summary: `Target ${(output as Output).clusterName ?? (output as Output).clusterArn ?? ''} is ACTIVE`,
    }),
  }),
);
