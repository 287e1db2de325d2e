import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCheckFailback, type Output, task } from './task';

/** CheckFailback / CheckFailbackDrain: parse, wire the replicator, kafkajs on both clusters and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(
  process.env,
  ['AWS_REGION', 'ARTIFACT_BUCKET'],
  [...REPLICATOR_ENV, ...DATA_PLANE_ENV, 'MIGRATION_LOCK_TABLE'],
);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function checkFailbackHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], ({ source, target }) =>
    runCheckFailback(input, {
      replicator: ports.replicator(state.failback.handle.engine),
      artifacts: ports.artifacts(),
      source,
      target,
      ...aborts,
      now: () => new Date(),
    }),
  );
}

export const handler = middy(checkFailbackHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).drained ?? (output as Output).caughtUp,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: o.drained
          ? `Failback drained after ${o.checks} checks`
          : `Failback caught up after ${o.checks} checks`,
        figures: { checks: o.checks, lagRecords: o.lastCheck?.lagRecords ?? 0 },
      };
    },
  }),
);
