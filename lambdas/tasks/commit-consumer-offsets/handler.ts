import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCommitConsumerOffsets, type Output } from './task';

/** CommitConsumerOffsets: parse, wire kafkajs on both clusters and S3, run; announced once complete. */

const PHASE = 'CommitConsumerOffsets';
const ports = new AwsTaskPorts(
  readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], ['KAFKA_REQUEST_TIMEOUT_MS', 'KAFKA_CLIENT']),
);

export async function commitConsumerOffsetsHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runCommitConsumerOffsets(input, {
      source,
      target,
      artifacts: ports.artifacts(),
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(source, target);
  }
}

export const handler = middy(commitConsumerOffsetsHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).complete,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Consumer offsets committed on the target: ${o.groups} groups, ${o.partitionsCommitted} partitions`,
        figures: { groups: o.groups, partitionsCommitted: o.partitionsCommitted },
      };
    },
  }),
);
