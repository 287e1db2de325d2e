import middy from '@middy/core';
import { readTaskEnv } from '../../contract/env';
import { withObservability } from '../../middleware/observability';
import { finalNotification } from '../../core/report/migration-report';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { locks } from '../../runtime/aws-ports/dynamodb';
import { type Output, task } from './task';

/**
 * Report (ReportSuccess, ReportRollback, ReportFailure, …): the S3 artifact store and the lock table from the AWS
 * root, run. Its PhaseChanged event is the migration's final notification: the outcome, the seven gates in one line and the link to the HTML
 * report in the evidence bucket (the notification rule mails the summary; Slack shows it with the figures).
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const reportHandler = awsTaskHandler(task, { artifacts, locks, clock }) as (event: unknown) => Promise<Output>;
/** Where the report's link points: the evidence bucket, in the orchestrator's Region. */
const env = readTaskEnv(process.env, ['ARTIFACT_BUCKET'], ['AWS_REGION']);

export const handler = middy(reportHandler).use(
  withObservability(PHASE, {
    summarize: (output) =>
      finalNotification(output as Output, {
        bucket: env.ARTIFACT_BUCKET ?? '',
        region: env.AWS_REGION ?? 'us-east-1',
      }),
  }),
);
