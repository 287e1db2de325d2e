import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MAX_HISTORY_PAGES, type ExecutionStatus } from '../../cli/commands/status';
import { awsError, cli, executionArn, NOW, STATE_MACHINE_ARN } from './cli-operator-harness';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  sfn.reset();
  s3.reset();
});

const NAME = 'orders-20261124T115756';
const ARN = executionArn(NAME);
const T0 = NOW.getTime() - 124_000;
const input = { migrationId: 'orders' };

let id = 0;
function ev(type: string, second: number, details: Partial<HistoryEvent> = {}): HistoryEvent {
  id += 1;
  return { id, type: type as HistoryEvent['type'], timestamp: new Date(T0 + second * 1000), ...details };
}
const enter = (type: string, name: string, second: number): HistoryEvent => ev(`${type}StateEntered`, second, { stateEnteredEventDetails: { name } });
const exit = (type: string, name: string, second: number, state?: unknown): HistoryEvent =>
  ev(`${type}StateExited`, second, { stateExitedEventDetails: { name, ...(state ? { output: JSON.stringify(state) } : {}) } });

/** A migration in its catch-up loop: the second evaluation was healthy, the loop now waits for the next poll. */
function catchUpHistory(): HistoryEvent[] {
  id = 0;
  const s1 = { ...input, validation: { valid: true } };
  const s2 = { ...s1, inventory: { topics: 12, partitions: 48, complete: true } };
  return [
    ev('ExecutionStarted', 0),
    enter('Task', 'ValidateInput', 1),
    exit('Task', 'ValidateInput', 3, s1),
    enter('Task', 'Inventory', 3),
    exit('Task', 'Inventory', 43, s2),
    enter('Task', 'EvaluateCatchUp', 50),
    exit('Task', 'EvaluateCatchUp', 52, { ...s2, catchUp: { healthy: false, consecutiveHealthy: 0, reasons: ['MessageLag 1500 > 1000'] } }),
    enter('Wait', 'WaitForCatchUp', 52),
    exit('Wait', 'WaitForCatchUp', 112),
    enter('Task', 'EvaluateCatchUp', 112),
    exit('Task', 'EvaluateCatchUp', 114, { ...s2, catchUp: { healthy: true, consecutiveHealthy: 1, figures: { messageLag: 0 } } }),
    enter('Wait', 'WaitForCatchUp', 114),
  ];
}

/** Serves a history newest first, in pages of `size`, as GetExecutionHistory with reverseOrder does. */
function serveHistory(events: HistoryEvent[], size: number): void {
  const newestFirst = [...events].reverse();
  const pages: HistoryEvent[][] = [];
  for (let i = 0; i < newestFirst.length; i += size) pages.push(newestFirst.slice(i, i + size));
  sfn.on(GetExecutionHistoryCommand).callsFake((req: { nextToken?: string }) => {
    const index = req.nextToken ? Number(req.nextToken) : 0;
    return { events: pages[index], ...(index + 1 < pages.length ? { nextToken: String(index + 1) } : {}) };
  });
}

const running = { executionArn: ARN, name: NAME, status: 'RUNNING' as const, startDate: new Date(T0), input: JSON.stringify(input) };

describe('msk-migrate status', () => {
  it('shows the current phase, the time in it, the time per phase and the latest gate evidence of a catch-up loop', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(catchUpHistory(), 5);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(result.exitCode).toBe(0);
    expect(status.currentState).toEqual({ name: 'WaitForCatchUp', type: 'Wait', since: new Date(T0 + 114_000).toISOString(), seconds: 10 });
    expect(status.waitingFor).toEqual({ kind: 'POLL', description: 'the next poll of WaitForCatchUp (catch-up loop)' });
    expect(status.phases.map((p) => [p.state, p.visits, p.seconds])).toEqual([
      ['ValidateInput', 1, 2],
      ['Inventory', 1, 40],
      ['EvaluateCatchUp', 2, 4],
      ['WaitForCatchUp', 2, 70],
    ]);
    expect(status.evidence).toEqual({
      validation: { valid: true },
      inventory: { topics: 12, partitions: 48, complete: true },
      catchUp: { healthy: true, consecutiveHealthy: 1, figures: { messageLag: 0 } },
    });
    expect(status.historyTruncated).toBe(false);
  });

  it('reads the whole history newest first, page after page', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(catchUpHistory(), 5);
    // Act
    await cli().run('status', ARN);
    // Assess
    expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 3);
    const requests = sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input);
    expect(requests[0]).toEqual({ executionArn: ARN, reverseOrder: true, maxResults: 1000, includeExecutionData: true });
    expect(requests[1]).toEqual({ executionArn: ARN, reverseOrder: true, maxResults: 1000, includeExecutionData: true, nextToken: '1' });
  });

  it('prints the phase, what it waits for and the evidence as text', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(catchUpHistory(), 100);
    // Act
    const result = await cli().run('status', ARN);
    // Assess
    expect(result.stdout).toContain('Execution orders-20261124T115756: RUNNING');
    expect(result.stdout).toContain('Phase: WaitForCatchUp (Wait) for 10 s');
    expect(result.stdout).toContain('Waiting for: the next poll of WaitForCatchUp (catch-up loop)');
    expect(result.stdout).toContain('  catchUp: healthy=true, consecutiveHealthy=1, messageLag=0');
    expect(result.stdout).toContain('Console: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/');
  });

  it('says it waits for a person and names the pending approval from the evidence bucket', async () => {
    // Prepare
    const events = [
      ...catchUpHistory().slice(0, 5),
      enter('Task', 'CutoverApproval', 60),
      ev('TaskScheduled', 60, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'eu-west-1', parameters: '{}' } }),
      ev('TaskStarted', 60),
      ev('TaskSubmitted', 61),
    ];
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(events, 100);
    const prefix = `migrations/orders/${NAME}/approvals/`;
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: `${prefix}AAAAAAAAAAAAAAAAAAAAAA/request.json` },
        { Key: `${prefix}AAAAAAAAAAAAAAAAAAAAAA/audit/2026-11-24T11-59-02-000Z-decided-1a2b3c4d.json` },
        { Key: `${prefix}BBBBBBBBBBBBBBBBBBBBBB/request.json` },
        { Key: `${prefix}BBBBBBBBBBBBBBBBBBBBBB/audit/2026-11-24T11-59-03-000Z-requested-5e6f7a8b.json` },
      ],
    });
    // Act
    const result = await cli({ env: { AWS_REGION: 'eu-west-1', MSK_MIGRATION_EVIDENCE_BUCKET: 'evidence-bucket' } }).run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status.waitingFor).toEqual({
      kind: 'APPROVAL',
      description: "a person's decision in CutoverApproval (approval BBBBBBBBBBBBBBBBBBBBBB: msk-migrate approve|reject BBBBBBBBBBBBBBBBBBBBBB)",
      approvals: [{ approvalId: 'BBBBBBBBBBBBBBBBBBBBBB' }],
    });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'evidence-bucket', Prefix: prefix });
  });

  it('follows the newest running execution when none is named, else the newest one', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).callsFake((req: { statusFilter?: string }) =>
      req.statusFilter === 'RUNNING' ? { executions: [] } : { executions: [{ executionArn: ARN, name: NAME, stateMachineArn: STATE_MACHINE_ARN, status: 'SUCCEEDED', startDate: new Date(T0) }] },
    );
    sfn.on(DescribeExecutionCommand).resolves({ ...running, status: 'SUCCEEDED', stopDate: NOW });
    serveHistory(catchUpHistory(), 100);
    // Act
    const result = await cli().run('status', '--json');
    // Assess
    expect(sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING', maxResults: 1 },
      { stateMachineArn: STATE_MACHINE_ARN, maxResults: 1 },
    ]);
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: ARN });
    expect(result.json<ExecutionStatus>().waitingFor).toEqual({ kind: 'NOTHING', description: 'nothing: the execution is SUCCEEDED' });
  });

  it('finds an execution by name in the configured state machine', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(catchUpHistory(), 100);
    // Act
    await cli().run('status', NAME);
    // Assess
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: ARN });
  });

  it('shows the error of a failed execution', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({ ...running, status: 'FAILED', stopDate: NOW, error: 'Migration.LagTimeout', cause: 'Lag stayed above 1000 records for 2 h' });
    serveHistory(catchUpHistory(), 100);
    // Act
    const result = await cli().run('status', ARN);
    // Assess
    expect(result.stdout).toContain('Waiting for: nothing: the execution is FAILED');
    expect(result.stdout).toContain('Error: Migration.LagTimeout: Lag stayed above 1000 records for 2 h');
  });

  it('says the execution does not exist in that Region, as a JSON error with exit 3', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${ARN}'`));
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(result.json()).toEqual({ error: expect.objectContaining({ code: 'EXECUTION_NOT_FOUND', message: expect.stringContaining('in eu-west-1'), hint: expect.stringContaining('another Region') }) });
  });

  it('reads a bounded number of history pages and says when older events were left out', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [], nextToken: 'more' });
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, MAX_HISTORY_PAGES);
    expect(result.json<ExecutionStatus>().historyTruncated).toBe(true);
  });

  it('rejects something that is neither an execution name nor an execution ARN (exit 2)', async () => {
    // Act
    const result = await cli().run('status', 'arn:aws:states:eu-west-1:123456789012:stateMachine:MskMigration');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(sfn).not.toHaveReceivedCommand(DescribeExecutionCommand);
  });
});
