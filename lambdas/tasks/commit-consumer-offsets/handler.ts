import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, DATA_PLANE_ENV, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { timerPacer } from '../shared/paced';
import { LAMBDA_PACER_SETTINGS } from '../../ports/pacer';
import { Input, runCommitConsumerOffsets, type Output, task } from './task';

/** CommitConsumerOffsets: parse, wire kafkajs on both clusters and S3, run; announced once complete. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], [...DATA_PLANE_ENV, 'MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);
/** The abort requests (`msk-migrate abort`), in the lock table the construct names. */
const aborts = env.MIGRATION_LOCK_TABLE ? { aborts: ports.aborts() } : {};

export async function commitConsumerOffsetsHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  const { state } = input;
  return ports.withClusters(state.input, state.target, ['source', 'target'], ({ source, target }) =>
    runCommitConsumerOffsets(input, {
      source,
      target,
      artifacts: ports.artifacts(),
      ...aborts,
      now: () => new Date(),
      pacer: timerPacer(LAMBDA_PACER_SETTINGS),
    }),
  );
}

export const handler = middy(commitConsumerOffsetsHandler).use(
  withObservability(PHASE, {
    announce: (output) => 'complete' in (output as Output) && (output as { complete: boolean }).complete,
    summarize: (output): { summary: string; figures: Record<string, number> } => {
      const o = output as Output;
      if (!('complete' in o))
        return {
          summary: `Consumer offsets translated before the fence: ${o.partitionsTranslated} partitions of ${o.groups} groups, ${o.partitionsLeft} left for after the drain`,
          figures: { groups: o.groups, partitionsTranslated: o.partitionsTranslated, partitionsLeft: o.partitionsLeft },
        };
      return {
        summary: `Consumer offsets committed on the target: ${o.groups} groups, ${o.partitionsCommitted} partitions`,
        figures: {
          groups: o.groups,
          partitionsCommitted: o.partitionsCommitted,
          ...(o.translatedBeforeFence !== undefined ? { translatedBeforeFence: o.translatedBeforeFence } : {}),
        },
      };
    },
  }),
);
