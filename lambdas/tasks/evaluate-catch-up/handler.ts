import middy from '@middy/core';
import { recordGateEvaluation, withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { lagSignals } from '../../runtime/aws-ports/cloudwatch';
import { source, target } from '../../runtime/aws-ports/clusters';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/** EvaluateCatchUp: CloudWatch, both clusters' data planes and S3 from the AWS root, run; one gate-evaluation metric each time. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const serve = awsTaskHandler(task, { artifacts, lagSignals, source, target, clock, aborts }) as (
  event: unknown,
) => Promise<Output>;

export async function evaluateCatchUpHandler(event: unknown): Promise<Output> {
  const output = await serve(event);
  recordGateEvaluation(PHASE, { healthy: output.lastHealthy });
  return output;
}

export const handler = middy(evaluateCatchUpHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).passed,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Catch-up gate passed after ${o.evaluations} evaluations`,
        figures: { evaluations: o.evaluations, consecutiveHealthy: o.consecutiveHealthy },
      };
    },
  }),
);
