import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { clock } from '../../runtime/aws-ports/basics';
import { msk } from '../../runtime/aws-ports/msk';
import { provisioner } from '../../runtime/aws-ports/provisioner';
import { type Output, task } from './task';

/** ProvisionTarget: the AWS root builds the MSK provisioner and control plane, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const provisionTargetHandler = awsTaskHandler(task, { provisioner, msk, clock }) as (
  event: unknown,
) => Promise<Output>;

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
