import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCheckFailback, type Output } from './task';

/** CheckFailback / CheckFailbackDrain: parse, wire the replicator, kafkajs on both clusters and S3, run. */

const PHASE = 'CheckFailback';
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

export async function checkFailbackHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runCheckFailback(input, {
      replicator: ports.replicator(state.failback.handle.engine),
      artifacts: ports.artifacts(),
      source,
      target,
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(source, target);
  }
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
