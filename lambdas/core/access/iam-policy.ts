/**
 * IAM identity policies as the security mapping writes them, and a small evaluator of one request (action, resource)
 * as IAM reads it: an explicit Deny wins, then any Allow, otherwise the request is implicitly denied. Actions match
 * case-insensitively, resources case-sensitively, `*` and `?` are wildcards in both. Enough to prove that a generated
 * policy covers what the ACLs allowed; conditions, permission boundaries and SCPs are out of scope.
 */

export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: IamStatement[];
}

/** The action every MSK IAM client needs on the cluster before any other. */
export const CONNECT = 'kafka-cluster:Connect';

export type IamDecision = 'ALLOWED' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

export function evaluateIamPolicy(policy: IamPolicyDocument, action: string, resource: string): IamDecision {
  const matching = policy.Statement.filter(
    (s) =>
      s.Action.some((a) => globMatches(a, action, true)) && s.Resource.some((r) => globMatches(r, resource, false)),
  );
  if (matching.some((s) => s.Effect === 'Deny')) return 'EXPLICIT_DENY';
  return matching.some((s) => s.Effect === 'Allow') ? 'ALLOWED' : 'IMPLICIT_DENY';
}

export function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
