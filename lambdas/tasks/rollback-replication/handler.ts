import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runRollbackReplication, type Output, task } from './task';

/** RollbackReplication: parse, wire the replicator, CloudWatch and kafkajs on both clusters (only when the phase ran), run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION'], [...REPLICATOR_ENV, ...DATA_PLANE_ENV]));

export async function rollbackReplicationHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const now = () => new Date();
  // StartReplication runs only once the target is ready: before that there is nothing to connect to.
  if (!state.replication && state.target?.ready !== true) return runRollbackReplication(input, { now });
  return ports.withClusters(state.input, state.target, ['source', 'target'], ({ source, target }) =>
    runRollbackReplication(input, {
      replicator: ports.replicator(state.replication?.handle.engine ?? state.input.replication.engine),
      lagSignals: ports.lagSignals(),
      source,
      target,
      now,
    }),
  );
}

export const handler = middy(rollbackReplicationHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
