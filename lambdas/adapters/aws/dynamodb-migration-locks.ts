import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailed, rethrowDynamoDbError, str as s } from './dynamodb-errors';
import type { LockAttempt, LockHolder, MigrationLocks } from '../../ports/migration-locks';

/**
 * The migration locks in DynamoDB, one item per locked resource (`lockKey`, the table's partition key). Taking a lock
 * is a conditional PutItem (`attribute_not_exists(lockKey) OR executionArn = :me`), which is atomic; on refusal
 * DynamoDB returns the holder's item (ReturnValuesOnConditionCheckFailure), so the refusal names it without a second
 * read. Releasing is a DeleteItem conditional on the holder.
 *
 * Shared locks (migrations in waves share their source cluster and target): the item holds a string set `sharers` of
 * execution ARNs, added to by a conditional UpdateItem (`ADD`, refused while one execution holds the key alone) and
 * taken from by `DELETE`; DynamoDB drops an emptied set. A lone `acquire` is refused while `sharers` exists.
 */

/**
 * A refused take: the holder from the item DynamoDB returns (ALL_OLD), one execution holding it alone or, for a shared
 * key, the first execution sharing it (only its ARN is stored).
 */
function refused(err: unknown): LockAttempt {
  if (!isConditionFailed(err)) return rethrowDynamoDbError(err);
  const item = (err as ConditionalCheckFailedException).Item ?? {};
  const sharer = item.executionArn?.S === undefined ? [...(item.sharers?.SS ?? [])].sort()[0] : undefined;
  if (sharer)
    return {
      acquired: false,
      heldBy: {
        executionArn: sharer,
        executionName: sharer.split(':').pop() ?? sharer,
        migrationId: 'a migration in waves',
        acquiredAt: 'it started',
      },
    };
  return {
    acquired: false,
    heldBy: {
      executionArn: item.executionArn?.S ?? 'an unknown execution',
      executionName: item.executionName?.S ?? '',
      migrationId: item.migrationId?.S ?? 'an unknown migration',
      acquiredAt: item.acquiredAt?.S ?? 'an unknown time',
    },
  };
}

export class DynamoDbMigrationLocks implements MigrationLocks {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async acquire(key: string, holder: LockHolder): Promise<LockAttempt> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            lockKey: s(key),
            executionArn: s(holder.executionArn),
            executionName: s(holder.executionName),
            migrationId: s(holder.migrationId),
            acquiredAt: s(holder.acquiredAt),
          },
          ConditionExpression:
            'attribute_not_exists(lockKey) OR executionArn = :me OR (attribute_not_exists(executionArn) AND attribute_not_exists(sharers))',
          ExpressionAttributeValues: { ':me': s(holder.executionArn) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true };
    } catch (err) {
      return refused(err);
    }
  }

  async acquireShared(key: string, holder: LockHolder): Promise<LockAttempt> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { lockKey: s(key) },
          UpdateExpression: 'ADD sharers :me',
          ConditionExpression: 'attribute_not_exists(executionArn)',
          ExpressionAttributeValues: { ':me': { SS: [holder.executionArn] } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true };
    } catch (err) {
      return refused(err);
    }
  }

  async releaseShared(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { lockKey: s(key) },
          UpdateExpression: 'DELETE sharers :me',
          ConditionExpression: 'contains(sharers, :arn)',
          ExpressionAttributeValues: { ':me': { SS: [executionArn] }, ':arn': s(executionArn) },
        }),
      );
      return 'RELEASED';
    } catch (err) {
      if (isConditionFailed(err)) return 'NOT_HELD';
      return rethrowDynamoDbError(err);
    }
  }

  async release(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { lockKey: s(key) },
          ConditionExpression: 'executionArn = :me',
          ExpressionAttributeValues: { ':me': s(executionArn) },
        }),
      );
      return 'RELEASED';
    } catch (err) {
      if (isConditionFailed(err)) return 'NOT_HELD';
      return rethrowDynamoDbError(err);
    }
  }
}
