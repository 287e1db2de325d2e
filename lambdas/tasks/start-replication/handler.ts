import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { lagSignals } from '../../runtime/aws-ports/cloudwatch';
import { source, target } from '../../runtime/aws-ports/clusters';
import { msk } from '../../runtime/aws-ports/msk';
import { replicator } from '../../runtime/aws-ports/replicator';
import { type Output, task } from './task';

/** StartReplication: the AWS root builds the replicator the plan names, the source's data plane, CloudWatch alarms, S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const startReplicationHandler = awsTaskHandler(task, {
  replicator,
  artifacts,
  source,
  target,
  lagSignals,
  msk,
  clock,
}) as (event: unknown) => Promise<Output>;

export const handler = middy(startReplicationHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `${o.created ? 'Created' : 'Adopted'} ${o.handle.engine} ${o.handle.name} for ${o.topicCount} topics`,
        figures: { topics: o.topicCount, alarms: o.alarmNames.length, canary: o.canaryTopic !== undefined },
      };
    },
  }),
);
