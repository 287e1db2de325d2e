import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runStartFailback, type Output, task } from './task';

/** StartFailback: parse, wire the replicator (reverse role), MSK, kafkajs on both clusters and S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(
  readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], [...REPLICATOR_ENV, ...DATA_PLANE_ENV]),
);

export async function startFailbackHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], ({ source, target }) =>
    runStartFailback(input, {
      replicator: ports.replicator(state.input.replication.engine),
      artifacts: ports.artifacts(),
      msk: ports.msk(),
      source,
      target,
      now: () => new Date(),
    }),
  );
}

export const handler = middy(startFailbackHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Reverse replication ${o.handle.name} started (${o.state}); forward replicator ${o.forwardReplicator}`,
        figures: { topics: o.topicCount, partitions: o.partitionCount },
      };
    },
  }),
);
