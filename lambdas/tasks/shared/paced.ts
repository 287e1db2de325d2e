import type { Pacer } from '../../ports/pacer';

/**
 * `look` until `done`, paced by `pacer` within this invocation: the first look at once, then one every
 * `pacer.everyMs` while the budget allows another, each given the previous result. Without a pacer, one look. The
 * clock is the task's, so a deadline in the looks (the drain timeout) passes as it would between invocations.
 *
 * `dueAt` (epoch ms): when the next look is worth taking, if sooner than `everyMs` from now — the drain's settle
 * elapses then, or (a time already past) at once. A look that just missed the deadline would otherwise hold the
 * producers for one more interval.
 */
export async function lookPaced<T>(args: {
  readonly pacer: Pacer | undefined;
  readonly now: () => Date;
  readonly look: (previous: T | undefined) => Promise<T>;
  readonly done: (result: T) => boolean;
  readonly dueAt?: (result: T) => number | undefined;
}): Promise<T> {
  const { pacer, now, look, done, dueAt } = args;
  let result = await look(undefined);
  if (!pacer || pacer.everyMs <= 0) return result;
  const startedAt = now().getTime();
  // One look more than the budget's count at most: the one taken early, at a due time.
  const maxLooks = Math.floor(pacer.budgetMs / pacer.everyMs) + 1;
  for (let i = 0; i < maxLooks && !done(result); i++) {
    const at = now().getTime();
    if (at - startedAt + pacer.everyMs > pacer.budgetMs) break;
    const due = dueAt?.(result);
    await pacer.sleep(due !== undefined && due - at < pacer.everyMs ? Math.max(0, due - at) : pacer.everyMs);
    result = await look(result);
  }
  return result;
}

/** A pacer that really waits (setTimeout), for the deployed functions and the rehearsal. */
export function timerPacer(settings: { everyMs: number; budgetMs: number }): Pacer {
  return { ...settings, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}
