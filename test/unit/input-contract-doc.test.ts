import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { migrationInputJsonSchema } from '../../lambdas/core/plan/json-schema';
import {
  documentedPaths,
  fieldReferenceTable,
  fieldRows,
  tableCells,
  TABLE_END,
  TABLE_START,
} from '../../scripts/input-contract-doc';

const DOC = readFileSync(path.join(__dirname, '..', '..', 'docs', 'input-contract.md'), 'utf8');
const schema = migrationInputJsonSchema();

describe('docs/input-contract.md', () => {
  it('lists exactly the field paths of the schema, in its order', () => {
    expect(documentedPaths(DOC)).toEqual(fieldRows(schema).map((r) => r.path));
  });

  it('has the field reference the schema generates (run `npm run schema` after changing the schema)', () => {
    const generated = `${TABLE_START}\n\n${fieldReferenceTable(schema)}\n\n${TABLE_END}`;
    expect(tableCells(DOC)).toEqual(tableCells(generated));
  });

  it('documents nested and per-variant fields with their defaults', () => {
    const rows = new Map(fieldRows(schema).map((r) => [r.path, r]));
    expect(rows.get('gates.pollIntervalSeconds')).toMatchObject({ type: 'integer', required: false, default: 60 });
    expect(rows.get('cutover.switch.parameterName')?.rule).toMatch(/When switch.type = SSM_PARAMETER\./);
    expect(rows.get('approval.approvers[].slackUserId')).toBeDefined();
    expect(rows.get('cutover.switch.type')?.type).toBe('"SSM_PARAMETER" | "ROUTE53" | "HOOK" | "LOCAL_FILE"');
  });
});
