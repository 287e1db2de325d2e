/**
 * `npm run bench:inventory [-- --json FILE]`: our data-plane inventory against Kafka's own CLI tools on one local
 * KRaft cluster (the harness's newest Kafka) with ≥ 2,000 topics, ≥ 10,000 partitions and ≥ 500 consumer groups with
 * committed offsets, some records and some non-default topic configs.
 *
 * Ours is `takeInventory` with the kafkajs adapter, the code path of the Inventory task, in a child Node process of
 * its own so that its peak RSS (VmHWM) is the inventory's and not the builder's. The CLI tools run as an operator
 * runs them, one JVM each: `kafka-topics --describe`, `kafka-configs --describe --all --entity-type topics`,
 * `kafka-consumer-groups --describe --all-groups`. Ours runs first, on a broker the CLI then finds warm.
 *
 * Prints figures and asserts nothing; not part of `npm test`. The cluster is stopped by PID at the end, on error and
 * on Ctrl-C. Options: --topics 2000 --partitions-per-topic 5 --groups 500 --heap 1536m --json FILE
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { FsArtifactStore } from '../lambdas/adapters/local/fs-artifact-store';
import { chunk, mapBounded } from '../lambdas/core/inventory/bounded-map';
import { takeInventory } from '../lambdas/core/inventory/take-inventory';
import type { KafkaConnection } from '../lambdas/ports/kafka';
import { startKafkaCluster, type KafkaCluster } from '../rehearsal/kafka/cluster';
import { loggingConfig } from '../rehearsal/kafka/properties';
import { jarsDir, LATEST_KAFKA_VERSION, majorVersion, REPO_ROOT } from '../rehearsal/kafka/versions';
import {
  benchJson,
  benchResult,
  CLI_TOOLS,
  configDescribeCounter,
  formatBenchTable,
  groupDescribeCounter,
  lineSplitter,
  pickMainClass,
  progressBar,
  topicDescribeCounter,
  type CliRun,
  type CliTool,
  type OutputCounter,
} from './bench-inventory-lib';

const run = promisify(execFile);

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const numberOption = (name: string, fallback: number): number => {
  const v = Number(option(name) ?? fallback);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got ${option(name)}`);
  return v;
};

/** Peak resident set of this process (Linux VmHWM), in MB; undefined elsewhere. */
function vmHwmMb(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The measured side: one inventory in a fresh process.

interface MeasureOutput {
  seconds: number;
  peakRssMb: number;
  complete: boolean;
  gaps: number;
  topics: number;
  undescribableTopics: number;
  partitions: number;
  groups: number;
  compactedTopics: number;
}

async function measure(): Promise<void> {
  const connection = JSON.parse(process.env.BENCH_INVENTORY_CONNECTION ?? '') as KafkaConnection;
  const artifacts = process.env.BENCH_INVENTORY_ARTIFACTS ?? os.tmpdir();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const kafka = new KafkajsDataPlane(connection, { log: () => undefined });
  try {
    const started = performance.now();
    const { summary } = await takeInventory(
      { migrationId: 'bench', executionName: `inventory-${Date.now()}` },
      { kafka, store: new FsArtifactStore(artifacts) },
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const out: MeasureOutput = {
      seconds,
      peakRssMb: Math.max(vmHwmMb() ?? 0, peak / 2 ** 20),
      complete: summary.complete,
      gaps: summary.gaps.length,
      topics: summary.counts.topics,
      undescribableTopics: summary.counts.undescribableTopics,
      partitions: summary.counts.partitions,
      groups: summary.counts.groups,
      compactedTopics: summary.counts.compactedTopics,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    clearInterval(sampler);
    await kafka.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The bench.

/** Child processes of this run (the inventory process, the CLI JVMs), killed by PID on Ctrl-C. */
const children = new Set<ChildProcess>();
let cluster: KafkaCluster | undefined;

function progress(label: string, done: number, total: number): void {
  const line = progressBar(label, done, total);
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done >= total ? '\n' : ''}`);
  else if (done >= total || done % Math.max(1, Math.ceil(total / 10)) === 0) process.stderr.write(`${line}\n`);
}

/** Open-file limit of this process (the broker inherits it): a partition keeps a segment file open. */
function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m?.[1] === 'unlimited' ? Number.POSITIVE_INFINITY : m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CLI tools are in `kafka-tools`, which the harness's jars (a broker and MirrorMaker 2) do not include: fetched
 * once by Maven into .work/bench-inventory/tools/<version>/, keeping only the jars the harness does not already have.
 */
async function cliClasspath(version: string): Promise<{ classpath: string; jars: string[] }> {
  const harness = jarsDir(version);
  const dir = path.join(REPO_ROOT, '.work', 'bench-inventory', 'tools', version);
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    process.stderr.write(`Fetching org.apache.kafka:kafka-tools:${version} with Maven into ${dir} …\n`);
    const work = `${dir}.tmp`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(path.join(work, 'all'), { recursive: true });
    writeFileSync(
      path.join(work, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.msk-migration</groupId><artifactId>bench-kafka-tools</artifactId><version>1</version><packaging>pom</packaging>
<dependencies><dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${version}</version></dependency></dependencies>
<build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin></plugins></build>
</project>
`,
    );
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-ntp',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${path.join(work, 'all')}`,
      ],
      { cwd: work, timeout: 600_000 },
    );
    const artifactOf = (jar: string): string => jar.replace(/-\d[^-]*(-[A-Za-z0-9]+)?\.jar$/, '');
    const have = new Set(readdirSync(harness).map(artifactOf));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const jar of readdirSync(path.join(work, 'all')))
      if (!have.has(artifactOf(jar))) writeFileSync(path.join(dir, jar), readFileSync(path.join(work, 'all', jar)));
    rmSync(work, { recursive: true, force: true });
    writeFileSync(marker, `kafka-tools ${version}\n`);
  }
  const jars = [
    ...readdirSync(harness).map((j) => path.join(harness, j)),
    ...readdirSync(dir).map((j) => path.join(dir, j)),
  ].filter((j) => j.endsWith('.jar'));
  return { classpath: `${harness}/*:${dir}/*`, jars };
}

/** The main class of each tool in these jars (they moved from `kafka.admin` to `org.apache.kafka.tools` over 3.x). */
async function mainClasses(jars: readonly string[], version: string): Promise<Record<CliTool, string>> {
  const interesting = jars.filter((j) => /\/(kafka_2\.13|kafka-tools)-[^/]+\.jar$/.test(j));
  const entries = new Set<string>();
  for (const jar of interesting) {
    const { stdout } = await run('unzip', ['-Z1', jar], { maxBuffer: 64 * 1024 * 1024 });
    for (const e of stdout.split('\n')) if (e.endsWith('Command.class')) entries.add(e);
  }
  const out = {} as Record<CliTool, string>;
  for (const tool of Object.keys(CLI_TOOLS) as CliTool[]) {
    const found = pickMainClass(CLI_TOOLS[tool], entries);
    if (!found)
      throw new Error(`No main class for ${tool} in the Kafka ${version} jars (tried ${CLI_TOOLS[tool].join(', ')})`);
    out[tool] = found;
  }
  return out;
}

interface Shape {
  topics: number;
  partitionsPerTopic: number;
  groups: number;
  /** Topics that get records (4 per partition). */
  recordTopics: number;
}

const topicName = (i: number): string => `bench.t${String(i).padStart(5, '0')}`;

/** A few non-default configs, spread over the topics as a real cluster would have them. */
function configsOf(i: number): Record<string, string> {
  const c: Record<string, string> = {};
  if (i % 10 === 0) c['retention.ms'] = String(86_400_000 * (1 + (i % 7)));
  if (i % 25 === 0) c['cleanup.policy'] = 'compact';
  if (i % 40 === 0) c['max.message.bytes'] = '2097152';
  if (i % 100 === 0) c['segment.bytes'] = '104857600';
  return c;
}

/**
 * Polls metadata until every partition of `topics` has a leader: on a loaded machine KRaft may take a while to
 * publish new topics (kafkajs's own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION).
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (let attempt = 0; attempt < 2_000 && Date.now() < deadline; attempt++) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const led = metadata.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led.length === topics.length) return;
      last = `${led.length}/${topics.length} topics with leaders`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Topics ${topics[0]}… have no leaders after ${timeoutMs} ms: ${last}`);
}

/** Retries a Migration.Transient (the group coordinator loading `__consumer_offsets` on first use), at most 20 times. */
async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 20 || (err as Error).name !== 'Migration.Transient') throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * Math.min(attempt, 8)));
    }
  }
}

async function build(c: KafkaCluster, shape: Shape): Promise<void> {
  const plane = new KafkajsDataPlane(
    { ...c.connection('bench-builder'), requestTimeoutMs: 120_000 },
    { log: () => undefined },
  );
  const kafka = new Kafka({
    clientId: 'bench-builder',
    brokers: [c.bootstrap as string],
    logLevel: logLevel.NOTHING,
    requestTimeout: 120_000,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const admin = kafka.admin();
  try {
    const names = Array.from({ length: shape.topics }, (_, i) => i);
    let created = 0;
    progress('topics', 0, shape.topics);
    await admin.connect();
    for (const batch of chunk(names, 100)) {
      await admin.createTopics({
        waitForLeaders: false,
        timeout: 120_000,
        topics: batch.map((i) => ({
          topic: topicName(i),
          numPartitions: shape.partitionsPerTopic,
          configEntries: Object.entries(configsOf(i)).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(
        admin,
        batch.map((i) => topicName(i)),
      );
      created += batch.length;
      progress('topics', created, shape.topics);
    }

    await producer.connect();
    let produced = 0;
    const withRecords = Array.from({ length: shape.recordTopics }, (_, i) => i);
    progress('records', 0, shape.recordTopics);
    for (const batch of chunk(withRecords, 50)) {
      await producer.sendBatch({
        acks: -1,
        topicMessages: batch.map((i) => ({
          topic: topicName(i),
          messages: Array.from({ length: 4 * shape.partitionsPerTopic }, (_, r) => ({
            key: `k${r}`,
            value: `record-${i}-${r}`,
            partition: r % shape.partitionsPerTopic,
          })),
        })),
      });
      produced += batch.length;
      progress('records', produced, shape.recordTopics);
    }

    // Each group commits for 3 topics × all their partitions, at offsets below the end (lag to compute): batched per
    // group (one OffsetCommit for all its partitions), 8 groups at a time.
    let committed = 0;
    progress('groups', 0, shape.groups);
    await mapBounded(
      Array.from({ length: shape.groups }, (_, g) => g),
      8,
      async (g) => {
        const offsets = [0, 1, 2].flatMap((k) =>
          Array.from({ length: shape.partitionsPerTopic }, (_, p) => ({
            topic: topicName((g * 3 + k) % shape.recordTopics),
            partition: p,
            offset: String((g + p) % 5),
          })),
        );
        await retryTransient(() => plane.setCommittedOffsets(`bench.group-${String(g).padStart(4, '0')}`, offsets));
        committed++;
        progress('groups', committed, shape.groups);
      },
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await plane.close();
  }
}

/** Spawns this script in measure mode, in a fresh Node process (same loader flags, so tsx compiles it). */
async function runOurs(connection: KafkaConnection): Promise<MeasureOutput & { processSeconds: number }> {
  const artifacts = mkdtempSync(path.join(os.tmpdir(), 'bench-inventory-'));
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--measure'], {
      env: {
        ...process.env,
        BENCH_INVENTORY_CONNECTION: JSON.stringify(connection),
        BENCH_INVENTORY_ARTIFACTS: artifacts,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8_000)));
    const code = await exitOf(child, 900_000);
    const processSeconds = (performance.now() - started) / 1000;
    const last = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('{')) throw new Error(`The inventory process failed (exit ${code}):\n${stderr}`);
    return { ...(JSON.parse(last) as MeasureOutput), processSeconds };
  } finally {
    rmSync(artifacts, { recursive: true, force: true });
  }
}

/** Resolves with the exit code; kills the child by PID when it runs past `timeoutMs`. */
function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve(signal ? -1 : code);
    });
  });
}

/** JVM flags of Kafka's bin/kafka-run-class.sh for the tools (G1, headless), with a 512 MB heap. */
const CLI_JVM = [
  '-Xmx512m',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

const CLI_ARGS: Record<CliTool, readonly string[]> = {
  'kafka-topics --describe': ['--describe'],
  'kafka-configs --describe --all --entity-type topics': ['--describe', '--all', '--entity-type', 'topics'],
  'kafka-consumer-groups --describe --all-groups': ['--describe', '--all-groups'],
};

async function runCli(
  tool: CliTool,
  mainClass: string,
  classpath: string,
  bootstrap: string,
  loggingFlag: string,
  counter: OutputCounter<Record<string, number>>,
): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(
    'java',
    [...CLI_JVM, loggingFlag, '-cp', classpath, mainClass, '--bootstrap-server', bootstrap, ...CLI_ARGS[tool]],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  const lines = lineSplitter((l) => counter.line(l));
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => lines.push(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4_000)));
  const code = await exitOf(child, 1_800_000);
  const seconds = (performance.now() - started) / 1000;
  lines.end();
  if (code !== 0) throw new Error(`${tool} (${mainClass}) exited ${code}:\n${stderr}`);
  return { command: tool, mainClass, seconds, saw: counter.result() };
}

async function main(): Promise<void> {
  const shape: Shape = {
    topics: numberOption('topics', 2000),
    partitionsPerTopic: numberOption('partitions-per-topic', 5),
    groups: numberOption('groups', 500),
    recordTopics: 0,
  };
  shape.recordTopics = Math.min(shape.topics, 1000);
  const heap = option('heap') ?? '1536m';
  const jsonOut = option('json');
  const version = LATEST_KAFKA_VERSION;
  const partitions = shape.topics * shape.partitionsPerTopic;

  const limit = openFileLimit();
  if (limit !== undefined && limit < partitions + 2_000)
    process.stderr.write(
      `Warning: open-file limit ${limit} is tight for ${partitions} partitions (one open segment each); raise it with ulimit -n if the broker fails.\n`,
    );

  const { classpath, jars } = await cliClasspath(version);
  const mains = await mainClasses(jars, version);

  process.stderr.write(`Starting Kafka ${version} (heap ${heap}) …\n`);
  cluster = await startKafkaCluster({
    name: 'bench-inventory',
    version,
    maxHeap: heap,
    readyTimeoutMs: 180_000,
    brokerProperties: {
      // 10,000 partitions × 2 index files: small preallocated indexes keep the mapped files (and disk) modest.
      'log.index.size.max.bytes': String(1024 * 1024),
      'num.io.threads': '4',
    },
  });
  const bootstrap = cluster.bootstrap as string;
  process.stderr.write(`Kafka ${version} PID ${cluster.pid} on ${bootstrap}, started in ${cluster.startupMs} ms\n`);

  const buildStarted = performance.now();
  await build(cluster, shape);
  process.stderr.write(`Built in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s\n`);

  process.stderr.write('Ours: takeInventory (kafkajs) …\n');
  const ours = await runOurs({ ...cluster.connection('bench'), requestTimeoutMs: 30_000 });

  const cliLogConfig = path.join(
    cluster.dir,
    majorVersion(version) >= 4 ? 'cli-log4j2.properties' : 'cli-log4j.properties',
  );
  const logging = loggingConfig(majorVersion(version), cliLogConfig, 'ERROR');
  writeFileSync(cliLogConfig, logging.content);
  const counters: Record<CliTool, () => OutputCounter<Record<string, number>>> = {
    'kafka-topics --describe': topicDescribeCounter,
    'kafka-configs --describe --all --entity-type topics': configDescribeCounter,
    'kafka-consumer-groups --describe --all-groups': groupDescribeCounter,
  };
  const cliRuns: CliRun[] = [];
  for (const tool of Object.keys(CLI_TOOLS) as CliTool[]) {
    process.stderr.write(`CLI: ${tool} (${mains[tool]}) …\n`);
    cliRuns.push(await runCli(tool, mains[tool], classpath, bootstrap, logging.flag, counters[tool]()));
  }

  const result = benchResult({
    kafkaVersion: version,
    topics: shape.topics,
    partitions,
    groups: shape.groups,
    oursSeconds: ours.seconds,
    oursProcessSeconds: ours.processSeconds,
    peakRssMb: ours.peakRssMb,
    inventory: {
      topics: ours.topics,
      partitions: ours.partitions,
      groups: ours.groups,
      undescribableTopics: ours.undescribableTopics,
      compactedTopics: ours.compactedTopics,
      complete: ours.complete,
      gaps: ours.gaps,
    },
    cliRuns,
  });
  // Both sides must have seen the whole cluster, or the timing compares different work.
  const short: string[] = [];
  if (ours.topics < shape.topics || ours.partitions < partitions || ours.groups < shape.groups)
    short.push(`ours saw ${ours.topics} topics, ${ours.partitions} partitions, ${ours.groups} groups`);
  for (const r of cliRuns)
    if ((r.saw.topics ?? shape.topics) < shape.topics || (r.saw.groups ?? shape.groups) < shape.groups)
      short.push(`${r.command} saw ${JSON.stringify(r.saw)}`);

  console.log(`\nData-plane inventory vs the Kafka CLI (one local KRaft broker, Kafka ${version}):`);
  console.log(formatBenchTable(result));
  if (short.length > 0) console.log(`\nWarning: a side saw less than the cluster holds: ${short.join('; ')}`);
  console.log(`\n${benchJson(result)}`);
  if (jsonOut) writeFileSync(jsonOut, `${benchJson(result)}\n`);
}

async function cleanUp(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  if (cluster) {
    process.stderr.write(`Stopping Kafka (PID ${cluster.pid}) and removing its data …\n`);
    await cluster.stop();
  }
  cluster = undefined;
}

if (process.argv.includes('--measure')) {
  measure().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's processes …\n`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => cleanUp());
}
