import type { ApprovalRecord, Decision } from '../core/approval/record';

export type ClaimResult =
  | { readonly claimed: true; readonly record: ApprovalRecord }
  | { readonly claimed: false; readonly current: ApprovalRecord | undefined };

/**
 * Where pending approvals and their task tokens live (DynamoDB in AWS, memory or a file locally). `claim` is the
 * single-use guarantee: an atomic "PENDING → DECIDED" that exactly one of two racing attempts wins.
 */
export interface ApprovalStore {
  /** Stores a new PENDING record; fails if the ID exists (IDs are random, so that is a bug, not a race). */
  create(record: ApprovalRecord): Promise<void>;
  get(approvalId: string): Promise<ApprovalRecord | undefined>;
  /** Atomically sets the decision if the record is still PENDING; otherwise returns what is there now. */
  claim(approvalId: string, decision: Decision): Promise<ClaimResult>;
  /** Undoes this attempt's claim (the callback could not be delivered for a transient reason). */
  release(approvalId: string, attemptId: string): Promise<void>;
  /** This attempt's claim found the task gone (timed out): the record becomes EXPIRED, the attempt kept. */
  markExpired(approvalId: string, attemptId: string): Promise<void>;
  /** The deadline passed with no decision: PENDING → EXPIRED; false when something settled it first. */
  expirePending(approvalId: string): Promise<boolean>;
  setSlackMessage(approvalId: string, message: { channelId: string; ts: string }): Promise<void>;
  /** Marks the reminder sent; false when it already was, or the approval is no longer PENDING. */
  markReminded(approvalId: string, at: string): Promise<boolean>;
}
