import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runValidateTarget, type Output, task } from './task';

/**
 * ValidateTarget: parse, wire the KAFKA_CLIENT data planes on both clusters, the target's ACLs (DescribeAcls, through
 * kafkajs) for a target with Kafka ACLs, and S3; run.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], DATA_PLANE_ENV));

export async function validateTargetHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], async ({ source, target }) => {
    const acls = ports.targetAclReader(state.input, state.target, target);
    try {
      return await runValidateTarget(input, {
        source,
        target,
        targetAcls: acls.reads,
        artifacts: ports.artifacts(),
        now: () => new Date(),
      });
    } finally {
      await acls.close();
    }
  });
}

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
