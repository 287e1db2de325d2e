/**
 * The audit of refused approval attempts is bounded under a flood (lambdas/core/approval/refusal-budget.ts): per
 * window, an endpoint instance writes the first `perWindow` refusals one by one and counts the rest into one summary
 * object per audit trail; every refused request still gets a 4xx, never a 500. The API stage's throttle that bounds the
 * requests is held by test/infra/approval-api.test.ts (5 requests/s, burst 10).
 */
import { MemoryApprovalStore } from '../../lambdas/adapters/local/memory-approval-store';
import { createApprovalApp, type ApprovalAppDeps } from '../../lambdas/approval/app';
import type { HttpRequest } from '../../lambdas/approval/http';
import { REFUSAL_AUDIT_LIMITS, RefusalAuditBudget } from '../../lambdas/core/approval/refusal-budget';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';

const T0 = Date.parse('2026-12-04T10:00:00.000Z');

function endpoint(): { app: ReturnType<typeof createApprovalApp>; artifacts: MemoryArtifacts; clock: { ms: number } } {
  const artifacts = new MemoryArtifacts();
  const clock = { ms: T0 };
  const deps: ApprovalAppDeps = {
    store: new MemoryApprovalStore(),
    artifacts,
    callback: {
      sendSuccess: async () => undefined,
      sendFailure: async () => undefined,
    } as unknown as ApprovalAppDeps['callback'],
    signingKey: async () => 'k'.repeat(16) + 'test-signing-key-0123456789abcdef',
    slackSigningSecret: async () => 'slack-signing-secret-for-tests-0001',
    baseUrl: 'https://approvals.example.com',
    now: () => new Date(clock.ms),
    warn: () => undefined,
  };
  return { app: createApprovalApp(deps), artifacts, clock };
}

const request = (method: string, path: string, rawQuery = '', body = ''): HttpRequest => ({
  method,
  path,
  rawQuery,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'flood/1.0' },
  rawBody: Buffer.from(body),
  sourceIp: '203.0.113.9',
});

const SIG = 'A'.repeat(43);
const ID = 'Z'.repeat(22);
/**
 * What an attacker sends: forged links, forged forms, forged Slack clicks, malformed targets and bodies. The targets
 * that name no approval route (`//`, `//[`, an undecodable ID) are refused before any attempt, so not audited.
 */
const NOT_ATTEMPTS = new Set([2, 3, 4]);
const ATTACKS: ReadonlyArray<() => HttpRequest> = [
  () => request('GET', `/approvals/${ID}`, `r=alice%40example.com&exp=1900000000&sig=${SIG}`),
  () => request('GET', `/approvals/${ID}`, 'r=alice%40example.com&exp=1&sig=x'),
  () => request('GET', '/approvals/%E0%A4%A', ''),
  () => request('GET', '//', ''),
  () => request('GET', '//[', ''),
  () =>
    request(
      'POST',
      `/approvals/${ID}`,
      '',
      `r=alice%40example.com&exp=1900000000&sig=${SIG}&fexp=1900000000&ft=${SIG}&decision=APPROVE`,
    ),
  () => request('POST', `/approvals/${ID}`, '', 'decision=MAYBE&&&=%'),
  () => ({
    ...request('POST', '/slack/interactivity', '', 'payload=%7B%7D'),
    headers: { 'x-slack-request-timestamp': '1', 'x-slack-signature': 'v0=00' },
  }),
  () => ({ ...request('POST', `/operator/approvals/${ID}`, '', '{"decision":"APPROVE"}'), headers: {} }),
];

describe('the audit of refused approval attempts under a flood', () => {
  it('writes at most perWindow entries plus one count per window, counts the rest, and answers every request 4xx', async () => {
    // Prepare
    const { app, artifacts } = endpoint();
    const flood = 2_000;

    // Act
    const statuses = new Set<number>();
    for (let i = 0; i < flood; i++) statuses.add((await app(ATTACKS[i % ATTACKS.length]!())).statusCode);

    // Assess
    expect([...statuses].filter((s) => s < 400 || s >= 500)).toEqual([]);
    const keys = [...artifacts.objects.keys()];
    const counted = keys.filter((k) => k.includes('-refusals-counted-'));
    expect(keys.length).toBeLessThanOrEqual(REFUSAL_AUDIT_LIMITS.perWindow + 1);
    expect(counted).toHaveLength(1);
    const summary = JSON.parse(artifacts.objects.get(counted[0]!)!) as { event: string; details: { counted: number } };
    const written = keys.length - counted.length;
    expect(summary.event).toBe('REFUSALS_COUNTED');
    expect(written).toBe(REFUSAL_AUDIT_LIMITS.perWindow);
    // every refused attempt is accounted for: written one by one, or counted
    const attempts = Array.from({ length: flood }, (_, i) => i % ATTACKS.length).filter((a) => !NOT_ATTEMPTS.has(a));
    expect(written + summary.details.counted).toBe(attempts.length);
  });

  it('renews the budget each window, so a flood of any length writes a bounded number of objects per window', async () => {
    const { app, artifacts, clock } = endpoint();
    const windows = 5;

    for (let w = 0; w < windows; w++) {
      clock.ms = T0 + w * REFUSAL_AUDIT_LIMITS.windowSeconds * 1000;
      for (let i = 0; i < 200; i++) await app(ATTACKS[0]!());
    }

    const keys = [...artifacts.objects.keys()];
    expect(keys.length).toBe(windows * (REFUSAL_AUDIT_LIMITS.perWindow + 1));
    const counts = keys
      .filter((k) => k.includes('-refusals-counted-'))
      .map((k) => (JSON.parse(artifacts.objects.get(k)!) as { details: { counted: number } }).details.counted);
    expect(counts).toEqual(Array(windows).fill(200 - REFUSAL_AUDIT_LIMITS.perWindow));
  });

  it('answers a malformed request target or body with 4xx, never 500', async () => {
    const { app } = endpoint();
    const malformed = [
      request('GET', '//'),
      request('GET', '//['),
      request('GET', 'http://a:99999/'),
      request('GET', '/approvals/%'),
      request('POST', '/approvals/%ZZ', '', '%%%'),
      request('POST', `/approvals/${ID}`, '', '\u0000'.repeat(10)),
      request('PUT', `/approvals/${ID}`),
      {
        ...request('POST', `/operator/approvals/${ID}`, '', '{not json'),
        iamCaller: { userArn: 'arn:aws:iam::1:user/x' },
      },
      request('POST', '/slack/interactivity', '', 'payload=%'),
    ];
    for (const req of malformed) {
      const { statusCode } = await app(req);
      expect([req.method, req.path, statusCode >= 400 && statusCode < 500 ? '4xx' : statusCode]).toEqual([
        req.method,
        req.path,
        '4xx',
      ]);
    }
  });

  it('refuses limits that would not bound anything', () => {
    expect(() => new RefusalAuditBudget({ perWindow: 1, windowSeconds: 0 })).toThrow(RangeError);
  });
});
