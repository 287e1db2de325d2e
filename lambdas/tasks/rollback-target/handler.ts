import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runRollbackTarget, type Output, task } from './task';

/** RollbackTarget: parse, wire the MSK provisioner, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION']));

export async function rollbackTargetHandler(event: unknown): Promise<Output> {
  return runRollbackTarget(parseTaskInput(PHASE, Input, event), {
    provisioner: ports.provisioner(),
    now: () => new Date(),
  });
}

export const handler = middy(rollbackTargetHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
