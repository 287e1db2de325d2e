import { displayTime } from './display-time';
import { iamApproverMatches } from './iam-principal';
import type { ApprovalRecord, ApproverAllowList, Decision, DecisionChannel } from './record';

/**
 * The rules that decide whether a decision attempt may settle an approval. Pure: the HTTP handlers verify
 * signatures first, then ask these rules, then claim the record with a conditional write (the store is the final
 * arbiter of "first decision wins" when two attempts race).
 */

export type RefusalReason =
  | 'MALFORMED_REQUEST'
  /** The operator route was reached without a verified IAM caller (no SigV4 signature checked). */
  | 'NOT_SIGNED'
  | 'UNKNOWN_APPROVAL'
  | 'BAD_SIGNATURE'
  | 'LINK_EXPIRED'
  | 'BAD_FORM_TOKEN'
  | 'STALE_REQUEST'
  | 'NOT_AN_APPROVER'
  | 'ALREADY_DECIDED'
  | 'APPROVAL_EXPIRED'
  | 'TASK_TIMED_OUT'
  | 'EARLIER_ATTEMPT'
  | 'DELIVERY_FAILED';

export interface Refusal {
  readonly reason: RefusalReason;
  /** A sentence for the person who tried (no secrets, no token). */
  readonly message: string;
}

export interface Identity {
  readonly channel: DecisionChannel;
  /** E-mail address (EMAIL), Slack user ID (SLACK), or the caller's IAM ARN as API Gateway verified it (CLI). */
  readonly id: string;
  /** The Slack user's e-mail address, when it was looked up (lets an e-mail allow-list cover Slack too). */
  readonly email?: string;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isAllowedApprover(allowList: ApproverAllowList, who: Identity): boolean {
  // The operator route's caller is the IAM principal API Gateway authenticated (SigV4); it must be listed by ARN.
  if (who.channel === 'CLI')
    return (allowList.iamPrincipals ?? []).some((listed) => iamApproverMatches(listed, who.id));
  const emails = new Set(allowList.emails.map(normaliseEmail));
  if (who.channel === 'SLACK') {
    if (allowList.slackUserIds.includes(who.id)) return true;
    return who.email !== undefined && emails.has(normaliseEmail(who.email));
  }
  return emails.has(normaliseEmail(who.id));
}

/** Needs a Slack e-mail lookup only when the user ID alone does not settle it and e-mails are listed. */
export function needsSlackEmailLookup(allowList: ApproverAllowList, slackUserId: string): boolean {
  return !allowList.slackUserIds.includes(slackUserId) && allowList.emails.length > 0;
}

const CHANNEL_WORDS: Record<DecisionChannel, string> = {
  EMAIL: 'e-mail',
  SLACK: 'Slack',
  LOCAL: 'the local console',
  CLI: 'the operator CLI',
};

export function describeDecision(decision: Pick<Decision, 'outcome' | 'approver' | 'channel' | 'decidedAt'>): string {
  const verb = decision.outcome === 'APPROVE' ? 'approved' : 'rejected';
  return `${verb} by ${decision.approver} at ${displayTime(decision.decidedAt)} via ${CHANNEL_WORDS[decision.channel]}`;
}

export function alreadyDecided(record: ApprovalRecord): Refusal {
  if (record.status === 'EXPIRED') {
    return {
      reason: 'APPROVAL_EXPIRED',
      message: `This approval expired at ${displayTime(record.expiresAt)}; the workflow has taken its timeout path.`,
    };
  }
  const what = record.decision ? describeDecision(record.decision) : 'decided';
  return { reason: 'ALREADY_DECIDED', message: `Already decided: ${what}. Nothing was changed.` };
}

/**
 * Whether `who` may decide `record` at `now`. Order matters for what a person is told: a settled approval says who
 * settled it (even to someone not on the list, who learns nothing secret from it), then expiry, then the allow-list.
 */
export function judgeDecisionAttempt(
  record: ApprovalRecord | undefined,
  who: Identity,
  now: Date,
): Refusal | undefined {
  if (!record) return { reason: 'UNKNOWN_APPROVAL', message: 'There is no approval with this ID.' };
  if (record.status !== 'PENDING') return alreadyDecided(record);
  if (now.getTime() >= Date.parse(record.expiresAt)) {
    return {
      reason: 'APPROVAL_EXPIRED',
      message: `This approval expired at ${displayTime(record.expiresAt)}; the workflow has taken its timeout path.`,
    };
  }
  if (!isAllowedApprover(record.approvers, who)) {
    return {
      reason: 'NOT_AN_APPROVER',
      message: `${who.id} is not on the approver list of this ${record.kind.toLowerCase()} approval.`,
    };
  }
  return undefined;
}

/** When to remind: three quarters of the way to the deadline; none for approvals shorter than ten minutes. */
export function reminderTime(createdAt: Date, expiresAt: Date): Date | undefined {
  const span = expiresAt.getTime() - createdAt.getTime();
  if (span < 10 * 60_000) return undefined;
  return new Date(createdAt.getTime() + Math.floor(span * 0.75));
}
