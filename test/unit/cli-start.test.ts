import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, cli, executionArn, NOW, STATE_MACHINE_ARN } from './cli-operator-harness';

const sfn = mockClient(SFNClient);
const input = {
  migrationId: 'orders',
  source: { clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/uuid-1' },
};
const files = {
  'input.json': JSON.stringify(input),
  'broken.json': '{"migrationId": ',
  'no-id.json': '{"source": {}}',
};

beforeEach(() => {
  sfn.reset();
  sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
});

describe('msk-migrate start', () => {
  it('validates the input and starts the execution named after the migration, through the live alias', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('orders'), startDate: NOW });
    // Act
    const result = await cli({ files }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: `${STATE_MACHINE_ARN}:live`,
      name: 'orders',
      input: JSON.stringify(input),
    });
    expect(result.stdout).toContain(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${executionArn('orders')}`,
    );
  });

  it('names a later attempt <migrationId>-attempt-<n> and prints the result as JSON with --json', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('orders-attempt-2'), startDate: NOW });
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--attempt', '2', '--json');
    // Assess
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: 'orders-attempt-2' });
    expect(result.json()).toEqual({
      executionArn: executionArn('orders-attempt-2'),
      name: 'orders-attempt-2',
      startDate: NOW.toISOString(),
      region: 'eu-west-1',
      consoleUrl: expect.stringContaining('#/v2/executions/details/'),
    });
  });

  it('refuses a second start of a running migration, naming the running execution (exit 1)', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArn('orders'),
      status: 'RUNNING',
      startDate: new Date(NOW.getTime() - 3_600_000),
    });
    // Act
    const result = await cli({ files }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`already running as execution ${executionArn('orders')}`);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('refuses when StartExecution hands back an execution that was already running (same name and input)', async () => {
    // Prepare: a concurrent start won the race; Step Functions returns its execution, started before this call.
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: executionArn('orders'), startDate: new Date(NOW.getTime() - 600_000) });
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--json');
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.json()).toMatchObject({
      error: { code: 'MIGRATION_RUNNING', details: { executionArn: executionArn('orders') } },
    });
  });

  it('refuses a migration whose execution ended and says which attempt to start (exit 2)', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: executionArn('orders'), status: 'FAILED', stopDate: NOW });
    // Act
    const result = await cli({ files }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--attempt 2');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('starts nothing and names every bad field when the input is invalid (exit 2)', async () => {
    // Act
    const result = await cli({ files }).run('start', 'no-id.json');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('migrationId: Required: a name for the migration');
    expect(result.stderr).toContain('nothing was started');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('reports an invalid input as a JSON error with the issues under --json', async () => {
    // Act
    const result = await cli({ files }).run('start', 'no-id.json', '--json');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.json()).toEqual({
      error: expect.objectContaining({
        code: 'INPUT_INVALID',
        exitCode: 2,
        details: { issues: [{ path: 'migrationId', message: 'Required: a name for the migration' }] },
      }),
    });
  });

  it('says the file does not exist (exit 3)', async () => {
    // Act
    const result = await cli({ files }).run('start', 'missing.json');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^Error: No file missing\.json\./);
  });

  it('says the file is not JSON (exit 2)', async () => {
    // Act
    const result = await cli({ files }).run('start', 'broken.json');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('broken.json is not JSON');
  });

  it('says where to find the state machine when none is given (exit 2)', async () => {
    // Act
    const result = await cli({ files, env: { AWS_REGION: 'eu-west-1' } }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--state-machine-arn or set MSK_MIGRATION_STATE_MACHINE_ARN');
  });

  it('calls the Region of the state machine, whatever --region says', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('x'), startDate: NOW });
    const harness = cli({ files });
    // Act
    await harness.run('start', 'input.json', '--region', 'us-east-1');
    // Assess
    expect(harness.regions).toEqual(['eu-west-1']);
  });

  it('tells the operator to configure credentials, without a stack trace (exit 4)', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    // Act
    const result = await cli({ files }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('Configure credentials');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the missing permission when access is denied (exit 4)', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(awsError('AccessDeniedException', 'User is not authorized to perform: states:StartExecution'));
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--json');
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.json()).toEqual({
      error: expect.objectContaining({ code: 'ACCESS_DENIED', hint: expect.stringContaining('states:StartExecution') }),
    });
  });

  it('refuses a taken name with another input and suggests the next attempt (exit 2)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    // Act
    const result = await cli({ files }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--attempt 2');
  });

  it('refuses an attempt number that is not a positive whole number, before calling AWS (exit 2)', async () => {
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--attempt', '0');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
