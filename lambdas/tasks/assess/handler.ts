import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { type Output, task } from './task';

/** Assess: the AWS root builds the S3 artifact store, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const assessHandler = awsTaskHandler(task, { artifacts, clock }) as (event: unknown) => Promise<Output>;

export const handler = middy(assessHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Assessment against ${o.profile}: no blocker, ${o.counts.WARNING} warnings`,
        figures: { warnings: o.counts.WARNING, info: o.counts.INFO },
      };
    },
  }),
);
