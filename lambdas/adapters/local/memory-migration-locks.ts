import type { LockAttempt, LockHolder, MigrationLocks } from '../../ports/migration-locks';

/**
 * The migration locks of the local rehearsal and the tests: a Map. Each call runs without an await between its read
 * and its write, so it is atomic inside the event loop the way DynamoDB's conditional PutItem is.
 */
export class MemoryMigrationLocks implements MigrationLocks {
  readonly held = new Map<string, LockHolder>();

  async acquire(key: string, holder: LockHolder): Promise<LockAttempt> {
    const current = this.held.get(key);
    if (current && current.executionArn !== holder.executionArn) return { acquired: false, heldBy: { ...current } };
    if (!current) this.held.set(key, { ...holder });
    return { acquired: true };
  }

  async release(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'> {
    if (this.held.get(key)?.executionArn !== executionArn) return 'NOT_HELD';
    this.held.delete(key);
    return 'RELEASED';
  }
}
