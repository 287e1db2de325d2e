import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAbortRequests } from '../../adapters/aws/dynamodb-abort-requests';
import { DynamoDbMigrationLocks } from '../../adapters/aws/dynamodb-migration-locks';
import { perContainer, requireEnv, type AwsPortFactory } from '../aws';

/** The migration lock table: the locks, and the operator's abort requests next to them. */
const dynamodb = () => perContainer('dynamodb', async () => new DynamoDBClient({}));

export const locks: AwsPortFactory = async (inv) =>
  new DynamoDbMigrationLocks(await dynamodb(), requireEnv(inv, 'MIGRATION_LOCK_TABLE'));

/** Without the lock table (a function the construct gives none), no abort can be requested: none is read. */
export const aborts: AwsPortFactory = async (inv) =>
  inv.env.MIGRATION_LOCK_TABLE ? new DynamoDbAbortRequests(await dynamodb(), inv.env.MIGRATION_LOCK_TABLE) : undefined;
