import type { RunResult } from '../../rehearsal/asl-runner';
import type { World } from './world';

/** Assertions on the states an execution visited (from its event log), shared by the workflow path tests. */

/** `expected` appears in `visited` in this order (other states may come between). */
export function expectVisitedInOrder(visited: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const name of visited) if (name === expected[at]) at++;
  if (at < expected.length) {
    throw new Error(
      `visited states lack "${expected[at]}" after ${JSON.stringify(expected.slice(0, at))}:\n${visited.join(' > ')}`,
    );
  }
}

export function expectNeverVisited(visited: readonly string[], states: readonly string[]): void {
  const seen = states.filter((s) => visited.includes(s));
  if (seen.length > 0)
    throw new Error(`visited ${JSON.stringify(seen)}, which this path must never reach:\n${visited.join(' > ')}`);
}

/** The Cause of a Lambda task error is Lambda's `{errorType, errorMessage}` document: its message. */
export function messageOf(cause: string | undefined): string {
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : (cause ?? '');
  } catch {
    return cause ?? '';
  }
}

export function summary(result: RunResult): string {
  return `${result.status} ${result.error ?? ''}: ${result.visited.join(' > ')}`;
}

/**
 * What an aborted or stopped execution leaves once rolled back (by its own rollback path or by the compensator): the
 * replicator, alarms, canary topic and created cluster gone, the source's topics as they were, no record written to
 * the source, the locks free.
 */
export function expectEverythingOursUndone(world: World): void {
  expect(world.replicator.replicators.size).toBe(0);
  expect(world.replicator.deletedNames).toEqual(world.replicator.createdNames);
  expect(world.lagSignals.alarms.size).toBe(0);
  expect([...world.source.topics.keys()].sort()).toEqual(['ledger.entries', 'payments']);
  expect(world.provisioner.deleted).toEqual(world.provisioner.created);
  expect(world.sourceWritesBesidesCanary()).toEqual([]);
  expect(world.locks.held.size).toBe(0);
}
