import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHandlers, coldStartOf } from '../lib/handler-bundles';
import type { KafkaClientName } from '../lambdas/contract/env';
import { FUNCTIONS, type FunctionName } from '../lambdas/workflow/catalogue';

/**
 * Each task function's bundle as the construct builds it for a deployment's Kafka client (lib/handler-bundles.ts:
 * esbuild, minified, an ES module with the chunks of its lazy imports, the AWS SDK bundled; kafkajs, the default,
 * unless asked) and what loading it costs: the bytes a cold start loads (`index.mjs` and the chunks it imports
 * statically) and in all (with the chunks loaded on first use), and the time a fresh Node process takes to import it
 * as Lambda does (`import()` of index.mjs: the import part of a cold start, before any work). Used by
 * `npm run bench:bundles` and by `npm run bench:cutover` (the modeled AWS pause takes each function's import time
 * from here).
 */

export interface BundleFigure {
  readonly fn: FunctionName;
  readonly entry: string;
  /** Bytes a cold start loads: index.mjs and the chunks it imports statically. */
  readonly bytes: number;
  /** Bytes of every file the function can load: with the chunks of its `import()`s. */
  readonly totalBytes: number;
  /** Files (index.mjs and chunks) a cold start loads, and in all. */
  readonly coldFiles: number;
  readonly totalFiles: number;
  /**
   * Median CPU time (user + system) of importing `index.mjs` in a fresh Node process, in ms: the work a cold start
   * does, which another process on a shared machine does not inflate the way it inflates the wall time.
   */
  readonly importMs: number;
  /** Median wall time of the same imports, in ms (contention included). */
  readonly importWallMs: number;
  /** Median CPU time of then importing every lazy chunk too (what a warm-up preloads), in ms; 0 without any. */
  readonly lazyImportMs: number;
}

/** The handler entry of each catalogue function that this project builds (the approval function is another construct's). */
export function handlerEntries(functions: readonly FunctionName[] = Object.keys(FUNCTIONS) as FunctionName[]): Array<{
  fn: FunctionName;
  entry: string;
}> {
  return functions
    .filter((fn) => !('providedBy' in FUNCTIONS[fn]))
    .map((fn) => ({ fn, entry: `${FUNCTIONS[fn].module}/handler.ts` }));
}

/** The environment a task function's module reads at load (names only; values are placeholders, never used to call AWS). */
const LOAD_ENV = {
  AWS_REGION: 'eu-west-1',
  ARTIFACT_BUCKET: 'bench-bundles',
  REPLICATOR_SERVICE_ROLE_ARN: 'arn:aws:iam::111122223333:role/bench',
  MIGRATION_LOCK_TABLE: 'bench-bundles',
  AWS_LAMBDA_FUNCTION_NAME: 'bench-bundles',
  POWERTOOLS_SERVICE_NAME: 'bench-bundles',
};

/**
 * CPU and wall time (ms) to import a bundle's `index.mjs` in a fresh Node process as Lambda's runtime does (a dynamic
 * `import()` of the file's URL), and the CPU time of then importing `lazy` (its lazy chunks) too, each the median of
 * `samples`.
 */
export function importTimeMs(
  bundle: string,
  samples = 3,
  lazy: readonly string[] = [],
): { cpuMs: number; wallMs: number; lazyCpuMs: number } {
  const script = `const {pathToFileURL}=require('node:url');const [entry,...lazy]=process.argv.slice(1);(async()=>{const c=process.cpuUsage();const t=process.hrtime.bigint();await import(pathToFileURL(entry).href);const u=process.cpuUsage(c);const w=Number(process.hrtime.bigint()-t)/1e6;const l=process.cpuUsage();for(const f of lazy)await import(pathToFileURL(f).href);const v=process.cpuUsage(l);process.stdout.write(JSON.stringify([(u.user+u.system)/1e3,w,(v.user+v.system)/1e3]));})().catch((e)=>{process.stderr.write(String(e&&e.stack||e));process.exitCode=1;});`;
  const cpu: number[] = [];
  const wall: number[] = [];
  const lazyCpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(process.execPath, ['--no-warnings', '-e', script, bundle, ...lazy], {
      env: { ...process.env, ...LOAD_ENV },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0)
      throw new Error(`bench:bundles: loading ${bundle} failed: ${run.stderr.trim().slice(0, 500)}`);
    const [c, w, l] = JSON.parse(run.stdout) as [number, number, number];
    cpu.push(c);
    wall.push(w);
    lazyCpu.push(l);
  }
  const median = (values: number[]): number => {
    values.sort((a, b) => a - b);
    return Math.round(values[Math.floor(values.length / 2)] as number);
  };
  return { cpuMs: median(cpu), wallMs: median(wall), lazyCpuMs: lazy.length > 0 ? median(lazyCpu) : 0 };
}

/** Builds the bundles of `functions` (in a temporary directory) and measures each. */
export function measureBundles(
  functions?: readonly FunctionName[],
  options: { root?: string; samples?: number; kafkaClient?: KafkaClientName } = {},
): BundleFigure[] {
  const root = options.root ?? path.resolve(__dirname, '..');
  const entries = handlerEntries(functions);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
  try {
    // As a deployment of that client builds its data-plane functions (lib/migration-orchestrator.ts, bundleTargetOf;
    // for the others, built for kafkajs there, the client changes nothing but StopFailback's source).
    const built = buildHandlers(
      root,
      Object.fromEntries(entries.map(({ fn, entry }) => [fn, entry])),
      outdir,
      { kafkaClient: options.kafkaClient ?? 'kafkajs' },
      { sourcemap: false, logLevel: 'error' },
    );
    return entries.map(({ fn, entry }) => {
      const { metafile } = built.get(fn) ?? {};
      if (!metafile) throw new Error(`bench:bundles: no build of ${fn}`);
      const { coldStart, total } = coldStartOf(metafile);
      const lazy = total.files.filter((file) => !coldStart.files.includes(file)).map((file) => path.join(root, file));
      const { cpuMs, wallMs, lazyCpuMs } = importTimeMs(path.join(outdir, fn, 'index.mjs'), options.samples, lazy);
      return {
        fn,
        entry,
        bytes: coldStart.bytes,
        totalBytes: total.bytes,
        coldFiles: coldStart.files.length,
        totalFiles: total.files.length,
        importMs: cpuMs,
        importWallMs: wallMs,
        lazyImportMs: lazyCpuMs,
      };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export const MB = 1024 * 1024;
