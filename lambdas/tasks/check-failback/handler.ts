import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { replicator } from '../../runtime/aws-ports/replicator';
import { type Output, task } from './task';

/** CheckFailback / CheckFailbackDrain: the AWS root builds the replicator, both clusters' data planes and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const checkFailbackHandler = awsTaskHandler(task, { replicator, artifacts, source, target, clock, aborts }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(checkFailbackHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).drained ?? (output as Output).caughtUp,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: o.drained
          ? `Failback drained after ${o.checks} checks`
          : `Failback caught up after ${o.checks} checks`,
        figures: { checks: o.checks, lagRecords: o.lastCheck?.lagRecords ?? 0 },
      };
    },
  }),
);
