import middy from '@middy/core';
import { recordGateEvaluation, withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runEvaluateCatchUp, type Output, task } from './task';

/** EvaluateCatchUp: parse, wire CloudWatch, kafkajs on both clusters, S3, run; one gate-evaluation metric each time. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], [...DATA_PLANE_ENV, 'MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function evaluateCatchUpHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], async ({ source, target }) => {
    const output = await runEvaluateCatchUp(input, {
      artifacts: ports.artifacts(),
      lagSignals: ports.lagSignals(),
      source,
      target,
      ...aborts,
      now: () => new Date(),
    });
    recordGateEvaluation(PHASE, { healthy: output.lastHealthy });
    return output;
  });
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
