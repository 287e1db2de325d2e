import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
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
      ConditionExpression: 'attribute_not_exists(lockKey) OR executionArn = :me',
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
});
