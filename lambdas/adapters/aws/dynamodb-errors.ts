import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransientError } from '../../core/errors';

/**
 * What the DynamoDB adapters (the migration locks, the abort requests, the approval store) share: which errors are
 * worth a retry, the refusal of a condition, and the string attribute.
 */

/** DynamoDB's throttling and unavailability errors: a retry (the ASL's, the CLI user's) may succeed. */
export const DYNAMODB_TRANSIENT: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Throws a throttling or unavailability error as a TransientError (Migration.Transient), anything else as it is. */
export function rethrowDynamoDbError(err: unknown): never {
  const name = (err as Error | undefined)?.name ?? '';
  if (DYNAMODB_TRANSIENT.has(name))
    throw new TransientError(`DynamoDB is throttling or unavailable (${name}); retry.`, { cause: name });
  throw err;
}

/** The write's ConditionExpression was false (whichever SDK instance made the error). */
export const isConditionFailed = (err: unknown): err is ConditionalCheckFailedException =>
  err instanceof ConditionalCheckFailedException ||
  (err as Error | undefined)?.name === 'ConditionalCheckFailedException';

/** A string attribute. */
export const str = (value: string): AttributeValue => ({ S: value });
