import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { defaultExecutionName } from '../../cli/commands/start';
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

beforeEach(() => sfn.reset());

describe('msk-migrate start', () => {
  it('validates the input, starts an execution named after the migration and prints the console link', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('orders-20261124T120000'), startDate: NOW });
    // Act
    const result = await cli({ files }).run('start', 'input.json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'orders-20261124T120000',
      input: JSON.stringify(input),
    });
    expect(result.stdout).toContain(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${executionArn('orders-20261124T120000')}`,
    );
  });

  it('uses --name and prints the result as JSON with --json', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('orders-rehearsal-2'), startDate: NOW });
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--name', 'orders-rehearsal-2', '--json');
    // Assess
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: 'orders-rehearsal-2' });
    expect(result.json()).toEqual({
      executionArn: executionArn('orders-rehearsal-2'),
      name: 'orders-rehearsal-2',
      startDate: NOW.toISOString(),
      region: 'eu-west-1',
      consoleUrl: expect.stringContaining('#/v2/executions/details/'),
    });
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

  it('refuses a name that is taken and suggests another (exit 2)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--name', 'orders-1');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Choose another --name');
  });

  it('refuses an execution name Step Functions would reject, before calling it (exit 2)', async () => {
    // Act
    const result = await cli({ files }).run('start', 'input.json', '--name', 'orders migration/1');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('derives names of at most 80 characters from long migration IDs', () => {
    expect(defaultExecutionName('a'.repeat(200), NOW)).toHaveLength(80);
    expect(defaultExecutionName('orders eu/1', NOW)).toBe('orders-eu-1-20261124T120000');
  });
});
