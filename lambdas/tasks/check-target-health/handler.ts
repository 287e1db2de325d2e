import middy from '@middy/core';
import { recordTargetHealth, withObservability } from '../../middleware/observability';
import { TargetUnhealthyError } from '../../core/errors';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCheckTargetHealth, type Output, task } from './task';

/** CheckTargetHealth: parse, wire kafkajs on the target, CloudWatch and S3, run; announced when the window closes. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], [...DATA_PLANE_ENV, 'MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function checkTargetHealthHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['target'], async ({ target }) => {
    try {
      const output = await runCheckTargetHealth(input, {
        target,
        artifacts: ports.artifacts(),
        lagSignals: ports.lagSignals(),
        ...aborts,
        now: () => new Date(),
      });
      // The dashboard's "Target health checks" widget: one count per check, by result.
      recordTargetHealth(PHASE, output.healthy);
      return output;
    } catch (error) {
      // The unhealthy check that reached the limit (its Catch rolls back) is a check too.
      if (error instanceof TargetUnhealthyError) recordTargetHealth(PHASE, false);
      throw error;
    }
  });
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
