import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runFinalize, type Output, task } from './task';

/** Finalize: parse, wire the replicator, CloudWatch and kafkajs on both clusters, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION'], [...REPLICATOR_ENV, ...DATA_PLANE_ENV]));

export async function finalizeHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], ({ source, target }) =>
    runFinalize(input, {
      replicator: ports.replicator(state.replication.handle.engine),
      lagSignals: ports.lagSignals(),
      source,
      target,
      now: () => new Date(),
    }),
  );
}

export const handler = middy(finalizeHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
