import type { Pacer } from '../../ports/pacer';

/**
 * `look` until `done`, paced by `pacer` within this invocation: the first look at once, then one every
 * `pacer.everyMs` while the budget allows another, each given the previous result. Without a pacer, one look. The
 * clock is the task's, so a deadline in the looks (the drain timeout) passes as it would between invocations.
 */
export async function lookPaced<T>(args: {
  readonly pacer: Pacer | undefined;
  readonly now: () => Date;
  readonly look: (previous: T | undefined) => Promise<T>;
  readonly done: (result: T) => boolean;
}): Promise<T> {
  const { pacer, now, look, done } = args;
  let result = await look(undefined);
  if (!pacer || pacer.everyMs <= 0) return result;
  const startedAt = now().getTime();
  const maxLooks = Math.floor(pacer.budgetMs / pacer.everyMs);
  for (let i = 0; i < maxLooks && !done(result); i++) {
    if (now().getTime() - startedAt + pacer.everyMs > pacer.budgetMs) break;
    await pacer.sleep(pacer.everyMs);
    result = await look(result);
  }
  return result;
}

/** A pacer that really waits (setTimeout), for the deployed functions and the rehearsal. */
export function timerPacer(settings: { everyMs: number; budgetMs: number }): Pacer {
  return { ...settings, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}
