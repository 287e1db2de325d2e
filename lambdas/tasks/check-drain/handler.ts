import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { timerPacer } from '../shared/paced';
import { LAMBDA_PACER_SETTINGS } from '../../ports/pacer';
import { Input, runCheckDrain, type Output, task } from './task';

/** CheckDrain: parse, wire kafkajs on both clusters and S3, run; announced once drained. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], [...DATA_PLANE_ENV, 'MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function checkDrainHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], async ({ source, target }) => {
    // @platformatic/kafka (an ES module) is loaded only here: kafkajs has no DescribeProducers.
    const { PlatformaticProducerActivity } = await import('../../adapters/kafka/platformatic-producer-activity');
    const producerActivity = new PlatformaticProducerActivity(source.connection);
    try {
      return await runCheckDrain(input, {
        source,
        target,
        producerActivity,
        artifacts: ports.artifacts(),
        ...aborts,
        now: () => new Date(),
        pacer: timerPacer(LAMBDA_PACER_SETTINGS),
      });
    } finally {
      await producerActivity.close().catch(() => undefined);
    }
  });
}

export const handler = middy(checkDrainHandler).use(
  withObservability(PHASE, {
    announce: (output) => (output as Output).drained,
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Source drained after ${o.polls} polls: ${o.partitionsDrained}/${o.partitions} partitions`,
        figures: { polls: o.polls, partitions: o.partitions, offsetLag: o.offsetLag },
      };
    },
  }),
);
