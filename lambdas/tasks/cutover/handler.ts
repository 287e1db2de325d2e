import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock, pacer } from '../../runtime/aws-ports/basics';
import { source, target } from '../../runtime/aws-ports/clusters';
import { producerActivity } from '../../runtime/aws-ports/platformatic-reads';
import { pointer, writeFence } from '../../runtime/aws-ports/cutover';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/** Cutover: the AWS root builds the plan's pointer and write fence, both clusters' data planes and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const cutoverHandler = awsTaskHandler(task, {
  pointer,
  source,
  target,
  artifacts,
  writeFence,
  producerActivity,
  clock,
  pacer,
  aborts,
}) as (event: unknown) => Promise<Output>;

export const handler = middy(cutoverHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).oneInvocation.reached === 'SWITCHED',
    summarize: (output) => {
      const o = output as Output;
      const ms = Date.parse(o.oneInvocation.endedAt) - Date.parse(o.oneInvocation.startedAt);
      return {
        summary:
          o.oneInvocation.reached === 'SWITCHED'
            ? `Fenced, drained, offsets committed and switched in one invocation (${ms} ms)`
            : `One invocation reached ${o.oneInvocation.reached}: ${o.oneInvocation.reason ?? ''}`.trim(),
        figures: {
          steps: o.oneInvocation.steps.length,
          ...(o.switch ? { writePauseMs: o.switch.writePauseMs } : {}),
        },
      };
    },
  }),
);
