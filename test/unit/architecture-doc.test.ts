import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STATES } from '../../lambdas/workflow/catalogue';

/**
 * docs/architecture.md answers a newcomer's questions in one page (#13): what it names must be where it says. Every
 * repository path it names exists, its count of Task states running another function's code is the catalogue's, and
 * its answer to "where does ReleaseFailbackFence run?" names the file that holds that logic.
 */

const ROOT = path.join(__dirname, '..', '..');
const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  it('names only paths that exist', () => {
    const named = [
      ...doc.matchAll(/`((?:lambdas|lib|test|rehearsal|statemachine|cli|scripts|examples|schema|docs)\/[^`\s*<>|]+)`/g),
    ]
      .map((m) => m[1]!.replace(/[.,:;)]+$/, ''))
      .filter((p) => !p.includes('<'));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  it("counts the Task states that run another function's code as the catalogue does", () => {
    const states = Object.entries(STATES);
    const other = states.filter(([name, entry]) => name !== entry.function).length;
    expect(doc).toContain(`${other} of the ${states.length} Task states run a function of another name`);
  });

  it("places ReleaseFailbackFence's logic in the file that defines it", () => {
    const answer = doc.slice(doc.indexOf('## Where does `ReleaseFailbackFence` run?'), doc.indexOf('## Which code'));
    const file = /`releaseFailbackFence` in\s+`([^`]+)`/.exec(answer)?.[1];
    expect(file).toBeDefined();
    expect(readFileSync(path.join(ROOT, file!), 'utf8')).toMatch(/export async function releaseFailbackFence\(/);
  });
});
