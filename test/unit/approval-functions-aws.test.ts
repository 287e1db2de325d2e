import { ENDPOINT_TEST_ENV, REQUEST_APPROVAL_TEST_ENV, setEnv } from './approval-functions-env';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { slackSignature } from '../../lambdas/core/approval/signing';
import { asLambdaEntry } from '../setup/lambda-entry';

/**
 * The two approval functions driven through their Lambda handlers, configured as deployed with SES e-mail and Slack
 * (lib/approval-api.ts), over mocked AWS clients: RequestApproval (CutoverApproval / FinalizeApproval), then the
 * endpoint's reminder, Slack decision, expiry and an attempt that matches no approval. The AWS requests are recorded
 * per function (asLambdaEntry) and the iam tier simulates them against the synthesized roles
 * (test/iam/approval-functions.test.ts).
 */

const REQUEST_APPROVAL = 'lambdas/tasks/request-approval/handler.ts';
const ENDPOINT = 'lambdas/approval/handler.ts';
const SLACK_SECRET = 'slack-signing-secret-value';
const APPROVER = 'U0APPROVER';

const ddb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const ses = mockClient(SESv2Client);
const secrets = mockClient(SecretsManagerClient);
const scheduler = mockClient(SchedulerClient);
const events = mockClient(EventBridgeClient);

/** The approvals table: items by approval ID, conditional updates as DynamoDB applies them. */
const items = new Map<string, Record<string, AttributeValue>>();
const idOf = (key: Record<string, AttributeValue> | undefined): string => key?.approvalId?.S ?? '';

function lambdaContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: '1',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}:1`,
    memoryLimitInMB: '512',
    awsRequestId: 'b1c2d3e4-0000-4000-8000-000000000001',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Slack's Web API on loopback: every method answers ok (the message reference for chat.postMessage). */
const slackCalls: string[] = [];
const slack = http.createServer((req, res) => {
  slackCalls.push(req.url ?? '');
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, channel: 'C0APPROVALS', ts: '1700000000.000100' }));
  });
});

afterAll(async () => {
  await new Promise((resolve) => slack.close(resolve));
});

beforeAll(async () => {
  setEnv(REQUEST_APPROVAL_TEST_ENV);
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  process.env.SLACK_API_URL = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
  secrets.on(GetSecretValueCommand, { SecretId: REQUEST_APPROVAL_TEST_ENV.SIGNING_KEY_SECRET_ARN }).resolves({
    SecretString: 'k'.repeat(64),
  });
  secrets
    .on(GetSecretValueCommand, { SecretId: REQUEST_APPROVAL_TEST_ENV.SLACK_BOT_TOKEN_SECRET_ARN })
    .resolves({ SecretString: 'xoxb-test-token' });
  secrets
    .on(GetSecretValueCommand, { SecretId: REQUEST_APPROVAL_TEST_ENV.SLACK_SIGNING_SECRET_ARN })
    .resolves({ SecretString: SLACK_SECRET });
  ddb.on(PutItemCommand).callsFake(async (input: { Item: Record<string, AttributeValue> }) => {
    items.set(idOf(input.Item), input.Item);
    return {};
  });
  ddb.on(GetItemCommand).callsFake(async (input: { Key: Record<string, AttributeValue> }) => ({
    Item: items.get(idOf(input.Key)),
  }));
  ddb
    .on(UpdateItemCommand)
    .callsFake(
      async (input: {
        Key: Record<string, AttributeValue>;
        ExpressionAttributeValues?: Record<string, AttributeValue>;
      }) => {
        const item = items.get(idOf(input.Key));
        if (!item) return {};
        const values = input.ExpressionAttributeValues ?? {};
        const updated = {
          ...item,
          ...(values[':decided'] ? { status: values[':decided'], decision: values[':decision'] ?? { S: '' } } : {}),
          ...(values[':slack'] ? { slackMessage: values[':slack'] } : {}),
        };
        items.set(idOf(input.Key), updated);
        return { Attributes: updated };
      },
    );
  s3.on(PutObjectCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

const approvalInput = (kind: 'CUTOVER' | 'FINALIZE', execution: string) => ({
  taskToken: `task-token-${execution}`,
  executionId: `arn:aws:states:eu-west-1:111122223333:execution:MskMigration:${execution}`,
  kind,
  state: {
    input: {
      migrationId: 'orders',
      approval: {
        email: ['alice@example.com'],
        slack: { channelId: 'C0APPROVALS' },
        approvers: ['alice@example.com', APPROVER],
        timeoutMinutes: 120,
      },
    },
  },
});

function slackClick(approvalId: string): APIGatewayProxyEventV2 {
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: APPROVER },
      channel: { id: 'C0APPROVALS' },
      actions: [{ action_id: 'msk_migration_approve', value: approvalId }],
    }),
  }).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    version: '2.0',
    routeKey: 'POST /slack/interactivity',
    rawPath: '/slack/interactivity',
    rawQueryString: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': slackSignature(SLACK_SECRET, ts, body),
    },
    requestContext: {
      http: { method: 'POST', path: '/slack/interactivity', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7' },
    },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

// Loads both handlers' module graphs (transpiled on first import) inside the test: seconds on a loaded 2-core CI
// machine, past jest's 5 s default.
it('RequestApproval and the endpoint, deployed with SES and Slack, make the AWS calls of a whole approval', async () => {
  // Prepare: RequestApproval reads its settings at import, the endpoint at its first invocation.
  const requestApproval = (await import('../../lambdas/tasks/request-approval/handler')).handler;
  const context = lambdaContext('RequestApproval');
  // Act: two approvals requested (one decided in Slack, one left to expire)
  const cutover = await asLambdaEntry(REQUEST_APPROVAL, () =>
    requestApproval(approvalInput('CUTOVER', 'orders-1'), context),
  );
  const finalize = await asLambdaEntry(REQUEST_APPROVAL, () =>
    requestApproval(approvalInput('FINALIZE', 'orders-2'), context),
  );
  setEnv(ENDPOINT_TEST_ENV);
  const endpoint = (await import('../../lambdas/approval/handler')).handler;
  const invoke = (event: unknown) =>
    asLambdaEntry(ENDPOINT, () => endpoint(event as never, lambdaContext('ApprovalEndpoint')));
  const reminder = await invoke({ source: 'msk-migration.approval-reminder', approvalId: cutover.approvalId });
  const decision = (await invoke(slackClick(cutover.approvalId))) as { statusCode: number };
  const stored = items.get(finalize.approvalId);
  const record = JSON.parse(stored?.record?.S ?? '{}') as Record<string, unknown>;
  items.set(finalize.approvalId, {
    ...stored,
    record: { S: JSON.stringify({ ...record, expiresAt: new Date(Date.now() - 1000).toISOString() }) },
  });
  const expiry = await invoke({
    source: 'msk-migration.approval-reminder',
    action: 'EXPIRE',
    approvalId: finalize.approvalId,
  });
  const unmatched = (await invoke({
    version: '2.0',
    routeKey: 'POST /approvals/{approvalId}',
    rawPath: '/approvals/not-an-approval',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: {
      http: { method: 'POST', path: '/approvals/not-an-approval', protocol: 'HTTP/1.1', sourceIp: '198.51.100.9' },
    },
    body: 'decision=approve',
    isBase64Encoded: false,
  })) as { statusCode: number };
  // Assess: what each function did, through which service
  expect(cutover.emailsSent).toBe(1);
  expect(reminder).toEqual({ reminder: 'SENT' });
  expect(decision.statusCode).toBe(200);
  expect(expiry).toEqual({ expiry: 'EXPIRED' });
  expect(unmatched.statusCode).toBeGreaterThanOrEqual(400);
  expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.FromEmailAddress)).toContain(
    'migrations@example.com',
  );
  expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input.Target?.RoleArn)).toContain(
    REQUEST_APPROVAL_TEST_ENV.REMINDER_ROLE_ARN,
  );
  expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
    'task-token-orders-1',
  ]);
  expect(sfn.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input.taskToken)).toEqual([
    'task-token-orders-2',
  ]);
  expect(events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.[0]?.EventBusName)).toContain(
    REQUEST_APPROVAL_TEST_ENV.PHASE_EVENT_BUS_NAME,
  );
  expect(slackCalls.some((u) => u.includes('chat.postMessage'))).toBe(true);
  expect(slackCalls.some((u) => u.includes('chat.update'))).toBe(true);
  const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key ?? '');
  expect(keys.some((k) => k.startsWith('approvals/unmatched/'))).toBe(true);
  expect(keys.some((k) => k.startsWith('migrations/orders/orders-1/approvals/'))).toBe(true);
}, 30_000);
