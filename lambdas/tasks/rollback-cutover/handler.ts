import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { cutoverSwitchFor } from '../shared/cutover-switch';
import { waveSuffix } from '../shared/plan-views';
import { awsClientSwitches } from '../shared/client-switches';
import { parseTaskInput } from '../shared/execution-state';
import { writeFenceFor } from '../shared/write-fence';
import { Input, runRollbackCutover, type Output, task } from './task';

/**
 * RollbackCutover / FailbackCutover: parse, wire the plan's pointer, kafkajs on the target (and the source for a
 * failback), S3, run. A target that cannot be reached does not stop a rollback: the pointer goes back regardless.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], DATA_PLANE_ENV));

export async function rollbackCutoverHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const failback = input.mode === 'FAILBACK';
  const target = failback
    ? await ports.targetDataPlane(state.input, state.target)
    : await ports.targetDataPlane(state.input, state.target).catch(() => undefined);
  const source = failback
    ? await ports.sourceDataPlane(state.input).catch(async (err: unknown) => {
        await closeQuietly(target);
        throw err;
      })
    : undefined;
  try {
    const writeFence = await writeFenceFor(state.input, () => ports.sourceConnection(state.input));
    return await runRollbackCutover(input, {
      pointer: cutoverSwitchFor(
        state.input,
        {},
        { execution: state.execution.id, step: `${PHASE}:${input.mode}${waveSuffix(state)}` },
      ),
      ...(writeFence ? { writeFence } : {}),
      clientSwitches: awsClientSwitches(),
      ...(target ? { target } : {}),
      ...(source ? { source } : {}),
      artifacts: ports.artifacts(),
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(source, target);
  }
}

export const handler = middy(rollbackCutoverHandler).use(
  withObservability(PHASE, { summarize: (output) => ({ summary: (output as Output).notes.join(' ') }) }),
);
