import { artifactKey } from '../../ports/artifact-store';
import type { ApprovalRecord } from './record';

/**
 * The bound on the audit of refused approval attempts. Anyone can send the public endpoint requests that are refused
 * (a bad signature, a made-up approval ID, a replayed link); each refusal is audited, so without a bound a flood would
 * write one object per request forever. Per window of `windowSeconds`, one endpoint instance (a Lambda container, the
 * local server) writes the first `perWindow` refusals one by one and then only COUNTS the rest: one summary object per
 * window and audit trail (the approval's trail, or `approvals/unmatched/` for attempts that match none), rewritten with
 * the running count. So an instance writes at most `perWindow` + (trails refused in the window) objects per window,
 * whatever the rate; the API stage's throttle (5 requests/s, burst 10: lib/approval-api.ts) bounds the requests, and so
 * the instances, that reach it. A refusal never becomes an error: the attempt is still refused (4xx).
 */

export interface RefusalAuditLimits {
  /** Refusals written one by one per window and instance. */
  readonly perWindow: number;
  readonly windowSeconds: number;
}

export const REFUSAL_AUDIT_LIMITS: RefusalAuditLimits = { perWindow: 20, windowSeconds: 60 };

export type RefusalAdmission =
  | { readonly write: 'ENTRY' }
  | {
      readonly write: 'SUMMARY';
      /** Where the window's count of refusals not written one by one goes (rewritten on each). */
      readonly key: string;
      readonly windowStart: string;
      /** Refusals of this window and trail counted, not written one by one, this one included. */
      readonly dropped: number;
      /** The first refusal over the limit in this window (to log it once). */
      readonly first: boolean;
    };

type Trail = Pick<ApprovalRecord, 'migrationId' | 'executionName' | 'approvalId'> | undefined;

export class RefusalAuditBudget {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private written = 0;
  private readonly dropped = new Map<string, number>();

  constructor(
    readonly limits: RefusalAuditLimits = REFUSAL_AUDIT_LIMITS,
    /** Names this instance in the summary's key (two containers never rewrite each other's count). */
    readonly instance: string = Math.random().toString(36).slice(2, 10),
  ) {
    if (!(limits.perWindow >= 0 && limits.windowSeconds > 0))
      throw new RangeError('RefusalAuditBudget: perWindow must be ≥ 0 and windowSeconds > 0.');
  }

  /** Whether the refusal at `at` is written one by one, or counted into its window's summary. */
  admit(at: Date, trail: Trail): RefusalAdmission {
    const windowMs = this.limits.windowSeconds * 1000;
    const start = Math.floor(at.getTime() / windowMs) * windowMs;
    if (start !== this.windowStartMs) {
      this.windowStartMs = start;
      this.written = 0;
      this.dropped.clear();
    }
    if (this.written < this.limits.perWindow) {
      this.written++;
      return { write: 'ENTRY' };
    }
    const windowStart = new Date(start).toISOString();
    const name = `${windowStart.replace(/[:.]/g, '-')}-refusals-counted-${this.instance}.json`;
    const key = trail
      ? artifactKey(trail.migrationId, trail.executionName, `approvals/${trail.approvalId}/audit/${name}`)
      : `approvals/unmatched/${windowStart.slice(0, 10)}/${name}`;
    const dropped = (this.dropped.get(key) ?? 0) + 1;
    this.dropped.set(key, dropped);
    return { write: 'SUMMARY', key, windowStart, dropped, first: dropped === 1 };
  }
}
