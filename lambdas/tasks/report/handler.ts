import middy from '@middy/core';
import { finalNotification } from '../../core/report/migration-report';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runReport, type Output, task } from './task';

/**
 * Report (ReportSuccess, ReportRollback, ReportFailure, …): parse, wire the S3 artifact store and the lock table,
 * run. Its PhaseChanged event is the migration's final notification: the outcome, the seven gates in one line and the link to the HTML
 * report in the evidence bucket (the notification rule mails the summary; Slack shows it with the figures).
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const env = readTaskEnv(process.env, ['ARTIFACT_BUCKET'], ['AWS_REGION', 'MIGRATION_LOCK_TABLE']);
const ports = new AwsTaskPorts(env);

export async function reportHandler(event: unknown): Promise<Output> {
  return runReport(parseTaskInput(PHASE, Input, event), {
    artifacts: ports.artifacts(),
    ...(env.MIGRATION_LOCK_TABLE ? { locks: ports.locks() } : {}),
    now: () => new Date(),
  });
}

export const handler = middy(reportHandler).use(
  withObservability(PHASE, {
    summarize: (output) =>
      finalNotification(output as Output, {
        bucket: env.ARTIFACT_BUCKET ?? '',
        region: env.AWS_REGION ?? 'us-east-1',
      }),
  }),
);
