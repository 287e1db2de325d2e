import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbAbortRequests } from '../../lambdas/adapters/aws/dynamodb-abort-requests';
import { assertNotAborted } from '../../lambdas/core/execution/abort';
import { MigrationAbortedError } from '../../lambdas/core/errors';

const dynamodb = mockClient(DynamoDBClient);
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders';
const aborts = () => new DynamoDbAbortRequests(new DynamoDBClient({}), 'locks');
const request = {
  executionArn: EXECUTION,
  reason: 'Change freeze.',
  requestedBy: 'arn:aws:iam::123456789012:user/oncall',
  requestedAt: '2026-11-24T12:00:00.000Z',
};

beforeEach(() => dynamodb.reset());

describe('DynamoDbAbortRequests', () => {
  it('records a request as the abort item of the execution, keeping an earlier one', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    // Act
    const recorded = await aborts().request(request);
    // Assess
    expect(recorded).toBe('RECORDED');
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'locks',
      Item: {
        lockKey: { S: `abort:${EXECUTION}` },
        kind: { S: 'abort-request' },
        executionArn: { S: EXECUTION },
        reason: { S: 'Change freeze.' },
        requestedBy: { S: 'arn:aws:iam::123456789012:user/oncall' },
        requestedAt: { S: '2026-11-24T12:00:00.000Z' },
        expiresAt: { N: String(Date.parse('2026-11-24T12:00:00.000Z') / 1000 + 30 * 24 * 3600) },
      },
      ConditionExpression: 'attribute_not_exists(lockKey)',
    });
  });

  it('says when the execution was already asked to abort', async () => {
    // Prepare
    dynamodb
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    // Act
    const recorded = await aborts().request(request);
    // Assess
    expect(recorded).toBe('ALREADY_REQUESTED');
  });

  it('reads the request with a strongly consistent GetItem', async () => {
    // Prepare
    dynamodb.on(GetItemCommand).resolves({
      Item: {
        lockKey: { S: `abort:${EXECUTION}` },
        reason: { S: 'Change freeze.' },
        requestedBy: { S: 'arn:aws:iam::123456789012:user/oncall' },
        requestedAt: { S: '2026-11-24T12:00:00.000Z' },
      },
    });
    // Act
    const found = await aborts().requested(EXECUTION);
    // Assess
    expect(found).toEqual(request);
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'locks',
      Key: { lockKey: { S: `abort:${EXECUTION}` } },
      ConsistentRead: true,
    });
  });

  it('finds no request when there is no item', async () => {
    // Prepare
    dynamodb.on(GetItemCommand).resolves({});
    // Act
    const found = await aborts().requested(EXECUTION);
    // Assess
    expect(found).toBeUndefined();
  });

  it('turns DynamoDB throttling into Migration.Transient (the poll task retries)', async () => {
    // Prepare
    dynamodb.on(GetItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    // Act
    const read = aborts().requested(EXECUTION);
    // Assess
    await expect(read).rejects.toMatchObject({ name: 'Migration.Transient' });
  });

  it('turns throttling of the request (msk-migrate abort) into Migration.Transient too, as the locks do', async () => {
    dynamodb.on(PutItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(aborts().request(request)).rejects.toMatchObject({
      name: 'Migration.Transient',
      message: 'DynamoDB is throttling or unavailable (ThrottlingException); retry.',
    });
  });
});

describe('assertNotAborted', () => {
  it('raises Migration.Aborted naming who asked, when and why', async () => {
    // Prepare
    dynamodb.on(GetItemCommand).resolves({
      Item: {
        reason: { S: 'Change freeze.' },
        requestedBy: { S: 'oncall' },
        requestedAt: { S: '2026-11-24T12:00:00.000Z' },
      },
    });
    // Act
    const check = assertNotAborted(EXECUTION, aborts());
    // Assess
    await expect(check).rejects.toBeInstanceOf(MigrationAbortedError);
    await expect(assertNotAborted(EXECUTION, aborts())).rejects.toThrow(
      `oncall asked to abort execution ${EXECUTION} at 2026-11-24T12:00:00.000Z: Change freeze.`,
    );
  });

  it('passes when nothing was requested, or when the runtime has no abort requests', async () => {
    // Prepare
    dynamodb.on(GetItemCommand).resolves({});
    // Act / Assess
    await expect(assertNotAborted(EXECUTION, aborts())).resolves.toBeUndefined();
    await expect(assertNotAborted(EXECUTION, undefined)).resolves.toBeUndefined();
  });
});
