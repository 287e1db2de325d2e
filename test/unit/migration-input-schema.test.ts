import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { migrationInputJsonSchema, migrationInputJsonSchemaText } from '../../lambdas/core/plan/json-schema';

const SCHEMA_FILE = path.join(__dirname, '..', '..', 'schema', 'migration-input.schema.json');

describe('the published JSON Schema of the execution input', () => {
  it('is up to date with the zod schema (run `npm run schema` after changing lambdas/core/plan/migration-plan.ts)', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(JSON.parse(committed)).toEqual(migrationInputJsonSchema());
    expect(committed).toBe(migrationInputJsonSchemaText());
  });

  it("describes the operator's side: defaults are optional, unknown keys are refused", () => {
    const schema = migrationInputJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { default?: unknown }>;
    };
    expect(schema.required.sort()).toEqual(['approval', 'cutover', 'migrationId', 'replication', 'source', 'target']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.gates?.default).toEqual({});
  });
});
