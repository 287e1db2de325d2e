import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { ApprovalRecord, Decision } from '../../lambdas/core/approval/record';
import { awsError, cli, executionArn, NOW } from './cli-operator-harness';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/PlatformOperator/jane';
const env = {
  AWS_REGION: 'eu-west-1',
  MSK_MIGRATION_APPROVAL_TABLE: 'approvals',
  MSK_MIGRATION_EVIDENCE_BUCKET: 'evidence-bucket',
};

const record: ApprovalRecord = {
  approvalId: APPROVAL_ID,
  kind: 'CUTOVER',
  executionArn: executionArn('orders-1'),
  migrationId: 'orders',
  executionName: 'orders-1',
  taskToken: 'task-token-that-never-leaves-the-table',
  createdAt: new Date(NOW.getTime() - 3600_000).toISOString(),
  expiresAt: new Date(NOW.getTime() + 3600_000).toISOString(),
  approvers: { emails: ['lead@example.com'], slackUserIds: [] },
  notify: { emails: ['lead@example.com'] },
  evidence: {
    migrationId: 'orders',
    executionName: 'orders-1',
    kind: 'CUTOVER',
    question: 'Switch producers and consumers of orders to the target?',
    source: 'msk orders',
    target: 'msk serverless orders',
    gates: [],
    figures: [],
    findingsAccepted: [],
    rollbackWindow: '4 h',
    pointOfNoReturn: 'when the rollback window closes',
    evidenceKeys: [],
  },
  status: 'PENDING',
};

const item = (r: ApprovalRecord, decision?: Decision): Record<string, AttributeValue> => {
  const { status, decision: _d, ...immutable } = r;
  return {
    approvalId: { S: r.approvalId },
    status: { S: decision ? 'DECIDED' : status },
    record: { S: JSON.stringify({ ...immutable, status: 'PENDING' }) },
    ...(decision ? { decision: { S: JSON.stringify(decision) } } : {}),
  };
};

beforeEach(() => {
  for (const m of [ddb, sfn, s3, sts]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR, Account: '123456789012', UserId: 'AROA:jane' });
  ddb.on(GetItemCommand).resolves({ Item: item(record) });
  ddb.on(UpdateItemCommand).callsFake(async (req: { ExpressionAttributeValues?: Record<string, AttributeValue> }) => {
    const decision = JSON.parse(req.ExpressionAttributeValues?.[':decision']?.S ?? '{}') as Decision;
    return { Attributes: item(record, decision) };
  });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  s3.on(PutObjectCommand).resolves({});
});

describe('msk-migrate approve and reject', () => {
  it("approves as the caller's IAM identity through the single-use claim, sends the task success and audits it as CLI", async () => {
    // Act
    const result = await cli({ env }).run('approve', APPROVAL_ID, '--comment', 'lag 0 for an hour', '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.json()).toEqual({
      approvalId: APPROVAL_ID,
      outcome: 'APPROVE',
      kind: 'CUTOVER',
      migrationId: 'orders',
      executionArn: executionArn('orders-1'),
      approver: OPERATOR,
      channel: 'CLI',
      decidedAt: NOW.toISOString(),
      next: { state: 'FenceProducers', means: expect.stringContaining('producers are fenced') },
    });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'approvals',
      Key: { approvalId: { S: APPROVAL_ID } },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'approvals',
      ConditionExpression: '#status = :pending',
    });
    const success = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(success?.taskToken).toBe('task-token-that-never-leaves-the-table');
    expect(JSON.parse(success?.output ?? '{}')).toMatchObject({
      approved: true,
      approver: OPERATOR,
      channel: 'CLI',
      comment: 'lag 0 for an hour',
    });
    const audit = s3
      .commandCalls(PutObjectCommand)
      .map((c) => c.args[0].input)
      .find((i) => /-decided-/.test(i.Key ?? ''));
    expect(audit?.Bucket).toBe('evidence-bucket');
    expect(JSON.parse(String(audit?.Body))).toMatchObject({
      event: 'DECIDED',
      channel: 'CLI',
      actor: OPERATOR,
      outcome: 'APPROVE',
      userAgent: 'msk-migrate',
    });
    expect(String(audit?.Body)).not.toContain('task-token');
  });

  it('rejects with the reason, which reaches the workflow as Migration.ApprovalRejected', async () => {
    // Act
    const result = await cli({ env }).run('reject', APPROVAL_ID, '--reason', 'consumer team not ready');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Rejected the cutover approval ${APPROVAL_ID} of orders as ${OPERATOR}.`);
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      error: 'Migration.ApprovalRejected',
      cause: expect.stringContaining('consumer team not ready'),
    });
  });

  it.each([
    ['FINALIZE', 'APPROVE', 'approve', 'Finalize'],
    ['FINALIZE', 'REJECT', 'reject', 'FailbackDecision'],
    ['FAILBACK', 'APPROVE', 'approve', 'StartFailback'],
    ['FAILBACK', 'REJECT', 'reject', 'ReportNeedsAttention'],
  ] as const)(
    'decides a %s approval with %s and goes on where the ASL routes that decision',
    async (kind, outcome, verb, nextState) => {
      // Prepare
      const other: ApprovalRecord = { ...record, kind, evidence: { ...record.evidence, kind } };
      ddb.on(GetItemCommand).resolves({ Item: item(other) });
      ddb
        .on(UpdateItemCommand)
        .callsFake(async (req: { ExpressionAttributeValues?: Record<string, AttributeValue> }) => ({
          Attributes: item(other, JSON.parse(req.ExpressionAttributeValues?.[':decision']?.S ?? '{}') as Decision),
        }));
      // Act
      const json = (await cli({ env }).run(verb, APPROVAL_ID, '--json')).json<{
        kind: string;
        outcome: string;
        next: { state: string };
      }>();
      // Assess
      expect(json).toMatchObject({ kind, outcome, next: { state: nextState } });
      const sent =
        outcome === 'APPROVE' ? sfn.commandCalls(SendTaskSuccessCommand) : sfn.commandCalls(SendTaskFailureCommand);
      expect(sent.map((c) => c.args[0].input.taskToken)).toEqual(['task-token-that-never-leaves-the-table']);
    },
  );

  it('says in text what the workflow does next', async () => {
    // Act
    const result = await cli({ env }).run('approve', APPROVAL_ID);
    // Assess
    expect(result.stdout).toContain('Next: FenceProducers: the cutover starts');
  });

  it('says an unknown approval does not exist (exit 3)', async () => {
    // Prepare
    ddb.on(GetItemCommand).resolves({});
    // Act
    const result = await cli({ env }).run('approve', APPROVAL_ID, '--json');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(result.json()).toEqual({ error: expect.objectContaining({ code: 'UNKNOWN_APPROVAL' }) });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('says who already decided, and sends nothing (exit 1)', async () => {
    // Prepare
    const earlier: Decision = {
      attemptId: 'a1',
      outcome: 'APPROVE',
      approver: 'lead@example.com',
      channel: 'EMAIL',
      decidedAt: NOW.toISOString(),
    };
    ddb.on(GetItemCommand).resolves({ Item: item(record, earlier) });
    // Act
    const result = await cli({ env }).run('reject', APPROVAL_ID);
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('lead@example.com');
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('loses the race to a concurrent decision without sending a callback (exit 1)', async () => {
    // Prepare
    const other: Decision = {
      attemptId: 'b2',
      outcome: 'REJECT',
      approver: 'U0SLACK',
      channel: 'SLACK',
      decidedAt: NOW.toISOString(),
    };
    ddb
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'conditional', $metadata: {}, Item: item(record, other) }),
      );
    // Act
    const result = await cli({ env }).run('approve', APPROVAL_ID);
    // Assess
    expect(result.exitCode).toBe(1);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('refuses a malformed approval ID before any AWS call (exit 2)', async () => {
    // Act
    const result = await cli({ env }).run('approve', 'not-an-id');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  it('says which setting is missing when the approval table is not given (exit 2)', async () => {
    // Act
    const result = await cli({ env: { AWS_REGION: 'eu-west-1' } }).run('approve', APPROVAL_ID);
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Pass --table or set MSK_MIGRATION_APPROVAL_TABLE');
  });

  it('asks for a Region when none is set (exit 4)', async () => {
    // Act
    const result = await cli({
      env: { MSK_MIGRATION_APPROVAL_TABLE: 'approvals', MSK_MIGRATION_EVIDENCE_BUCKET: 'b' },
    }).run('approve', APPROVAL_ID, '--json');
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.json()).toEqual({
      error: expect.objectContaining({ code: 'REGION_MISSING', hint: 'Pass --region eu-west-1 or set AWS_REGION.' }),
    });
  });

  it('refuses to decide without credentials (exit 4)', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    // Act
    const result = await cli({ env }).run('approve', APPROVAL_ID);
    // Assess
    expect(result.exitCode).toBe(4);
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
  });
});
