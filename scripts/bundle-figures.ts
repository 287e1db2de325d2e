import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBundles, bundleOptionsFor } from '../lib/handler-bundles';
import type { KafkaClientName } from '../lambdas/contract/env';
import { FUNCTIONS, type FunctionName } from '../lambdas/workflow/catalogue';

/**
 * Each task function's bundle as the construct builds it for a deployment's Kafka client (lib/handler-bundles.ts:
 * esbuild, minified, CommonJS, the AWS SDK bundled; kafkajs, the default, unless asked) and what loading it costs: its size and the time a fresh Node process takes to `require` it (the
 * import part of a Lambda cold start, before any work). Used by `npm run bench:bundles` and by `npm run bench:cutover`
 * (the modeled AWS pause takes each function's import time from here).
 */

export interface BundleFigure {
  readonly fn: FunctionName;
  readonly entry: string;
  readonly bytes: number;
  /**
   * Median CPU time (user + system) of importing `index.js` in a fresh Node process, in ms: the work a cold start
   * does, which another process on a shared machine does not inflate the way it inflates the wall time.
   */
  readonly importMs: number;
  /** Median wall time of the same imports, in ms (contention included). */
  readonly importWallMs: number;
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

/** CPU and wall time to `require` a bundle in a fresh Node process (ms), each the median of `samples`. */
export function importTimeMs(bundle: string, samples = 3): { cpuMs: number; wallMs: number } {
  const script = `const c=process.cpuUsage();const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([(u.user+u.system)/1e3,Number(process.hrtime.bigint()-t)/1e6]));`;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(process.execPath, ['--no-warnings', '-e', script], {
      env: { ...process.env, ...LOAD_ENV },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0)
      throw new Error(`bench:bundles: loading ${bundle} failed: ${run.stderr.trim().slice(0, 500)}`);
    const [c, w] = JSON.parse(run.stdout) as [number, number];
    cpu.push(c);
    wall.push(w);
  }
  const median = (values: number[]): number => {
    values.sort((a, b) => a - b);
    return Math.round(values[Math.floor(values.length / 2)] as number);
  };
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

/** Builds the bundles of `functions` in one esbuild run (in a temporary directory) and measures each. */
export function measureBundles(
  functions?: readonly FunctionName[],
  options: { root?: string; samples?: number; kafkaClient?: KafkaClientName } = {},
): BundleFigure[] {
  const root = options.root ?? path.resolve(__dirname, '..');
  const entries = handlerEntries(functions);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
  try {
    buildBundles({
      // As a deployment of that client builds its data-plane functions (lib/migration-orchestrator.ts, bundleTargetOf;
      // for the others, built for kafkajs there, the client changes nothing but StopFailback's source).
      ...bundleOptionsFor({ kafkaClient: options.kafkaClient ?? 'kafkajs' }),
      sourcemap: false,
      entryPoints: Object.fromEntries(entries.map(({ fn, entry }) => [`${fn}/index`, path.join(root, entry)])),
      outdir,
      absWorkingDir: root,
      logLevel: 'error',
    });
    return entries.map(({ fn, entry }) => {
      const file = path.join(outdir, fn, 'index.js');
      const { cpuMs, wallMs } = importTimeMs(file, options.samples);
      return { fn, entry, bytes: fs.statSync(file).size, importMs: cpuMs, importWallMs: wallMs };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export const MB = 1024 * 1024;
