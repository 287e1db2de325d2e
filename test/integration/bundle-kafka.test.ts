import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticProducerActivity } from '../../lambdas/adapters/kafka/platformatic-producer-activity';
import { buildHandlers } from '../../lib/handler-bundles';
import { taskEntry } from '../../lib/migration-orchestrator';
import { startKafkaCluster, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';

/**
 * The deployed bundles of CheckDrain and the Cutover (lib/handler-bundles.ts, kafkaClient kafkajs, as the construct
 * builds them) against a real broker, imported in a plain Node process as Lambda imports index.mjs: the ports the
 * drain uses are built by the bundle's own factories and sent real requests. The target's data plane (kafkajs, the
 * createRequire banner giving it Node's built-ins) lists the partition's offsets (ListOffsets) and reads its last
 * records (Fetch); the producer activity loads @platformatic/kafka's chunk on first use (its wasm helper compiled at
 * load) and sends DescribeProducers for a partition an idempotent producer wrote to. The bundles are written outside
 * the project tree, as in Lambda: nothing resolves from node_modules (@platformatic/kafka would take @node-rs/crc32
 * from there instead of its wasm CRC32C). A chunk that does not load, or a helper that breaks only on real traffic,
 * fails here rather than in AWS. test/infra/bundle-chunks.test.ts proves the chunks' paths without a broker.
 */
jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '../..');
const FUNCTIONS = ['CheckDrain', 'Cutover'] as const;
const TOPIC = 'orders';

/**
 * Imports the bundle and, through the factories of the handler it exports: the target port for a PLAINTEXT cluster
 * named by its bootstrap servers (no MSK call), its offsets and last two records of partition 0; then the producer
 * activity over that plane, asked for partition 0. Prints what it read, or the first error.
 */
const PROBE = `
const [file, bootstrap, topic] = process.argv.slice(1);
const env = { AWS_REGION: 'eu-west-1' };
const plan = {
  source: { clusterArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/source/abc', auth: { mechanism: 'PLAINTEXT' } },
  target: { bootstrapServers: [bootstrap], auth: { mechanism: 'PLAINTEXT' } },
};
const closers = [];
const inv = (port) => ({
  fn: 'probe', plan, state: { input: plan, execution: { id: 'exec-1' } }, mode: undefined, executionId: 'exec-1', env,
  port, onClose: (close) => closers.push(close),
});
const main = async () => {
  const loaded = await import(require('node:url').pathToFileURL(file).href);
  const served = Object.values(loaded).find((v) => v && v.factories);
  const plane = await served.factories.target(inv(async () => { throw new Error('no other port'); }));
  const offsets = await plane.fetchTopicOffsets(topic);
  const high = BigInt(offsets.find((o) => o.partition === 0).high);
  const records = await plane.readPartition({ topic, partition: 0, fromOffset: String(high - 2n), maxRecords: 2, timeoutMs: 10000 });
  const activity = await served.factories.producerActivity(inv(async (name) => {
    if (name !== 'source') throw new Error('unexpected port ' + name);
    return plane;
  }));
  const producers = await activity.describeProducers([{ topic, partition: 0 }]);
  return {
    offsets,
    last: records.map((r) => ({ offset: r.offset, value: Buffer.from(r.value).toString() })),
    producers,
  };
};
main()
  .catch((err) => ({ error: String((err && err.message) || err).split('\\n')[0] }))
  .then(async (out) => {
    // Closed on every path: an open kafkajs connection would keep the process alive.
    for (const close of closers) await close().catch(() => undefined);
    process.stdout.write(JSON.stringify(out), () => process.exit(0));
  });
`;

describe('the deployed bundles against a real broker', () => {
  let cluster: KafkaCluster;
  let outRoot: string;
  let expectedProducers: unknown;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: 'bundle-kafka' });
    const plane = new KafkajsDataPlane(cluster.connection('setup'), { log: () => undefined });
    try {
      await plane.createTopics([{ topic: TOPIC, numPartitions: 1 }]);
    } finally {
      await plane.close();
    }
    const kafka = new Kafka({
      clientId: 'it-bundle',
      brokers: [cluster.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic: TOPIC, messages: ['a', 'b', 'c'].map((value) => ({ value, partition: 0 })) });
    } finally {
      await producer.disconnect();
    }
    // The producer as the source tree's adapter reads it, in this process: the bundle must answer the same.
    const activity = new PlatformaticProducerActivity(cluster.connection('oracle'));
    try {
      expectedProducers = await activity.describeProducers([{ topic: TOPIC, partition: 0 }]);
    } finally {
      await activity.close();
    }
    // Outside the project tree, as in Lambda: no node_modules to fall back on.
    outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-kafka-'));
    buildHandlers(
      ROOT,
      Object.fromEntries(FUNCTIONS.map((fn) => [fn, taskEntry(fn)])),
      outRoot,
      { kafkaClient: 'kafkajs' },
      { sourcemap: false, logLevel: 'silent' },
    );
  });

  afterAll(async () => {
    await stopAllKafkaClusters();
    if (outRoot) fs.rmSync(outRoot, { recursive: true, force: true });
  });

  it('names the idempotent producer in the oracle read in-process', () => {
    expect(expectedProducers).toEqual([
      {
        topic: TOPIC,
        partition: 0,
        producers: [expect.objectContaining({ producerId: expect.stringMatching(/^\d+$/), lastSequence: 2 })],
      },
    ]);
  });

  it.each(FUNCTIONS)(
    "run %s's bundle against the broker: ListOffsets, the last records, DescribeProducers from its chunk",
    (fn) => {
      const run = spawnSync(
        process.execPath,
        ['-e', PROBE, path.join(outRoot, fn, 'index.mjs'), cluster.bootstrap as string, TOPIC],
        {
          cwd: outRoot,
          env: { ...process.env, AWS_REGION: 'eu-west-1', ARTIFACT_BUCKET: 'probe', MIGRATION_LOCK_TABLE: 'probe' },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      const out: unknown =
        run.status === 0 ? JSON.parse(run.stdout) : { status: run.status, stderr: run.stderr.slice(0, 800) };

      expect(out).toEqual({
        offsets: [{ partition: 0, low: '0', high: '3' }],
        last: [
          { offset: '1', value: 'b' },
          { offset: '2', value: 'c' },
        ],
        producers: expectedProducers,
      });
    },
  );
});
