import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The runtime code imports without a cycle (the access checkers once sat in a circle between the security mapping
 * and the validation core): a module can be read, tested and moved on its own, and an import order never decides
 * whether a value is defined yet.
 */

const ROOT = path.resolve(__dirname, '../../lambdas');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(/from '(\.[^']+)'/g)) {
    const base = path.resolve(path.dirname(file), match[1] as string);
    const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    if (resolved) out.push(resolved);
  }
  return out;
}

/** Every import path that leads back to where it started, as `a → b → a` (relative to lambdas/). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') {
        const loop = [...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(ROOT, f));
        found.push(loop.join(' → '));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('imports under lambdas/', () => {
  it('form no cycle', () => {
    // Prepare
    const graph = new Map(sourceFiles(ROOT).map((file) => [file, importsOf(file)]));
    // Act
    const loops = cycles(graph);
    // Assess
    expect(loops).toEqual([]);
  });

  it('would report a cycle such as the access checkers once formed', () => {
    // Prepare
    const a = path.join(ROOT, 'core/security-mapping/access-coverage.ts');
    const b = path.join(ROOT, 'core/validation/principal-access.ts');
    // Act
    const loops = cycles(
      new Map([
        [a, [b]],
        [b, [a]],
      ]),
    );
    // Assess
    expect(loops).toEqual([
      'core/security-mapping/access-coverage.ts → core/validation/principal-access.ts → core/security-mapping/access-coverage.ts',
    ]);
  });
});
