import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHandlers } from '../../lib/handler-bundles';
import { taskEntry } from '../../lib/migration-orchestrator';

/**
 * @platformatic/kafka as the deployed bundles run it (an ES module with the package in a chunk of its own, loaded on
 * first use, lib/handler-bundles.ts): CheckDrain's DescribeProducers and the Inventory's client-behaviour reads build
 * their adapter in a plain Node process that imports the bundle the construct deploys from its directory, as Lambda
 * does. The tests of the tasks run the sources, where the package's `import.meta.url` and its .wasm file are where
 * it expects them; in a bundle there is no .wasm file (docs/kafka-clients.md, "Loading @platformatic/kafka in the
 * bundles"), which only this test sees.
 */

const ROOT = path.join(__dirname, '../..');
const OUT = path.join(ROOT, 'cdk.out', '.platformatic-in-bundle-test');

/**
 * Builds the port with the handler's own factory, for an IAM source, and asks it for no partition's producers, which
 * loads the adapter (CheckDrain's is loaded on the first ask) and sends nothing: no broker is reached.
 */
const PROBE = `
const [file, exported, port] = process.argv.slice(1);
const closers = [];
const inv = {
  fn: 'probe', plan: undefined, state: undefined, mode: undefined, executionId: undefined, env: {},
  port: async () => ({ connection: { name: 'source', bootstrapServers: ['127.0.0.1:9098'], auth: { mechanism: 'IAM', region: 'eu-west-1' } } }),
  onClose: (close) => closers.push(close),
};
import(require('node:url').pathToFileURL(file).href)
  .then((loaded) => loaded[exported].factories[port](inv))
  .then(async (built) => {
    // No partition: the adapter is loaded and built, and answers without a request.
    const described = await built.describeProducers([]);
    await Promise.allSettled(closers.map((close) => close()));
    process.stdout.write(JSON.stringify({ client: built.client ?? null, described }));
  })
  .catch((err) => process.stdout.write(JSON.stringify({ error: String(err && err.message) })));
`;

function probe(fn: 'CheckDrain' | 'Inventory', exported: string, port: string): unknown {
  const run = spawnSync(process.execPath, ['-e', PROBE, path.join(OUT, fn, 'index.mjs'), exported, port], {
    env: { ...process.env, AWS_REGION: 'eu-west-1', ARTIFACT_BUCKET: 'probe', MIGRATION_LOCK_TABLE: 'probe' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`probe of ${fn} failed: ${run.stderr.slice(0, 500)}`);
  return JSON.parse(run.stdout);
}

describe('@platformatic/kafka in the deployed bundles', () => {
  jest.setTimeout(120_000);

  beforeAll(() => {
    fs.rmSync(OUT, { recursive: true, force: true });
    buildHandlers(
      ROOT,
      { CheckDrain: taskEntry('CheckDrain'), Inventory: taskEntry('Inventory') },
      OUT,
      { kafkaClient: 'kafkajs' },
      { sourcemap: false, logLevel: 'silent' },
    );
  });

  it("loads in CheckDrain's bundle, where the producers' activity (DescribeProducers) is read", () => {
    expect(probe('CheckDrain', 'checkDrainHandler', 'producerActivity')).toEqual({ client: null, described: [] });
  });

  it("loads in the Inventory's bundle, whose client-behaviour reads are not reported uncollected", () => {
    expect(probe('Inventory', 'inventoryHandler', 'clientBehaviour')).toEqual({
      client: '@platformatic/kafka',
      described: [],
    });
  });
});
