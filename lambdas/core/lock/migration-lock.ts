import { MigrationLockedError } from '../errors';
import type { MigrationPlan } from '../plan/migration-plan';
import type { LockHolder, MigrationLocks } from '../../ports/migration-locks';

/**
 * One migration per cluster. Before a migration creates anything, its execution locks the source cluster, the target
 * and the pointer its plan names; a second migration naming any of them is refused with the execution that holds it.
 * Every terminal state of the workflow releases the locks (the Report task), and so does the compensator after an
 * execution stopped, failed or timed out outside any Catch.
 */

export interface LockKey {
  /** The resource, as the lock table keys it (`source:arn:aws:kafka:…`, `pointer:ssm:/orders/kafka/bootstrap`). */
  readonly key: string;
  /** What it is, for messages: `source cluster`, `target`, `pointer`. */
  readonly what: string;
}

/** The resources a plan changes or copies from, each as a lock key. */
export function lockKeysOf(plan: MigrationPlan): LockKey[] {
  const target = plan.target;
  const targetKey = target.clusterArn
    ? target.clusterArn
    : target.bootstrapServers
      ? [...target.bootstrapServers]
          .map((s) => s.toLowerCase())
          .sort()
          .join(',')
      : `new:${plan.migrationId}`;
  const sw = plan.cutover.switch;
  const pointerKey =
    sw.type === 'SSM_PARAMETER'
      ? `ssm:${sw.parameterName}`
      : sw.type === 'ROUTE53'
        ? `route53:${sw.hostedZoneId}/${sw.recordName.toLowerCase().replace(/\.$/, '')}${sw.weighted ? `#${sw.weighted.setIdentifier}` : ''}`
        : sw.type === 'HOOK'
          ? `hook:${sw.functionArn}`
          : `file:${sw.path}`;
  return [
    { key: `source:${plan.source.clusterArn}`, what: 'source cluster' },
    { key: `target:${targetKey}`, what: 'target' },
    { key: `pointer:${pointerKey}`, what: 'pointer' },
  ];
}

export interface LocksHeld {
  readonly keys: string[];
  readonly holder: LockHolder;
}

/**
 * Takes every lock of the plan for this execution, or none: when one is held by another execution, the ones taken
 * by this call are released and Migration.Locked names the resource and the holder.
 */
export async function acquireMigrationLocks(
  plan: MigrationPlan,
  holder: LockHolder,
  locks: MigrationLocks,
): Promise<LocksHeld> {
  const keys = lockKeysOf(plan);
  const taken: string[] = [];
  for (const { key, what } of keys) {
    const attempt = await locks.acquire(key, holder);
    if (!attempt.acquired) {
      for (const k of taken) await locks.release(k, holder.executionArn);
      const h = attempt.heldBy;
      throw new MigrationLockedError(
        `The ${what} of migration ${plan.migrationId} (${key.slice(key.indexOf(':') + 1)}) is locked by migration ${h.migrationId}, execution ${h.executionArn} (since ${h.acquiredAt}): one migration per cluster, target and pointer. Wait for that execution to end, or stop it (msk-migrate abort ${h.executionArn}); nothing was created.`,
        { lockKey: key, heldBy: h.executionArn, heldByMigration: h.migrationId },
      );
    }
    taken.push(key);
  }
  return { keys: keys.map((k) => k.key), holder };
}

/** Releases every lock this execution holds among `keys` (idempotent; never another execution's). */
export async function releaseMigrationLocks(
  keys: readonly string[],
  executionArn: string,
  locks: MigrationLocks,
): Promise<{ released: string[]; notHeld: string[] }> {
  const released: string[] = [];
  const notHeld: string[] = [];
  for (const key of keys) ((await locks.release(key, executionArn)) === 'RELEASED' ? released : notHeld).push(key);
  return { released, notHeld };
}
