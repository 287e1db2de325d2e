import { MigrationAbortedError } from '../errors';
import type { AbortRequests } from '../../ports/abort-requests';

/**
 * What every poll task does first (CheckTargetStatus, CheckReplicationStatus, EvaluateCatchUp, CheckDrain,
 * CommitConsumerOffsets, CheckTargetHealth, CheckFailback): when an operator asked this execution to abort
 * (`msk-migrate abort`), raise Migration.Aborted, which the state's Catch routes to the rollback path of the phase
 * (pointer restored, fence released, replicator, alarms, canary and created target removed, report written).
 * A runtime without the port (none wired) never aborts.
 */
export async function assertNotAborted(executionArn: string, aborts: AbortRequests | undefined): Promise<void> {
  if (!aborts) return;
  const request = await aborts.requested(executionArn);
  if (!request) return;
  throw new MigrationAbortedError(
    `${request.requestedBy} asked to abort execution ${executionArn} at ${request.requestedAt}: ${request.reason} The workflow takes its rollback path from here.`,
    { executionArn, requestedBy: request.requestedBy, requestedAt: request.requestedAt, reason: request.reason },
  );
}
