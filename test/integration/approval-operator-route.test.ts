import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import 'aws-sdk-client-mock-jest';
import { signRequest, type LocalIamCredential } from '../../lambdas/approval/sigv4';
import {
  ALICE,
  SLACK_CHANNEL,
  TASK_TOKEN,
  executionState,
  requestCutover,
  ses,
  sfn,
  startHarness,
  type Harness,
} from './approval-harness';

/**
 * The operator decision route (`POST /operator/approvals/{id}`, AWS_IAM authorization in AWS) over real HTTP on
 * loopback, with the local server verifying SigV4 against test credentials: the caller's IAM principal is matched
 * against the plan's IAM approvers by the service, which alone sends the task callback; every refusal is audited
 * and leaves the task waiting.
 */

const ACCOUNT = '111122223333';
const APPROVER_ROLE = `arn:aws:iam::${ACCOUNT}:role/platform/MigrationApprovers`;
const ONE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/dana@example.com`;
const IAM_USER = `arn:aws:iam::${ACCOUNT}:user/ops/erin`;
const credential = (n: number, userArn: string, sessionToken?: string): LocalIamCredential => ({
  accessKeyId: `ASIATESTKEY0000000${n}`,
  secretAccessKey: `test-secret-${n}-${'s'.repeat(30)}`,
  ...(sessionToken ? { sessionToken } : {}),
  userArn,
  accountId: ACCOUNT,
});
const APPROVER = credential(1, `arn:aws:sts::${ACCOUNT}:assumed-role/MigrationApprovers/carl`, 'session-token-1');
const STRANGER = credential(2, `arn:aws:sts::${ACCOUNT}:assumed-role/Developers/mallory`, 'session-token-2');
const DANA = credential(3, ONE_SESSION, 'session-token-3');
const OTHER_OPERATOR = credential(4, `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/oscar`, 'session-token-4');
const ERIN = credential(5, IAM_USER);
const REGION = 'eu-west-1';

let h: Harness;

const callbacks = (): number =>
  sfn.commandCalls(SendTaskSuccessCommand).length + sfn.commandCalls(SendTaskFailureCommand).length;
/** The refusals audited for one approval (keys sort by time, then event: one clock tick holds several). */
const refusalsOf = (approvalId: string): Array<Record<string, unknown>> =>
  h.artifacts.audit().filter((e) => e.event === 'REFUSED' && e.approvalId === approvalId);

async function signed(
  who: LocalIamCredential,
  approvalId: string,
  body: string,
  options: { contentType?: string; region?: string } = {},
): Promise<{ url: string; init: RequestInit }> {
  const url = new URL(`${h.server.url}/operator/approvals/${approvalId}`);
  const headers = await signRequest(
    {
      method: 'POST',
      protocol: url.protocol,
      host: url.host,
      path: url.pathname,
      headers: { 'content-type': options.contentType ?? 'application/json' },
      body,
    },
    who,
    options.region ?? REGION,
    h.clock.now,
  );
  return { url: url.toString(), init: { method: 'POST', headers, body } };
}

async function decideAs(
  who: LocalIamCredential,
  approvalId: string,
  decision: 'APPROVE' | 'REJECT' = 'APPROVE',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { url, init } = await signed(who, approvalId, JSON.stringify({ decision, comment: 'lag 0 for an hour' }));
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function pendingApproval(approvers: unknown[] = [ALICE, APPROVER_ROLE, ONE_SESSION, IAM_USER]): Promise<string> {
  const state = executionState({
    approval: { email: [ALICE], slack: { channelId: SLACK_CHANNEL }, approvers, timeoutMinutes: 120 },
  });
  return (await requestCutover(h, state)).approvalId;
}

beforeAll(async () => {
  h = await startHarness({ iam: { credentials: [APPROVER, STRANGER, DANA, OTHER_OPERATOR, ERIN], region: REGION } });
});

afterAll(async () => {
  await h.close();
});

beforeEach(() => {
  sfn.reset();
  ses.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  h.clock.now = new Date('2026-11-02T10:00:00Z');
});

describe('the operator decision route', () => {
  it('lets a session of a listed IAM role approve once: the service sends the task success and audits the principal', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    // Act
    const { status, body } = await decideAs(APPROVER, approvalId);
    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'DECIDED',
      outcome: 'APPROVE',
      kind: 'CUTOVER',
      approver: APPROVER.userArn,
      channel: 'CLI',
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([TASK_TOKEN]);
    expect(h.artifacts.audit().find((e) => e.event === 'DECIDED')).toMatchObject({
      channel: 'CLI',
      actor: APPROVER.userArn,
      outcome: 'APPROVE',
      comment: 'lag 0 for an hour',
    });
    expect(JSON.stringify(body)).not.toContain(TASK_TOKEN);
  });

  it('refuses a replay of the same signed request: the approval is single-use', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    const { url, init } = await signed(APPROVER, approvalId, JSON.stringify({ decision: 'APPROVE' }));
    expect((await fetch(url, init)).status).toBe(200);
    // Act
    const replay = await fetch(url, init);
    // Assess
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ status: 'REFUSED', reason: 'ALREADY_DECIDED' });
    expect(callbacks()).toBe(1);
    expect(refusalsOf(approvalId)).toEqual([
      expect.objectContaining({ reason: 'ALREADY_DECIDED', actor: APPROVER.userArn }),
    ]);
  });

  it('refuses and audits a signed caller who is not on the approver list, and the task keeps waiting', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    // Act
    const { status, body } = await decideAs(STRANGER, approvalId);
    // Assess
    expect(status).toBe(403);
    expect(body).toMatchObject({ status: 'REFUSED', reason: 'NOT_AN_APPROVER' });
    expect(callbacks()).toBe(0);
    expect((await h.store.get(approvalId))?.status).toBe('PENDING');
    expect(refusalsOf(approvalId)).toEqual([
      expect.objectContaining({
        channel: 'CLI',
        actor: STRANGER.userArn,
        outcome: 'APPROVE',
        reason: 'NOT_AN_APPROVER',
      }),
    ]);
  });

  it('matches a listed role session by role and session name: another session of the same role is refused', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    // Act
    const other = await decideAs(OTHER_OPERATOR, approvalId);
    const dana = await decideAs(DANA, approvalId, 'REJECT');
    // Assess
    expect(other).toMatchObject({ status: 403, body: { reason: 'NOT_AN_APPROVER' } });
    expect(dana).toMatchObject({ status: 200, body: { outcome: 'REJECT', approver: ONE_SESSION } });
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TASK_TOKEN,
      error: 'Migration.ApprovalRejected',
    });
  });

  it('lets a listed IAM user decide', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    // Act
    const { status, body } = await decideAs(ERIN, approvalId);
    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({ approver: IAM_USER });
  });

  it('refuses every IAM caller when the plan lists no IAM approver (e-mail approvers decide by e-mail)', async () => {
    // Prepare
    const approvalId = await pendingApproval([ALICE]);
    // Act
    const { status, body } = await decideAs(APPROVER, approvalId);
    // Assess
    expect(status).toBe(403);
    expect(body).toMatchObject({ reason: 'NOT_AN_APPROVER' });
    expect(callbacks()).toBe(0);
  });

  it('refuses and audits a decision after the deadline', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    h.clock.now = new Date(h.clock.now.getTime() + 121 * 60_000);
    // Act
    const { status, body } = await decideAs(APPROVER, approvalId);
    // Assess
    expect(status).toBe(410);
    expect(body).toMatchObject({ status: 'REFUSED', reason: 'APPROVAL_EXPIRED' });
    expect(callbacks()).toBe(0);
    expect(refusalsOf(approvalId)).toEqual([
      expect.objectContaining({ reason: 'APPROVAL_EXPIRED', actor: APPROVER.userArn }),
    ]);
  });

  it('answers 403 to an unsigned request before the service sees it, whatever identity headers it carries', async () => {
    // Prepare
    const approvalId = await pendingApproval();
    const audited = h.artifacts.audit().length;
    // Act
    const res = await fetch(`${h.server.url}/operator/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amzn-iam-user-arn': APPROVER.userArn },
      body: JSON.stringify({ decision: 'APPROVE' }),
    });
    // Assess
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Forbidden' });
    expect(callbacks()).toBe(0);
    expect(h.artifacts.audit()).toHaveLength(audited);
  });

  it.each([
    ['a body changed after signing', 'body'],
    ['a signature for another Region', 'region'],
    ['a signature older than 15 minutes', 'stale'],
    ['an unknown access key', 'key'],
  ])('answers 403 to %s', async (_what, tamper) => {
    // Prepare
    const approvalId = await pendingApproval();
    const who = tamper === 'key' ? { ...APPROVER, accessKeyId: 'ASIAUNKNOWNKEY000000' } : APPROVER;
    const { url, init } = await signed(who, approvalId, JSON.stringify({ decision: 'REJECT' }), {
      ...(tamper === 'region' ? { region: 'us-east-1' } : {}),
    });
    if (tamper === 'stale') h.clock.now = new Date(h.clock.now.getTime() + 16 * 60_000);
    // Act
    const res = await fetch(url, tamper === 'body' ? { ...init, body: JSON.stringify({ decision: 'APPROVE' }) } : init);
    // Assess
    expect(res.status).toBe(403);
    expect(callbacks()).toBe(0);
    expect((await h.store.get(approvalId))?.status).toBe('PENDING');
  });

  it.each([
    ['not JSON', '{decision: APPROVE', 'application/json'],
    ['an unknown field', JSON.stringify({ decision: 'APPROVE', approver: 'someone-else' }), 'application/json'],
    ['a decision that is neither APPROVE nor REJECT', JSON.stringify({ decision: 'MAYBE' }), 'application/json'],
    [
      'a comment over 500 characters',
      JSON.stringify({ decision: 'APPROVE', comment: 'x'.repeat(501) }),
      'application/json',
    ],
    ['a form body', 'decision=APPROVE', 'application/x-www-form-urlencoded'],
    ['a body over 4 KiB', JSON.stringify({ decision: 'APPROVE', pad: 'x'.repeat(5000) }), 'application/json'],
  ])('answers 400 to %s, audits it and decides nothing', async (_what, body, contentType) => {
    // Prepare
    const approvalId = await pendingApproval();
    const { url, init } = await signed(APPROVER, approvalId, body, { contentType });
    // Act
    const res = await fetch(url, init);
    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'REFUSED', reason: 'MALFORMED_REQUEST' });
    expect(callbacks()).toBe(0);
    expect(refusalsOf(approvalId)).toEqual([
      expect.objectContaining({ reason: 'MALFORMED_REQUEST', actor: APPROVER.userArn }),
    ]);
  });

  it.each([
    ['a malformed approval ID', 'not-an-approval-id', 400, 'MALFORMED_REQUEST'],
    ['an unknown approval ID', 'AAAAAAAAAAAAAAAAAAAAAA', 404, 'UNKNOWN_APPROVAL'],
    // The server refuses a target it cannot decode before any route runs, as API Gateway does: a plain 400.
    ['a percent-encoding error in the ID', '%E0%A4%A', 400, undefined],
  ])('answers %s with a 4xx, never a 500', async (_what, id, status, reason) => {
    // Act
    const { url, init } = await signed(APPROVER, id, JSON.stringify({ decision: 'APPROVE' }));
    const res = await fetch(url, init);
    // Assess
    expect(res.status).toBe(status);
    if (reason) expect(await res.json()).toMatchObject({ status: 'REFUSED', reason });
    else expect(await res.text()).toBe('Malformed request target.');
    expect(callbacks()).toBe(0);
  });
});
