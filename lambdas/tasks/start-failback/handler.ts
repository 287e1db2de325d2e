import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { msk } from '../../runtime/aws-ports/msk';
import { replicator } from '../../runtime/aws-ports/replicator';
import { type Output, task } from './task';

/** StartFailback: the AWS root builds the replicator (reverse role), MSK, both clusters' data planes and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const startFailbackHandler = awsTaskHandler(task, { replicator, artifacts, source, target, msk, clock }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(startFailbackHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Reverse replication ${o.handle.name} started (${o.state}); forward replicator ${o.forwardReplicator}`,
        figures: { topics: o.topicCount, partitions: o.partitionCount },
      };
    },
  }),
);
