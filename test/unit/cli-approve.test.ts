import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import 'aws-sdk-client-mock-jest';
import { SfnTaskCallback } from '../../lambdas/adapters/aws/sfn-task-callback';
import { MemoryApprovalStore } from '../../lambdas/adapters/local/memory-approval-store';
import { createApprovalApp } from '../../lambdas/approval/app';
import { startApprovalServer, type ApprovalServer } from '../../lambdas/approval/local-server';
import type { LocalIamCredential } from '../../lambdas/approval/sigv4';
import { currentRequestKey } from '../../lambdas/core/approval/audit';
import type { ApprovalKind, ApprovalRecord, Decision } from '../../lambdas/core/approval/record';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import { registerOperatorCommands } from '../../cli/commands/operator';
import type { OperatorDeps } from '../../cli/commands/operator-context';
import { cli, executionArn, NOW, REGION, STATE_MACHINE_ARN } from './cli-operator-harness';

/**
 * `msk-migrate approve|reject` against the approval service on a loopback server (the same app the Lambda runs,
 * SigV4 verified by the local stand-in for API Gateway's AWS_IAM authorization): the CLI only signs and sends; the
 * service matches the IAM principal, claims once, audits and answers the task token (Step Functions mocked).
 */

const sfn = mockClient(SFNClient);
const ACCOUNT = '123456789012';
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/PlatformOperator/jane`;
const OPERATOR_KEY: LocalIamCredential = {
  accessKeyId: 'ASIAOPERATORJANE0001',
  secretAccessKey: 'jane-secret-access-key-for-tests-000000',
  sessionToken: 'jane-session-token',
  userArn: OPERATOR,
  accountId: ACCOUNT,
};
const DEVELOPER_KEY: LocalIamCredential = {
  accessKeyId: 'ASIADEVELOPERDAN0001',
  secretAccessKey: 'dan-secret-access-key-for-tests-0000000',
  sessionToken: 'dan-session-token',
  userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/dan`,
  accountId: ACCOUNT,
};
const TOKEN = 'task-token-that-never-leaves-the-service';

class Artifacts implements ArtifactStore {
  readonly objects = new Map<string, unknown>();
  async putJson(key: string, value: unknown): Promise<string> {
    this.objects.set(key, value);
    return key;
  }
  async getJson<T>(key: string): Promise<T | undefined> {
    return this.objects.get(key) as T | undefined;
  }
  async putText(key: string, body: string): Promise<string> {
    this.objects.set(key, body);
    return key;
  }
  async getText(key: string): Promise<string | undefined> {
    return this.objects.get(key) as string | undefined;
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix));
  }
  audit(event: string): Array<Record<string, unknown>> {
    return [...this.objects.entries()]
      .filter(([k]) => k.includes(`-${event.toLowerCase()}-`))
      .map(([, v]) => v as Record<string, unknown>);
  }
}

let server: ApprovalServer;
let store: MemoryApprovalStore;
let artifacts: Artifacts;
let sequence = 0;

function pending(kind: ApprovalKind = 'CUTOVER', iamPrincipals = [`arn:aws:iam::${ACCOUNT}:role/PlatformOperator`]) {
  sequence += 1;
  const record: ApprovalRecord = {
    approvalId: `AbCdEfGhIjKlMnOpQrSt${String(sequence).padStart(2, '0')}`,
    kind,
    executionArn: executionArn('orders-1'),
    migrationId: 'orders',
    executionName: 'orders-1',
    taskToken: TOKEN,
    createdAt: new Date(NOW.getTime() - 3600_000).toISOString(),
    expiresAt: new Date(NOW.getTime() + 3600_000).toISOString(),
    approvers: { emails: ['lead@example.com'], slackUserIds: [], iamPrincipals },
    notify: { emails: ['lead@example.com'] },
    evidence: {
      migrationId: 'orders',
      executionName: 'orders-1',
      kind,
      question: 'Switch producers and consumers of orders to the target?',
      source: 'msk orders',
      target: 'msk serverless orders',
      gates: [],
      figures: [],
      findingsAccepted: [],
      rollbackWindow: '4 h',
      pointOfNoReturn: 'when the rollback window closes',
      evidenceKeys: [],
    },
    status: 'PENDING',
  };
  return record;
}

async function stored(record: ApprovalRecord): Promise<string> {
  await store.create(record);
  return record.approvalId;
}

const env = (): NodeJS.ProcessEnv => ({ AWS_REGION: REGION, MSK_MIGRATION_APPROVAL_URL: server.url });
const as = (key: LocalIamCredential) => ({
  env: env(),
  credentials: async () => ({
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}),
  }),
});

beforeAll(async () => {
  store = new MemoryApprovalStore();
  artifacts = new Artifacts();
  server = await startApprovalServer(
    createApprovalApp({
      store,
      artifacts,
      callback: new SfnTaskCallback(new SFNClient({ region: REGION })),
      signingKey: async () => 'k'.repeat(48),
      baseUrl: 'http://127.0.0.1',
      now: () => NOW,
      warn: () => undefined,
    }),
    { iam: { credentials: [OPERATOR_KEY, DEVELOPER_KEY], region: REGION, now: () => NOW } },
  );
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});

describe('msk-migrate approve and reject', () => {
  it('asks the approval service to approve as the signed IAM principal, which answers the task and audits it', async () => {
    // Prepare
    const approvalId = await stored(pending());
    const run = cli(as(OPERATOR_KEY));
    // Act
    const result = await run.run('approve', approvalId, '--comment', 'lag 0 for an hour', '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.json()).toEqual({
      approvalId,
      outcome: 'APPROVE',
      kind: 'CUTOVER',
      migrationId: 'orders',
      executionArn: executionArn('orders-1'),
      approver: OPERATOR,
      channel: 'CLI',
      decidedAt: NOW.toISOString(),
      next: { state: 'WarmFenceProducers', means: expect.stringContaining('producers are fenced') },
    });
    const success = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(success?.taskToken).toBe(TOKEN);
    expect(JSON.parse(success?.output ?? '{}')).toMatchObject({
      approved: true,
      approver: OPERATOR,
      channel: 'CLI',
      comment: 'lag 0 for an hour',
    });
    expect(artifacts.audit('DECIDED').find((e) => e.approvalId === approvalId)).toMatchObject({
      channel: 'CLI',
      actor: OPERATOR,
      outcome: 'APPROVE',
      userAgent: 'msk-migrate',
    });
    // The CLI itself created no AWS client: no table, no Step Functions, no STS (credentials were given).
    expect(run.regions).toEqual([]);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('rejects with the reason, which reaches the workflow as Migration.ApprovalRejected', async () => {
    // Prepare
    const approvalId = await stored(pending());
    // Act
    const result = await cli(as(OPERATOR_KEY)).run('reject', approvalId, '--reason', 'consumer team not ready');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Rejected the cutover approval ${approvalId} of orders as ${OPERATOR}.`);
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TOKEN,
      error: 'Migration.ApprovalRejected',
      cause: expect.stringContaining('consumer team not ready'),
    });
  });

  it.each([
    ['FINALIZE', 'approve', 'Finalize'],
    ['FINALIZE', 'reject', 'FailbackDecision'],
    ['FAILBACK', 'approve', 'StartFailback'],
    ['FAILBACK', 'reject', 'ReportNeedsAttention'],
  ] as const)('decides a %s approval with %s and goes on where the ASL routes it', async (kind, verb, nextState) => {
    // Prepare
    const approvalId = await stored(pending(kind));
    // Act
    const json = (await cli(as(OPERATOR_KEY)).run(verb, approvalId, '--json')).json<{ next: { state: string } }>();
    // Assess
    expect(json).toMatchObject({ kind, next: { state: nextState } });
  });

  it('says in text what the workflow does next', async () => {
    // Prepare
    const approvalId = await stored(pending());
    // Act
    const result = await cli(as(OPERATOR_KEY)).run('approve', approvalId);
    // Assess
    expect(result.stdout).toContain('Next: WarmFenceProducers: the cutover starts');
  });

  it('is refused by the service when the IAM principal is not a listed approver (exit 4), and nothing is sent', async () => {
    // Prepare
    const approvalId = await stored(pending());
    // Act
    const result = await cli(as(DEVELOPER_KEY)).run('approve', approvalId, '--json');
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.json()).toEqual({ error: expect.objectContaining({ code: 'NOT_AN_APPROVER' }) });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(artifacts.audit('REFUSED').find((e) => e.approvalId === approvalId)).toMatchObject({
      actor: DEVELOPER_KEY.userArn,
      reason: 'NOT_AN_APPROVER',
    });
  });

  it('says who already decided, and sends nothing (exit 1)', async () => {
    // Prepare
    const earlier: Decision = {
      attemptId: 'a1',
      outcome: 'APPROVE',
      approver: 'lead@example.com',
      channel: 'EMAIL',
      decidedAt: NOW.toISOString(),
    };
    const approvalId = await stored({ ...pending(), status: 'DECIDED', decision: earlier });
    // Act
    const result = await cli(as(OPERATOR_KEY)).run('reject', approvalId);
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('lead@example.com');
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('says an unknown approval does not exist (exit 3)', async () => {
    // Act
    const result = await cli(as(OPERATOR_KEY)).run('approve', 'ZZZZZZZZZZZZZZZZZZZZZZ', '--json');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(result.json()).toEqual({ error: expect.objectContaining({ code: 'UNKNOWN_APPROVAL' }) });
  });

  it('says the API refused the signature or the IAM permission when API Gateway answers 403 (exit 4)', async () => {
    // Prepare
    const approvalId = await stored(pending());
    const unknownKey = { ...OPERATOR_KEY, accessKeyId: 'ASIANOTKNOWNHERE0001' };
    // Act
    const result = await cli(as(unknownKey)).run('approve', approvalId, '--json');
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.json()).toEqual({
      error: expect.objectContaining({ code: 'ACCESS_DENIED', hint: expect.stringContaining('grantApprove') }),
    });
    expect((await store.get(approvalId))?.status).toBe('PENDING');
  });

  it('refuses a malformed approval ID before any request (exit 2)', async () => {
    // Prepare
    const credentials = jest.fn();
    // Act
    const result = await cli({ env: env(), credentials }).run('approve', 'not-an-id');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(credentials).not.toHaveBeenCalled();
  });

  it('says which setting is missing when the approval API URL is not given (exit 2)', async () => {
    // Act
    const result = await cli({ env: { AWS_REGION: REGION } }).run('approve', 'AbCdEfGhIjKlMnOpQrStUv');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Pass --api-url or set MSK_MIGRATION_APPROVAL_URL');
  });

  it('refuses to send a signed decision over plain HTTP to anything but loopback (exit 2)', async () => {
    // Act
    const result = await cli({
      env: { AWS_REGION: REGION, MSK_MIGRATION_APPROVAL_URL: 'http://approvals.example.com' },
    }).run('approve', 'AbCdEfGhIjKlMnOpQrStUv');
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('must be https');
  });

  it('takes the Region to sign for from an execute-api URL', async () => {
    // Prepare
    const seen: string[] = [];
    const credentials = async (region: string) => {
      seen.push(region);
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    // Act
    const result = await cli({
      env: { MSK_MIGRATION_APPROVAL_URL: 'https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com' },
      credentials,
    }).run('approve', 'AbCdEfGhIjKlMnOpQrStUv');
    // Assess
    expect(seen).toEqual(['ap-southeast-2']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('Configure credentials');
  });

  it('asks for a Region when neither the URL nor the environment gives one (exit 4)', async () => {
    // Act
    const result = await cli({ env: { MSK_MIGRATION_APPROVAL_URL: server.url } }).run(
      'approve',
      'AbCdEfGhIjKlMnOpQrStUv',
      '--json',
    );
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.json()).toEqual({ error: expect.objectContaining({ code: 'REGION_MISSING' }) });
  });

  it('explains in its help that the approval service decides and that states:SendTask* bypasses it', async () => {
    // Prepare
    let help = '';
    const program = new Command('msk-migrate')
      .exitOverride()
      .configureOutput({ writeOut: (t) => (help += t), writeErr: (t) => (help += t) });
    registerOperatorCommands(program, {} as OperatorDeps);
    // Act
    await program.parseAsync(['approve', '--help'], { from: 'user' }).catch(() => undefined);
    // Assess
    help = help.replace(/\s+/g, ' ');
    expect(help).toContain('--api-url <url>');
    expect(help).toContain('SigV4-signed request to the approval service');
    expect(help).toContain('matches your IAM principal (an IAM user, or a role session');
    expect(help).toContain("against the plan's approval.approvers");
    expect(help).toContain('states:SendTask* on the state machine: it would bypass the approval');
    expect(help).not.toContain('--table');
  });
});

describe('msk-migrate abort while an approval waits', () => {
  const sts = mockClient(STSClient);
  const dynamodb = mockClient(DynamoDBClient);
  const abortEnv = (): NodeJS.ProcessEnv => ({
    ...env(),
    MSK_MIGRATION_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    MSK_MIGRATION_LOCK_TABLE: 'MskMigration-MigrationLocks',
  });
  const asOperator = () => ({ ...as(DEVELOPER_KEY), env: abortEnv() });

  beforeEach(() => {
    sts.reset();
    dynamodb.reset();
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArn('orders-1'),
      status: 'RUNNING',
      input: JSON.stringify({ migrationId: 'orders' }),
    });
    sts.on(GetCallerIdentityCommand).resolves({ Arn: DEVELOPER_KEY.userArn });
    dynamodb.on(PutItemCommand).resolves({});
  });

  async function waiting(kind: ApprovalKind = 'CUTOVER', execution = 'orders-1'): Promise<string> {
    const record = { ...pending(kind), executionArn: executionArn(execution), executionName: execution };
    await artifacts.putJson(currentRequestKey(record), { approvalId: record.approvalId, createdAt: record.createdAt });
    return stored(record);
  }

  it('records the request, then the approval service ends the waiting approval with Migration.Aborted through its own path', async () => {
    // Prepare: a cutover approval waits; the operator who aborts is not one of its approvers (an abort never approves)
    const approvalId = await waiting('CUTOVER');
    // Act
    const result = await cli(asOperator()).run('abort', 'orders-1', '--reason', 'Change freeze.', '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({ lockKey: { S: `abort:${executionArn('orders-1')}` } }),
    });
    expect(result.json()).toMatchObject({
      status: 'RECORDED',
      waitingApproval: { status: 'ENDED', approvals: [{ approvalId, kind: 'CUTOVER', outcome: 'ABORTED' }] },
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TOKEN,
      error: 'Migration.Aborted',
      cause: expect.stringContaining(`${DEVELOPER_KEY.userArn} asked to abort execution ${executionArn('orders-1')}`),
    });
    expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(await store.get(approvalId)).toMatchObject({
      status: 'DECIDED',
      decision: { outcome: 'REJECT', approver: DEVELOPER_KEY.userArn, channel: 'CLI' },
    });
    expect(artifacts.audit('ABORTED').find((e) => e.approvalId === approvalId)).toMatchObject({
      actor: DEVELOPER_KEY.userArn,
      comment: 'Change freeze.',
    });
    // A decision arriving afterwards is told the approval was settled
    const late = await cli(as(OPERATOR_KEY)).run('approve', approvalId);
    expect(late.exitCode).not.toBe(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it("leaves another execution's waiting approval alone, and says none was waiting", async () => {
    // Prepare
    const other = await waiting('CUTOVER', 'orders-0');
    // Act
    const result = await cli(asOperator()).run('abort', 'orders-1', '--reason', 'Not that one.');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Waiting approval: none was waiting.');
    expect((await store.get(other))?.status).toBe('PENDING');
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('says the request stands when the approval could not be ended (exit 1), and a second call ends it', async () => {
    // Prepare: Step Functions is unreachable for the first call
    const approvalId = await waiting('FINALIZE');
    sfn.on(SendTaskFailureCommand).rejectsOnce(new Error('connect ETIMEDOUT')).resolves({});
    // Act
    const first = await cli(asOperator()).run('abort', 'orders-1', '--reason', 'Stop.');
    const second = await cli(asOperator()).run('abort', 'orders-1', '--reason', 'Stop.');
    // Assess
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('The abort request is recorded');
    expect(first.stderr).toContain('the waiting approval was not ended');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`the finalize approval ${approvalId} was ended with Migration.Aborted`);
  });

  it('says an approval whose state had stopped waiting no longer waited, and marks it expired', async () => {
    // Prepare: the approval state timed out already; Step Functions no longer knows the token
    const approvalId = await waiting('FAILBACK');
    sfn
      .on(SendTaskFailureCommand)
      .rejectsOnce(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut', $metadata: {} }));
    // Act
    const result = await cli(asOperator()).run('abort', 'orders-1', '--reason', 'Late.', '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.json()).toMatchObject({
      waitingApproval: { status: 'ENDED', approvals: [{ approvalId, kind: 'FAILBACK', outcome: 'TASK_GONE' }] },
    });
    expect((await store.get(approvalId))?.status).toBe('EXPIRED');
  });

  it('refuses a malformed abort on the operator route with 400, ending nothing', async () => {
    // Prepare
    const approvalId = await waiting('CUTOVER');
    // Act
    const response = await fetchSigned('/operator/aborts', JSON.stringify({ executionArn: 'orders-1' }));
    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 'REFUSED', reason: 'MALFORMED_REQUEST' });
    expect((await store.get(approvalId))?.status).toBe('PENDING');
  });
});

/** A request signed as the operator, straight to the local approval server (the CLI's transport, without the CLI). */
async function fetchSigned(path: string, body: string): Promise<Response> {
  const { approvalApiPost } = await import('../../cli/commands/approve');
  const sent = await approvalApiPost(path, body, {}, {
    env: env(),
    credentials: as(OPERATOR_KEY).credentials,
    now: () => NOW,
  } as unknown as OperatorDeps);
  return new Response(sent.text, { status: sent.status });
}
