import middy from '@middy/core';
import { recordTargetHealth, withObservability } from '../../middleware/observability';
import { TargetUnhealthyError } from '../../core/errors';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock, healthAlarmNames } from '../../runtime/aws-ports/basics';
import { lagSignals } from '../../runtime/aws-ports/cloudwatch';
import { target } from '../../runtime/aws-ports/clusters';
import { aborts } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/** CheckTargetHealth: the target's data plane, CloudWatch and S3 from the AWS root, run; announced when the window closes. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const serve = awsTaskHandler(task, { target, artifacts, lagSignals, healthAlarmNames, clock, aborts }) as (
  event: unknown,
) => Promise<Output>;

export async function checkTargetHealthHandler(event: unknown): Promise<Output> {
  try {
    const output = await serve(event);
    // The dashboard's "Target health checks" widget: one count per check, by result.
    recordTargetHealth(PHASE, output.healthy);
    return output;
  } catch (error) {
    // The unhealthy check that reached the limit (its Catch rolls back) is a check too.
    if (error instanceof TargetUnhealthyError) recordTargetHealth(PHASE, false);
    throw error;
  }
}

export const handler = middy(checkTargetHealthHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).closed,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Rollback window closed at ${o.windowEndsAt} after ${o.checks} health checks`,
        figures: { checks: o.checks, groupsResumed: o.figures.groupsResumed },
      };
    },
  }),
);
