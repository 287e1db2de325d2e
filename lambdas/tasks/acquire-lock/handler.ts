import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runAcquireLock, type Output } from './task';

/** AcquireLock: parse, wire the DynamoDB lock table, run. Calls: dynamodb:PutItem and DeleteItem on the lock table. */

const PHASE = 'AcquireLock';
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['MIGRATION_LOCK_TABLE']));

export async function acquireLockHandler(event: unknown): Promise<Output> {
  return runAcquireLock(parseTaskInput(PHASE, Input, event), { locks: ports.locks(), now: () => new Date() });
}

export const handler = middy(acquireLockHandler).use(
  withObservability(PHASE, {
    summarize: (output) => ({
      summary: `Locked ${(output as Output).keys.length} resources for this execution`,
      figures: { locks: (output as Output).keys.length },
    }),
  }),
);
