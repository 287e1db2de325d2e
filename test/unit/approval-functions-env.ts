/**
 * The settings of the approval functions as deployed with SES e-mail and Slack (lib/approval-api.ts), and of the
 * Slack notifier, with test values, for the tests that drive these functions' handlers over mocked AWS clients: the
 * iam tier
 * (test/iam/approval-functions.test.ts) maps each value back to the setting it stands for, to simulate the recorded
 * requests against the synthesized roles.
 */
export const REQUEST_APPROVAL_TEST_ENV = {
  APPROVAL_TABLE_NAME: 'approval-functions-table',
  APPROVAL_BASE_URL: 'https://approve.example.com',
  SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:link-signing-key-AbCdEf',
  ARTIFACT_BUCKET_NAME: 'approval-functions-evidence',
  SES_FROM_ADDRESS: 'migrations@example.com',
  SLACK_BOT_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-bot-token-AbCdEf',
  SLACK_SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-signing-secret-GhIjKl',
  REMINDER_TARGET_ARN: 'arn:aws:lambda:eu-west-1:111122223333:function:approval-endpoint-fn',
  REMINDER_ROLE_ARN: 'arn:aws:iam::111122223333:role/approval-reminder-role',
  PHASE_EVENT_BUS_NAME: 'approval-functions-phase-bus',
} as const;

/** The endpoint's: no reminder target (it only cancels reminders), no phase events. */
export const ENDPOINT_TEST_ENV = {
  APPROVAL_TABLE_NAME: REQUEST_APPROVAL_TEST_ENV.APPROVAL_TABLE_NAME,
  APPROVAL_BASE_URL: REQUEST_APPROVAL_TEST_ENV.APPROVAL_BASE_URL,
  SIGNING_KEY_SECRET_ARN: REQUEST_APPROVAL_TEST_ENV.SIGNING_KEY_SECRET_ARN,
  ARTIFACT_BUCKET_NAME: REQUEST_APPROVAL_TEST_ENV.ARTIFACT_BUCKET_NAME,
  SES_FROM_ADDRESS: REQUEST_APPROVAL_TEST_ENV.SES_FROM_ADDRESS,
  SLACK_BOT_TOKEN_SECRET_ARN: REQUEST_APPROVAL_TEST_ENV.SLACK_BOT_TOKEN_SECRET_ARN,
  SLACK_SIGNING_SECRET_ARN: REQUEST_APPROVAL_TEST_ENV.SLACK_SIGNING_SECRET_ARN,
  REMINDERS_ENABLED: 'true',
} as const;

export function setEnv(env: Record<string, string>): void {
  for (const name of [...Object.keys(REQUEST_APPROVAL_TEST_ENV), ...Object.keys(ENDPOINT_TEST_ENV)])
    delete process.env[name];
  Object.assign(process.env, env, { AWS_REGION: 'eu-west-1' });
}

/** The Slack notifier's (lib/notifications.ts). */
export const SLACK_NOTIFIER_TEST_ENV = {
  SLACK_CHANNEL_ID: 'C0NOTIFY',
  SLACK_BOT_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:notifier-bot-token-AbCdEf',
} as const;

/** What test/unit/approval-lambda.test.ts runs both approval functions with (SNS fallback, Slack decisions). */
export const SNS_FALLBACK_TEST_ENV = {
  APPROVAL_TABLE_NAME: 'approvals',
  APPROVAL_BASE_URL: 'https://approve.example.com/',
  SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:signing',
  ARTIFACT_BUCKET_NAME: 'evidence',
  SNS_FALLBACK_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:approvals',
  SLACK_SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:slack-signing',
  REMINDER_TARGET_ARN: 'arn:aws:lambda:eu-west-1:1:function:approval',
  REMINDER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
} as const;
