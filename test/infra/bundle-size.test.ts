import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHandlers, coldStartOf } from '../../lib/handler-bundles';
import { taskEntry } from '../../lib/migration-orchestrator';
import { FUNCTIONS, type PortName } from '../../lambdas/workflow/catalogue';

/**
 * What every task function loads at a cold start, minified as the default deployment (kafkaClient kafkajs) builds it
 * (lib/handler-bundles.ts: index.mjs and the chunks it imports statically; the chunks of its `import()`s are loaded
 * on first use), held under a ceiling so that it cannot grow back unnoticed: each byte is loaded, parsed and partly
 * evaluated at a cold start (docs/cutover.md, "Bundles"). The ceilings are today's sizes and 5 %, never above 1 MB,
 * the target. The heavy adapters a plan may not use are pinned out of the cold start by name, and what made
 * the bundles smaller: zod without its locales, the SDK's ES modules (tree-shaken, their operation schemas too), no
 * Avro library, no semver, no browser detector, no MSK IAM signer library, no credential providers Lambda does not
 * use, a Kafka client only where a port speaks Kafka, @platformatic/kafka only where a task sends what kafkajs lacks.
 */

const ROOT = path.join(__dirname, '../..');
const MB = 1024 * 1024;
const OUT = path.join(ROOT, 'cdk.out', '.bundle-size-test');

/** Ceiling per function, MB loaded at a cold start (today's size and 5 %, at most 1 MB; the size in the comment). */
const CEILINGS = {
  ValidateInput: 0.52, // 0.496
  AcquireLock: 0.51, // 0.486
  Inventory: 1.0, // 0.949: kafkajs, MSK Connect's connectors; @platformatic/kafka, Glue and IAM on first use
  Assess: 0.73, // 0.695
  ProvisionTarget: 0.53, // 0.499
  CheckTargetStatus: 0.57, // 0.537
  StartReplication: 0.97, // 0.917
  CheckReplicationStatus: 0.57, // 0.541
  EvaluateCatchUp: 1.0, // 0.952
  ValidateTarget: 0.98, // 0.931
  FenceProducers: 0.95, // 0.903: each pointer, fence and client switch kind on first use
  CheckDrain: 0.98, // 0.935: @platformatic/kafka for DescribeProducers on first use
  CommitConsumerOffsets: 1.0, // 0.955: the Lambda and MSK Connect holds on first use
  SwitchToTarget: 0.94, // 0.897: each pointer and client switch kind on first use
  Cutover: 1.0, // 0.991: the pointer, fence and @platformatic/kafka on first use
  CheckTargetHealth: 1.0, // 0.950
  Finalize: 0.85, // 0.810
  Report: 0.66, // 0.628
  RollbackCutover: 0.97, // 0.917: each pointer, fence and client switch kind on first use
  RollbackReplication: 0.85, // 0.808
  RollbackTarget: 0.52, // 0.494
  StartFailback: 0.95, // 0.906
  CheckFailback: 0.99, // 0.939
  StopFailback: 0.83, // 0.785
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

interface Built {
  /** Bytes a cold start loads: index.mjs and the chunks it imports statically. */
  readonly bytes: number;
  /** Source files a cold start evaluates, and those of every chunk the function can load. */
  readonly coldInputs: string[];
  readonly inputs: string[];
  /** The code of every file the function can load. */
  readonly code: string;
}

function build(): Map<Name, Built> {
  const names = Object.keys(CEILINGS) as Name[];
  fs.rmSync(OUT, { recursive: true, force: true });
  const built = buildHandlers(
    ROOT,
    Object.fromEntries(names.map((name) => [name, taskEntry(name)])),
    OUT,
    { kafkaClient: 'kafkajs' },
    { sourcemap: false, logLevel: 'silent' },
  );
  const bundles = new Map<Name, Built>();
  for (const [name, { metafile }] of built) {
    const { coldStart, total } = coldStartOf(metafile);
    bundles.set(name as Name, {
      bytes: coldStart.bytes,
      coldInputs: [...coldStart.inputs],
      inputs: [...total.inputs],
      code: total.files.map((file) => fs.readFileSync(path.join(ROOT, file), 'utf8')).join('\n'),
    });
  }
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

  it.each(Object.entries(CEILINGS))('keep what %s loads at a cold start within %d MB', (name, ceiling) => {
    const bundle = bundles.get(name as Name);

    expect(bundle?.bytes).toBeGreaterThan(50_000);
    expect(bundle?.bytes).toBeLessThanOrEqual(Math.round(ceiling * MB));
  });

  it.each(Object.keys(CEILINGS))(
    'give %s no zod locale, no CommonJS build of an AWS SDK client, no Avro library, no semver, no browser detector and no MSK IAM signer library',
    (name) => {
      const inputs = bundles.get(name as Name)?.inputs ?? [];

      expect(inputs.filter((f) => f.includes('node_modules/zod/v4/locales/') && !f.endsWith('/en.js'))).toEqual([]);
      expect(inputs.filter((f) => /node_modules\/@aws-sdk\/client-[^/]+\/dist-cjs\//.test(f))).toEqual([]);
      for (const pkg of ['avsc', 'bowser', 'semver', 'aws-msk-iam-sasl-signer-js', '@aws-sdk/client-sts'])
        expect({ pkg, bundled: holds(inputs, pkg) }).toEqual({ pkg, bundled: false });
    },
  );

  it.each(Object.keys(CEILINGS))(
    'give %s kafkajs only when a port of its speaks Kafka, and @platformatic/kafka only where its task sends what kafkajs lacks',
    (name) => {
      const inputs = bundles.get(name as Name)?.inputs ?? [];
      const ports: readonly PortName[] = FUNCTIONS[name as Name].ports;

      expect(holds(inputs, 'kafkajs')).toBe(ports.some((port) => KAFKA_PORTS.includes(port)));
      // DescribeProducers (CheckDrain's and the one-invocation Cutover's producerActivity) and the client-behaviour
      // reads (the Inventory's).
      expect(holds(inputs, '@platformatic/kafka')).toBe(['CheckDrain', 'Cutover', 'Inventory'].includes(name));
    },
  );

  it.each(Object.keys(CEILINGS))(
    'load in %s no adapter a plan may not use at a cold start: those are chunks loaded on first use',
    (name) => {
      const cold = bundles.get(name as Name)?.coldInputs ?? [];

      // @platformatic/kafka (DescribeProducers, client behaviour) with ajv and its wasm helper; the pointers' (SSM,
      // Route 53, a hook Lambda), the fences' (IAM), the client switches' (ECS, Lambda, MSK Connect) and the
      // replicators' SDK clients; Glue; Secrets Manager (SCRAM clusters only).
      for (const pkg of [
        '@platformatic/kafka',
        'ajv',
        '@platformatic/wasm-utils',
        '@aws-sdk/client-ssm',
        '@aws-sdk/client-route-53',
        '@aws-sdk/client-lambda',
        '@aws-sdk/client-ecs',
        '@aws-sdk/client-iam',
        '@aws-sdk/client-glue',
        '@aws-sdk/client-secrets-manager',
      ])
        expect({ pkg, atColdStart: holds(cold, pkg) }).toEqual({ pkg, atColdStart: false });
      // MSK Connect at a cold start only for the Inventory's connectors, which it lists every run.
      expect(holds(cold, '@aws-sdk/client-kafkaconnect')).toBe(name === 'Inventory');
      expect(cold.filter((f) => f.startsWith('lambdas/tasks/shared/kinds/'))).toEqual([]);
    },
  );

  it.each(['FenceProducers', 'SwitchToTarget', 'RollbackCutover', 'Cutover'])(
    'give %s every pointer and fence kind a plan may name, in chunks of their own',
    (name) => {
      const { inputs = [], coldInputs = [] } = bundles.get(name as Name) ?? {};

      for (const kind of ['pointer-ssm', 'pointer-route53', 'pointer-hook', 'fence-iam-policy', 'fence-kafka-acl'])
        expect({ kind, bundled: inputs.includes(`lambdas/tasks/shared/kinds/${kind}.ts`) }).toEqual({
          kind,
          bundled: true,
        });
      expect(coldInputs.filter((f) => f.startsWith('lambdas/tasks/shared/kinds/'))).toEqual([]);
    },
  );

  it.each(Object.keys(CEILINGS))(
    'give %s the credentials Lambda provides (the environment) without the default chain and its nested clients',
    (name) => {
      const inputs = bundles.get(name as Name)?.inputs ?? [];

      for (const pkg of [
        '@aws-sdk/credential-provider-node',
        '@aws-sdk/credential-provider-ini',
        '@aws-sdk/credential-provider-sso',
        '@aws-sdk/nested-clients',
      ])
        expect({ pkg, bundled: holds(inputs, pkg) }).toEqual({ pkg, bundled: false });
      expect(inputs).toContain('lambdas/adapters/aws/lambda-credentials.ts');
    },
  );

  it.each(Object.keys(CEILINGS))(
    "give %s only the AWS SDK operations its adapters send, not a client's every command",
    (name) => {
      const bundle = bundles.get(name as Name);
      const inputs = bundle?.inputs ?? [];

      // The aggregated client (`new Kafka()`, `new S3()`) names every command; a lazily loaded module keeps it.
      expect(
        inputs.filter((f) =>
          /@aws-sdk\/client-[^/]+\/dist-es\/(?![A-Za-z0-9]*Client\.js)[A-Z][A-Za-z0-9]*\.js$/.test(f),
        ),
      ).toEqual([]);
      // UpdateTopic of MSK, DeleteBucket of S3: operations no adapter sends, whose schemas were kept before.
      expect(bundle?.code).not.toContain('"/v1/clusters/{ClusterArn}/topics/{TopicName}"');
      expect(bundle?.code).not.toContain('"DeleteBucketRequest"');
    },
  );
});
