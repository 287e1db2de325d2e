import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { CachedSecrets } from '../adapters/aws/secrets';
import { SlackApprovalNotifier } from '../adapters/aws/slack-notifier';
import { withObservability } from '../middleware/observability';
import { notifySlack } from './notify-slack';

function env(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `Environment variable ${name} is not set: deploy the notifier with the MigrationNotifications construct.`,
    );
  return value;
}

// Read once at start-up: a missing variable fails the cold start, loudly.
const channelId = env('SLACK_CHANNEL_ID');
const secrets = new CachedSecrets(new SecretsManagerClient({}));
const slack = new SlackApprovalNotifier({
  token: secrets.provider(env('SLACK_BOT_TOKEN_SECRET_ARN')),
  timeoutMs: 5000,
  // Tests and proxies only, as for the approval functions (lambdas/approval/aws-services.ts).
  ...(process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {}),
});

// `announce: 'never'`: a notifier that announced itself would notify about its own notifications.
export const handler = middy(async (event: unknown) => notifySlack(event, { slack, channelId })).use(
  withObservability('Notify', { announce: 'never' }),
);
