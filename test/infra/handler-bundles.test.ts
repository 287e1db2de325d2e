import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HandlerBundles as HandlerBundlesType } from '../../lib/handler-bundles';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** A project of two small handlers sharing one module, in its own directory (so its cdk.out/.bundles is its own). */
function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-bundles-'));
  roots.push(root);
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('tsconfig.json', '{ "compilerOptions": { "strict": true } }\n');
  write('shared/greeting.ts', 'export const greeting = (name: string): string => `hello ${name}`;\n');
  write(
    'tasks/one/handler.ts',
    "import { greeting } from '../../shared/greeting';\nexport const handler = async (): Promise<string> => greeting('one');\n",
  );
  write('tasks/two/handler.ts', "export const handler = async (): Promise<string> => 'two';\n");
  return root;
}

/** A fresh module instance, as a new `cdk synth` process would have: only what is on disk is shared. */
function freshBundles(root: string): HandlerBundlesType {
  let bundles: HandlerBundlesType | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bundles = (require('../../lib/handler-bundles') as typeof import('../../lib/handler-bundles')).HandlerBundles.of(
      root,
    );
  });
  if (!bundles) throw new Error('lib/handler-bundles did not load');
  return bundles;
}

/** What the bundle's `handler` resolves to, imported in a plain Node process as Lambda imports index.mjs. */
function invoke(directory: string): unknown {
  const script = `import(require('node:url').pathToFileURL(process.argv[1]).href).then((m) => m.handler()).then((r) => process.stdout.write(JSON.stringify(r)))`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script, path.join(directory, 'index.mjs')], { encoding: 'utf8' }),
  );
}

const ENTRIES = ['tasks/one/handler.ts', 'tasks/two/handler.ts'];

describe('HandlerBundles', () => {
  jest.setTimeout(60_000);

  it('bundles each entry into its own directory with a minified ES module handler and a source map without sources', () => {
    const root = project();
    const bundles = freshBundles(root);

    bundles.prebuild(ENTRIES);

    const one = bundles.bundle('tasks/one/handler.ts');
    expect(fs.readdirSync(one.directory).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(invoke(one.directory)).toBe('hello one');
    const map = JSON.parse(fs.readFileSync(path.join(one.directory, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect({
      sources: map.sources.map((s) => path.resolve(one.directory, s)).sort(),
      sourcesContent: map.sourcesContent,
    }).toEqual({
      sources: [path.join(root, 'shared/greeting.ts'), path.join(root, 'tasks/one/handler.ts')].sort(),
      sourcesContent: undefined,
    });
    expect(bundles.bundle('tasks/two/handler.ts').directory).not.toBe(one.directory);
  });

  it('reuses the bundles of a previous synth while none of their inputs changed, with the same asset hash', () => {
    const root = project();
    const first = freshBundles(root);
    first.prebuild(ENTRIES);
    const before = first.bundle('tasks/one/handler.ts');
    fs.writeFileSync(path.join(before.directory, 'index.mjs'), 'marker of the first build');

    const second = freshBundles(root);
    second.prebuild(ENTRIES);

    expect(second.bundle('tasks/one/handler.ts')).toEqual(before);
    expect(fs.readFileSync(path.join(before.directory, 'index.mjs'), 'utf8')).toBe('marker of the first build');
  });

  it('rebuilds only the entries whose inputs changed, under a new asset hash', () => {
    const root = project();
    const first = freshBundles(root);
    first.prebuild(ENTRIES);
    const [oneBefore, twoBefore] = ENTRIES.map((entry) => first.bundle(entry));

    fs.writeFileSync(
      path.join(root, 'shared/greeting.ts'),
      'export const greeting = (name: string): string => `good morning ${name}`;\n',
    );
    const second = freshBundles(root);
    second.prebuild(ENTRIES);

    const oneAfter = second.bundle('tasks/one/handler.ts');
    expect(oneAfter.assetHash).not.toBe(oneBefore?.assetHash);
    expect(fs.readFileSync(path.join(oneAfter.directory, 'index.mjs'), 'utf8')).toContain('good morning');
    expect(second.bundle('tasks/two/handler.ts')).toEqual(twoBefore);
  });

  it('rebuilds when a module tree-shaken out of the bundle gains a side effect', () => {
    const root = project();
    fs.writeFileSync(path.join(root, 'shared/unused.ts'), 'export const unused = 1;\n');
    fs.writeFileSync(
      path.join(root, 'shared/index.ts'),
      "export { greeting } from './greeting';\nexport { unused } from './unused';\n",
    );
    fs.writeFileSync(
      path.join(root, 'tasks/one/handler.ts'),
      "import { greeting } from '../../shared/index';\nexport const handler = async (): Promise<string> => greeting('one');\n",
    );
    const first = freshBundles(root);
    first.prebuild(ENTRIES);
    const before = first.bundle('tasks/one/handler.ts');

    fs.writeFileSync(path.join(root, 'shared/unused.ts'), "export const unused = 1;\nprocess.env.LOADED = 'unused';\n");
    const second = freshBundles(root);
    second.prebuild(ENTRIES);

    const after = second.bundle('tasks/one/handler.ts');
    expect(after.assetHash).not.toBe(before.assetHash);
    expect(fs.readFileSync(path.join(after.directory, 'index.mjs'), 'utf8')).toContain('LOADED');
  });

  it('builds a bundle per deployment Kafka client, leaving out the branch of the client it was not built for', () => {
    const root = project();
    fs.writeFileSync(path.join(root, 'shared/other-client.ts'), "export const marker = 'other client adapter';\n");
    fs.writeFileSync(
      path.join(root, 'tasks/two/handler.ts'),
      "export const handler = async (): Promise<string> => {\n  if (process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT !== 'kafkajs') return (await import('../../shared/other-client')).marker;\n  return 'kafkajs only';\n};\n",
    );
    const bundles = freshBundles(root);

    bundles.prebuild(['tasks/two/handler.ts'], { kafkaClient: 'kafkajs' });
    const kafkajs = bundles.bundle('tasks/two/handler.ts', { kafkaClient: 'kafkajs' });
    const both = bundles.bundle('tasks/two/handler.ts');

    expect(kafkajs.directory).not.toBe(both.directory);
    expect(path.basename(kafkajs.directory)).toMatch(/^tasks-two-handler-kafkajs-[0-9a-f]{16}$/);
    expect(fs.readdirSync(kafkajs.directory).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(fs.readFileSync(path.join(kafkajs.directory, 'index.mjs'), 'utf8')).not.toContain('other client adapter');
    // Built for both, the other client's adapter is a chunk of its own, loaded on first use.
    const chunks = fs.readdirSync(both.directory).filter((f) => f.endsWith('.mjs') && f !== 'index.mjs');
    expect(chunks).toEqual([expect.stringMatching(/^other-client-[A-Z0-9]+\.mjs$/)]);
    expect(fs.readFileSync(path.join(both.directory, chunks[0] ?? ''), 'utf8')).toContain('other client adapter');
    expect(fs.readFileSync(path.join(both.directory, 'index.mjs'), 'utf8')).not.toContain('other client adapter');
    expect(invoke(kafkajs.directory)).toBe('kafkajs only');
    expect(invoke(both.directory)).toBe('other client adapter');
  });

  it('names the entry when its handler does not exist', () => {
    const bundles = freshBundles(project());

    expect(() => bundles.prebuild(['tasks/three/handler.ts'])).toThrow(
      'HandlerBundles: the handler tasks/three/handler.ts does not exist',
    );
  });
});
