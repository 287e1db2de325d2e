import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runFinalize, type Output } from './task';

/** Finalize: parse, wire the replicator, CloudWatch and kafkajs on both clusters, run. */

const PHASE = 'Finalize';
const ports = new AwsTaskPorts(
  readTaskEnv(
    process.env,
    ['AWS_REGION'],
    [
      'REPLICATOR_SERVICE_ROLE_ARN',
      'MSK_CONNECT_SERVICE_ROLE_ARN',
      'MSK_CONNECT_LOG_GROUP',
      'KAFKA_REQUEST_TIMEOUT_MS',
      'KAFKA_CLIENT',
    ],
  ),
);

export async function finalizeHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runFinalize(input, {
      replicator: ports.replicator(state.replication.handle.engine),
      lagSignals: ports.lagSignals(),
      source,
      target,
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(source, target);
  }
}

export const handler = middy(finalizeHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
