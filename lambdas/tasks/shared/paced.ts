import type { Pacer } from '../../ports/pacer';

/**
 * `look` until `done`, paced by `pacer` within this invocation: the first look at once, then one every
 * `pacer.everyMs` while the budget allows another, each given the previous result. Without a pacer, one look. The
 * clock is the task's, so a deadline in the looks (the drain timeout) passes as it would between invocations.
 *
 * `dueAt` (epoch ms): when the next look is worth taking, if sooner than `everyMs` from now — the drain's settle
 * elapses then, or (a time already past) at once. A look that just missed the deadline would otherwise hold the
 * producers for one more interval. Sooner looks still start at least a fifth of `everyMs` apart (SOONER_SHARE), so
 * that a source that keeps moving is looked at no more than five times as often as the pacer's rate.
 */
export async function lookPaced<T>(args: {
  readonly pacer: Pacer | undefined;
  readonly now: () => Date;
  readonly look: (previous: T | undefined) => Promise<T>;
  readonly done: (result: T) => boolean;
  readonly dueAt?: (result: T) => number | undefined;
}): Promise<T> {
  const { pacer, now, look, done, dueAt } = args;
  let lookStartedAt = now().getTime();
  let result = await look(undefined);
  if (!pacer || pacer.everyMs <= 0) return result;
  const startedAt = now().getTime();
  const minGapMs = soonestGapMs(pacer);
  const maxLooks = Math.floor(pacer.budgetMs / minGapMs) + 1;
  for (let i = 0; i < maxLooks && !done(result); i++) {
    const at = now().getTime();
    if (at - startedAt + pacer.everyMs > pacer.budgetMs) break;
    const due = dueAt?.(result);
    const sooner = due !== undefined && due - at < pacer.everyMs;
    await pacer.sleep(sooner ? Math.max(due - at, minGapMs - (at - lookStartedAt), 0) : pacer.everyMs);
    lookStartedAt = now().getTime();
    result = await look(result);
  }
  return result;
}

/** Sooner looks (`dueAt`) start at least `everyMs / SOONER_SHARE` after the previous look started. */
const SOONER_SHARE = 5;

/** How soon after a look's start the next one may start when it is due sooner (0 without a pacer). */
export function soonestGapMs(pacer: Pick<Pacer, 'everyMs'> | undefined): number {
  return pacer && pacer.everyMs > 0 ? pacer.everyMs / SOONER_SHARE : 0;
}

/** A pacer that really waits (setTimeout), for the deployed functions and the rehearsal. */
export function timerPacer(settings: { everyMs: number; budgetMs: number }): Pacer {
  return { ...settings, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}
