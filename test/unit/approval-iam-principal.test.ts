import { isAllowedApprover } from '../../lambdas/core/approval/decision-rules';
import { allowListFromPlan } from '../../lambdas/core/approval/evidence';
import { iamApproverMatches, parseIamPrincipal } from '../../lambdas/core/approval/iam-principal';

/** How an IAM caller (what API Gateway verified) is matched against a plan's IAM approvers. */

const ACCT = '123456789012';
const ROLE = `arn:aws:iam::${ACCT}:role/teams/platform/Ops`;
const SESSION = (role: string, session: string, acct = ACCT): string =>
  `arn:aws:sts::${acct}:assumed-role/${role}/${session}`;

describe('parseIamPrincipal', () => {
  it('reads a role session into role name and session name (the role path is not in an STS ARN)', () => {
    expect(parseIamPrincipal(SESSION('Ops', 'alice@example.com'))).toEqual({
      type: 'assumed-role',
      partition: 'aws',
      account: ACCT,
      name: 'Ops',
      session: 'alice@example.com',
    });
  });

  it('reads a role ARN with a path into its name', () => {
    expect(parseIamPrincipal(ROLE)).toMatchObject({ type: 'role', name: 'Ops' });
  });

  it.each(['alice', `arn:aws:iam::${ACCT}:root`, `arn:aws:sts::${ACCT}:federated-user/bob`, 'arn:aws:iam::1:user/x'])(
    'refuses %s',
    (arn) => {
      expect(parseIamPrincipal(arn)).toBeUndefined();
    },
  );
});

describe('iamApproverMatches', () => {
  it.each([
    ['any session of a listed role', ROLE, SESSION('Ops', 'bob'), true],
    ['a session of another role', ROLE, SESSION('Dev', 'bob'), false],
    ['a session of the same role name in another account', ROLE, SESSION('Ops', 'bob', '210987654321'), false],
    ['a listed role session', SESSION('Ops', 'alice'), SESSION('Ops', 'alice'), true],
    ['another session of a listed role session', SESSION('Ops', 'alice'), SESSION('Ops', 'mallory'), false],
    ['the same session name on another role', SESSION('Ops', 'alice'), SESSION('Dev', 'alice'), false],
    ['a listed IAM user', `arn:aws:iam::${ACCT}:user/ops/erin`, `arn:aws:iam::${ACCT}:user/ops/erin`, true],
    ['a role session named like a listed user', `arn:aws:iam::${ACCT}:user/erin`, SESSION('erin', 'erin'), false],
    ['a caller in another partition', ROLE, `arn:aws-cn:sts::${ACCT}:assumed-role/Ops/bob`, false],
  ])('%s: %s', (_what, listed, caller, expected) => {
    expect(iamApproverMatches(listed, caller)).toBe(expected);
  });
});

describe('the allow-list of a plan with IAM approvers', () => {
  it('keeps IAM ARNs apart from e-mails (a session named with an e-mail stays an IAM approver)', () => {
    // Act
    const allowList = allowListFromPlan({
      email: ['lead@example.com'],
      approvers: ['lead@example.com', SESSION('Ops', 'alice@example.com'), { iamArn: ROLE, name: 'Ops' }],
      timeoutMinutes: 60,
    });
    // Assess
    expect(allowList).toEqual({
      emails: ['lead@example.com'],
      slackUserIds: [],
      iamPrincipals: [ROLE, SESSION('Ops', 'alice@example.com')].sort(),
    });
  });

  it('lets no CLI caller decide an approval whose allow-list has no IAM principal', () => {
    expect(
      isAllowedApprover(
        { emails: ['alice@example.com'], slackUserIds: [] },
        { channel: 'CLI', id: SESSION('Ops', 'alice@example.com') },
      ),
    ).toBe(false);
  });

  it('does not let an e-mail approver decide through an IAM session named after that address', () => {
    expect(
      isAllowedApprover(
        { emails: ['alice@example.com'], slackUserIds: [], iamPrincipals: [ROLE] },
        { channel: 'EMAIL', id: SESSION('Ops', 'alice@example.com') },
      ),
    ).toBe(false);
  });
});
