import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV, type TaskDataPlane } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runStartReplication, type Output, task } from './task';

/** StartReplication: parse, wire the replicator the plan names, kafkajs on the source, CloudWatch alarms, S3, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(
  readTaskEnv(
    process.env,
    ['AWS_REGION', 'ARTIFACT_BUCKET'],
    [...REPLICATOR_ENV, 'ALARM_TOPIC_ARN', ...DATA_PLANE_ENV],
  ),
);

export async function startReplicationHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const plan = input.state.input;
  const replicator = ports.replicator(plan.replication.engine);
  const run = (planes: { source: TaskDataPlane; target?: TaskDataPlane }): Promise<Output> =>
    runStartReplication(input, {
      replicator,
      artifacts: ports.artifacts(),
      source: planes.source,
      ...(planes.target ? { target: planes.target } : {}),
      lagSignals: ports.lagSignals(),
      msk: ports.msk(),
      now: () => new Date(),
    });
  // A target this execution created goes through the connectivity preflight here, before the replicator exists.
  return plan.target.create
    ? ports.withClusters(plan, input.state.target, ['source', 'target'], run)
    : ports.withClusters(plan, input.state.target, ['source'], run);
}

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
