import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbApprovalStore } from '../../lambdas/adapters/aws/dynamodb-approval-store';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/s3-artifact-store';
import { SchedulerApprovalReminders } from '../../lambdas/adapters/aws/scheduler-approval-reminders';
import { CachedSecrets } from '../../lambdas/adapters/aws/secrets';
import { SesApprovalMailer, SnsApprovalMailer } from '../../lambdas/adapters/aws/ses-notifier';
import { SfnTaskCallback } from '../../lambdas/adapters/aws/sfn-task-callback';
import { buildEvidence } from '../../lambdas/core/approval/evidence';
import type { ApprovalRecord, Decision } from '../../lambdas/core/approval/record';
import { TransientError } from '../../lambdas/core/errors';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const meta = { $metadata: {} };

const ID = 'abcdefghijklmnopqrstuv';
const record: ApprovalRecord = {
  approvalId: ID,
  kind: 'CUTOVER',
  executionArn: 'arn:aws:states:eu-west-1:1:execution:sm:exec-1',
  migrationId: 'orders',
  executionName: 'exec-1',
  taskToken: 'token-123',
  createdAt: '2026-11-02T10:00:00.000Z',
  expiresAt: '2026-11-02T11:00:00.000Z',
  approvers: { emails: ['alice@example.com'], slackUserIds: [] },
  notify: { emails: ['alice@example.com'] },
  evidence: buildEvidence({ kind: 'CUTOVER', executionName: 'exec-1', state: {} }),
  status: 'PENDING',
};
const decision: Decision = {
  attemptId: 'att-1',
  outcome: 'APPROVE',
  approver: 'alice@example.com',
  channel: 'EMAIL',
  decidedAt: '2026-11-02T10:05:00.000Z',
};
const item = (status: string, extra: Record<string, { S: string }> = {}) => ({
  approvalId: { S: ID },
  status: { S: status },
  record: { S: JSON.stringify(record) },
  ...extra,
});

beforeEach(() => {
  for (const m of [ddb, sfn, ses, sns, scheduler, secrets, s3]) m.reset();
});

describe('DynamoDB approval store', () => {
  const store = new DynamoDbApprovalStore(new DynamoDBClient({}), { tableName: 'approvals', retentionDays: 30 });

  it('creates the item only if the ID is new, with a TTL 30 days after the deadline', async () => {
    ddb.on(PutItemCommand).resolves({});
    await store.create(record);
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'approvals',
      ConditionExpression: 'attribute_not_exists(approvalId)',
      Item: expect.objectContaining({
        approvalId: { S: ID },
        status: { S: 'PENDING' },
        expiresAtTtl: { N: String(Date.parse(record.expiresAt) / 1000 + 30 * 86_400) },
      }),
    });
  });

  it('claims with a write conditional on PENDING and returns the decided record', async () => {
    ddb.on(UpdateItemCommand).resolves({
      Attributes: item('DECIDED', { decision: { S: JSON.stringify(decision) }, attemptId: { S: 'att-1' } }),
    });
    const result = await store.claim(ID, decision);
    expect(result).toMatchObject({ claimed: true, record: { status: 'DECIDED', decision } });
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: '#status = :pending',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ExpressionAttributeValues: expect.objectContaining({
        ':pending': { S: 'PENDING' },
        ':decided': { S: 'DECIDED' },
      }),
    });
  });

  it('loses the claim to an earlier decision and returns who made it', async () => {
    const earlier = { ...decision, approver: 'carol@example.com' };
    ddb.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'failed',
        ...meta,
        Item: item('DECIDED', { decision: { S: JSON.stringify(earlier) } }),
      }),
    );
    const result = await store.claim(ID, decision);
    expect(result).toMatchObject({
      claimed: false,
      current: { status: 'DECIDED', decision: { approver: 'carol@example.com' } },
    });
  });

  it('releases and expires only its own claim', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.release(ID, 'att-1');
    await store.markExpired(ID, 'att-1');
    const [release, expire] = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(release).toMatchObject({
      ConditionExpression: '#status = :decided AND #attempt = :attempt',
      UpdateExpression: 'SET #status = :pending REMOVE #decision, #attempt',
    });
    expect(expire).toMatchObject({
      ConditionExpression: '#status = :decided AND #attempt = :attempt',
      ExpressionAttributeValues: expect.objectContaining({ ':expired': { S: 'EXPIRED' } }),
    });
  });

  it('expires only a still pending approval', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', ...meta }));
    await expect(store.expirePending(ID)).resolves.toBe(false);
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: { ':expired': { S: 'EXPIRED' }, ':pending': { S: 'PENDING' } },
    });
  });

  it('marks the reminder once: a second mark reports false', async () => {
    ddb
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'failed', ...meta }));
    await expect(store.markReminded(ID, '2026-11-02T10:45:00Z')).resolves.toBe(true);
    await expect(store.markReminded(ID, '2026-11-02T10:46:00Z')).resolves.toBe(false);
  });

  it('reads consistently and merges the mutable attributes into the record', async () => {
    ddb.on(GetItemCommand).resolves({
      Item: item('PENDING', {
        slackMessage: { S: '{"channelId":"C1","ts":"1.2"}' },
        remindedAt: { S: '2026-11-02T10:45:00Z' },
      }),
    });
    await expect(store.get(ID)).resolves.toMatchObject({
      status: 'PENDING',
      slackMessage: { channelId: 'C1', ts: '1.2' },
      remindedAt: '2026-11-02T10:45:00Z',
      taskToken: 'token-123',
    });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true });
  });

  it('turns DynamoDB throttling into Migration.Transient', async () => {
    ddb
      .on(GetItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(store.get(ID)).rejects.toBeInstanceOf(TransientError);
  });
});

describe('Step Functions task callback', () => {
  const callback = new SfnTaskCallback(new SFNClient({}));

  it('sends SendTaskSuccess with the output as JSON', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    await expect(callback.succeed('tok', { approved: true })).resolves.toBe('DELIVERED');
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'tok', output: '{"approved":true}' });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'timed out', ...meta })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', ...meta })],
    ['InvalidToken', new InvalidToken({ message: 'invalid', ...meta })],
  ])('reports %s as a task that no longer waits', async (_name, error) => {
    sfn.on(SendTaskFailureCommand).rejects(error);
    await expect(callback.fail('tok', 'Migration.ApprovalRejected', 'why')).resolves.toBe('TASK_GONE');
  });

  it('cuts the cause to Step Functions limits and turns throttling into Migration.Transient', async () => {
    sfn
      .on(SendTaskFailureCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await callback.fail('tok', 'Migration.ApprovalRejected', 'x'.repeat(40_000));
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input.cause).toHaveLength(32_768);
    await expect(callback.fail('tok', 'Migration.ApprovalRejected', 'why')).rejects.toBeInstanceOf(TransientError);
  });
});

describe('e-mail delivery', () => {
  it('sends one SES v2 message per recipient, HTML and text, from the verified address', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    await new SesApprovalMailer(new SESv2Client({}), {
      fromAddress: 'migrations@example.com',
      configurationSetName: 'approvals',
    }).send({ to: 'alice@example.com', subject: 'S', html: '<p>h</p>', text: 't' });
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'migrations@example.com',
      Destination: { ToAddresses: ['alice@example.com'] },
      ConfigurationSetName: 'approvals',
      Content: {
        Simple: {
          Subject: { Data: 'S', Charset: 'UTF-8' },
          Body: { Html: { Data: '<p>h</p>', Charset: 'UTF-8' }, Text: { Data: 't', Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('publishes the SNS fallback as text with an ASCII subject of at most 100 characters', async () => {
    sns.on(PublishCommand).resolves({});
    const mailer = new SnsApprovalMailer(new SNSClient({}), 'arn:aws:sns:eu-west-1:1:approvals');
    expect(mailer.personal).toBe(false);
    await mailer.send({
      to: '',
      subject: `[Decision needed] Cutover — ${'x'.repeat(200)}`,
      html: '<p/>',
      text: 'evidence',
    });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ TopicArn: 'arn:aws:sns:eu-west-1:1:approvals', Message: 'evidence' });
    expect(input?.Subject).toMatch(/^\[Decision needed\] Cutover {2}x+$/);
    expect(input?.Subject?.length).toBe(100);
  });
});

describe('reminder schedules', () => {
  const reminders = new SchedulerApprovalReminders(new SchedulerClient({}), {
    targetArn: 'arn:aws:lambda:eu-west-1:1:function:approval',
    roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  });

  it('creates a one-off UTC schedule that deletes itself and carries only the approval ID', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await reminders.schedule(ID, new Date('2026-11-02T10:45:00.123Z'), 'REMIND');
    await reminders.schedule(ID, new Date('2026-11-02T11:00:00.000Z'), 'EXPIRE');
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `msk-approval-${ID}`,
      GroupName: 'default',
      ScheduleExpression: 'at(2026-11-02T10:45:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({
        Arn: 'arn:aws:lambda:eu-west-1:1:function:approval',
        RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
        Input: JSON.stringify({ source: 'msk-migration.approval-reminder', approvalId: ID, action: 'REMIND' }),
      }),
    });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `msk-approval-expire-${ID}`,
      ScheduleExpression: 'at(2026-11-02T11:00:00)',
      Target: expect.objectContaining({
        Input: JSON.stringify({ source: 'msk-migration.approval-reminder', approvalId: ID, action: 'EXPIRE' }),
      }),
    });
  });

  it('cancels both timers idempotently: a schedule already gone is not an error', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    await expect(reminders.cancel(ID)).resolves.toBeUndefined();
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input.Name)).toEqual([
      `msk-approval-${ID}`,
      `msk-approval-expire-${ID}`,
    ]);
  });
});

describe('secrets and artifacts', () => {
  it('reads a secret once per five minutes', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'v1' });
    let now = 0;
    const cache = new CachedSecrets(new SecretsManagerClient({}), 300_000, () => now);
    await cache.read('arn:s');
    now = 299_999;
    await expect(cache.read('arn:s')).resolves.toBe('v1');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    now = 300_001;
    await cache.read('arn:s');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('returns undefined for a missing S3 object and lists every page of a prefix', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'missing', ...meta }));
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/b' }], IsTruncated: true, NextContinuationToken: 't' })
      .resolves({ Contents: [{ Key: 'p/a' }], IsTruncated: false });
    const store = new S3ArtifactStore(new S3Client({}), 'evidence');
    await expect(store.getJson('p/none')).resolves.toBeUndefined();
    await expect(store.list('p/')).resolves.toEqual(['p/a', 'p/b']);
    expect(s3).toHaveReceivedNthCommandWith(3, ListObjectsV2Command, {
      Bucket: 'evidence',
      Prefix: 'p/',
      ContinuationToken: 't',
    });
  });
});
