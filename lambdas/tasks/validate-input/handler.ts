import middy from '@middy/core';
import { readTaskEnv } from '../../contract';
import { withObservability } from '../../middleware/observability';
import { runValidateInput, type Input, type Output, task } from './task';

/** ValidateInput: no AWS clients to wire; the task checks the plan for the AWS runtime and shapes the state. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** The Region the orchestrator runs in: MSK Replicators are created there (lambdas/core/plan/runtimes.ts). */
const { AWS_REGION: region } = readTaskEnv(process.env, [], ['AWS_REGION']);

export async function validateInputHandler(event: unknown): Promise<Output> {
  return runValidateInput(event as Input, () => new Date(), 'AWS', region ? { region } : {});
}

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
