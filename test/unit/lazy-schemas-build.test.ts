import * as z from 'zod';
import { buildLazySchemas } from '../../lambdas/core/lazy-schema';
import { TASK_DEFINITIONS } from '../../lambdas/workflow/tasks';
import '../../lambdas/compensator/compensate';
import '../../lambdas/approval/app';

/**
 * The functions' schemas are built on first use (lambdas/core/lazy-schema.ts), so importing a module no longer shows
 * that its schemas can be built: a schema no test parses would first be built in AWS, by a warm-up call or a task's
 * first call. Here every one is built, as a warm-up builds them.
 */
describe('the functions’ schemas, built on first use', () => {
  it('are all built by a warm-up, none left unbuilt and none failing', () => {
    // Act
    const built = buildLazySchemas();
    // Assess
    expect(built).toBeGreaterThan(100);
    expect(buildLazySchemas()).toBe(0);
  });

  it('are zod schemas once built, every task’s input and declared output', () => {
    for (const [name, definition] of Object.entries(TASK_DEFINITIONS)) {
      expect({ name, input: definition.Input instanceof z.ZodType }).toEqual({ name, input: true });
      if (definition.Output)
        expect({ name, output: definition.Output instanceof z.ZodType }).toEqual({ name, output: true });
    }
  });
});
