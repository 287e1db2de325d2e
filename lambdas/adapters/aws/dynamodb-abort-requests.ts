import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailed, rethrowDynamoDbError, str as s } from './dynamodb-errors';
import { abortKeyOf, type AbortRequest, type AbortRequests } from '../../ports/abort-requests';

/**
 * Abort requests in the migration lock table: one item per execution, `lockKey = abort:<executionArn>`, next to the
 * execution's locks. `msk-migrate abort` writes it (a PutItem that keeps an earlier request), the poll tasks read it
 * (a strongly consistent GetItem, so the next poll after the request sees it). The item expires 30 days after the
 * request (the table's TTL attribute `expiresAt`).
 */

const KEEP_SECONDS = 30 * 24 * 3600;

export class DynamoDbAbortRequests implements AbortRequests {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async request(request: AbortRequest): Promise<'RECORDED' | 'ALREADY_REQUESTED'> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            lockKey: s(abortKeyOf(request.executionArn)),
            kind: s('abort-request'),
            executionArn: s(request.executionArn),
            reason: s(request.reason),
            requestedBy: s(request.requestedBy),
            requestedAt: s(request.requestedAt),
            expiresAt: { N: String(Math.floor(Date.parse(request.requestedAt) / 1000) + KEEP_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(lockKey)',
        }),
      );
      return 'RECORDED';
    } catch (err) {
      if (isConditionFailed(err)) return 'ALREADY_REQUESTED';
      return rethrowDynamoDbError(err);
    }
  }

  async requested(executionArn: string): Promise<AbortRequest | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { lockKey: s(abortKeyOf(executionArn)) },
          ConsistentRead: true,
        }),
      );
      const item = out.Item;
      if (!item) return undefined;
      return {
        executionArn,
        reason: item.reason?.S ?? 'no reason given.',
        requestedBy: item.requestedBy?.S ?? 'an operator',
        requestedAt: item.requestedAt?.S ?? 'an unknown time',
      };
    } catch (err) {
      return rethrowDynamoDbError(err);
    }
  }
}
