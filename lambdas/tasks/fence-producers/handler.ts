import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { cutoverSwitchFor } from '../shared/cutover-switch';
import { waveSuffix } from '../shared/plan-views';
import { awsClientSwitches } from '../shared/client-switches';
import { parseTaskInput } from '../shared/execution-state';
import { writeFenceFor } from '../shared/write-fence';
import { Input, runFenceProducers, type Output, task } from './task';

/** FenceProducers / FenceForFailback: parse, wire the plan's pointer, kafkajs on the cluster producers use now, S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], DATA_PLANE_ENV));

export async function fenceProducersHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  if (input.mode === 'RELEASE_FAILBACK')
    // A release moves the pointer back (and restarts the applications stopped at the failback fence): it must work
    // even when the target is what made the failback stop, so it opens no data plane.
    return runFenceProducers(input, {
      pointer: cutoverSwitchFor(
        state.input,
        {},
        { execution: state.execution.id, step: `${PHASE}:${input.mode ?? 'FORWARD'}${waveSuffix(state)}` },
      ),
      clientSwitches: awsClientSwitches(),
      artifacts: ports.artifacts(),
      now: () => new Date(),
    });
  const cluster =
    input.mode === 'FAILBACK'
      ? await ports.targetDataPlane(state.input, state.target)
      : await ports.sourceDataPlane(state.input);
  try {
    const writeFence =
      input.mode === 'FAILBACK'
        ? undefined
        : await writeFenceFor(state.input, () => Promise.resolve(cluster.connection));
    return await runFenceProducers(input, {
      pointer: cutoverSwitchFor(
        state.input,
        {},
        { execution: state.execution.id, step: `${PHASE}:${input.mode ?? 'FORWARD'}${waveSuffix(state)}` },
      ),
      producersCluster: cluster,
      ...(writeFence ? { writeFence } : {}),
      clientSwitches: awsClientSwitches(),
      artifacts: ports.artifacts(),
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(cluster);
  }
}

export const handler = middy(fenceProducersHandler).use(
  withObservability(PHASE, {
    summarize: (output): { summary: string; figures: Record<string, number> } => {
      const o = output as Output;
      if ('direction' in o && o.direction === 'RELEASE_FAILBACK')
        return { summary: `Failback fence on ${o.pointer}: ${o.outcome.toLowerCase().replace('_', ' ')}`, figures: {} };
      return 'direction' in o
        ? { summary: `Producers on the target fenced for the failback at ${o.fencedAt}`, figures: { topics: o.topics } }
        : {
            summary: `Producers fenced at ${o.fencedAt}`,
            figures: { topics: o.topics, partitions: o.sourceEndsAtFence.partitions },
          };
    },
  }),
);
