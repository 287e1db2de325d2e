import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runStopFailback, type Output, task } from './task';

/**
 * StopFailback: parse, wire the replicator, run. In AWS the reverse replicator is an MSK Replicator (MirrorMaker 2 on
 * MSK Connect is refused at StartFailback), which leaves no topics of its own on the source: no data plane here.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION'], [...REPLICATOR_ENV, ...DATA_PLANE_ENV]));

export async function stopFailbackHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  const source = state.failback.engine === 'MIRROR_MAKER_2' ? await ports.sourceDataPlane(state.input) : undefined;
  try {
    return await runStopFailback(input, {
      replicator: ports.replicator(state.failback.handle.engine),
      ...(source ? { source } : {}),
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(source);
  }
}

export const handler = middy(stopFailbackHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Reverse replication ${o.replicator.toLowerCase().replace('_', ' ')}`,
        figures: { internalTopicsDeleted: o.internalTopicsDeleted.length },
      };
    },
  }),
);
