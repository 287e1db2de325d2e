import * as z from 'zod';
import { buildLazySchemas, lazySchema } from '../../lambdas/core/lazy-schema';

/** The same schemas, declared eagerly and through lazySchema, with a count of the lazy builds. */
function schemas() {
  const builds = { name: 0, order: 0 };
  const eagerName = z.string().min(2).describe('A name.');
  const eagerOrder = z
    .strictObject({ name: eagerName, count: z.number().int().default(1), tags: z.array(eagerName).optional() })
    .describe('An order.');
  const lazyName = lazySchema(() => (builds.name++, z.string().min(2).describe('A name.')));
  const lazyOrder = lazySchema(
    () => (
      builds.order++,
      z
        .strictObject({ name: lazyName, count: z.number().int().default(1), tags: z.array(lazyName).optional() })
        .describe('An order.')
    ),
  );
  return { builds, eagerOrder, lazyName, lazyOrder };
}

describe('lazySchema', () => {
  it('builds the schema at its first use, once', () => {
    const { builds, lazyOrder } = schemas();
    const extended = lazyOrder.extend({ note: z.string().optional() });
    expect(builds).toEqual({ name: 0, order: 1 });

    expect(extended.parse({ name: 'ab' })).toEqual({ name: 'ab', count: 1 });
    lazyOrder.parse({ name: 'cd', tags: ['ef'] });
    expect(builds).toEqual({ name: 1, order: 1 });
  });

  it('does not build a schema only placed in another one until that one is used', () => {
    const { builds, lazyName } = schemas();
    const holder = lazySchema(() => z.object({ name: lazyName }));
    const outer = z.object({ holder: holder.optional() });
    expect(builds.name).toBe(0);

    expect(outer.safeParse({ holder: { name: 'x' } }).success).toBe(false);
    expect(builds.name).toBe(1);
  });

  it('parses, applies defaults and reports issues as the eager schema does', () => {
    const { eagerOrder, lazyOrder } = schemas();
    for (const input of [{ name: 'ab' }, { name: 'a', count: 1.5, extra: true }, { name: 'ab', tags: ['x'] }, 42]) {
      expect(lazyOrder.safeParse(input)).toEqual(eagerOrder.safeParse(input));
    }
  });

  it('is an instance of its class, with its shape, description and JSON Schema', () => {
    const { eagerOrder, lazyName, lazyOrder } = schemas();
    expect(lazyOrder).toBeInstanceOf(z.ZodObject);
    expect(lazyOrder.shape.name).toBe(lazyName);
    expect(lazyOrder.description).toBe('An order.');
    expect(lazyName.meta()).toEqual({ description: 'A name.' });
    expect(z.toJSONSchema(lazyOrder, { io: 'input' })).toEqual(z.toJSONSchema(eagerOrder, { io: 'input' }));
  });

  it('builds every schema not yet built when asked (a warm-up call), and none twice', () => {
    const { builds, lazyName, lazyOrder } = schemas();
    lazyName.parse('ab');

    buildLazySchemas();
    expect(builds).toEqual({ name: 1, order: 1 });
    lazyOrder.parse({ name: 'ab' });
    expect(builds).toEqual({ name: 1, order: 1 });
  });

  it('throws a failing build at each use, never a half-built schema', () => {
    let attempts = 0;
    const broken = lazySchema((): z.ZodString => {
      attempts++;
      throw new Error('no schema');
    });
    expect(() => broken.parse('x')).toThrow('no schema');
    expect(() => broken.parse('x')).toThrow('no schema');
    expect(attempts).toBe(2);
  });
});
