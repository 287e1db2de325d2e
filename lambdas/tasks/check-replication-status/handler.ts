import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { replicator } from '../../runtime/aws-ports/replicator';
import { type Output, task } from './task';

/** CheckReplicationStatus: the AWS root builds the replicator the plan names, run. Announces only the transition to RUNNING. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const checkReplicationStatusHandler = awsTaskHandler(task, { replicator, clock, aborts }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(checkReplicationStatusHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).running,
    summarize: (output) => ({ summary: `Replicator ${(output as Output).handle.name} is RUNNING` }),
  }),
);
