import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runReport, type Output, task } from './task';

/** Report (ReportSuccess, ReportRollback, ReportFailure, …): parse, wire the S3 artifact store, run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(readTaskEnv(process.env, ['ARTIFACT_BUCKET']));

export async function reportHandler(event: unknown): Promise<Output> {
  return runReport(parseTaskInput(PHASE, Input, event), { artifacts: ports.artifacts(), now: () => new Date() });
}

export const handler = middy(reportHandler).use(
  withObservability(PHASE, {
    summarize: (output) => ({
      summary: `Migration ${(output as Output).outcome}: report at ${(output as Output).markdownKey}`,
      figures: { outcome: (output as Output).outcome },
    }),
  }),
);
