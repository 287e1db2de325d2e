import './approval-lambda-env';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { OutboxApprovalMailer } from '../../lambdas/adapters/local/local-approval-notifiers';
import { LocalTaskCallback } from '../../lambdas/adapters/local/local-approval-callback';
import { MemoryApprovalStore } from '../../lambdas/adapters/local/memory-approval-store';
import { approvalEndpoint } from '../../lambdas/approval/handler';
import { fromApiGatewayV2 } from '../../lambdas/approval/http';
import { buildEvidence } from '../../lambdas/core/approval/evidence';
import type { ApprovalRecord } from '../../lambdas/core/approval/record';
import { decide, expireApproval, sendReminder, type ApprovalServices } from '../../lambdas/core/approval/service';
import { slackSignature } from '../../lambdas/core/approval/signing';
import { InputInvalidError, TransientError } from '../../lambdas/core/errors';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import type { ApprovalSlack } from '../../lambdas/ports/approval-notifier';
import { requestApprovalHandler } from '../../lambdas/tasks/request-approval/handler';
import { runRequestApproval } from '../../lambdas/tasks/request-approval/task';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const scheduler = mockClient(SchedulerClient);

const ID = 'abcdefghijklmnopqrstuv';
const SLACK_SECRET = 'slack-signing-secret';
const TOKEN = 'task-token-that-must-never-be-logged';

const record: ApprovalRecord = {
  approvalId: ID,
  kind: 'FINALIZE',
  executionArn: 'arn:aws:states:eu-west-1:1:execution:sm:exec-1',
  migrationId: 'orders',
  executionName: 'exec-1',
  taskToken: TOKEN,
  createdAt: new Date(Date.now() - 60_000).toISOString(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  approvers: { emails: [], slackUserIds: ['U0APPROVER'] },
  notify: { emails: [], slackChannelId: 'C1' },
  evidence: buildEvidence({ kind: 'FINALIZE', executionName: 'exec-1', state: {} }),
  status: 'PENDING',
};

function slackEvent(body: string, isBase64Encoded: boolean): APIGatewayProxyEventV2 {
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    version: '2.0',
    routeKey: 'POST /slack/interactivity',
    rawPath: '/slack/interactivity',
    rawQueryString: '',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': ts,
      'X-Slack-Signature': slackSignature(SLACK_SECRET, ts, body),
    },
    requestContext: {
      http: {
        method: 'POST',
        path: '/slack/interactivity',
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'Slackbot 1.0',
      },
    },
    body: isBase64Encoded ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded,
  } as unknown as APIGatewayProxyEventV2;
}

const click = (action: 'approve' | 'reject'): string =>
  new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0APPROVER' },
      channel: { id: 'C1' },
      actions: [{ action_id: `msk_migration_${action}`, value: ID }],
    }),
  }).toString();

beforeEach(() => {
  for (const m of [ddb, sfn, s3, sns, secrets, scheduler]) m.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: process.env.SLACK_SIGNING_SECRET_ARN })
    .resolves({ SecretString: SLACK_SECRET });
  secrets
    .on(GetSecretValueCommand, { SecretId: process.env.SIGNING_KEY_SECRET_ARN })
    .resolves({ SecretString: 'k'.repeat(64) });
  ddb
    .on(GetItemCommand)
    .resolves({ Item: { approvalId: { S: ID }, status: { S: 'PENDING' }, record: { S: JSON.stringify(record) } } });
  ddb
    .on(UpdateItemCommand)
    .callsFake(async (input: { ExpressionAttributeValues?: Record<string, { S?: string }> }) => ({
      Attributes: {
        approvalId: { S: ID },
        status: { S: 'DECIDED' },
        record: { S: JSON.stringify(record) },
        decision: { S: input.ExpressionAttributeValues?.[':decision']?.S ?? '' },
      },
    }));
  s3.on(PutObjectCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  scheduler.on(DeleteScheduleCommand).resolves({});
});

describe('the approval Lambda behind API Gateway', () => {
  it('verifies the Slack signature over the decoded bytes of a base64-encoded body and decides', async () => {
    // Act
    const response = await approvalEndpoint(slackEvent(click('reject'), true));
    // Assess
    expect(response).toMatchObject({ statusCode: 200 });
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TOKEN,
      error: 'Migration.ApprovalRejected',
    });
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: `msk-approval-${ID}` });
  });

  it('refuses a base64 body whose signature was computed over the encoded text', async () => {
    // Prepare: a client that signed what API Gateway passes, not what Slack sent.
    const body = click('approve');
    const event = slackEvent(body, true);
    const ts = event.headers['X-Slack-Request-Timestamp'] ?? '';
    event.headers['X-Slack-Signature'] = slackSignature(SLACK_SECRET, ts, event.body ?? '');
    // Act
    const response = await approvalEndpoint(event);
    // Assess
    expect(response).toMatchObject({ statusCode: 401 });
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it('maps API Gateway v2 events to the shared request shape with lower-cased headers', () => {
    const request = fromApiGatewayV2(slackEvent('a=1', false));
    expect(request).toMatchObject({
      method: 'POST',
      path: '/slack/interactivity',
      rawQuery: '',
      sourceIp: '198.51.100.7',
    });
    expect(request.headers['x-slack-request-timestamp']).toMatch(/^\d+$/);
    expect(request.rawBody.toString()).toBe('a=1');
  });

  it('handles the scheduled reminder event without HTTP', async () => {
    // Act: the record has no e-mail recipients and no Slack client here, so only the mark and the audit happen.
    const response = await approvalEndpoint({ source: 'msk-migration.approval-reminder', approvalId: ID });
    // Assess
    expect(response).toEqual({ reminder: 'SENT' });
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: '#status = :pending AND attribute_not_exists(#reminded)',
    });
  });
});

describe('the approval endpoint with the SNS fallback', () => {
  it('reminds the e-mail recipients through the fallback topic, without decision links', async () => {
    // Prepare: an approval with an e-mail recipient
    const withRecipient = { ...record, notify: { emails: ['ops@example.com'] } };
    ddb.on(GetItemCommand).resolves({
      Item: { approvalId: { S: ID }, status: { S: 'PENDING' }, record: { S: JSON.stringify(withRecipient) } },
    });
    sns.on(PublishCommand).resolves({});
    // Act
    const response = await approvalEndpoint({ source: 'msk-migration.approval-reminder', approvalId: ID });
    // Assess
    expect(response).toEqual({ reminder: 'SENT' });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TopicArn)).toEqual([process.env.SNS_FALLBACK_TOPIC_ARN]);
    expect(published[0]?.Message).not.toMatch(/https?:\/\//);
  });
});

describe('the RequestApproval task', () => {
  it('names the invalid fields of its payload but never echoes the task token', async () => {
    // Act
    const failure = requestApprovalHandler({
      taskToken: TOKEN,
      executionId: '',
      kind: 'CUTOVER',
      state: { input: {} },
    });
    // Assess
    await expect(failure).rejects.toBeInstanceOf(InputInvalidError);
    await expect(failure).rejects.toThrow('RequestApproval payload invalid at executionId, state.input.approval.');
    await expect(failure).rejects.not.toThrow(TOKEN);
  });

  it('publishes the SNS fallback without decision links and schedules the reminder', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({});
    ddb.on(PutItemCommand).resolves({});
    scheduler.on(CreateScheduleCommand).resolves({});
    // Act
    const out = await requestApprovalHandler({
      taskToken: TOKEN,
      executionId: 'arn:aws:states:eu-west-1:1:execution:sm:exec-2',
      kind: 'CUTOVER',
      state: {
        input: {
          migrationId: 'orders',
          approval: { email: ['ops@example.com'], approvers: ['ops@example.com'], timeoutMinutes: 60 },
        },
      },
    });
    // Assess
    expect(out.emailsSent).toBe(1);
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain('This notice carries no decision link');
    expect(message).not.toMatch(/https?:\/\//);
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `msk-approval-${out.approvalId}`,
      ScheduleExpression: `at(${out.reminderAt?.slice(0, 19)})`,
    });
    expect(JSON.stringify(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Body))).not.toContain(TOKEN);
  });
});

class Artifacts implements ArtifactStore {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
  async putJson(key: string, value: unknown): Promise<string> {
    this.keys.push(key);
    this.values.push(value);
    return key;
  }
  async getJson(): Promise<undefined> {
    return undefined;
  }
  async putText(key: string): Promise<string> {
    return key;
  }
  async getText(): Promise<undefined> {
    return undefined;
  }
  async list(): Promise<string[]> {
    return [...this.keys];
  }
}

function localServices(
  overrides: Partial<ApprovalServices> = {},
): ApprovalServices & { mailer: OutboxApprovalMailer; callback: LocalTaskCallback; artifacts: Artifacts } {
  return {
    store: new MemoryApprovalStore(),
    artifacts: new Artifacts(),
    callback: new LocalTaskCallback(),
    mailer: new OutboxApprovalMailer(),
    signingKey: async () => 'k'.repeat(64),
    baseUrl: 'http://127.0.0.1:9',
    now: () => new Date('2026-11-02T10:00:00Z'),
    warn: () => undefined,
    ...overrides,
  } as ApprovalServices & { mailer: OutboxApprovalMailer; callback: LocalTaskCallback; artifacts: Artifacts };
}

const input = (approval: Record<string, unknown>) => ({
  taskToken: 'tok',
  executionId: 'arn:aws:states:r:1:execution:sm:e',
  kind: 'CUTOVER' as const,
  state: { input: { migrationId: 'orders', approval } },
});

describe('reminders and delivery failures', () => {
  it('reminds once, with fresh personal links, and not after a decision', async () => {
    // Prepare
    const services = localServices();
    const { approvalId } = await runRequestApproval(
      input({ email: ['alice@example.com'], timeoutMinutes: 120 }),
      services,
    );
    const waiting = services.callback.waitFor('tok');
    // Act
    const first = await sendReminder(approvalId, services);
    const second = await sendReminder(approvalId, services);
    await decide(
      { approvalId, outcome: 'APPROVE', identity: { channel: 'EMAIL', id: 'alice@example.com' }, context: {} },
      services,
    );
    // Assess
    expect([first, second]).toEqual(['SENT', 'SKIPPED']);
    expect(services.mailer.sent.map((m) => m.subject)).toEqual([
      '[Decision needed] Cutover approval: orders',
      '[Reminder] [Decision needed] Cutover approval: orders',
    ]);
    expect(services.mailer.sent[1]?.text).toMatch(/Approve: http:\/\/127\.0\.0\.1:9\/approvals\//);
    await expect(waiting).resolves.toMatchObject({ kind: 'SUCCESS', output: { approver: 'alice@example.com' } });
    expect(await sendReminder(approvalId, services)).toBe('SKIPPED');
  });

  it('expires a pending approval at its deadline: audited, the task failed as rejected, later clicks refused', async () => {
    // Prepare
    let now = new Date('2026-11-02T10:00:00Z');
    const services = localServices({ now: () => now });
    const { approvalId } = await runRequestApproval(
      input({ email: ['alice@example.com'], timeoutMinutes: 60 }),
      services,
    );
    const waiting = services.callback.waitFor('tok');
    // Act
    const early = await expireApproval(approvalId, services);
    now = new Date('2026-11-02T11:00:00Z');
    const onTime = await expireApproval(approvalId, services);
    const late = await decide(
      { approvalId, outcome: 'APPROVE', identity: { channel: 'EMAIL', id: 'alice@example.com' }, context: {} },
      services,
    );
    // Assess
    expect([early, onTime]).toEqual(['SKIPPED', 'EXPIRED']);
    await expect(waiting).resolves.toMatchObject({ kind: 'FAILURE', error: 'Migration.ApprovalRejected' });
    expect(late).toMatchObject({ status: 'REFUSED', refusal: { reason: 'APPROVAL_EXPIRED' } });
    expect(services.artifacts.values).toContainEqual(expect.objectContaining({ event: 'EXPIRED', approvalId }));
    expect(services.artifacts.keys.find((k) => k.includes('-expired-'))).toMatch(/^migrations\/orders\/e\/approvals\//);
  });

  it('refuses a plan with neither e-mail recipients nor a Slack channel', async () => {
    await expect(runRequestApproval(input({ email: [], timeoutMinutes: 60 }), localServices())).rejects.toThrow(
      InputInvalidError,
    );
  });

  it('fails as transient when no message could be delivered at all, so the state retries', async () => {
    // Prepare
    const failingSlack: ApprovalSlack = {
      post: async () => Promise.reject(new Error('channel_not_found')),
      update: async () => undefined,
      tellUser: async () => undefined,
      reply: async () => undefined,
      emailOf: async () => undefined,
    };
    // Act
    const attempt = runRequestApproval(
      input({ email: [], slack: { channelId: 'C404' }, approvers: ['U0A'], timeoutMinutes: 60 }),
      localServices({ slack: failingSlack }),
    );
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
  });

  it('releases the claim when Step Functions cannot be reached, so a retry can still decide', async () => {
    // Prepare
    const callback = new LocalTaskCallback();
    let down = true;
    const flaky = {
      ...callback,
      succeed: async (t: string, o: unknown) =>
        down ? Promise.reject(new TransientError('SFN throttled')) : callback.succeed(t, o),
      fail: callback.fail.bind(callback),
      heartbeat: callback.heartbeat.bind(callback),
    };
    const services = localServices({ callback: flaky });
    const { approvalId } = await runRequestApproval(
      input({ email: ['alice@example.com'], timeoutMinutes: 60 }),
      services,
    );
    const waiting = callback.waitFor('tok');
    const attempt = {
      approvalId,
      outcome: 'APPROVE' as const,
      identity: { channel: 'EMAIL' as const, id: 'alice@example.com' },
      context: {},
    };
    // Act
    const first = await decide(attempt, services);
    down = false;
    const second = await decide(attempt, services);
    // Assess
    expect(first).toMatchObject({ status: 'REFUSED', refusal: { reason: 'DELIVERY_FAILED' } });
    expect(second.status).toBe('DECIDED');
    await expect(waiting).resolves.toMatchObject({ kind: 'SUCCESS' });
  });
});
