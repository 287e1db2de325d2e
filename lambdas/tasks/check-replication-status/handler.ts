import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv, REPLICATOR_ENV } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCheckReplicationStatus, type Output, task } from './task';

/** CheckReplicationStatus: parse, wire the replicator the plan names, run. Announces only the transition to RUNNING. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['AWS_REGION'], [...REPLICATOR_ENV, 'MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function checkReplicationStatusHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  return runCheckReplicationStatus(input, {
    replicator: ports.replicator(input.state.replication.handle.engine),
    ...aborts,
    now: () => new Date(),
  });
}

export const handler = middy(checkReplicationStatusHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).running,
    summarize: (output) => ({ summary: `Replicator ${(output as Output).handle.name} is RUNNING` }),
  }),
);
