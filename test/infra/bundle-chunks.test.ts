import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHandlers, coldStartOf } from '../../lib/handler-bundles';
import { taskEntry } from '../../lib/migration-orchestrator';

/**
 * The deployed bundles' lazy chunks (lib/handler-bundles.ts: an ES module per handler, each `import()` of an adapter a
 * chunk of its own), run as Lambda runs them: a plain Node process imports the function's index.mjs from its
 * directory and builds the ports whose adapters are chunks: every pointer, fence and client switch kind, and
 * @platformatic/kafka's DescribeProducers (no request is sent: building a port reaches no AWS service, and an ask for
 * no partition reaches no broker). A chunk path the bundle cannot resolve fails here, not in AWS.
 *
 * The warm-up: after a `{"warm": true}` call (the ASL's Warm* states before the fence), the chunk files are deleted
 * and the same ports built again. They build only if the warm-up loaded them ahead (Node keeps a loaded module), as
 * the write pause needs: no call inside it waits for an adapter's chunk. Without the warm-up, they fail.
 */

const ROOT = path.join(__dirname, '../..');
const OUT = path.join(ROOT, 'cdk.out', '.bundle-chunks-test');

/** The functions before and inside the write pause, with a Warm* state each. */
const CUTOVER_PATH = ['FenceProducers', 'CheckDrain', 'CommitConsumerOffsets', 'SwitchToTarget', 'Cutover'] as const;
type Fn = (typeof CUTOVER_PATH)[number];

const CLUSTER = 'arn:aws:kafka:eu-west-1:111122223333:cluster/source/abc';
const POINTERS = [
  { type: 'SSM_PARAMETER', parameterName: '/probe/bootstrap' },
  { type: 'ROUTE53', hostedZoneId: 'Z123', recordName: 'kafka.probe.example' },
  { type: 'HOOK', functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:probe' },
];
const SWITCHES = [
  {
    name: 'ecs',
    type: 'ECS_SERVICE',
    cluster: 'c',
    service: 's',
    role: 'PRODUCERS',
    environment: 'KAFKA',
    stopAtFence: false,
  },
  { name: 'esm', type: 'LAMBDA_EVENT_SOURCE_MAPPING', uuid: 'u-1', role: 'CONSUMERS' },
  {
    name: 'sink',
    type: 'MSK_CONNECT_CONNECTOR',
    connectorArn: 'arn:aws:kafkaconnect:eu-west-1:111122223333:connector/sink/abc',
    role: 'CONSUMERS',
    targetAuthentication: 'IAM',
  },
];

/** What each function's lazily loaded ports must build (the ports of its catalogue entry). */
const PORTS: Record<Fn, readonly string[]> = {
  FenceProducers: ['pointer', 'writeFence', 'clientSwitches'],
  CheckDrain: ['producerActivity'],
  CommitConsumerOffsets: ['consumerHolds'],
  SwitchToTarget: ['pointer', 'clientSwitches'],
  Cutover: ['pointer', 'writeFence', 'producerActivity'],
};

/**
 * Imports the bundle, optionally warms it, optionally deletes its chunk files, then builds the ports: each pointer
 * kind, the IAM_POLICY fence, each client switch kind (CommitConsumerOffsets: the two it holds), and asks the
 * producer activity for no partition. Prints what each built, or the first error.
 */
const PROBE = `
const fs = require('node:fs');
const path = require('node:path');
const [file, warm, removeChunks, portsJson, pointersJson, switchesJson, cluster] = process.argv.slice(1);
const ports = JSON.parse(portsJson);
const pointers = JSON.parse(pointersJson);
const switches = JSON.parse(switchesJson);
const plan = (pointer) => ({
  source: { clusterArn: cluster },
  cutover: { switch: pointer, fence: { type: 'IAM_POLICY', roleNames: ['producer'], policyName: 'probe-fence' }, switches },
});
const inv = (p) => ({
  fn: 'probe', plan: p, state: { input: p, execution: { id: 'exec-1' } }, mode: undefined, executionId: 'exec-1', env: {},
  port: async () => ({ connection: { name: 'source', bootstrapServers: ['127.0.0.1:9098'], auth: { mechanism: 'IAM', region: 'eu-west-1' } } }),
  onClose: () => {},
});
(async () => {
  const loaded = await import(require('node:url').pathToFileURL(file).href);
  const served = Object.values(loaded).find((v) => v && v.factories);
  if (warm === 'warm') {
    const answer = await loaded.handler({ warm: true }, {});
    if (!answer || answer.warm !== true) throw new Error('no warm answer: ' + JSON.stringify(answer));
  }
  if (removeChunks === 'remove')
    for (const f of fs.readdirSync(path.dirname(file))) if (f !== 'index.mjs') fs.rmSync(path.join(path.dirname(file), f));
  const built = [];
  for (const port of ports) {
    if (port === 'pointer')
      for (const pointer of pointers) built.push('pointer ' + (await served.factories.pointer(inv(plan(pointer)))).pointer);
    if (port === 'writeFence') built.push('fence ' + (await served.factories.writeFence(inv(plan(pointers[0])))).kind);
    if (port === 'clientSwitches' || port === 'consumerHolds') {
      const held = port === 'consumerHolds' ? switches.filter((s) => s.type !== 'ECS_SERVICE') : switches;
      const factory = await served.factories.clientSwitches(inv({ ...plan(pointers[0]), cutover: { ...plan(pointers[0]).cutover, switches: held } }));
      for (const spec of held) built.push('switch ' + factory(spec).kind);
    }
    if (port === 'producerActivity') {
      const activity = await served.factories.producerActivity(inv(plan(pointers[0])));
      built.push('producers ' + JSON.stringify(await activity.describeProducers([])));
    }
  }
  process.stdout.write(JSON.stringify({ built }));
})().catch((err) => process.stdout.write(JSON.stringify({ error: String((err && err.message) || err).split('\\n')[0] })));
`;

function probe(fn: Fn, warm: boolean, removeChunks: boolean): { built?: string[]; error?: string } {
  // A copy per run: deleting chunks must not touch the next run's.
  const dir = fs.mkdtempSync(path.join(OUT, `${fn}-run-`));
  fs.cpSync(path.join(OUT, fn), dir, { recursive: true });
  const run = spawnSync(
    process.execPath,
    [
      '-e',
      PROBE,
      path.join(dir, 'index.mjs'),
      warm ? 'warm' : 'cold',
      removeChunks ? 'remove' : 'keep',
      JSON.stringify(PORTS[fn]),
      JSON.stringify(POINTERS),
      JSON.stringify(SWITCHES),
      CLUSTER,
    ],
    {
      env: {
        ...process.env,
        AWS_REGION: 'eu-west-1',
        ARTIFACT_BUCKET: 'probe',
        MIGRATION_LOCK_TABLE: 'probe',
        AWS_ACCESS_KEY_ID: 'AKIDPROBE',
        AWS_SECRET_ACCESS_KEY: 'probe',
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (run.status !== 0) throw new Error(`probe of ${fn} failed: ${run.stderr.slice(0, 800)}`);
  return JSON.parse(run.stdout) as { built?: string[]; error?: string };
}

describe('the lazy chunks of the deployed bundles', () => {
  jest.setTimeout(180_000);
  let built: ReturnType<typeof buildHandlers>;

  beforeAll(() => {
    fs.rmSync(OUT, { recursive: true, force: true });
    built = buildHandlers(
      ROOT,
      Object.fromEntries(CUTOVER_PATH.map((fn) => [fn, taskEntry(fn)])),
      OUT,
      { kafkaClient: 'kafkajs' },
      { sourcemap: false, logLevel: 'silent' },
    );
  });

  const expected = (fn: Fn): string[] =>
    PORTS[fn].flatMap((port) => {
      if (port === 'pointer')
        return [
          'pointer ssm:/probe/bootstrap',
          'pointer route53:Z123/kafka.probe.example./CNAME',
          `pointer hook:${POINTERS[2]?.functionArn}`,
        ];
      if (port === 'writeFence') return ['fence IAM_POLICY'];
      if (port === 'clientSwitches')
        return ['switch ECS_SERVICE', 'switch LAMBDA_EVENT_SOURCE_MAPPING', 'switch MSK_CONNECT_CONNECTOR'];
      if (port === 'consumerHolds') return ['switch LAMBDA_EVENT_SOURCE_MAPPING', 'switch MSK_CONNECT_CONNECTOR'];
      return ['producers []'];
    });

  it.each(CUTOVER_PATH)("keep %s's lazily loaded adapters out of the files a cold start imports", (fn) => {
    const { metafile } = built.get(fn) ?? {};
    const { coldStart, total } = coldStartOf(metafile!);

    expect(total.files.length).toBeGreaterThan(coldStart.files.length);
    expect(coldStart.inputs.filter((f) => /tasks\/shared\/kinds\/|platformatic-producer-activity/.test(f))).toEqual([]);
  });

  it.each(CUTOVER_PATH)('run %s from its directory, each lazy adapter loaded from its chunk on first use', (fn) => {
    expect(probe(fn, false, false)).toEqual({ built: expected(fn) });
  });

  it.each(CUTOVER_PATH)('let a warm-up call load every adapter %s may need inside the pause ahead', (fn) => {
    expect(probe(fn, true, true)).toEqual({ built: expected(fn) });
  });

  it.each(CUTOVER_PATH)("fail to build %s's lazy ports without the warm-up once its chunks are gone", (fn) => {
    expect(probe(fn, false, true)).toEqual({ error: expect.stringMatching(/Cannot find module|ERR_MODULE_NOT_FOUND/) });
  });
});
