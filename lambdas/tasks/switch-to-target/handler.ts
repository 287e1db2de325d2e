import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { cutoverSwitchFor } from '../shared/cutover-switch';
import { waveSuffix } from '../shared/plan-views';
import { awsClientSwitches } from '../shared/client-switches';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runSwitchToTarget, type Output, task } from './task';

/** SwitchToTarget: parse, wire the plan's pointer, kafkajs on the target and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], DATA_PLANE_ENV));

export async function switchToTargetHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['target'], ({ target }) =>
    runSwitchToTarget(input, {
      pointer: cutoverSwitchFor(
        state.input,
        {},
        { execution: state.execution.id, step: `${PHASE}${waveSuffix(state)}` },
      ),
      target,
      clientSwitches: awsClientSwitches(),
      artifacts: ports.artifacts(),
      now: () => new Date(),
    }),
  );
}

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
