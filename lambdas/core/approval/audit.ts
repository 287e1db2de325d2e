import { artifactKey } from '../../ports/artifact-store';
import type { RefusalReason } from './decision-rules';
import type { ApprovalKind, ApprovalRecord, DecisionChannel, DecisionOutcome } from './record';

/**
 * The approval's audit trail in the artifact store: one JSON document per event (request, reminder, every decision
 * attempt, accepted or refused and why), so concurrent attempts never overwrite each other and the report lists them
 * in time order by key. Never the task token, a signature or a Slack token.
 */

export type AuditEvent =
  | 'REQUESTED'
  | 'REMINDED'
  | 'DECIDED'
  | 'REFUSED'
  /** The count of a window's refusals over the audit's limit (core/approval/refusal-budget.ts), one object per window. */
  | 'REFUSALS_COUNTED'
  | 'EXPIRED'
  | 'ABORTED'
  | 'MESSAGE_UPDATE_FAILED';

export interface AuditEntry {
  readonly event: AuditEvent;
  readonly at: string;
  readonly approvalId?: string;
  readonly kind?: ApprovalKind;
  readonly executionArn?: string;
  readonly channel?: DecisionChannel;
  /** The identity the attempt claimed (a signed recipient, a Slack user ID), verified or not. */
  readonly actor?: string;
  readonly actorName?: string;
  readonly actorEmail?: string;
  readonly outcome?: DecisionOutcome;
  readonly comment?: string;
  readonly reason?: RefusalReason;
  readonly message: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly details?: Record<string, unknown>;
}

const stamp = (at: string): string => at.replace(/[:.]/g, '-');

export function auditKey(
  entry: AuditEntry,
  record: Pick<ApprovalRecord, 'migrationId' | 'executionName' | 'approvalId'> | undefined,
  suffix: string,
): string {
  const name = `${stamp(entry.at)}-${entry.event.toLowerCase()}-${suffix}.json`;
  if (record)
    return artifactKey(record.migrationId, record.executionName, `approvals/${record.approvalId}/audit/${name}`);
  // An attempt that matches no approval (unknown or malformed ID) has no migration to file it under.
  return `approvals/unmatched/${entry.at.slice(0, 10)}/${name}`;
}

/** Where the approval's request (evidence, recipients, deadline; no token) is kept. */
export function requestKey(record: Pick<ApprovalRecord, 'migrationId' | 'executionName' | 'approvalId'>): string {
  return artifactKey(record.migrationId, record.executionName, `approvals/${record.approvalId}/request.json`);
}

/** The newest request of one approval state of one execution (each attempt of the state makes a new request). */
export function currentRequestKey(record: Pick<ApprovalRecord, 'migrationId' | 'executionName' | 'kind'>): string {
  return artifactKey(record.migrationId, record.executionName, `approvals/current-${record.kind.toLowerCase()}.json`);
}

/** The prefix under which the report finds an approval's whole trail. */
export function approvalPrefix(record: Pick<ApprovalRecord, 'migrationId' | 'executionName' | 'approvalId'>): string {
  return artifactKey(record.migrationId, record.executionName, `approvals/${record.approvalId}/`);
}
