import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
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
const at = (second: number): string => new Date(T0 + second * 1000).toISOString();

let id = 0;
function ev(type: string, second: number, details: Partial<HistoryEvent> = {}): HistoryEvent {
  id += 1;
  return { id, type: type as HistoryEvent['type'], timestamp: new Date(T0 + second * 1000), ...details };
}
const enter = (type: string, name: string, second: number, state?: unknown): HistoryEvent =>
  ev(`${type}StateEntered`, second, {
    stateEnteredEventDetails: { name, ...(state ? { input: JSON.stringify(state) } : {}) },
  });
const exit = (type: string, name: string, second: number, state?: unknown): HistoryEvent =>
  ev(`${type}StateExited`, second, {
    stateExitedEventDetails: { name, ...(state ? { output: JSON.stringify(state) } : {}) },
  });

/** The state ValidateInput leaves: the plan with defaults, identity, execution, settings. */
const validated = {
  input: {
    migrationId: 'orders',
    gates: { consecutiveHealthyChecks: 3, catchUpTimeoutMinutes: 120, pollIntervalSeconds: 60 },
    cutover: { drainTimeoutMinutes: 15, rollbackWindowMinutes: 240 },
  },
  identity: { migrationId: 'orders', executionName: NAME },
  execution: { id: ARN, name: NAME, startedAt: at(0) },
  settings: {
    provisionPollSeconds: 60,
    replicatorPollSeconds: 60,
    pollIntervalSeconds: 60,
    drainPollSeconds: 30,
    healthPollSeconds: 300,
    provisionTimeoutMinutes: 90,
    replicationStartTimeoutMinutes: 120,
  },
};
const inventoried = {
  ...validated,
  inventory: {
    counts: { topics: 12, partitions: 48 },
    complete: true,
    inventoryKey: `migrations/orders/${NAME}/inventory.json`,
  },
};
const catchUp = (
  evaluations: number,
  consecutiveHealthy: number,
  lastHealthy: boolean,
  lastReasons: string[] = [],
) => ({
  startedAt: at(50),
  evaluations,
  consecutiveHealthy,
  passed: false,
  lastHealthy,
  lastEvaluatedAt: at(52 + (evaluations - 1) * 62),
  lastReasons,
  lastEvidenceKey: `migrations/orders/${NAME}/catch-up/evaluation-000${evaluations}.json`,
});

/** A migration in its catch-up loop: the second evaluation was healthy, the loop now waits for the next poll. */
function catchUpHistory(): HistoryEvent[] {
  id = 0;
  const s1 = { ...inventoried, catchUp: catchUp(1, 0, false, ['MessageLag 1500 > 1000']) };
  const s2 = { ...inventoried, catchUp: catchUp(2, 1, true) };
  return [
    ev('ExecutionStarted', 0),
    enter('Task', 'ValidateInput', 1, input),
    exit('Task', 'ValidateInput', 3, validated),
    enter('Task', 'Inventory', 3, validated),
    exit('Task', 'Inventory', 43, inventoried),
    enter('Task', 'EvaluateCatchUp', 50, inventoried),
    exit('Task', 'EvaluateCatchUp', 52, s1),
    enter('Wait', 'WaitForCatchUp', 52, s1),
    exit('Wait', 'WaitForCatchUp', 112, s1),
    enter('Task', 'EvaluateCatchUp', 112, s1),
    exit('Task', 'EvaluateCatchUp', 114, s2),
    enter('Wait', 'WaitForCatchUp', 114, s2),
  ];
}

/** A history that ends waiting in `stateName`, entered with `state`. */
function waitingIn(type: string, stateName: string, state: unknown, extra: HistoryEvent[] = []): HistoryEvent[] {
  id = 0;
  return [
    ev('ExecutionStarted', 0),
    enter('Task', 'ValidateInput', 1, input),
    exit('Task', 'ValidateInput', 3, validated),
    enter(type, stateName, 60, state),
    ...extra,
  ];
}

/** The events of a `.waitForTaskToken` approval state once RequestApproval has returned. */
const approvalSubmitted = (approvalId: string): HistoryEvent[] => [
  ev('TaskScheduled', 60, {
    taskScheduledEventDetails: {
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: 'eu-west-1',
      parameters: '{}',
    },
  }),
  ev('TaskStarted', 60),
  ev('TaskSubmitted', 61, {
    taskSubmittedEventDetails: {
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      output: JSON.stringify({
        ExecutedVersion: '$LATEST',
        Payload: {
          approvalId,
          expiresAt: '2026-11-25T12:00:00.000Z',
          emailsSent: 2,
          slackPosted: true,
          requestKey: 'k',
        },
        StatusCode: 200,
      }),
    },
  }),
];

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

const running = {
  executionArn: ARN,
  name: NAME,
  status: 'RUNNING' as const,
  startDate: new Date(T0),
  input: JSON.stringify(input),
};

describe('msk-migrate status', () => {
  it("shows the phase, the time in it, the time per state and the catch-up loop's last figures with its deadline", async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(catchUpHistory(), 5);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(result.exitCode).toBe(0);
    expect(status.currentState).toEqual({ name: 'WaitForCatchUp', type: 'Wait', since: at(114), seconds: 10 });
    expect(status.phase).toBe('Catch-up');
    expect(status.waitingFor.kind).toBe('POLL');
    expect(status.waitingFor.description).toContain('2 evaluations, 1/3 healthy in a row; last healthy');
    expect(status.gate).toMatchObject({
      loop: 'CATCH_UP',
      figures: { evaluations: 2, consecutiveHealthy: 1, requiredHealthy: 3, lastHealthy: true },
    });
    // catch-up started at second 50, timeout 120 min; now is second 124
    expect(status.gate?.deadline).toEqual({
      at: new Date(T0 + 50_000 + 120 * 60_000).toISOString(),
      remainingSeconds: 120 * 60 - 74,
      what: 'Migration.LagTimeout',
    });
    expect(status.phases.map((p) => [p.state, p.phase, p.visits, p.seconds])).toEqual([
      ['ValidateInput', 'Validate input', 1, 2],
      ['Inventory', 'Inventory', 1, 40],
      ['EvaluateCatchUp', 'Catch-up', 2, 4],
      ['WaitForCatchUp', 'Catch-up', 2, 70],
    ]);
    expect(Object.keys(status.evidence)).toEqual(['inventory', 'catchUp']);
    expect(status.migrationId).toBe('orders');
    expect(status.historyTruncated).toBe(false);
  });

  it('shows the reasons of an unhealthy catch-up evaluation', async () => {
    // Prepare
    const s = { ...inventoried, catchUp: catchUp(1, 0, false, ['MessageLag 1500 > 1000']) };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Wait', 'WaitForCatchUp', s), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(result.json<ExecutionStatus>().waitingFor.description).toContain(
      '1 evaluations, 0/3 healthy in a row; last not healthy (MessageLag 1500 > 1000)',
    );
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
    expect(requests[0]).toEqual({
      executionArn: ARN,
      reverseOrder: true,
      maxResults: 1000,
      includeExecutionData: true,
    });
    expect(requests[1]).toEqual({
      executionArn: ARN,
      reverseOrder: true,
      maxResults: 1000,
      includeExecutionData: true,
      nextToken: '1',
    });
  });

  it('prints the phase, what it waits for, the deadline and the evidence as text', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(catchUpHistory(), 100);
    // Act
    const result = await cli().run('status', ARN);
    // Assess
    expect(result.stdout).toContain('Execution orders-20261124T115756: RUNNING');
    expect(result.stdout).toContain('Phase: Catch-up: WaitForCatchUp (Wait) for 10 s');
    expect(result.stdout).toContain('Waiting for: the next catch-up evaluation');
    expect(result.stdout).toContain('Deadline: Migration.LagTimeout at');
    expect(result.stdout).toContain('  catchUp: startedAt=');
    expect(result.stdout).toContain(
      'Console: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/',
    );
  });

  it('names the approval RequestApproval returned and how to decide it, without listing the bucket', async () => {
    // Prepare
    const s = { ...inventoried, validation: { passed: true } };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Task', 'CutoverApproval', s, approvalSubmitted('CCCCCCCCCCCCCCCCCCCCCC')), 100);
    // Act
    const result = await cli({
      env: { AWS_REGION: 'eu-west-1', MSK_MIGRATION_EVIDENCE_BUCKET: 'evidence-bucket' },
    }).run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status.phase).toBe('Cutover approval');
    expect(status.waitingFor).toMatchObject({
      kind: 'APPROVAL',
      approvals: [
        {
          approvalId: 'CCCCCCCCCCCCCCCCCCCCCC',
          kind: 'CUTOVER',
          expiresAt: '2026-11-25T12:00:00.000Z',
          approveCommand: 'msk-migrate approve CCCCCCCCCCCCCCCCCCCCCC',
          rejectCommand: 'msk-migrate reject CCCCCCCCCCCCCCCCCCCCCC --reason "…"',
        },
      ],
      onApprove: expect.stringMatching(/^WarmFenceProducers: /),
      onReject: expect.stringMatching(/^ReplicationFeedsConsumers\?: /),
    });
    expect(status.waitingFor.description).toContain('decide before 2026-11-25T12:00:00.000Z');
    expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
  });

  it.each([
    ['FinalizeApproval', 'Finalize approval', 'FINALIZE', /^Finalize: /, /^FailbackDecision: /],
    [
      'FailbackDecision',
      'Failback decision',
      'FAILBACK',
      /^StartFailback: /,
      /^ReportNeedsAttention: clients stay on the target/,
    ],
  ])('says what approving and rejecting %s lead to', async (stateName, phase, kind, onApprove, onReject) => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Task', stateName, inventoried, approvalSubmitted('DDDDDDDDDDDDDDDDDDDDDD')), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status.phase).toBe(phase);
    expect(status.waitingFor).toMatchObject({
      kind: 'APPROVAL',
      approvals: [{ approvalId: 'DDDDDDDDDDDDDDDDDDDDDD', kind }],
      onApprove: expect.stringMatching(onApprove),
      onReject: expect.stringMatching(onReject),
    });
  });

  it('says where the approval ID is when neither the history nor a bucket names it', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Task', 'CutoverApproval', inventoried), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(result.json<ExecutionStatus>().waitingFor).toMatchObject({
      kind: 'APPROVAL',
      approvals: [],
      description: expect.stringContaining('the approval ID is in the e-mail and the Slack message'),
    });
  });

  it('falls back to the evidence bucket for the pending approval ID', async () => {
    // Prepare
    const events = [
      ...catchUpHistory().slice(0, 5),
      enter('Task', 'CutoverApproval', 60),
      ev('TaskScheduled', 60, {
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke.waitForTaskToken',
          region: 'eu-west-1',
          parameters: '{}',
        },
      }),
      ev('TaskStarted', 60),
      ev('TaskSubmitted', 61, {
        taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' },
      }),
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
    const result = await cli({
      env: { AWS_REGION: 'eu-west-1', MSK_MIGRATION_EVIDENCE_BUCKET: 'evidence-bucket' },
    }).run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status.waitingFor).toMatchObject({
      kind: 'APPROVAL',
      approvals: [{ approvalId: 'BBBBBBBBBBBBBBBBBBBBBB', kind: 'CUTOVER' }],
    });
    expect(status.waitingFor.description).toContain('msk-migrate approve BBBBBBBBBBBBBBBBBBBBBB');
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'evidence-bucket', Prefix: prefix });
  });

  it('shows the drain progress and the time left before the drain deadline', async () => {
    // Prepare
    const s = {
      ...inventoried,
      cutover: {
        fence: { fencedAt: at(100) },
        drain: {
          drained: false,
          polls: 4,
          partitions: 48,
          partitionsDrained: 40,
          offsetLag: 17,
          recordsAfterFence: '0',
          sourceStable: true,
          reasons: ['8 partitions: last record not on the target yet'],
          evidenceKey: 'k',
        },
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Wait', 'WaitForDrain', s), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status.phase).toBe('Cutover');
    expect(status.waitingFor.description).toContain(
      '40/48 partitions drained after 4 checks, offset lag 17, source stable',
    );
    expect(status.gate?.deadline).toMatchObject({
      remainingSeconds: 15 * 60 - 24,
      what: expect.stringContaining('Migration.CutoverFailed'),
    });
  });

  it('names the consumer groups the cutover still waits for', async () => {
    // Prepare
    const s = {
      ...inventoried,
      cutover: {
        offsets: {
          complete: false,
          groups: 3,
          partitionsCommitted: 20,
          waitingForGroups: ['billing'],
          committed: [],
          startedAt: at(90),
          checkedAt: at(95),
        },
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Wait', 'WaitForConsumerGroups', s), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(result.json<ExecutionStatus>().waitingFor.description).toContain(
      'waiting for 1 group(s) to leave the source: billing',
    );
  });

  it('shows the target health and the time left in the rollback window', async () => {
    // Prepare
    const s = {
      ...inventoried,
      window: {
        healthy: true,
        checks: 5,
        consecutiveUnhealthy: 0,
        windowEndsAt: new Date(NOW.getTime() + 3600_000).toISOString(),
        windowClosed: false,
        closed: false,
        reasons: [],
        figures: {
          reachable: true,
          topicsMissing: 0,
          recordsSinceSwitch: '5120',
          recordsSinceLastCheck: '100',
          groups: 3,
          groupsResumed: 3,
          alarmsInAlarm: 0,
        },
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Wait', 'WaitInRollbackWindow', s), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status.phase).toBe('Rollback window');
    expect(status.waitingFor.description).toContain(
      'target healthy at check 5, 3/3 groups resumed, 5120 records since the switch; 1 h 0 min left before the rollback window closes',
    );
    expect(status.gate?.deadline?.remainingSeconds).toBe(3600);
  });

  it('shows the reverse replication of a failback and marks the failback branch', async () => {
    // Prepare
    const s = {
      ...inventoried,
      failback: {
        engine: 'MIRROR_MAKER_2',
        state: 'RUNNING',
        running: true,
        caughtUp: false,
        checks: 2,
        startedAt: at(30),
        catchUpTimeoutMinutes: 120,
        lastCheck: { lagRecords: 250, partitionsBehind: 6, groupPartitionsPending: 4 },
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Wait', 'WaitForFailback', s), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status).toMatchObject({
      phase: 'Failback',
      branch: 'FAILBACK',
      gate: { loop: 'FAILBACK', figures: { lagRecords: 250, partitionsBehind: 6 } },
    });
    expect(status.waitingFor.description).toContain(
      '250 records not yet on the source over 6 partitions after 2 checks, 4 group partitions pending',
    );
  });

  it('says which rollback step runs, in the rollback branch', async () => {
    // Prepare
    const s = {
      ...inventoried,
      error: {
        Error: 'Migration.LagTimeout',
        Cause: JSON.stringify({
          errorType: 'Migration.LagTimeout',
          errorMessage: 'Not caught up after 120 min',
          trace: ['at x'],
        }),
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Task', 'RollbackReplication', s), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    const status = result.json<ExecutionStatus>();
    expect(status).toMatchObject({
      phase: 'Rollback',
      branch: 'ROLLBACK',
      waitingFor: { kind: 'TASK', description: expect.stringContaining('RollbackReplication: the replicator') },
    });
    expect(status.caughtError).toEqual({ error: 'Migration.LagTimeout', cause: 'Not caught up after 120 min' });
  });

  it('shows a state this CLI does not know without failing', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(running);
    serveHistory(waitingIn('Task', 'SomeNewerState', inventoried), 100);
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.json<ExecutionStatus>()).toMatchObject({
      phase: null,
      waitingFor: {
        kind: 'TASK',
        description: expect.stringContaining('SomeNewerState: a state this CLI does not know'),
      },
    });
  });

  it('follows the newest running execution when none is named, else the newest one', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).callsFake((req: { statusFilter?: string }) =>
      req.statusFilter === 'RUNNING'
        ? { executions: [] }
        : {
            executions: [
              {
                executionArn: ARN,
                name: NAME,
                stateMachineArn: STATE_MACHINE_ARN,
                status: 'SUCCEEDED',
                startDate: new Date(T0),
              },
            ],
          },
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
    expect(result.json<ExecutionStatus>().waitingFor).toEqual({
      kind: 'NOTHING',
      description: 'nothing: the execution is SUCCEEDED',
    });
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

  it('shows the outcome, the execution error and the error that sent it to the rollback', async () => {
    // Prepare
    id = 0;
    const s = {
      ...inventoried,
      error: { Error: 'Migration.LagTimeout', Cause: 'Lag stayed above 1000 records for 2 h' },
      report: { reportKey: 'r.json', markdownKey: 'r.md', outcome: 'ROLLED_BACK' },
    };
    const events = [
      ev('ExecutionStarted', 0),
      enter('Task', 'ReportRollback', 100, s),
      exit('Task', 'ReportRollback', 101, s),
      enter('Fail', 'MigrationRolledBack', 101, s),
      ev('ExecutionFailed', 101),
    ];
    sfn.on(DescribeExecutionCommand).resolves({
      ...running,
      status: 'FAILED',
      stopDate: NOW,
      error: 'Migration.RolledBack',
      cause: 'Lag stayed above 1000 records for 2 h',
    });
    serveHistory(events, 100);
    // Act
    const json = (await cli().run('status', ARN, '--json')).json<ExecutionStatus>();
    const text = (await cli().run('status', ARN)).stdout;
    // Assess
    expect(json).toMatchObject({
      outcome: 'ROLLED_BACK',
      phase: 'Ended',
      gate: null,
      waitingFor: { kind: 'NOTHING', description: expect.stringContaining('rolled back') },
    });
    expect(json.caughtError).toEqual({ error: 'Migration.LagTimeout', cause: 'Lag stayed above 1000 records for 2 h' });
    expect(text).toContain('Outcome: ROLLED_BACK');
    expect(text).toContain('Error: Migration.RolledBack: Lag stayed above 1000 records for 2 h');
    expect(text).toContain('Caught: Migration.LagTimeout');
  });

  it('says the execution does not exist in that Region, as a JSON error with exit 3', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${ARN}'`));
    // Act
    const result = await cli().run('status', ARN, '--json');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(result.json()).toEqual({
      error: expect.objectContaining({
        code: 'EXECUTION_NOT_FOUND',
        message: expect.stringContaining('in eu-west-1'),
        hint: expect.stringContaining('another Region'),
      }),
    });
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
