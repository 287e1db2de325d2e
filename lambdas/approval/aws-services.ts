import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { DynamoDbApprovalStore } from '../adapters/aws/dynamodb-approval-store';
import { S3ArtifactStore } from '../adapters/aws/s3-artifact-store';
import { SchedulerApprovalReminders } from '../adapters/aws/scheduler-approval-reminders';
import { CachedSecrets } from '../adapters/aws/secrets';
import { SesApprovalMailer, SnsApprovalMailer } from '../adapters/aws/ses-notifier';
import { SfnTaskCallback } from '../adapters/aws/sfn-task-callback';
import { SlackApprovalNotifier } from '../adapters/aws/slack-notifier';
import type { ApprovalMailer } from '../ports/approval-notifier';
import type { ApprovalReminders } from '../ports/approval-reminders';
import type { ApprovalAppDeps } from './app';
import { lazySchema } from '../core/lazy-schema';

/**
 * The approval functions' settings, read once at start-up (a missing one fails the cold start with its name), and
 * the AWS adapters built from them. Secrets are referenced by ARN and read from Secrets Manager at first use.
 */
const optional = lazySchema(() =>
  z
    .string()
    .optional()
    .transform((v) => (v && v.trim().length > 0 ? v.trim() : undefined)),
);

export const ApprovalEnvSchema = lazySchema(() =>
  z.object({
    APPROVAL_TABLE_NAME: z.string().min(1),
    /** Public base URL of the approval HTTP API (links in e-mails). */
    APPROVAL_BASE_URL: z.url().transform((u) => u.replace(/\/+$/, '')),
    SIGNING_KEY_SECRET_ARN: z.string().min(1),
    ARTIFACT_BUCKET_NAME: z.string().min(1),
    SES_FROM_ADDRESS: optional,
    SES_CONFIGURATION_SET: optional,
    SNS_FALLBACK_TOPIC_ARN: optional,
    SLACK_BOT_TOKEN_SECRET_ARN: optional,
    SLACK_SIGNING_SECRET_ARN: optional,
    /** Tests and proxies only. */
    SLACK_API_URL: optional,
    /** Set on the function that schedules reminders (RequestApproval): the approval endpoint function and the role. */
    REMINDER_TARGET_ARN: optional,
    REMINDER_ROLE_ARN: optional,
    REMINDER_GROUP_NAME: optional,
    /** Set on the function that cancels reminders (the endpoint): only deletes by name, needs no target. */
    REMINDERS_ENABLED: optional,
  }),
);
export type ApprovalEnv = z.infer<typeof ApprovalEnvSchema>;

export function approvalEnvFrom(env: NodeJS.ProcessEnv): ApprovalEnv {
  const parsed = ApprovalEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Approval function misconfigured: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export interface AwsApprovalClients {
  readonly dynamodb?: DynamoDBClient;
  readonly s3?: S3Client;
  readonly sfn?: SFNClient;
  readonly ses?: SESv2Client;
  readonly sns?: SNSClient;
  readonly secrets?: SecretsManagerClient;
  readonly scheduler?: SchedulerClient;
}

export function awsApprovalServices(
  env: ApprovalEnv,
  warn: ApprovalAppDeps['warn'],
  clients: AwsApprovalClients = {},
): ApprovalAppDeps {
  const secrets = new CachedSecrets(clients.secrets ?? new SecretsManagerClient({}));
  let mailer: ApprovalMailer | undefined;
  if (env.SES_FROM_ADDRESS) {
    mailer = new SesApprovalMailer(clients.ses ?? new SESv2Client({}), {
      fromAddress: env.SES_FROM_ADDRESS,
      ...(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}),
    });
  } else if (env.SNS_FALLBACK_TOPIC_ARN) {
    mailer = new SnsApprovalMailer(clients.sns ?? new SNSClient({}), env.SNS_FALLBACK_TOPIC_ARN);
  }
  const scheduler = clients.scheduler ?? new SchedulerClient({});
  let reminders: ApprovalReminders | undefined;
  if (env.REMINDER_TARGET_ARN && env.REMINDER_ROLE_ARN) {
    reminders = new SchedulerApprovalReminders(scheduler, {
      targetArn: env.REMINDER_TARGET_ARN,
      roleArn: env.REMINDER_ROLE_ARN,
      ...(env.REMINDER_GROUP_NAME ? { groupName: env.REMINDER_GROUP_NAME } : {}),
    });
  } else if (env.REMINDERS_ENABLED === 'true') {
    // Cancelling deletes by name only; scheduling is never done from here.
    const canceller = new SchedulerApprovalReminders(scheduler, {
      targetArn: '-',
      roleArn: '-',
      ...(env.REMINDER_GROUP_NAME ? { groupName: env.REMINDER_GROUP_NAME } : {}),
    });
    reminders = { schedule: async () => undefined, cancel: (id) => canceller.cancel(id) };
  }
  return {
    store: new DynamoDbApprovalStore(clients.dynamodb ?? new DynamoDBClient({}), {
      tableName: env.APPROVAL_TABLE_NAME,
    }),
    artifacts: new S3ArtifactStore(clients.s3 ?? new S3Client({}), env.ARTIFACT_BUCKET_NAME),
    callback: new SfnTaskCallback(clients.sfn ?? new SFNClient({})),
    ...(mailer ? { mailer } : {}),
    ...(env.SLACK_BOT_TOKEN_SECRET_ARN
      ? {
          slack: new SlackApprovalNotifier({
            token: secrets.provider(env.SLACK_BOT_TOKEN_SECRET_ARN),
            ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
          }),
        }
      : {}),
    ...(env.SLACK_SIGNING_SECRET_ARN ? { slackSigningSecret: secrets.provider(env.SLACK_SIGNING_SECRET_ARN) } : {}),
    ...(reminders ? { reminders } : {}),
    signingKey: secrets.provider(env.SIGNING_KEY_SECRET_ARN),
    baseUrl: env.APPROVAL_BASE_URL,
    now: () => new Date(),
    warn,
  };
}
