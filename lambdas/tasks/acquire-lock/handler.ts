import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { locks } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/** AcquireLock: the AWS root builds the DynamoDB lock table, run. Calls: dynamodb:PutItem and DeleteItem on the lock table. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const acquireLockHandler = awsTaskHandler(task, { locks, clock }) as (event: unknown) => Promise<Output>;

export const handler = middy(acquireLockHandler).use(
  withObservability(PHASE, {
    summarize: (output) => ({
      summary: `Locked ${(output as Output).keys.length} resources for this execution`,
      figures: { locks: (output as Output).keys.length },
    }),
  }),
);
