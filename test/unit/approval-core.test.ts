import {
  alreadyDecided,
  isAllowedApprover,
  judgeDecisionAttempt,
  reminderTime,
} from '../../lambdas/core/approval/decision-rules';
import { allowListFromPlan, buildEvidence } from '../../lambdas/core/approval/evidence';
import type { ApprovalRecord } from '../../lambdas/core/approval/record';
import { renderApprovalEmail, renderConfirmationPage, renderSlackRequest } from '../../lambdas/core/approval/render';
import {
  formExpiry,
  signForm,
  signLink,
  slackSignature,
  verifyForm,
  verifyLink,
  verifySlackSignature,
} from '../../lambdas/core/approval/signing';

const KEY = 'a-signing-key-of-at-least-thirty-two-characters';
const claims = { approvalId: 'abcdefghijklmnopqrstuv', recipient: 'alice@example.com', expires: 2_000_000_000 };
const NOW = 1_900_000_000;

describe('link and form signatures', () => {
  it('verifies a link signed with the key before its expiry', () => {
    expect(verifyLink(KEY, claims, signLink(KEY, claims), NOW)).toBe('VALID');
  });

  it('refuses a link whose approval ID, recipient or expiry was changed after signing', () => {
    const sig = signLink(KEY, claims);
    expect(verifyLink(KEY, { ...claims, approvalId: 'bbcdefghijklmnopqrstuv' }, sig, NOW)).toBe('BAD_SIGNATURE');
    expect(verifyLink(KEY, { ...claims, recipient: 'mallory@example.com' }, sig, NOW)).toBe('BAD_SIGNATURE');
    expect(verifyLink(KEY, { ...claims, expires: claims.expires + 86_400 }, sig, NOW)).toBe('BAD_SIGNATURE');
  });

  it('refuses a link signed with another key, and reports a forged expired link as forged', () => {
    const forged = signLink('another-key-that-is-also-thirty-two-chars-long', claims);
    expect(verifyLink(KEY, claims, forged, NOW)).toBe('BAD_SIGNATURE');
    expect(verifyLink(KEY, claims, forged, claims.expires + 1)).toBe('BAD_SIGNATURE');
  });

  it('reports a genuine link past its expiry as expired', () => {
    expect(verifyLink(KEY, claims, signLink(KEY, claims), claims.expires)).toBe('EXPIRED');
  });

  it('never accepts a link signature as a form token or the reverse', () => {
    expect(verifyForm(KEY, claims, signLink(KEY, claims), NOW)).toBe('BAD_SIGNATURE');
    expect(verifyLink(KEY, claims, signForm(KEY, claims), NOW)).toBe('BAD_SIGNATURE');
  });

  it('gives the form thirty minutes, never past the link expiry', () => {
    expect(formExpiry(claims.expires, NOW)).toBe(NOW + 1800);
    expect(formExpiry(NOW + 60, NOW)).toBe(NOW + 60);
  });

  it('refuses to sign with a key shorter than 32 characters', () => {
    expect(() => signLink('short', claims)).toThrow(/at least 32/);
  });
});

describe('Slack request signatures (v0)', () => {
  const secret = 'slack-secret';
  const body = Buffer.from('payload=%7B%7D');
  const ts = String(NOW);

  it('accepts the signature Slack computes over the raw body', () => {
    expect(
      verifySlackSignature(
        secret,
        { timestamp: ts, signature: slackSignature(secret, ts, body), rawBody: body },
        NOW + 299,
      ),
    ).toBe('VALID');
  });

  it('rejects a timestamp more than five minutes old or ahead', () => {
    const signature = slackSignature(secret, ts, body);
    expect(verifySlackSignature(secret, { timestamp: ts, signature, rawBody: body }, NOW + 301)).toBe(
      'STALE_TIMESTAMP',
    );
    expect(verifySlackSignature(secret, { timestamp: ts, signature, rawBody: body }, NOW - 301)).toBe(
      'STALE_TIMESTAMP',
    );
  });

  it('rejects missing headers, a signature of another body and a signature of another secret', () => {
    expect(verifySlackSignature(secret, { timestamp: undefined, signature: 'v0=00', rawBody: body }, NOW)).toBe(
      'MISSING_HEADERS',
    );
    expect(
      verifySlackSignature(
        secret,
        { timestamp: ts, signature: slackSignature(secret, ts, 'payload=x'), rawBody: body },
        NOW,
      ),
    ).toBe('BAD_SIGNATURE');
    expect(
      verifySlackSignature(secret, { timestamp: ts, signature: slackSignature('other', ts, body), rawBody: body }, NOW),
    ).toBe('BAD_SIGNATURE');
  });
});

const plan = {
  email: ['Alice@Example.com', 'bob@example.com'],
  approvers: ['alice@example.com', 'U0APPROVER', { email: 'carol@example.com', slackUserId: 'W0CAROL' }],
  timeoutMinutes: 60,
};

function record(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: claims.approvalId,
    kind: 'CUTOVER',
    executionArn: 'arn:aws:states:eu-west-1:1:execution:sm:exec-1',
    migrationId: 'orders',
    executionName: 'exec-1',
    taskToken: 'token',
    createdAt: '2026-11-02T10:00:00.000Z',
    expiresAt: '2026-11-02T11:00:00.000Z',
    approvers: allowListFromPlan({ ...plan, slack: undefined }),
    notify: { emails: plan.email },
    evidence: buildEvidence({ kind: 'CUTOVER', executionName: 'exec-1', state: {} }),
    status: 'PENDING',
    ...overrides,
  };
}

describe('decision rules', () => {
  it('builds the allow-list from approvers: e-mails lower-cased, Slack user IDs kept, objects split', () => {
    expect(allowListFromPlan({ ...plan, slack: undefined })).toEqual({
      emails: ['alice@example.com', 'carol@example.com'],
      slackUserIds: ['U0APPROVER', 'W0CAROL'],
    });
  });

  it('makes the e-mail recipients the approvers when the plan lists none', () => {
    expect(allowListFromPlan({ email: ['Ops@Example.com'], approvers: [], timeoutMinutes: 5 })).toEqual({
      emails: ['ops@example.com'],
      slackUserIds: [],
    });
  });

  it('matches e-mails case-insensitively and Slack users by ID or by their looked-up e-mail', () => {
    const allow = record().approvers;
    expect(isAllowedApprover(allow, { channel: 'EMAIL', id: 'ALICE@example.com' })).toBe(true);
    expect(isAllowedApprover(allow, { channel: 'EMAIL', id: 'bob@example.com' })).toBe(false);
    expect(isAllowedApprover(allow, { channel: 'SLACK', id: 'U0APPROVER' })).toBe(true);
    expect(isAllowedApprover(allow, { channel: 'SLACK', id: 'U0OTHER', email: 'Carol@example.com' })).toBe(true);
    expect(isAllowedApprover(allow, { channel: 'SLACK', id: 'U0OTHER' })).toBe(false);
    // A Slack user ID typed into an e-mail identity is not a Slack approver.
    expect(isAllowedApprover(allow, { channel: 'EMAIL', id: 'U0APPROVER' })).toBe(false);
  });

  it('says who decided and when to anyone who comes second', () => {
    const decided = record({
      status: 'DECIDED',
      decision: {
        attemptId: 'a',
        outcome: 'REJECT',
        approver: 'U0APPROVER',
        channel: 'SLACK',
        decidedAt: '2026-11-02T10:05:00.000Z',
      },
    });
    expect(
      judgeDecisionAttempt(decided, { channel: 'EMAIL', id: 'alice@example.com' }, new Date('2026-11-02T10:06:00Z')),
    ).toEqual({
      reason: 'ALREADY_DECIDED',
      message: 'Already decided: rejected by U0APPROVER at 2026-11-02 10:05 UTC via Slack. Nothing was changed.',
    });
    expect(alreadyDecided(record({ status: 'EXPIRED' })).reason).toBe('APPROVAL_EXPIRED');
  });

  it('refuses at and after the deadline, and refuses someone not listed before it', () => {
    expect(
      judgeDecisionAttempt(record(), { channel: 'EMAIL', id: 'alice@example.com' }, new Date('2026-11-02T11:00:00Z'))
        ?.reason,
    ).toBe('APPROVAL_EXPIRED');
    expect(
      judgeDecisionAttempt(record(), { channel: 'EMAIL', id: 'bob@example.com' }, new Date('2026-11-02T10:30:00Z'))
        ?.reason,
    ).toBe('NOT_AN_APPROVER');
    expect(
      judgeDecisionAttempt(record(), { channel: 'EMAIL', id: 'alice@example.com' }, new Date('2026-11-02T10:30:00Z')),
    ).toBeUndefined();
    expect(judgeDecisionAttempt(undefined, { channel: 'SLACK', id: 'U0APPROVER' }, new Date())?.reason).toBe(
      'UNKNOWN_APPROVAL',
    );
  });

  it('reminds three quarters of the way to the deadline, and not at all for short approvals', () => {
    expect(reminderTime(new Date('2026-11-02T10:00:00Z'), new Date('2026-11-02T14:00:00Z'))?.toISOString()).toBe(
      '2026-11-02T13:00:00.000Z',
    );
    expect(reminderTime(new Date('2026-11-02T10:00:00Z'), new Date('2026-11-02T10:09:00Z'))).toBeUndefined();
  });
});

describe('evidence', () => {
  it('shows a missing summary as not reported with a warning, never as a pass', () => {
    const evidence = buildEvidence({
      kind: 'CUTOVER',
      executionName: 'exec-1',
      state: { input: { migrationId: 'orders' } },
    });
    expect(evidence.gates.map((g) => [g.label, g.value, g.status])).toEqual([
      ['Assessment', 'not reported', 'WARN'],
      ['Catch-up gate', 'not reported', 'WARN'],
      ['Target validation', 'not reported', 'WARN'],
    ]);
  });

  it('shows a gate that did not pass as failed', () => {
    const evidence = buildEvidence({
      kind: 'CUTOVER',
      executionName: 'e',
      state: {
        catchUp: {
          passed: false,
          consecutiveHealthy: 1,
          evaluations: 3,
          lastReasons: ['partition orders-3 lag 1200 > 100'],
        },
      },
    });
    expect(evidence.gates[1]).toEqual({
      label: 'Catch-up gate (lag)',
      value: 'not passed, 1 consecutive healthy checks, 3 evaluations',
      status: 'FAIL',
    });
    expect(evidence.figures).toContainEqual({
      label: 'Last lag note',
      value: 'partition orders-3 lag 1200 > 100',
      status: 'WARN',
    });
  });

  it('says the Finalize approval comes after the point of no return, and what approving and rejecting do', () => {
    const evidence = buildEvidence({
      kind: 'FINALIZE',
      executionName: 'e',
      state: {
        input: { migrationId: 'orders', rollback: { windowMinutes: 30 } },
        pointOfNoReturn: { passedAt: '2026-12-01T09:00:00.000Z' },
      },
    });
    expect(evidence.pointOfNoReturn).toMatch(
      /^Passed at .*2026.*Approving stops the forward replication and keeps the target; rejecting asks for a failback decision\.$/,
    );
    expect(evidence.rollbackWindow).toBe(
      'The rollback window has closed (it was 30 minutes); the clients stay on the target.',
    );
  });
});

describe('evidence after the switch', () => {
  it('shows when the cutover switched, from the SwitchToTarget record under $.cutover.switch', () => {
    // Act
    const evidence = buildEvidence({
      kind: 'FINALIZE',
      executionName: 'e',
      state: { cutover: { switch: { switchedAt: '2026-12-01T08:00:00.000Z' } } },
    });

    // Assess
    expect(evidence.figures).toContainEqual(
      expect.objectContaining({ label: 'Cutover completed', value: expect.stringContaining('2026-12-01') }),
    );
  });

  it('asks a failback decision with the point of no return and the error that led to it', () => {
    // Act
    const evidence = buildEvidence({
      kind: 'FAILBACK',
      executionName: 'e',
      state: {
        input: { migrationId: 'orders' },
        pointOfNoReturn: { passedAt: '2026-12-01T09:00:00.000Z' },
        error: { Error: 'Migration.ApprovalRejected', Cause: 'Finalize rejected by ops@example.com' },
      },
    });

    // Assess
    expect(evidence.question).toContain('Fail migration orders back to the source');
    expect(evidence.figures).toContainEqual(
      expect.objectContaining({ label: 'Point of no return passed', status: 'WARN' }),
    );
    expect(evidence.figures).toContainEqual(
      expect.objectContaining({
        label: 'Why a decision is needed',
        value: 'Migration.ApprovalRejected: Finalize rejected by ops@example.com',
        status: 'FAIL',
      }),
    );
  });
});

describe('rendering', () => {
  const hostile = buildEvidence({
    kind: 'CUTOVER',
    executionName: 'e',
    state: { input: { migrationId: '<script>alert(1)</script>&', source: { name: '"><img src=x onerror=alert(1)>' } } },
  });

  it('escapes plan values in the e-mail and on the page', () => {
    const email = renderApprovalEmail(hostile, '2026-11-02T11:00:00Z', {
      approveUrl: 'https://a/approve?x=1&y="2"',
      rejectUrl: 'https://a/reject',
    });
    const pageHtml = renderConfirmationPage(hostile, '2026-11-02T11:00:00Z', {
      action: 'id',
      approver: 'a@b.c',
      fields: { r: '"><b>' },
    });
    for (const html of [email.html, pageHtml]) {
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;');
    }
    expect(email.html).toContain('href="https://a/approve?x=1&amp;y=&quot;2&quot;"');
    expect(pageHtml).toContain('value="&quot;&gt;&lt;b&gt;"');
  });

  it('sends the plain-text part with both links and the deadline', () => {
    const email = renderApprovalEmail(hostile, '2026-11-02T11:00:00Z', {
      approveUrl: 'https://a/approve',
      rejectUrl: 'https://a/reject',
    });
    expect(email.text).toContain('Approve: https://a/approve');
    expect(email.text).toContain('Reject:  https://a/reject');
    expect(email.text).toContain('Decide before: 2026-11-02 11:00 UTC');
  });

  it('escapes Slack mrkdwn control characters and keeps the message under 50 blocks', () => {
    const { blocks } = renderSlackRequest(hostile, claims.approvalId, '2026-11-02T11:00:00Z');
    // The header is plain_text (shown literally); every mrkdwn text is escaped.
    const json = JSON.stringify(blocks.filter((b) => b.type !== 'header'));
    expect(json).toContain('&lt;script&gt;');
    expect(json).not.toContain('<script>');
    expect(blocks.length).toBeLessThanOrEqual(50);
  });
});
