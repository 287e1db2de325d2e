import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, cli, executionArn, NOW, REGION, STATE_MACHINE_ARN } from './cli-operator-harness';

const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const dynamodb = mockClient(DynamoDBClient);
const env = {
  AWS_REGION: REGION,
  MSK_MIGRATION_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
  MSK_MIGRATION_LOCK_TABLE: 'MskMigration-MigrationLocks',
};
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/PlatformOncall/ana';

beforeEach(() => {
  sfn.reset();
  sts.reset();
  dynamodb.reset();
  sfn.on(DescribeExecutionCommand).resolves({ executionArn: executionArn('orders'), status: 'RUNNING' });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR });
  dynamodb.on(PutItemCommand).resolves({});
});

describe('msk-migrate abort', () => {
  it('records the abort request of a running execution in the lock table, and calls no Step Functions write', async () => {
    // Act
    const result = await cli({ env }).run('abort', 'orders', '--reason', 'Change freeze for the release.');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: executionArn('orders') });
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'MskMigration-MigrationLocks',
      Item: expect.objectContaining({
        lockKey: { S: `abort:${executionArn('orders')}` },
        executionArn: { S: executionArn('orders') },
        reason: { S: 'Change freeze for the release.' },
        requestedBy: { S: OPERATOR },
        requestedAt: { S: NOW.toISOString() },
      }),
      ConditionExpression: 'attribute_not_exists(lockKey)',
    });
    expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(sfn.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeExecutionCommand']);
    expect(result.stdout).toContain(`Abort requested for ${executionArn('orders')}`);
    expect(result.stdout).toContain('Waiting approval: not asked (no approval API URL');
  });

  it('prints the request as JSON, and says when an earlier request stands', async () => {
    // Prepare
    dynamodb
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    // Act
    const result = await cli({ env }).run('abort', executionArn('orders'), '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.json()).toEqual({
      executionArn: executionArn('orders'),
      status: 'ALREADY_REQUESTED',
      reason: 'No reason given.',
      requestedBy: OPERATOR,
      requestedAt: NOW.toISOString(),
      waitingApproval: { status: 'NOT_ASKED', why: expect.stringContaining('no approval API URL') },
    });
  });

  it('refuses an execution that is not running, recording nothing (exit 1)', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: executionArn('orders'), status: 'SUCCEEDED' });
    // Act
    const result = await cli({ env }).run('abort', 'orders');
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is SUCCEEDED, not RUNNING: there is nothing to abort');
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('says an unknown execution is not found (exit 3)', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    // Act
    const result = await cli({ env }).run('abort', 'nope');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('names the setting when no lock table is given (exit 2)', async () => {
    // Act
    const result = await cli({ env: { AWS_REGION: REGION, MSK_MIGRATION_STATE_MACHINE_ARN: STATE_MACHINE_ARN } }).run(
      'abort',
      'orders',
    );
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--lock-table or set MSK_MIGRATION_LOCK_TABLE');
    expect(sfn).not.toHaveReceivedCommand(DescribeExecutionCommand);
  });
});
