import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock, pacer } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { producerActivity } from '../../runtime/aws-ports/platformatic-reads';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/** CheckDrain: the AWS root builds both clusters' data planes and S3, run; announced once drained. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const checkDrainHandler = awsTaskHandler(task, {
  source,
  target,
  artifacts,
  producerActivity,
  clock,
  pacer,
  aborts,
}) as (event: unknown) => Promise<Output>;

export const handler = middy(checkDrainHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).drained,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Source drained after ${o.polls} polls: ${o.partitionsDrained}/${o.partitions} partitions`,
        figures: { polls: o.polls, partitions: o.partitions, offsetLag: o.offsetLag },
      };
    },
  }),
);
