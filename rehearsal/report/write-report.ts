import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { renderHtmlReport } from './html';
import { renderMarkdownReport } from './markdown';
import { RehearsalResultSchema, type RehearsalResult } from './result';

export interface RehearsalReportFiles {
  readonly json: string;
  readonly md: string;
  readonly html: string;
}

/**
 * Writes `report.json`, `report.md` and `report.html` into `dir` (created when missing). The result is checked
 * against its schema first, so that a runner bug shows as a named field instead of a broken page.
 */
export async function writeRehearsalReport(result: RehearsalResult, dir: string): Promise<RehearsalReportFiles> {
  const parsed = RehearsalResultSchema.safeParse(result);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`The rehearsal result is not a valid report input: ${fields}`);
  }
  await mkdir(dir, { recursive: true });
  const files = {
    json: path.join(dir, 'report.json'),
    md: path.join(dir, 'report.md'),
    html: path.join(dir, 'report.html'),
  };
  await Promise.all([
    writeFile(files.json, `${JSON.stringify(parsed.data, null, 2)}\n`),
    writeFile(files.md, renderMarkdownReport(parsed.data)),
    writeFile(files.html, renderHtmlReport(parsed.data)),
  ]);
  return files;
}
