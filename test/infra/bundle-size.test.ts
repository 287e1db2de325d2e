import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { bundleOptionsFor } from '../../lib/handler-bundles';
import { taskEntry } from '../../lib/migration-orchestrator';
import { FUNCTIONS, type PortName } from '../../lambdas/workflow/catalogue';

/**
 * The size of every task function's bundle, minified as the default deployment (kafkaClient kafkajs) builds it
 * (lib/handler-bundles.ts), held under a ceiling so that it cannot grow back unnoticed: each byte is loaded, parsed
 * and partly evaluated at a cold start (docs/cutover.md, "Bundles"). The ceilings are today's sizes and 5 %; the
 * issue's target is 1 MB, which the functions off the Kafka data plane meet and those on it do not (kafkajs, the S3
 * and MSK clients on top of the SDK's core, zod and X-Ray; docs/cutover.md says why). What made them smaller is pinned
 * by name: zod without its locales, the SDK's ES modules (tree-shaken), no Avro library, no browser detector, no MSK
 * IAM signer library, a Kafka client only where a port speaks Kafka, @platformatic/kafka only where a task sends what
 * kafkajs lacks.
 */

const ROOT = path.join(__dirname, '../..');
const MB = 1024 * 1024;

/** Ceiling per function, MB of index.js (today's size and 5 %; the size in the comment). */
const CEILINGS = {
  ValidateInput: 0.69, // 0.653
  AcquireLock: 0.69, // 0.653
  Inventory: 1.84, // 1.744
  Assess: 0.92, // 0.869
  ProvisionTarget: 0.72, // 0.682
  CheckTargetStatus: 0.76, // 0.723
  StartReplication: 1.27, // 1.207
  CheckReplicationStatus: 0.8, // 0.753
  EvaluateCatchUp: 1.28, // 1.216
  ValidateTarget: 1.25, // 1.190
  FenceProducers: 1.56, // 1.480
  CheckDrain: 1.77, // 1.678
  CommitConsumerOffsets: 1.38, // 1.313: the Lambda and MSK Connect clients that hold consumers at the source's end
  SwitchToTarget: 1.52, // 1.444
  CheckTargetHealth: 1.28, // 1.213
  Finalize: 1.12, // 1.058
  Report: 0.86, // 0.818
  RollbackCutover: 1.57, // 1.491
  RollbackReplication: 1.12, // 1.058
  RollbackTarget: 0.72, // 0.677
  StartFailback: 1.25, // 1.189
  CheckFailback: 1.29, // 1.223
  StopFailback: 1.09, // 1.032
} as const;
type Name = keyof typeof CEILINGS;

/** The ports that open a Kafka connection (lambdas/runtime/aws-ports/clusters.ts, cutover.ts's write fence). */
const KAFKA_PORTS: readonly PortName[] = [
  'source',
  'target',
  'targetAcls',
  'producerActivity',
  'clientBehaviour',
  'writeFence',
];

function build(): Map<Name, { bytes: number; inputs: string[] }> {
  const names = Object.keys(CEILINGS) as Name[];
  const result = buildSync({
    ...bundleOptionsFor({ kafkaClient: 'kafkajs' }),
    sourcemap: false,
    entryPoints: Object.fromEntries(names.map((name) => [name, path.join(ROOT, taskEntry(name))])),
    outdir: path.join(ROOT, 'cdk.out', '.bundle-size-test'),
    absWorkingDir: ROOT,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const bundles = new Map<Name, { bytes: number; inputs: string[] }>();
  for (const [out, meta] of Object.entries(result.metafile.outputs))
    if (out.endsWith('.js'))
      bundles.set(path.basename(out, '.js') as Name, { bytes: meta.bytes, inputs: Object.keys(meta.inputs) });
  return bundles;
}

const holds = (inputs: readonly string[], pkg: string): boolean =>
  inputs.some((f) => f.includes(`node_modules/${pkg}/`));

describe('the task functions bundles', () => {
  jest.setTimeout(120_000);
  const bundles = build();

  it('cover every task function this project builds', () => {
    const built = Object.entries(FUNCTIONS)
      .filter(([, entry]) => !('providedBy' in entry))
      .map(([name]) => name);

    expect(Object.keys(CEILINGS).sort()).toEqual(built.sort());
  });

  it.each(Object.entries(CEILINGS))('keep %s minified within %d MB', (name, ceiling) => {
    const bundle = bundles.get(name as Name);

    expect(bundle?.bytes).toBeGreaterThan(50_000);
    expect(bundle?.bytes).toBeLessThanOrEqual(Math.round(ceiling * MB));
  });

  it.each(Object.keys(CEILINGS))(
    'give %s no zod locale, no CommonJS build of an AWS SDK client, no Avro library, no browser detector and no MSK IAM signer library',
    (name) => {
      const inputs = bundles.get(name as Name)?.inputs ?? [];

      expect(inputs.filter((f) => f.includes('node_modules/zod/v4/locales/') && !f.endsWith('/en.js'))).toEqual([]);
      expect(inputs.filter((f) => /node_modules\/@aws-sdk\/client-[^/]+\/dist-cjs\//.test(f))).toEqual([]);
      for (const pkg of ['avsc', 'bowser', 'aws-msk-iam-sasl-signer-js', '@aws-sdk/client-sts'])
        expect({ pkg, bundled: holds(inputs, pkg) }).toEqual({ pkg, bundled: false });
    },
  );

  it.each(Object.keys(CEILINGS))(
    'give %s kafkajs only when a port of its speaks Kafka, and @platformatic/kafka only where its task sends what kafkajs lacks',
    (name) => {
      const inputs = bundles.get(name as Name)?.inputs ?? [];
      const ports: readonly PortName[] = FUNCTIONS[name as Name].ports;

      expect(holds(inputs, 'kafkajs')).toBe(ports.some((port) => KAFKA_PORTS.includes(port)));
      // DescribeProducers (CheckDrain's producerActivity) and the client-behaviour reads (the Inventory's).
      expect(holds(inputs, '@platformatic/kafka')).toBe(name === 'CheckDrain' || name === 'Inventory');
    },
  );
});
