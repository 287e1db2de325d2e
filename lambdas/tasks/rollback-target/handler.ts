import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { provisioner } from '../../runtime/aws-ports/provisioner';
import { type Output, task } from './task';

/** RollbackTarget: the AWS root builds the MSK provisioner, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const rollbackTargetHandler = awsTaskHandler(task, { provisioner, clock }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(rollbackTargetHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
