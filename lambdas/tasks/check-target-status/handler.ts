import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runCheckTargetStatus, type Output, task } from './task';

/** CheckTargetStatus: parse, wire the MSK provisioner and control plane, run. Announces only the transition to ready. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['AWS_REGION'], ['MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function checkTargetStatusHandler(event: unknown): Promise<Output> {
  return runCheckTargetStatus(parseTaskInput(PHASE, Input, event), {
    provisioner: ports.provisioner(),
    msk: ports.msk(),
    ...aborts,
    now: () => new Date(),
  });
}

export const handler = middy(checkTargetStatusHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).ready,
    summarize: (output) => ({
      summary: `Target ${(output as Output).clusterName ?? (output as Output).clusterArn ?? ''} is ACTIVE`,
    }),
  }),
);
