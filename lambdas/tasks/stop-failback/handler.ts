import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { source } from '../../runtime/aws-ports/clusters';
import { replicator } from '../../runtime/aws-ports/replicator';
import { type Output, task } from './task';

/**
 * StopFailback: the AWS root builds the replicator, run. In AWS the reverse replicator is an MSK Replicator (MirrorMaker 2 on
 * MSK Connect is refused at StartFailback), which leaves no topics of its own on the source: no data plane here.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const stopFailbackHandler = awsTaskHandler(task, { replicator, source, clock }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(stopFailbackHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Reverse replication ${o.replicator.toLowerCase().replace('_', ' ')}`,
        figures: { internalTopicsDeleted: o.internalTopicsDeleted.length },
      };
    },
  }),
);
