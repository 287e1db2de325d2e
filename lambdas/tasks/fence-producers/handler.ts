import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { clientSwitches, pointer, writeFence } from '../../runtime/aws-ports/cutover';
import { type Output, task } from './task';

/** FenceProducers / FenceForFailback: the AWS root builds the plan's pointer, the data plane of the cluster producers use now, S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const fenceProducersHandler = awsTaskHandler(task, {
  pointer,
  source,
  target,
  artifacts,
  clientSwitches,
  writeFence,
  clock,
}) as (event: unknown) => Promise<Output>;

export const handler = middy(fenceProducersHandler).use(
  withObservability(PHASE, {
    summarize: (output): { summary: string; figures: Record<string, number> } => {
      const o = output as Output;
      if ('direction' in o && o.direction === 'RELEASE_FAILBACK')
        return { summary: `Failback fence on ${o.pointer}: ${o.outcome.toLowerCase().replace('_', ' ')}`, figures: {} };
      return 'direction' in o
        ? { summary: `Producers on the target fenced for the failback at ${o.fencedAt}`, figures: { topics: o.topics } }
        : {
            summary: `Producers fenced at ${o.fencedAt}`,
            figures: { topics: o.topics, partitions: o.sourceEndsAtFence.partitions },
          };
    },
  }),
);
