import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { rethrowDynamoDbError, str as s } from './dynamodb-errors';
import { ApprovalRecordSchema, DecisionSchema, type ApprovalRecord, type Decision } from '../../core/approval/record';
import type { ApprovalStore, ClaimResult } from '../../ports/approval-store';

/**
 * Approvals in DynamoDB, one item per approval ID:
 * - `record`: the immutable request (JSON, with the task token), written once;
 * - `status`, `decision`, `attemptId`, `slackMessage`, `remindedAt`: what changes, each write conditional on the
 *   status it expects, so "first valid decision wins" holds across concurrent Lambda invocations;
 * - `expiresAtTtl`: DynamoDB TTL, `retentionDays` after the approval's deadline (the audit trail itself is in S3).
 */

export interface DynamoDbApprovalStoreOptions {
  readonly tableName: string;
  /** Days the item is kept after its deadline. @default 90 */
  readonly retentionDays?: number;
}

function transient<T>(promise: Promise<T>): Promise<T> {
  return promise.catch(rethrowDynamoDbError);
}

function toRecord(item: Record<string, AttributeValue> | undefined): ApprovalRecord | undefined {
  if (!item?.record?.S) return undefined;
  const base = JSON.parse(item.record.S) as Record<string, unknown>;
  const decision = item.decision?.S ? DecisionSchema.parse(JSON.parse(item.decision.S)) : undefined;
  const slackMessage = item.slackMessage?.S ? (JSON.parse(item.slackMessage.S) as unknown) : undefined;
  return ApprovalRecordSchema.parse({
    ...base,
    status: item.status?.S ?? base.status,
    ...(decision ? { decision } : {}),
    ...(slackMessage ? { slackMessage } : {}),
    ...(item.remindedAt?.S ? { remindedAt: item.remindedAt.S } : {}),
  });
}

export class DynamoDbApprovalStore implements ApprovalStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoDbApprovalStoreOptions,
  ) {}

  private key(approvalId: string): Record<string, AttributeValue> {
    return { approvalId: s(approvalId) };
  }

  async create(record: ApprovalRecord): Promise<void> {
    const { decision: _d, slackMessage: _m, remindedAt: _r, ...immutable } = ApprovalRecordSchema.parse(record);
    const ttl = Math.floor(Date.parse(record.expiresAt) / 1000) + (this.options.retentionDays ?? 90) * 86_400;
    await transient(
      this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            approvalId: s(record.approvalId),
            status: s(record.status),
            record: s(JSON.stringify(immutable)),
            expiresAtTtl: { N: String(ttl) },
          },
          ConditionExpression: 'attribute_not_exists(approvalId)',
        }),
      ),
    );
  }

  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const out = await transient(
      this.client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: this.key(approvalId), ConsistentRead: true }),
      ),
    );
    return toRecord(out.Item);
  }

  async claim(approvalId: string, decision: Decision): Promise<ClaimResult> {
    try {
      const out = await transient(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: this.key(approvalId),
            UpdateExpression: 'SET #status = :decided, #decision = :decision, #attempt = :attempt',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision', '#attempt': 'attemptId' },
            ExpressionAttributeValues: {
              ':decided': s('DECIDED'),
              ':pending': s('PENDING'),
              ':decision': s(JSON.stringify(decision)),
              ':attempt': s(decision.attemptId),
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const record = toRecord(out.Attributes);
      if (!record) throw new Error(`Approval ${approvalId}: the claimed item has no record.`);
      return { claimed: true, record };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { claimed: false, current: toRecord(err.Item) };
      throw err;
    }
  }

  private async conditional(command: UpdateItemCommand): Promise<boolean> {
    try {
      await transient(this.client.send(command));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async release(approvalId: string, attemptId: string): Promise<void> {
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: this.key(approvalId),
        UpdateExpression: 'SET #status = :pending REMOVE #decision, #attempt',
        ConditionExpression: '#status = :decided AND #attempt = :attempt',
        ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision', '#attempt': 'attemptId' },
        ExpressionAttributeValues: { ':pending': s('PENDING'), ':decided': s('DECIDED'), ':attempt': s(attemptId) },
      }),
    );
  }

  async markExpired(approvalId: string, attemptId: string): Promise<void> {
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: this.key(approvalId),
        UpdateExpression: 'SET #status = :expired',
        ConditionExpression: '#status = :decided AND #attempt = :attempt',
        ExpressionAttributeNames: { '#status': 'status', '#attempt': 'attemptId' },
        ExpressionAttributeValues: { ':expired': s('EXPIRED'), ':decided': s('DECIDED'), ':attempt': s(attemptId) },
      }),
    );
  }

  async expirePending(approvalId: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: this.key(approvalId),
        UpdateExpression: 'SET #status = :expired',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': s('EXPIRED'), ':pending': s('PENDING') },
      }),
    );
  }

  async setSlackMessage(approvalId: string, message: { channelId: string; ts: string }): Promise<void> {
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: this.key(approvalId),
        UpdateExpression: 'SET #slack = :slack',
        ConditionExpression: 'attribute_exists(approvalId)',
        ExpressionAttributeNames: { '#slack': 'slackMessage' },
        ExpressionAttributeValues: { ':slack': s(JSON.stringify({ channelId: message.channelId, ts: message.ts })) },
      }),
    );
  }

  async markReminded(approvalId: string, at: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: this.key(approvalId),
        UpdateExpression: 'SET #reminded = :at',
        ConditionExpression: '#status = :pending AND attribute_not_exists(#reminded)',
        ExpressionAttributeNames: { '#status': 'status', '#reminded': 'remindedAt' },
        ExpressionAttributeValues: { ':pending': s('PENDING'), ':at': s(at) },
      }),
    );
  }
}
