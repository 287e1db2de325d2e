/**
 * Adapters a port loads on first use (`import()`): in a deployed bundle each is a chunk of its own
 * (lib/handler-bundles.ts), which Node reads and evaluates only when a plan names its kind, so a cold start does not
 * load the SDK clients of the kinds a plan may name but this one does not. A warm-up call (the ASL's Warm* states)
 * loads every one of them ahead (`preload`, lambdas/runtime/aws.ts), so that a call inside the write pause never
 * waits for one.
 */

import type { MigrationPlan } from '../../core/plan/migration-plan';

export interface KindLoaders<R> {
  /**
   * The adapters of `kinds` (each loaded once per container; every kind when undefined), as a registry of those
   * kinds; unknown kinds are left out.
   */
  load(kinds: Iterable<string> | undefined): Promise<Partial<R>>;
  /** Loads every kind's adapter. */
  preload(): Promise<void>;
}

export function kindLoaders<R extends object>(loaders: {
  readonly [K in keyof R]: () => Promise<R[K]>;
}): KindLoaders<R> {
  const loaded = new Map<string, Promise<unknown>>();
  const known = Object.keys(loaders) as Array<keyof R & string>;
  const one = (kind: keyof R & string): Promise<unknown> => {
    let value = loaded.get(kind);
    if (!value) {
      value = loaders[kind]();
      loaded.set(kind, value);
      value.catch(() => loaded.delete(kind));
    }
    return value;
  };
  return {
    async load(kinds) {
      const wanted = [...new Set(kinds ?? known)].filter((kind): kind is keyof R & string =>
        (known as string[]).includes(kind),
      );
      const values = await Promise.all(wanted.map(one));
      return Object.fromEntries(wanted.map((kind, i) => [kind, values[i]])) as Partial<R>;
    },
    async preload() {
      await Promise.all(known.map(one));
    },
  };
}

/** The kinds of the plan's client switches (`cutover.switches`); without a plan, undefined: every kind. */
export function clientSwitchKindsOf(plan: Pick<MigrationPlan, 'cutover'> | undefined): string[] | undefined {
  return plan?.cutover.switches.map((s) => s.type);
}
