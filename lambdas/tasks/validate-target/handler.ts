import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runValidateTarget, type Output } from './task';

/** ValidateTarget: parse, wire kafkajs on both clusters and S3, run. */

const PHASE = 'ValidateTarget';
const ports = new AwsTaskPorts(
  readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], ['KAFKA_REQUEST_TIMEOUT_MS']),
);

export async function validateTargetHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runValidateTarget(input, { source, target, artifacts: ports.artifacts(), now: () => new Date() });
  } finally {
    await closeQuietly(source, target);
  }
}

export const handler = middy(validateTargetHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Target validated: ${o.checked.topics} topics, ${o.checked.partitions} partitions, ${o.checked.groups} groups`,
        figures: { ...o.checked },
      };
    },
  }),
);
