import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock, pacer } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { consumerHolds } from '../../runtime/aws-ports/consumer-holds';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/** CommitConsumerOffsets: the AWS root builds both clusters' data planes and S3, run; announced once complete. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const commitConsumerOffsetsHandler = awsTaskHandler(task, {
  source,
  target,
  artifacts,
  clock,
  pacer,
  aborts,
  clientSwitches: consumerHolds,
}) as (event: unknown) => Promise<Output>;

export const handler = middy(commitConsumerOffsetsHandler).use(
  withObservability(PHASE, {
    announce: (output) => 'complete' in (output as Output) && (output as { complete: boolean }).complete,
    summarize: (output): { summary: string; figures: Record<string, number> } => {
      const o = output as Output;
      if (!('complete' in o))
        return {
          summary: `Consumer offsets translated before the fence: ${o.partitionsTranslated} partitions of ${o.groups} groups, ${o.partitionsLeft} left for after the drain`,
          figures: { groups: o.groups, partitionsTranslated: o.partitionsTranslated, partitionsLeft: o.partitionsLeft },
        };
      return {
        summary: `Consumer offsets committed on the target: ${o.groups} groups, ${o.partitionsCommitted} partitions`,
        figures: {
          groups: o.groups,
          partitionsCommitted: o.partitionsCommitted,
          ...(o.translatedBeforeFence !== undefined ? { translatedBeforeFence: o.translatedBeforeFence } : {}),
        },
      };
    },
  }),
);
