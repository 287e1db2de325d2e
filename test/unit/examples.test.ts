import Ajv2020 from 'ajv/dist/2020';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkPlan } from '../../lambdas/core/plan/check-plan';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';

/**
 * examples/README.md promises it: every example input is valid against the published JSON Schema (what editors
 * check) and the whole check of the deployed ValidateInput and `msk-migrate validate` (lambdas/core/plan/check-plan.ts).
 */

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const schema = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'schema', 'migration-input.schema.json'), 'utf8'),
) as Record<string, unknown>;
// The schema carries a regex next to each `format: email`; the format itself is then only a label.
const validateWithJsonSchema = new Ajv2020({ allErrors: true, strict: true, formats: { email: true } }).compile(schema);
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));

describe('the example inputs', () => {
  it('are the four documented in examples/README.md', () => {
    expect(examples).toEqual([
      'msk-to-automq-mirrormaker2.json',
      'msk-to-msk-new-version.json',
      'msk-to-serverless-replicator.json',
      'msk-to-serverless-waves.json',
    ]);
  });

  it.each(examples)('%s is valid against the published JSON Schema', (file) => {
    const valid = validateWithJsonSchema(read(file));
    expect(validateWithJsonSchema.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(examples)('%s passes the deployed ValidateInput check (schema, AWS runtime, history budget)', (file) => {
    const result = checkPlan(read(file), 'AWS', WORKFLOW_DEFINITION);
    expect(result.issues).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the JSON Schema rejects what the contract does not know (it is not a permissive copy)', () => {
    const example = read('msk-to-serverless-replicator.json') as Record<string, Record<string, unknown>>;
    const misspelt = { ...example, cutover: { ...example.cutover, rollbackWindowMinute: 30 } };
    expect(validateWithJsonSchema(misspelt)).toBe(false);
    expect(validateWithJsonSchema.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          instancePath: '/cutover',
          keyword: 'additionalProperties',
          params: { additionalProperty: 'rollbackWindowMinute' },
        }),
      ]),
    );
  });
});
