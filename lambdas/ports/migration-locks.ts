/**
 * One migration per cluster: a lock per resource a migration changes (its source cluster, its target, its pointer),
 * held by one execution. Adapters: DynamoDB with conditional writes (aws), memory (local rehearsal, tests).
 */

/** Who holds a lock: the execution, so that a refusal can name it. */
export interface LockHolder {
  readonly executionArn: string;
  readonly executionName: string;
  readonly migrationId: string;
  /** When the execution took the lock (ISO 8601). */
  readonly acquiredAt: string;
}

export type LockAttempt = { readonly acquired: true } | { readonly acquired: false; readonly heldBy: LockHolder };

export interface MigrationLocks {
  /**
   * Takes `key` for `holder` unless another execution holds it (atomically: DynamoDB's conditional PutItem).
   * Idempotent for the same execution: a retried attempt gets `acquired: true` again.
   */
  acquire(key: string, holder: LockHolder): Promise<LockAttempt>;
  /** Releases `key` if `executionArn` holds it; a lock held by another execution, or none, is left alone. */
  release(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'>;
  /**
   * Shares `key` with the other executions sharing it, unless one execution holds it alone (`acquire`), which
   * `acquire` in turn refuses while anyone shares it (DynamoDB: a conditional UpdateItem adding to a set). Idempotent.
   * Migrations in waves share their source cluster and target, and take their topics alone.
   */
  acquireShared(key: string, holder: LockHolder): Promise<LockAttempt>;
  /** Stops sharing `key` for `executionArn`; others' shares are left alone. */
  releaseShared(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'>;
}
