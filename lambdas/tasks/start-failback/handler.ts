import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runStartFailback, type Output } from './task';

/** StartFailback: parse, wire the replicator (reverse role), MSK, kafkajs on both clusters and S3, run. */

const PHASE = 'StartFailback';
const ports = new AwsTaskPorts(
  readTaskEnv(
    process.env,
    ['AWS_REGION', 'ARTIFACT_BUCKET'],
    [
      'REPLICATOR_SERVICE_ROLE_ARN',
      'MSK_CONNECT_SERVICE_ROLE_ARN',
      'MSK_CONNECT_LOG_GROUP',
      'KAFKA_REQUEST_TIMEOUT_MS',
      'KAFKA_CLIENT',
    ],
  ),
);

export async function startFailbackHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runStartFailback(input, {
      replicator: ports.replicator(state.input.replication.engine),
      artifacts: ports.artifacts(),
      msk: ports.msk(),
      source,
      target,
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(source, target);
  }
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
