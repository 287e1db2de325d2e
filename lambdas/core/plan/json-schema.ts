import * as z from 'zod';
import { MigrationPlanSchema } from './migration-plan';

/**
 * The published JSON Schema of the execution input (schema/migration-input.schema.json): what an operator may write,
 * so the input side of the zod schema (defaults optional). Editors and other tools validate the shape with it; the
 * cross-field rules (superRefine) exist only in the zod schema, which ValidateInput and `msk-migrate validate` run.
 */
export function migrationInputJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(MigrationPlanSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'MSK migration input',
    ...rest,
    $comment:
      'Generated from lambdas/core/plan/migration-plan.ts by `npm run schema`; do not edit. Cross-field rules are checked by `msk-migrate validate`.',
  };
}

/** The file's text: stable key order from the schema, two-space indent, final newline. */
export function migrationInputJsonSchemaText(): string {
  return `${JSON.stringify(migrationInputJsonSchema(), null, 2)}\n`;
}
