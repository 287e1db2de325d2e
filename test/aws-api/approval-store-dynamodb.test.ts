import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DynamoDbApprovalStore } from '../../lambdas/adapters/aws/dynamodb-approval-store';
import { buildEvidence } from '../../lambdas/core/approval/evidence';
import type { ApprovalRecord, Decision } from '../../lambdas/core/approval/record';
import { ApprovalApi } from '../../lib/approval-api';
import { TaskFunction } from '../../lib/task-function';
import { emulatorClientConfig } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

/**
 * The approvals table exactly as lib/approval-api.ts declares it (key schema, attribute types, billing, TTL
 * attribute), read from the synthesized template so that a change to the construct is tested here too.
 */
function approvalsTableFromConstruct(tableName: string): { create: CreateTableCommandInput; ttlAttribute: string } {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new Stack(app, 'ApprovalTableOnly', { env: { account: '123456789012', region: 'us-east-1' } });
  const bucket = new s3.Bucket(stack, 'Evidence');
  new ApprovalApi(stack, 'Approval', { artifactBucket: bucket, email: { fromAddress: 'migrations@example.com' } });
  const tables = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
  if (tables.length !== 1)
    throw new Error(`ApprovalApi declares ${tables.length} DynamoDB tables; this test expects one.`);
  const props = (tables[0] as { Properties: Record<string, unknown> }).Properties;
  const ttl = props.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean };
  return {
    create: {
      TableName: tableName,
      KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
      AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      BillingMode: props.BillingMode as CreateTableCommandInput['BillingMode'],
    },
    ttlAttribute: ttl.AttributeName,
  };
}

const newId = (): string => randomBytes(16).toString('base64url');

function pendingRecord(approvalId: string): ApprovalRecord {
  return {
    approvalId,
    kind: 'CUTOVER',
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:msk-migration:orders-2026-11-02',
    migrationId: 'orders',
    executionName: 'orders-2026-11-02',
    taskToken: `AQCEAAAAKgAAAAMAAAAA${'x'.repeat(600)}`,
    createdAt: '2026-11-02T10:00:00.000Z',
    expiresAt: '2026-11-02T12:00:00.000Z',
    approvers: { emails: ['alice@example.com', 'bob@example.com'], slackUserIds: ['U0ALICE'] },
    notify: { emails: ['alice@example.com', 'bob@example.com'], slackChannelId: 'C0MIGRATE' },
    evidence: buildEvidence({ kind: 'CUTOVER', executionName: 'orders-2026-11-02', state: {} }),
    status: 'PENDING',
    reminderAt: '2026-11-02T11:30:00.000Z',
  };
}

function decision(
  attemptId: string,
  approver: string,
  decidedAt: string,
  outcome: Decision['outcome'] = 'APPROVE',
): Decision {
  return { attemptId, outcome, approver, channel: 'EMAIL', decidedAt, comment: 'lag gate green for 30 min' };
}

describe('DynamoDbApprovalStore against the DynamoDB API (moto server)', () => {
  const tableName = 'msk-migration-approvals';
  let server: MotoServer;
  let ddb: DynamoDBClient;
  let store: DynamoDbApprovalStore;
  let ttlAttribute: string;

  beforeAll(async () => {
    const table = approvalsTableFromConstruct(tableName);
    ttlAttribute = table.ttlAttribute;
    server = await startMotoServer({ services: ['DynamoDB'] });
    ddb = new DynamoDBClient(emulatorClientConfig(server));
    await ddb.send(new CreateTableCommand(table.create));
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
    store = new DynamoDbApprovalStore(ddb, { tableName, retentionDays: 30 });
  }, 60_000);

  afterAll(async () => {
    ddb?.destroy();
    await server?.stop();
  });

  it('stores a pending approval and reads the same record back, token included, with the TTL attribute the table expires on', async () => {
    // Prepare
    const record = pendingRecord(newId());

    // Act
    await store.create(record);
    const back = await store.get(record.approvalId);

    // Assess
    expect(back).toEqual(record);
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: ttlAttribute, TimeToLiveStatus: 'ENABLED' });
    const raw = await ddb.send(
      new GetItemCommand({ TableName: tableName, Key: { approvalId: { S: record.approvalId } } }),
    );
    expect(raw.Item?.[ttlAttribute]).toEqual({ N: String(Date.parse(record.expiresAt) / 1000 + 30 * 86_400) });
  });

  it('refuses to create a second approval under an existing ID and keeps the first', async () => {
    const record = pendingRecord(newId());
    await store.create(record);

    await expect(store.create({ ...record, migrationId: 'someone-else' })).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );

    await expect(store.get(record.approvalId)).resolves.toMatchObject({ migrationId: 'orders' });
  });

  it('reads nothing for an approval ID that was never stored', async () => {
    await expect(store.get(newId())).resolves.toBeUndefined();
  });

  // Two decisions in sequence, not a race: moto handles requests on threads without serializing a conditional
  // write, so a race here would test moto's locking, not the adapter. The adapter's part (the condition it sends and
  // how it reads the loser's ALL_OLD reply) is the same either way.
  it('lets the first decision win; a later one is told it was already decided, by whom and when', async () => {
    // Prepare
    const record = pendingRecord(newId());
    await store.create(record);
    const first = decision('attempt-alice', 'alice@example.com', '2026-11-02T10:20:00.000Z');
    const second = decision('attempt-bob', 'bob@example.com', '2026-11-02T10:21:00.000Z', 'REJECT');

    // Act
    const won = await store.claim(record.approvalId, first);
    const lost = await store.claim(record.approvalId, second);

    // Assess
    expect(won).toEqual({ claimed: true, record: { ...record, status: 'DECIDED', decision: first } });
    expect(lost).toEqual({ claimed: false, current: { ...record, status: 'DECIDED', decision: first } });
    await expect(store.get(record.approvalId)).resolves.toMatchObject({
      status: 'DECIDED',
      decision: { approver: 'alice@example.com', decidedAt: '2026-11-02T10:20:00.000Z', outcome: 'APPROVE' },
    });
  });

  it('releases only its own claim: another attempt’s release changes nothing, its own makes the approval pending again', async () => {
    // Prepare
    const record = pendingRecord(newId());
    await store.create(record);
    await store.claim(record.approvalId, decision('attempt-1', 'alice@example.com', '2026-11-02T10:20:00.000Z'));

    // Act
    await store.release(record.approvalId, 'attempt-someone-else');
    const afterForeignRelease = await store.get(record.approvalId);
    await store.release(record.approvalId, 'attempt-1');
    const afterOwnRelease = await store.get(record.approvalId);

    // Assess
    expect(afterForeignRelease).toMatchObject({ status: 'DECIDED', decision: { attemptId: 'attempt-1' } });
    expect(afterOwnRelease).toEqual(record);
    await expect(
      store.claim(record.approvalId, decision('attempt-2', 'bob@example.com', '2026-11-02T10:25:00.000Z')),
    ).resolves.toMatchObject({ claimed: true });
  });

  it('expires a pending approval at its deadline once; a decision arriving afterwards finds it expired', async () => {
    const record = pendingRecord(newId());
    await store.create(record);

    const expired = await store.expirePending(record.approvalId);
    const expiredAgain = await store.expirePending(record.approvalId);
    const late = await store.claim(
      record.approvalId,
      decision('attempt-late', 'alice@example.com', '2026-11-02T12:01:00.000Z'),
    );

    expect([expired, expiredAgain]).toEqual([true, false]);
    expect(late).toEqual({ claimed: false, current: { ...record, status: 'EXPIRED' } });
  });

  it('does not expire an approval that a decision settled first', async () => {
    const record = pendingRecord(newId());
    await store.create(record);
    await store.claim(record.approvalId, decision('attempt-1', 'alice@example.com', '2026-11-02T11:59:00.000Z'));

    await expect(store.expirePending(record.approvalId)).resolves.toBe(false);

    await expect(store.get(record.approvalId)).resolves.toMatchObject({ status: 'DECIDED' });
  });

  it('marks a claim whose task had timed out as expired, keeping who tried and when, and only for that attempt', async () => {
    const record = pendingRecord(newId());
    await store.create(record);
    const tooLate = decision('attempt-1', 'alice@example.com', '2026-11-02T12:00:05.000Z');
    await store.claim(record.approvalId, tooLate);

    await store.markExpired(record.approvalId, 'attempt-other');
    const untouched = await store.get(record.approvalId);
    await store.markExpired(record.approvalId, 'attempt-1');
    const expired = await store.get(record.approvalId);

    expect(untouched?.status).toBe('DECIDED');
    expect(expired).toEqual({ ...record, status: 'EXPIRED', decision: tooLate });
  });

  it('marks the reminder once, and never on an approval that is no longer pending', async () => {
    const pending = pendingRecord(newId());
    const decided = pendingRecord(newId());
    await store.create(pending);
    await store.create(decided);
    await store.claim(decided.approvalId, decision('attempt-1', 'alice@example.com', '2026-11-02T10:20:00.000Z'));

    const marks = [
      await store.markReminded(pending.approvalId, '2026-11-02T11:30:00.000Z'),
      await store.markReminded(pending.approvalId, '2026-11-02T11:31:00.000Z'),
      await store.markReminded(decided.approvalId, '2026-11-02T11:30:00.000Z'),
    ];

    expect(marks).toEqual([true, false, false]);
    await expect(store.get(pending.approvalId)).resolves.toMatchObject({ remindedAt: '2026-11-02T11:30:00.000Z' });
  });

  it('records where the Slack message is, and creates no item for an unknown approval ID', async () => {
    const record = pendingRecord(newId());
    await store.create(record);
    const unknown = newId();

    await store.setSlackMessage(record.approvalId, { channelId: 'C0MIGRATE', ts: '1730541600.000100' });
    await store.setSlackMessage(unknown, { channelId: 'C0MIGRATE', ts: '1730541600.000200' });

    await expect(store.get(record.approvalId)).resolves.toMatchObject({
      slackMessage: { channelId: 'C0MIGRATE', ts: '1730541600.000100' },
    });
    const raw = await ddb.send(new GetItemCommand({ TableName: tableName, Key: { approvalId: { S: unknown } } }));
    expect(raw.Item).toBeUndefined();
  });
});
