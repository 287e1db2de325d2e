import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runProvisionTarget, type Output, task } from './task';

/** ProvisionTarget: parse, wire the MSK provisioner and control plane, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION']));

export async function provisionTargetHandler(event: unknown): Promise<Output> {
  return runProvisionTarget(parseTaskInput(PHASE, Input, event), {
    provisioner: ports.provisioner(),
    msk: ports.msk(),
    now: () => new Date(),
  });
}

export const handler = middy(provisionTargetHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      const what =
        o.source === 'CREATE'
          ? `${o.created ? 'Creating' : 'Adopted'} target cluster ${o.clusterName ?? ''}`
          : `Target ${o.clusterArn ?? (o.bootstrapServers ?? []).join(',')}`;
      return { summary: `${what} (${o.state})`, figures: { ready: o.ready, created: o.created } };
    },
  }),
);
