import * as z from 'zod';

/** The lazy schemas not built yet, by their initialisers. */
const unbuilt = new Set<() => void>();

/**
 * A zod schema built the first time it is used, then kept: `lazySchema(() => z.object({ … }))` is the schema the
 * function returns, with the same type, methods and behaviour.
 *
 * Why: zod builds a schema where it is declared, and a Lambda bundle declares every schema of every module it reaches
 * (about 2,000 for a task function, most of them the plan's and the inventory's) before its handler runs, 30-50 ms of
 * each cold start's import. Built on first use, a function builds only the schemas it parses with, when it parses.
 *
 * How: the schema is a Proxy over an empty object. The first operation on it runs `build` and initialises the Proxy
 * itself as a copy of the result (zod's `init` of the result's class on the result's definition, as zod's own `clone`
 * does), so that the schema zod sees is the Proxy: its parsers, its JSON Schema and its place in other schemas all
 * have one identity. Schemas built from it (`.optional()`, `.extend()`, a field of `z.object`) keep the Proxy and
 * build it only when they are used themselves. Its metadata in zod's global registry (`.describe`, `.meta`) is the
 * result's.
 */
export function lazySchema<S extends z.ZodType>(build: () => S): S {
  const target = {} as S;
  let built = false;
  const standIn: S = new Proxy(target, {
    get: (t, key) => (initialise(), Reflect.get(t, key, standIn)),
    set: (t, key, value) => (initialise(), Reflect.set(t, key, value, standIn)),
    has: (t, key) => (initialise(), Reflect.has(t, key)),
    deleteProperty: (t, key) => (initialise(), Reflect.deleteProperty(t, key)),
    defineProperty: (t, key, descriptor) => (initialise(), Reflect.defineProperty(t, key, descriptor)),
    ownKeys: (t) => (initialise(), Reflect.ownKeys(t)),
    getOwnPropertyDescriptor: (t, key) => (initialise(), Reflect.getOwnPropertyDescriptor(t, key)),
    getPrototypeOf: (t) => (initialise(), Reflect.getPrototypeOf(t)),
  });
  function initialise(): void {
    if (built) return;
    const schema = build();
    built = true;
    unbuilt.delete(initialise);
    const internals = schema._zod;
    Object.setPrototypeOf(target, Object.getPrototypeOf(schema));
    const constr: z.core.$constructor<S> = internals.constr as unknown as z.core.$constructor<S>;
    constr.init(standIn, internals.def);
    const copy = standIn._zod as typeof internals & { deferred?: Array<() => void> | undefined };
    // What zod's constructor does after `init` (lambdas never set zod's global post-processor).
    if (copy.deferred) {
      for (const run of copy.deferred) run();
      copy.deferred = undefined;
    }
    if (internals.parent) copy.parent = internals.parent;
    const meta = z.globalRegistry.get(schema);
    if (meta !== undefined) z.globalRegistry.add(standIn, meta);
  }
  unbuilt.add(initialise);
  return standIn;
}

/**
 * Builds every lazy schema declared so far and not yet built; returns how many were pending. A warm-up call does it
 * (lambdas/middleware/observability.ts), so that the first call after it, which may fall inside the write pause, builds
 * no schema.
 */
export function buildLazySchemas(): number {
  const pending = [...unbuilt];
  for (const initialise of pending) initialise();
  return pending.length;
}
