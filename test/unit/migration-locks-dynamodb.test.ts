import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbMigrationLocks } from '../../lambdas/adapters/aws/dynamodb-migration-locks';

const dynamodb = mockClient(DynamoDBClient);
const me = {
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders',
  executionName: 'orders',
  migrationId: 'orders',
  acquiredAt: '2026-11-24T12:00:00.000Z',
};
const locks = () => new DynamoDbMigrationLocks(new DynamoDBClient({}), 'locks');

beforeEach(() => dynamodb.reset());

describe('DynamoDbMigrationLocks', () => {
  it('takes a lock with a conditional PutItem that admits only a free key or this execution', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    // Act
    const attempt = await locks().acquire('source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1', me);
    // Assess
    expect(attempt).toEqual({ acquired: true });
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'locks',
      ConditionExpression:
        'attribute_not_exists(lockKey) OR executionArn = :me OR (attribute_not_exists(executionArn) AND attribute_not_exists(sharers))',
      ExpressionAttributeValues: { ':me': { S: me.executionArn } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('names the holder from the item DynamoDB returns when the condition fails', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: {
          lockKey: { S: 'pointer:ssm:/orders/kafka' },
          executionArn: { S: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:billing' },
          executionName: { S: 'billing' },
          migrationId: { S: 'billing' },
          acquiredAt: { S: '2026-11-23T08:00:00.000Z' },
        },
      }),
    );
    // Act
    const attempt = await locks().acquire('pointer:ssm:/orders/kafka', me);
    // Assess
    expect(attempt).toEqual({
      acquired: false,
      heldBy: {
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:billing',
        executionName: 'billing',
        migrationId: 'billing',
        acquiredAt: '2026-11-23T08:00:00.000Z',
      },
    });
  });

  it('releases only a lock this execution holds (conditional DeleteItem); another holder is NOT_HELD', async () => {
    // Prepare
    dynamodb
      .on(DeleteItemCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    // Act
    const first = await locks().release('target:new:orders', me.executionArn);
    const second = await locks().release('target:new:orders', me.executionArn);
    // Assess
    expect([first, second]).toEqual(['RELEASED', 'NOT_HELD']);
    expect(dynamodb).toHaveReceivedCommandWith(DeleteItemCommand, {
      Key: { lockKey: { S: 'target:new:orders' } },
      ConditionExpression: 'executionArn = :me',
    });
  });

  it('turns throttling into Migration.Transient (the state retries it)', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    // Act + Assess
    await expect(locks().acquire('target:new:orders', me)).rejects.toMatchObject({ name: 'Migration.Transient' });
  });
  it('shares a lock with a conditional UpdateItem adding this execution to the set, refused while one holds it alone', async () => {
    // Prepare
    dynamodb
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejectsOnce(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: {
            lockKey: { S: 'source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1' },
            executionArn: { S: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:billing' },
            executionName: { S: 'billing' },
            migrationId: { S: 'billing' },
            acquiredAt: { S: '2026-11-23T08:00:00.000Z' },
          },
        }),
      );
    // Act
    const first = await locks().acquireShared('source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1', me);
    const second = await locks().acquireShared('source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1', me);
    // Assess
    expect(first).toEqual({ acquired: true });
    expect(second).toMatchObject({ acquired: false, heldBy: { migrationId: 'billing', executionName: 'billing' } });
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'locks',
      Key: { lockKey: { S: 'source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1' } },
      UpdateExpression: 'ADD sharers :me',
      ConditionExpression: 'attribute_not_exists(executionArn)',
      ExpressionAttributeValues: { ':me': { SS: [me.executionArn] } },
    });
  });

  it('refuses to take alone a key others share, naming the first execution sharing it', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: {
          lockKey: { S: 'source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1' },
          sharers: {
            SS: [
              'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:wave-b',
              'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:wave-a',
            ],
          },
        },
      }),
    );
    // Act
    const attempt = await locks().acquire('source:arn:aws:kafka:eu-west-1:123456789012:cluster/orders/u-1', me);
    // Assess
    expect(attempt).toEqual({
      acquired: false,
      heldBy: {
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:wave-a',
        executionName: 'wave-a',
        migrationId: 'a migration in waves',
        acquiredAt: 'it started',
      },
    });
  });

  it('stops sharing with a conditional UpdateItem deleting this execution from the set; not sharing is NOT_HELD', async () => {
    // Prepare
    dynamodb
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    // Act
    const first = await locks().releaseShared('target:new:orders', me.executionArn);
    const second = await locks().releaseShared('target:new:orders', me.executionArn);
    // Assess
    expect([first, second]).toEqual(['RELEASED', 'NOT_HELD']);
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { lockKey: { S: 'target:new:orders' } },
      UpdateExpression: 'DELETE sharers :me',
      ConditionExpression: 'contains(sharers, :arn)',
      ExpressionAttributeValues: { ':me': { SS: [me.executionArn] }, ':arn': { S: me.executionArn } },
    });
  });
});
