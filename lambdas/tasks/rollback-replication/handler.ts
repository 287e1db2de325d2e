import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runRollbackReplication, type Output } from './task';

/** RollbackReplication: parse, wire the replicator, CloudWatch and kafkajs on both clusters (only when the phase ran), run. */

const PHASE = 'RollbackReplication';
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

export async function rollbackReplicationHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const now = () => new Date();
  // StartReplication runs only once the target is ready: before that there is nothing to connect to.
  if (!state.replication && state.target?.ready !== true) return runRollbackReplication(input, { now });
  const source = await ports.sourceDataPlane(state.input);
  const target = await ports.targetDataPlane(state.input, state.target).catch(async (err: unknown) => {
    await closeQuietly(source);
    throw err;
  });
  try {
    return await runRollbackReplication(input, {
      replicator: ports.replicator(state.replication?.handle.engine ?? state.input.replication.engine),
      lagSignals: ports.lagSignals(),
      source,
      target,
      now,
    });
  } finally {
    await closeQuietly(source, target);
  }
}

export const handler = middy(rollbackReplicationHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
