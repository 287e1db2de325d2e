import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { asLambdaEntry } from '../setup/lambda-entry';
import { SLACK_NOTIFIER_TEST_ENV } from './approval-functions-env';

/**
 * The Slack notifier (lambdas/notifications/slack-handler.ts) driven through its handler, configured as
 * MigrationNotifications deploys it: its only AWS request is the bot token's secret, which the iam tier simulates
 * against its role (test/iam/approval-functions.test.ts).
 */
const secrets = mockClient(SecretsManagerClient);
const posted: string[] = [];
const slack = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    posted.push(`${req.url ?? ''} ${req.headers.authorization ?? ''} ${body}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, channel: 'C0NOTIFY', ts: '1700000000.000200' }));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, SLACK_NOTIFIER_TEST_ENV, {
    AWS_REGION: 'eu-west-1',
    SLACK_API_URL: `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`,
  });
  secrets
    .on(GetSecretValueCommand, { SecretId: SLACK_NOTIFIER_TEST_ENV.SLACK_BOT_TOKEN_SECRET_ARN })
    .resolves({ SecretString: 'xoxb-notifier-token' });
});

afterAll(async () => {
  await new Promise((resolve) => slack.close(resolve));
});

it('posts an execution status change to its channel with the bot token read from Secrets Manager', async () => {
  // Prepare
  const { handler } = await import('../../lambdas/notifications/slack-handler');
  const event = {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    region: 'eu-west-1',
    detail: {
      executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:MskMigration:orders-1',
      stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:MskMigration',
      name: 'orders-1',
      status: 'FAILED',
      startDate: 1_700_000_000_000,
      stopDate: 1_700_000_600_000,
      error: 'Migration.LagTimeout',
      cause: 'lag',
    },
  };
  // Act
  await asLambdaEntry('lambdas/notifications/slack-handler.ts', () =>
    handler(event, { functionName: 'SlackNotifier', awsRequestId: 'r-1' } as Context),
  );
  // Assess
  expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
    SLACK_NOTIFIER_TEST_ENV.SLACK_BOT_TOKEN_SECRET_ARN,
  ]);
  expect(posted).toEqual([expect.stringMatching(/chat\.postMessage Bearer xoxb-notifier-token .*C0NOTIFY/)]);
});
