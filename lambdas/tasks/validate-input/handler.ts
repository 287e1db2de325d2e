import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock, region, runtime } from '../../runtime/aws-ports/basics';
import { type Output, task } from './task';

/** ValidateInput: no AWS clients; the task checks the plan for the AWS runtime (and its Region) and shapes the state. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): the clock, the runtime and the Region. */
export const validateInputHandler = awsTaskHandler(task, { clock, runtime, region }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(validateInputHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Plan ${o.identity.migrationId} is valid: ${o.input.target.type} target, ${o.input.replication.engine}, ${o.input.cutover.switch.type} switch`,
        figures: {
          targetType: o.input.target.type,
          engine: o.input.replication.engine,
          switch: o.input.cutover.switch.type,
        },
      };
    },
  }),
);
