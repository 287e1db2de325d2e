import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { target } from '../../runtime/aws-ports/clusters';
import { clientSwitches, pointer } from '../../runtime/aws-ports/cutover';
import { type Output, task } from './task';

/** SwitchToTarget: the AWS root builds the plan's pointer, the target's data plane and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const switchToTargetHandler = awsTaskHandler(task, { pointer, target, artifacts, clientSwitches, clock }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(switchToTargetHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Clients switched to the target at ${o.switchedAt}`,
        figures: { writePauseMs: o.writePauseMs },
      };
    },
  }),
);
