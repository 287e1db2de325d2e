/**
 * `npm run schema`: writes the published JSON Schema of the execution input (schema/migration-input.schema.json) and
 * the field reference table of docs/input-contract.md, both from the zod schema in lambdas/core/plan/migration-plan.ts.
 * test/unit/migration-input-schema.test.ts and test/unit/input-contract-doc.test.ts fail when either is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { migrationInputJsonSchema, migrationInputJsonSchemaText } from '../lambdas/core/plan/json-schema';
import { withFieldReference } from './input-contract-doc';

const root = path.resolve(__dirname, '..');
const SCHEMA_FILE = path.join(root, 'schema', 'migration-input.schema.json');
const DOC_FILE = path.join(root, 'docs', 'input-contract.md');

async function main(): Promise<void> {
  mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  writeFileSync(SCHEMA_FILE, migrationInputJsonSchemaText());
  const document = withFieldReference(readFileSync(DOC_FILE, 'utf8'), migrationInputJsonSchema());
  // Formatted as `npm run format` would, so that formatting the repository never makes the document stale.
  const options = (await prettier.resolveConfig(DOC_FILE)) ?? {};
  writeFileSync(DOC_FILE, await prettier.format(document, { ...options, filepath: DOC_FILE }));
  console.log(`wrote ${path.relative(root, SCHEMA_FILE)} and the field reference of ${path.relative(root, DOC_FILE)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
