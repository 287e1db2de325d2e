import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { lagSignals } from '../../runtime/aws-ports/cloudwatch';
import { source, target } from '../../runtime/aws-ports/clusters';
import { replicator } from '../../runtime/aws-ports/replicator';
import { type Output, task } from './task';

/** RollbackReplication: the AWS root builds the replicator, CloudWatch and both clusters' data planes (only when the phase ran), run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const rollbackReplicationHandler = awsTaskHandler(task, { replicator, lagSignals, source, target, clock }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(rollbackReplicationHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
