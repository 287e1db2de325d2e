import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCheckDrain, type Output } from './task';

/** CheckDrain: parse, wire kafkajs on both clusters and S3, run; announced once drained. */

const PHASE = 'CheckDrain';
const ports = new AwsTaskPorts(
  readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], ['KAFKA_REQUEST_TIMEOUT_MS', 'KAFKA_CLIENT']),
);

export async function checkDrainHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runCheckDrain(input, { source, target, artifacts: ports.artifacts(), now: () => new Date() });
  } finally {
    await closeQuietly(source, target);
  }
}

export const handler = middy(checkDrainHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).drained,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Source drained after ${o.polls} polls: ${o.partitionsDrained}/${o.partitions} partitions`,
        figures: { polls: o.polls, partitions: o.partitions, offsetLag: o.offsetLag },
      };
    },
  }),
);
