import type { RunResult } from '../../rehearsal/asl-runner';

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
