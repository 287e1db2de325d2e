import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import type { KafkaClientName } from '../lambdas/contract/env';
import { BUNDLE_PLUGINS_VERSION } from './bundle-plugins';

/**
 * The esbuild settings of every task function: what `NodejsFunction` would pass for nodejs22.x with `minify`,
 * `sourceMap` and no external modules, and three choices of our own that keep what a cold start loads small
 * (`npm run bench:bundles` prints each function's size and import time; test/infra/bundle-size.test.ts pins them):
 *
 * - The AWS SDK v3 is bundled, not taken from the runtime, so that the code that runs is the code we tested (the
 *   runtime's copy changes with the runtime's updates), and because one minified file loads faster than the runtime's
 *   SDK spread over hundreds of files (docs/cutover.md, "Bundles").
 * - `mainFields: module, main`: packages are taken in their ES module build where they have one. The SDK clients'
 *   CommonJS build is one file with every command of the service; their ES build is tree-shaken to the commands the
 *   adapters send (300-700 KB less per function).
 * - `avsc` is replaced by a stub (lambdas/adapters/kafka/avsc-unused.ts): @platformatic/kafka imports it only for
 *   its Schema Registry serdes, which no adapter uses. `semver` is replaced by its `gte` (lambdas/adapters/aws/
 *   semver-gte.ts), the one function the X-Ray SDK and cls-hooked call (28 KB per function).
 * - The SDK clients' default credential chain is its first link only, the environment variables in which Lambda
 *   gives the function its role's credentials (lambdas/adapters/aws/lambda-credentials.ts): the chain's other links
 *   never answer in Lambda and bring the SDK's nested STS, SSO and sign-in clients (≈ 95 KB per function).
 * - `bowser` is left out (external): the SDK's core reaches it only by an `import("bowser")` in its browser user-agent
 *   parser, which no Node client calls; esbuild would otherwise inline the browser detector into every bundle (34 KB).
 * - ES module output, one esbuild build per handler with code splitting (`format: esm`, `splitting`): each
 *   `import()` of the sources (@platformatic/kafka's reads, the adapters of each pointer, fence, client switch and
 *   consumer hold, lambdas/runtime/aws-ports/) becomes a chunk of its own that Node loads on its first use, so a cold
 *   start loads `index.mjs` and the chunks it imports statically only (`coldStartOf`). A handler's directory holds its
 *   entry and its own chunks, nothing another handler needs; nodejs22.x loads `index.mjs` for the handler
 *   `index.handler`. The banner gives the CommonJS packages bundled into an ES module (kafkajs, X-Ray) the `require`
 *   of Node's built-ins they call. @platformatic/kafka's `import.meta.url` is then the chunk's own URL;
 *   `@platformatic/wasm-utils` is taken in its `bundled` build, which holds its .wasm inlined (78 KB, in the chunk
 *   of @platformatic/kafka) instead of reading `native.wasm` next to itself, a file the bundle does not have.
 *
 * - The AWS SDK clients' operation schemas are tree-shaken (lib/bundle-plugins.ts, sdkSchemaKeys): esbuild keeps
 *   every operation of a client otherwise (50-170 KB per function). Plugins need esbuild's asynchronous `build`, so
 *   the bundles are built by `buildBundles`, in a child process.
 *
 * The source maps carry mappings only, no copy of the sources: `--enable-source-maps` needs no more for stack traces,
 * and it halves what is written, hashed, uploaded and parsed at a cold start.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  alias: {
    avsc: './lambdas/adapters/kafka/avsc-unused.ts',
    '@aws-sdk/credential-provider-node': './lambdas/adapters/aws/lambda-credentials.ts',
    '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled',
    semver: './lambdas/adapters/aws/semver-gte.ts',
  },
  banner: {
    js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
  },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: ['bowser'],
} as const satisfies BuildOptions;

/**
 * What a bundle is built for besides its entry. `kafkaClient`: the Kafka client of the deployment (the construct's
 * `kafkaClient`, which also sets the function's KAFKA_CLIENT). The bundle is built with
 * `process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT` defined to it, so the data-plane adapter of the other client, which
 * the function never loads, is left out (lambdas/adapters/kafka/index.ts, dataPlaneFactoryFor): a kafkajs function
 * does not carry @platformatic/kafka. A task that needs the other client whatever the choice keeps it (CheckDrain's
 * DescribeProducers, the Inventory's client behaviour, both on @platformatic/kafka). Without it, both adapters are
 * bundled and KAFKA_CLIENT picks at run time.
 */
export interface BundleTarget {
  readonly kafkaClient?: KafkaClientName;
}

/** The esbuild options of a bundle for `target`: BUNDLE_OPTIONS, and the deployment's Kafka client defined. */
export function bundleOptionsFor(target: BundleTarget = {}): BuildOptions {
  return {
    ...BUNDLE_OPTIONS,
    external: [...BUNDLE_OPTIONS.external],
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    alias: { ...BUNDLE_OPTIONS.alias },
    banner: { ...BUNDLE_OPTIONS.banner },
    outExtension: { ...BUNDLE_OPTIONS.outExtension },
    define: {
      ...(target.kafkaClient
        ? { 'process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT': JSON.stringify(target.kafkaClient) }
        : {}),
    },
  };
}

/** The child process `buildBundles` runs: esbuild's `build` with BUNDLE_PLUGINS. */
const BUILD_SCRIPT = path.join(__dirname, 'esbuild-build.cjs');

/**
 * esbuild's builds of `builds` with the bundles' plugins (lib/bundle-plugins.ts), synchronously (a synth is): in one
 * child Node process that runs them concurrently, as esbuild's `buildSync` takes no plugins. Writes the outputs;
 * returns each build's metafile, in order. Every bundle of a task function is built here (the construct, `npm run
 * bench:bundles`, the bundle tests), by `buildHandlers`.
 */
export function buildBundles(builds: readonly BuildOptions[]): Metafile[] {
  if (builds.some((options) => options.write === false))
    throw new Error('buildBundles: the outputs are written (write: false is not supported).');
  const run = spawnSync(process.execPath, [BUILD_SCRIPT], {
    input: JSON.stringify(builds),
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    cwd: path.dirname(BUILD_SCRIPT),
  });
  if (run.error) throw new Error(`esbuild could not be run: ${run.error.message}`, { cause: run.error });
  if (run.status !== 0) throw new Error(run.stderr.trim() || `esbuild exited with ${String(run.status)}`);
  if (run.stderr) process.stderr.write(run.stderr);
  return JSON.parse(run.stdout) as Metafile[];
}

/**
 * Each handler of `entries` (name → entry file, relative to `root`) bundled for `target` into `<outRoot>/<name>/`:
 * `index.mjs` and the chunks of its lazy imports, one esbuild build per handler so that a directory holds only what
 * its handler can load. `overrides` are merged into the options (the tests and the bench leave out source maps).
 */
export function buildHandlers(
  root: string,
  entries: Readonly<Record<string, string>>,
  outRoot: string,
  target: BundleTarget = {},
  overrides: BuildOptions = {},
): Map<string, { readonly directory: string; readonly metafile: Metafile }> {
  const names = Object.keys(entries);
  const metafiles = buildBundles(
    names.map((name) => ({
      ...bundleOptionsFor(target),
      ...overrides,
      entryPoints: { index: path.join(root, entries[name] ?? '') },
      outdir: path.join(outRoot, name),
      absWorkingDir: root,
    })),
  );
  return new Map(
    names.map((name, i) => [name, { directory: path.join(outRoot, name), metafile: metafiles[i] as Metafile }]),
  );
}

/** Output files (relative to the build's working directory), their bytes, and the source files they hold. */
export interface LoadedFiles {
  readonly files: readonly string[];
  readonly bytes: number;
  readonly inputs: readonly string[];
}

/**
 * What a handler's build loads: at a cold start (`coldStart`: `index.mjs` and the chunks it imports statically,
 * transitively), and in all (`total`: with the chunks of its `import()`s, which Node loads on their first use).
 * `entry`: the entry's output, when the build had several.
 */
export function coldStartOf(
  metafile: Metafile,
  // The handler's entry (a lazy chunk has an entryPoint too: the module its `import()` names).
  entry = Object.keys(metafile.outputs).find((out) => out === 'index.mjs' || out.endsWith('/index.mjs')),
): { readonly coldStart: LoadedFiles; readonly total: LoadedFiles } {
  if (!entry || !metafile.outputs[entry]) throw new Error("coldStartOf: the metafile names no entry's index.mjs.");
  const reach = (kinds: readonly string[]): LoadedFiles => {
    const seen = new Set<string>();
    for (let pending = [entry], file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const imported of metafile.outputs[file]?.imports ?? [])
        if (!imported.external && kinds.includes(imported.kind)) pending.push(imported.path);
    }
    const files = [...seen].sort();
    return {
      files,
      bytes: files.reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0),
      inputs: [...new Set(files.flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {})))].sort(),
    };
  };
  return { coldStart: reach(['import-statement']), total: reach(['import-statement', 'dynamic-import']) };
}

/** Files besides the bundled ones that decide what esbuild produces (transpile settings, resolved package versions). */
const BUILD_INPUTS = ['tsconfig.json', 'package-lock.json', 'lib/bundle-plugins.ts'];

/** One handler's bundle: `index.mjs` (exports `handler`), the chunks of its lazy imports and their maps in `directory`. */
export interface HandlerBundle {
  readonly directory: string;
  /** SHA-256 of the bundle's files: unchanged code keeps its asset hash, and so its S3 key. */
  readonly assetHash: string;
}

/** What `<cache>/<name>.json` records of the bundle in `<cache>/<dir>/`: checked against the files before reuse. */
interface Manifest {
  readonly key: string;
  readonly dir: string;
  readonly assetHash: string;
  /** Every file esbuild read for this entry (and BUILD_INPUTS), relative to the project root, with its SHA-256. */
  readonly inputs: Record<string, string>;
}

/**
 * The handlers of a project bundled with esbuild: many entries in ONE esbuild run (modules shared by the handlers
 * are read and parsed once), each output in its own directory for `lambda.Code.fromAsset`. Bundles are kept under
 * `cdk.out/.bundles` of the project and reused while none of the files they were built from changed, so a synth
 * after a one-handler change bundles only the handlers that depend on that change.
 *
 * Safe for concurrent synths: a bundle directory is written once under a new name and never modified; the
 * manifest that points at it is replaced atomically.
 */
export class HandlerBundles {
  private static readonly projects = new Map<string, HandlerBundles>();

  /** The bundles of the project at `projectRoot` (entries are relative to it). One instance per project and process. */
  static of(projectRoot: string): HandlerBundles {
    const root = path.resolve(projectRoot);
    let bundles = HandlerBundles.projects.get(root);
    if (!bundles) HandlerBundles.projects.set(root, (bundles = new HandlerBundles(root)));
    return bundles;
  }

  /** Where the bundles live. */
  readonly cacheDir: string;
  private readonly ready = new Map<string, HandlerBundle>();
  private readonly fileHashes = new Map<string, string>();

  private constructor(readonly projectRoot: string) {
    this.cacheDir = path.join(projectRoot, 'cdk.out', '.bundles');
  }

  /** What decides a bundle besides its inputs: esbuild's version and the options for `target`. */
  private keyOf(target: BundleTarget): string {
    return sha256(
      JSON.stringify({
        esbuild: esbuildModule().version,
        options: bundleOptionsFor(target),
        plugins: BUNDLE_PLUGINS_VERSION,
      }),
    );
  }

  /**
   * Bundles every entry that has no up-to-date bundle for `target`, all in one esbuild run. Call it with all the
   * entries of an app before creating its functions; `bundle` then only looks them up.
   */
  prebuild(entries: readonly string[], target: BundleTarget = {}): void {
    const stale = [...new Set(entries)].filter((entry) => !this.reuse(entry, target));
    if (stale.length > 0) this.build(stale, target);
  }

  /** The bundle of `entry` (e.g. `lambdas/tasks/inventory/handler.ts`) for `target`, built now if `prebuild` did not. */
  bundle(entry: string, target: BundleTarget = {}): HandlerBundle {
    const bundle =
      this.ready.get(readyKey(entry, target)) ??
      (this.prebuild([entry], target), this.ready.get(readyKey(entry, target)));
    if (!bundle) throw new Error(`HandlerBundles: esbuild produced no bundle for ${entry}.`);
    return bundle;
  }

  private reuse(entry: string, target: BundleTarget): boolean {
    if (this.ready.has(readyKey(entry, target))) return true;
    const manifest = readManifest(path.join(this.cacheDir, `${bundleName(entry, target)}.json`));
    if (
      !manifest ||
      manifest.key !== this.keyOf(target) ||
      !fs.existsSync(path.join(this.cacheDir, manifest.dir, 'index.mjs'))
    )
      return false;
    for (const [file, hash] of Object.entries(manifest.inputs)) {
      if (this.hashOf(file) !== hash) return false;
    }
    this.ready.set(readyKey(entry, target), {
      directory: path.join(this.cacheDir, manifest.dir),
      assetHash: manifest.assetHash,
    });
    return true;
  }

  private build(entries: string[], target: BundleTarget): void {
    for (const entry of entries) {
      if (!fs.existsSync(path.join(this.projectRoot, entry)))
        throw new Error(
          `HandlerBundles: the handler ${entry} does not exist. Write it (export \`handler\`), or fix the entry path.`,
        );
    }
    fs.mkdirSync(this.cacheDir, { recursive: true });
    // Built next to its final place (same depth, so the source maps' relative paths hold), renamed when complete.
    const staging = new Map(
      entries.map((entry) => [
        entry,
        `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}-${bundleName(entry, target)}`,
      ]),
    );
    let built: Map<string, { readonly metafile: Metafile }>;
    try {
      built = buildHandlers(
        this.projectRoot,
        Object.fromEntries(entries.map((entry) => [staging.get(entry) ?? '', entry])),
        this.cacheDir,
        target,
        { logLevel: 'warning' },
      );
    } catch (err) {
      for (const dir of staging.values()) fs.rmSync(path.join(this.cacheDir, dir), { recursive: true, force: true });
      throw new Error(`HandlerBundles: esbuild failed for ${entries.join(', ')}: ${(err as Error).message}`);
    }
    for (const entry of entries) {
      const dir = staging.get(entry) ?? '';
      const inputs = Object.fromEntries(
        [...BUILD_INPUTS, ...inputsOf(built.get(dir)?.metafile, entry)].map((file) => {
          this.fileHashes.delete(file);
          return [file, this.hashOf(file)];
        }),
      );
      const assetHash = hashDirectory(path.join(this.cacheDir, dir));
      const name = bundleName(entry, target);
      const finalDir = `${name}-${assetHash.slice(0, 16)}`;
      if (fs.existsSync(path.join(this.cacheDir, finalDir)))
        fs.rmSync(path.join(this.cacheDir, dir), { recursive: true, force: true });
      else renameOrKeep(path.join(this.cacheDir, dir), path.join(this.cacheDir, finalDir));
      const manifest: Manifest = { key: this.keyOf(target), dir: finalDir, assetHash, inputs };
      writeAtomically(path.join(this.cacheDir, `${name}.json`), JSON.stringify(manifest));
      this.ready.set(readyKey(entry, target), { directory: path.join(this.cacheDir, finalDir), assetHash });
      pruneOldBundles(this.cacheDir, name, finalDir);
    }
  }

  /** SHA-256 of a project file (memoized for this process); `absent` when it does not exist (creating it counts). */
  private hashOf(file: string): string {
    if (!this.fileHashes.has(file)) {
      const absolute = path.join(this.projectRoot, file);
      this.fileHashes.set(file, fs.existsSync(absolute) ? sha256(fs.readFileSync(absolute)) : 'absent');
    }
    return this.fileHashes.get(file) ?? 'absent';
  }
}

/**
 * `lambdas/tasks/check-drain/handler.ts` → `lambdas-tasks-check-drain-handler`, and `…-handler-kafkajs` for a
 * kafkajs deployment's bundle.
 */
function bundleName(entry: string, target: BundleTarget = {}): string {
  const name = entry.replace(/\.[cm]?[jt]sx?$/, '').replace(/[^A-Za-z0-9_-]+/g, '-');
  return target.kafkaClient ? `${name}-${target.kafkaClient}` : name;
}

function readyKey(entry: string, target: BundleTarget): string {
  return target.kafkaClient ? `${entry}#${target.kafkaClient}` : entry;
}

/**
 * Every project file esbuild read for `entry`: the closure of its imports, including modules tree-shaken away
 * entirely (a side effect added to one of them changes the bundle). Paths are relative to absWorkingDir.
 */
function inputsOf(metafile: Metafile | undefined, entry: string): string[] {
  if (!metafile) throw new Error(`HandlerBundles: esbuild returned no metafile for ${entry}.`);
  const seen = new Set<string>();
  const pending = [entry.split(path.sep).join('/')];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const input = metafile.inputs[file];
    if (seen.has(file) || !input) continue;
    seen.add(file);
    for (const imported of input.imports) if (!imported.external) pending.push(imported.path);
  }
  if (seen.size === 0) throw new Error(`HandlerBundles: esbuild's metafile does not list the entry ${entry}.`);
  return [...seen].filter((file) => !file.includes(':'));
}

function hashDirectory(dir: string): string {
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(dir).sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

/** Another synth may have put the same content there first: then its copy is as good as ours. */
function renameOrKeep(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if (!fs.existsSync(to)) throw err;
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/** Older bundles of the entry, once no synth can still be copying them (an hour after they were written). */
function pruneOldBundles(cacheDir: string, name: string, keep: string): void {
  const pattern = new RegExp(`^${name}-[0-9a-f]{16}$`);
  const before = Date.now() - 60 * 60_000;
  for (const dir of fs.readdirSync(cacheDir)) {
    if (dir === keep || !pattern.test(dir)) continue;
    const stat = fs.statSync(path.join(cacheDir, dir), { throwIfNoEntry: false });
    if (stat && stat.mtimeMs < before) fs.rmSync(path.join(cacheDir, dir), { recursive: true, force: true });
  }
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** esbuild is loaded only when something is bundled: synths with placeholder code (tests) do not need it. */
function esbuildModule(): typeof import('esbuild') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as typeof import('esbuild');
  } catch {
    throw new Error(
      'HandlerBundles: esbuild is not installed. Add it to your devDependencies (npm install --save-dev esbuild); the task functions are bundled locally, without Docker.',
    );
  }
}
