/**
 * The error taxonomy of the migration workflow. Each class has a literal `name` that the state machine's
 * Retry and Catch clauses match (Lambda reports `errorType` = the thrown error's name).
 *
 * A message says what was wrong, with which value, and what to do.
 */
export const MigrationErrorNames = [
  'Migration.InputInvalid',
  'Migration.AssessmentBlocked',
  'Migration.ProvisioningFailed',
  'Migration.ReplicationFailed',
  'Migration.LagTimeout',
  'Migration.ValidationFailed',
  // Not thrown: the approval service fails the waiting task with it (SendTaskFailure).
  'Migration.ApprovalRejected',
  'Migration.CutoverFailed',
  'Migration.TargetUnhealthy',
  'Migration.RollbackFailed',
  'Migration.Unreachable',
  'Migration.AuthFailed',
  'Migration.Transient',
  'Migration.Locked',
  'Migration.Aborted',
] as const;
export type MigrationErrorName = (typeof MigrationErrorNames)[number];

export abstract class MigrationError extends Error {
  abstract override readonly name: MigrationErrorName;
  /** Structured detail kept in the execution state (small; never secrets). */
  readonly details: Record<string, unknown> | undefined;
  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.details = details;
  }
}

export class InputInvalidError extends MigrationError {
  override readonly name = 'Migration.InputInvalid' as const;
}
export class AssessmentBlockedError extends MigrationError {
  override readonly name = 'Migration.AssessmentBlocked' as const;
}
export class ProvisioningFailedError extends MigrationError {
  override readonly name = 'Migration.ProvisioningFailed' as const;
}
export class ReplicationFailedError extends MigrationError {
  override readonly name = 'Migration.ReplicationFailed' as const;
}
export class LagTimeoutError extends MigrationError {
  override readonly name = 'Migration.LagTimeout' as const;
}
export class ValidationFailedError extends MigrationError {
  override readonly name = 'Migration.ValidationFailed' as const;
}
export class CutoverFailedError extends MigrationError {
  override readonly name = 'Migration.CutoverFailed' as const;
}
export class TargetUnhealthyError extends MigrationError {
  override readonly name = 'Migration.TargetUnhealthy' as const;
}
export class RollbackFailedError extends MigrationError {
  override readonly name = 'Migration.RollbackFailed' as const;
}
/** A cluster or endpoint could not be reached (DNS, connection refused, security group). Not retried blindly. */
export class UnreachableError extends MigrationError {
  override readonly name = 'Migration.Unreachable' as const;
}
/** Credentials were refused (SASL, IAM, TLS). Never retried: a retry cannot fix a wrong secret. */
export class AuthFailedError extends MigrationError {
  override readonly name = 'Migration.AuthFailed' as const;
}
/** A failure worth retrying with backoff: throttling, a broker leader election, a 5xx. */
export class TransientError extends MigrationError {
  override readonly name = 'Migration.Transient' as const;
}

/** Another execution holds the source cluster, target or pointer of this migration (one migration per cluster). */
export class MigrationLockedError extends MigrationError {
  override readonly name = 'Migration.Locked' as const;
}
/** An operator asked the execution to stop (`msk-migrate abort`): the workflow takes its own rollback path. */
export class MigrationAbortedError extends MigrationError {
  override readonly name = 'Migration.Aborted' as const;
}

export function isMigrationError(err: unknown): err is MigrationError {
  return err instanceof MigrationError;
}
