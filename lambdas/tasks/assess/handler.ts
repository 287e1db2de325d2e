import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runAssess, type Output, task } from './task';

/** Assess: parse, wire the S3 artifact store, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['ARTIFACT_BUCKET']));

export async function assessHandler(event: unknown): Promise<Output> {
  return runAssess(parseTaskInput(PHASE, Input, event), { artifacts: ports.artifacts(), now: () => new Date() });
}

export const handler = middy(assessHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Assessment against ${o.profile}: no blocker, ${o.counts.WARNING} warnings`,
        figures: { warnings: o.counts.WARNING, info: o.counts.INFO },
      };
    },
  }),
);
