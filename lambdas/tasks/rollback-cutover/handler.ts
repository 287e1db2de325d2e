import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { clientSwitches, pointer, writeFence } from '../../runtime/aws-ports/cutover';
import { type Output, task } from './task';

/**
 * RollbackCutover / FailbackCutover: the AWS root builds the plan's pointer, the target's data plane (and the source for a
 * failback), S3, run. A target that cannot be reached does not stop a rollback: the pointer goes back regardless.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const rollbackCutoverHandler = awsTaskHandler(task, {
  pointer,
  target,
  source,
  artifacts,
  clientSwitches,
  writeFence,
  clock,
}) as (event: unknown) => Promise<Output>;

export const handler = middy(rollbackCutoverHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
