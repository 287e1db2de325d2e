import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { source, target, targetAcls } from '../../runtime/aws-ports/clusters';
import { type Output, task } from './task';

/**
 * ValidateTarget: the AWS root builds the KAFKA_CLIENT data planes on both clusters, the target's ACLs (DescribeAcls, through
 * kafkajs) for a target with Kafka ACLs, and S3; run.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const validateTargetHandler = awsTaskHandler(task, { source, target, artifacts, targetAcls, clock }) as (
  event: unknown,
) => Promise<Output>;

export const handler = middy(validateTargetHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Target validated: ${o.checked.topics} topics, ${o.checked.partitions} partitions, ${o.checked.groups} groups`,
        figures: { ...o.checked },
      };
    },
  }),
);
