import { MigrationLockedError } from '../errors';
import type { MigrationPlan } from '../plan/migration-plan';
import type { LockHolder, MigrationLocks } from '../../ports/migration-locks';

/**
 * One migration per cluster. Before a migration creates anything, its execution locks the source cluster, the target
 * and the pointer its plan names; a second migration naming any of them is refused with the execution that holds it.
 * A plan in waves (lambdas/core/plan/waves.ts) names its topics, so its lock is scoped to them: it SHARES the source
 * cluster and the target with other migrations in waves and takes each of its topics and each wave's pointer alone.
 * Two migrations in waves with disjoint topics on one cluster both run; overlapping ones are refused naming the
 * holder; a migration without waves (every topic its patterns select) still takes the cluster alone, which no sharer
 * can hold at the same time.
 * Every terminal state of the workflow releases the locks (the Report task), and so does the compensator after an
 * execution stopped, failed or timed out outside any Catch.
 */

export interface LockKey {
  /** The resource, as the lock table keys it (`source:arn:aws:kafka:…`, `pointer:ssm:/orders/kafka/bootstrap`). */
  readonly key: string;
  /** What it is, for messages: `source cluster`, `target`, `pointer`, `topic orders.paid (wave orders)`. */
  readonly what: string;
  /** Shared with other migrations in waves (MigrationLocks.acquireShared); absent: held alone. */
  readonly shared?: true;
}

function pointerKeyOf(sw: MigrationPlan['cutover']['switch']): string {
  return sw.type === 'SSM_PARAMETER'
    ? `ssm:${sw.parameterName}`
    : sw.type === 'ROUTE53'
      ? `route53:${sw.hostedZoneId}/${sw.recordName.toLowerCase().replace(/\.$/, '')}${sw.weighted ? `#${sw.weighted.setIdentifier}` : ''}`
      : sw.type === 'HOOK'
        ? `hook:${sw.functionArn}`
        : `file:${sw.path}`;
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
  if (plan.waves) {
    const pointers = [...new Set(plan.waves.map((w) => pointerKeyOf(w.switch ?? plan.cutover.switch)))];
    return [
      { key: `source:${plan.source.clusterArn}`, what: 'source cluster', shared: true },
      { key: `target:${targetKey}`, what: 'target', shared: true },
      // A consumers-first wave's topics are taken by the later wave that moves their producers (validation), or by
      // itself when no wave does (producersStay).
      ...plan.waves.flatMap((w) =>
        (w.consumersFirst && !w.producersStay ? [] : w.topics).map((t) => ({
          key: `topic:${plan.source.clusterArn}/${t}`,
          what: `topic ${t} (wave ${w.name})`,
        })),
      ),
      ...pointers.map((k) => ({ key: `pointer:${k}`, what: 'pointer' })),
    ];
  }
  const pointerKey = pointerKeyOf(plan.cutover.switch);
  return [
    { key: `source:${plan.source.clusterArn}`, what: 'source cluster' },
    { key: `target:${targetKey}`, what: 'target' },
    { key: `pointer:${pointerKey}`, what: 'pointer' },
  ];
}

export interface LocksHeld {
  /** Every lock taken, in order. */
  readonly keys: string[];
  /** Those of `keys` shared with other migrations in waves (released with releaseShared). */
  readonly shared: string[];
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
  const shared = keys.filter((k) => k.shared).map((k) => k.key);
  const taken: string[] = [];
  for (const { key, what, shared: isShared } of keys) {
    const attempt = isShared ? await locks.acquireShared(key, holder) : await locks.acquire(key, holder);
    if (!attempt.acquired) {
      await releaseMigrationLocks(taken, holder.executionArn, locks, shared);
      const h = attempt.heldBy;
      const rule = plan.waves
        ? 'one migration per topic and pointer; migrations in waves share a cluster and target, which a migration without waves takes alone'
        : 'one migration per cluster, target and pointer (migrations in waves share a cluster, so neither can run beside the other)';
      throw new MigrationLockedError(
        `The ${what} of migration ${plan.migrationId} (${key.slice(key.indexOf(':') + 1)}) is locked by migration ${h.migrationId}, execution ${h.executionArn} (since ${h.acquiredAt}): ${rule}. Wait for that execution to end, or stop it (msk-migrate abort ${h.executionArn}); nothing was created.`,
        { lockKey: key, heldBy: h.executionArn, heldByMigration: h.migrationId },
      );
    }
    taken.push(key);
  }
  return { keys: keys.map((k) => k.key), shared, holder };
}

/** Releases every lock this execution holds among `keys` (idempotent; never another execution's). */
export async function releaseMigrationLocks(
  keys: readonly string[],
  executionArn: string,
  locks: MigrationLocks,
  shared: readonly string[] = [],
): Promise<{ released: string[]; notHeld: string[] }> {
  const released: string[] = [];
  const notHeld: string[] = [];
  for (const key of keys) {
    const outcome = shared.includes(key)
      ? await locks.releaseShared(key, executionArn)
      : await locks.release(key, executionArn);
    (outcome === 'RELEASED' ? released : notHeld).push(key);
  }
  return { released, notHeld };
}
