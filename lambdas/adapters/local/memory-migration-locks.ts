import type { LockAttempt, LockHolder, MigrationLocks } from '../../ports/migration-locks';

/**
 * The migration locks of the local rehearsal and the tests: a Map. Each call runs without an await between its read
 * and its write, so it is atomic inside the event loop the way DynamoDB's conditional PutItem is.
 */
export class MemoryMigrationLocks implements MigrationLocks {
  readonly held = new Map<string, LockHolder>();
  /** Shared locks: the executions sharing each key. */
  readonly shared = new Map<string, Map<string, LockHolder>>();

  async acquire(key: string, holder: LockHolder): Promise<LockAttempt> {
    const current = this.held.get(key);
    if (current && current.executionArn !== holder.executionArn) return { acquired: false, heldBy: { ...current } };
    const sharer = [...(this.shared.get(key)?.values() ?? [])].find((h) => h.executionArn !== holder.executionArn);
    if (sharer) return { acquired: false, heldBy: { ...sharer } };
    if (!current) this.held.set(key, { ...holder });
    return { acquired: true };
  }

  async acquireShared(key: string, holder: LockHolder): Promise<LockAttempt> {
    const current = this.held.get(key);
    if (current && current.executionArn !== holder.executionArn) return { acquired: false, heldBy: { ...current } };
    const sharers = this.shared.get(key) ?? new Map<string, LockHolder>();
    if (!sharers.has(holder.executionArn)) sharers.set(holder.executionArn, { ...holder });
    this.shared.set(key, sharers);
    return { acquired: true };
  }

  async releaseShared(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'> {
    const sharers = this.shared.get(key);
    if (!sharers?.delete(executionArn)) return 'NOT_HELD';
    if (sharers.size === 0) this.shared.delete(key);
    return 'RELEASED';
  }

  async release(key: string, executionArn: string): Promise<'RELEASED' | 'NOT_HELD'> {
    if (this.held.get(key)?.executionArn !== executionArn) return 'NOT_HELD';
    this.held.delete(key);
    return 'RELEASED';
  }
}
