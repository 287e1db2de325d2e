/**
 * STOP-GAP for the replication integration test and `bench:gate`, until the Kafka harness (rehearsal/kafka/ and
 * lambdas/adapters/kafka/kafkajs-data-plane.ts) lands: a single-node KRaft cluster on free loopback ports, a
 * MirrorMaker 2 process, and a small kafkajs implementation of the KafkaDataPlane port. Replace the imports with the
 * harness's launchers and adapter once they exist; the test body does not change.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { Mm2Launcher, Mm2ProcessHandle } from '../../lambdas/adapters/local/mm2-replicator';
import { toPropertiesFile } from '../../lambdas/core/replication/mm2-config';
import { newClusterId } from '../../rehearsal/kafka/cluster';
import type {
  CommittedOffset,
  ConfigEntry,
  GroupDescription,
  KafkaConnection,
  KafkaDataPlane,
  KafkaRecordIn,
  KafkaRecordOut,
  PartitionOffsets,
  TopicDescription,
} from '../../lambdas/ports/kafka';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../..');
/** Kafka 4.x (log4j2) by default; KAFKA_VERSION=3.9.1 for the 3.x line (reload4j). */
export const KAFKA_VERSION = process.env.KAFKA_VERSION ?? '4.1.1';
const isKafka4 = (version: string): boolean => Number(version.split('.')[0]) >= 4;

/** Jars of the harness if present, else fetched once with Maven into .work/ (gitignored). */
export async function kafkaJars(version = KAFKA_VERSION): Promise<string> {
  for (const candidate of [
    path.join(REPO, 'rehearsal/kafka/jars', version),
    path.join(REPO, 'rehearsal/kafka/jars', version, 'libs'),
  ]) {
    if (existsSync(candidate) && readdirSync(candidate).some((f) => f.startsWith('connect-mirror-'))) return candidate;
  }
  const dir = path.join(REPO, '.work/kafka-jars', version);
  const libs = path.join(dir, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('connect-mirror-'))) return libs;
  mkdirSync(dir, { recursive: true });
  const dep = (a: string, g = 'org.apache.kafka', v = version): string =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>local</groupId><artifactId>kafka-jars</artifactId><version>1</version><packaging>pom</packaging><dependencies>${dep('kafka_2.13')}${dep('connect-mirror')}${dep('connect-runtime')}${isKafka4(version) ? `${dep('log4j-slf4j2-impl', 'org.apache.logging.log4j', '2.24.3')}${dep('log4j-core', 'org.apache.logging.log4j', '2.24.3')}${dep('slf4j-api', 'org.slf4j', '2.0.17')}` : dep('slf4j-reload4j', 'org.slf4j', '1.7.36')}</dependencies></project>`,
  );
  await run('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=libs', '-DincludeScope=runtime'], {
    cwd: dir,
    timeout: 300_000,
  });
  return libs;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface JavaProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  exited(): boolean;
  logTail(): string;
  stop(): Promise<void>;
}

function loggingFlag(workDir: string): string {
  if (isKafka4(KAFKA_VERSION)) {
    const file = path.join(workDir, 'log4j2.properties');
    writeFileSync(
      file,
      'status = error\nappender.console.type = Console\nappender.console.name = STDOUT\nappender.console.layout.type = PatternLayout\nappender.console.layout.pattern = [%d] %p %m (%c)%n\nrootLogger.level = warn\nrootLogger.appenderRef.stdout.ref = STDOUT\n',
    );
    return `-Dlog4j2.configurationFile=${file}`;
  }
  const file = path.join(workDir, 'log4j.properties');
  writeFileSync(
    file,
    'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  return `-Dlog4j.configuration=file:${file}`;
}

function startJava(jars: string, mainClass: string, args: string[], workDir: string, heap = '256m'): JavaProcess {
  const child = spawn(
    'java',
    [
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      loggingFlag(workDir),
      '-cp',
      `${jars}/*`,
      mainClass,
      ...args,
    ],
    {
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((done = true), resolve())));
  return {
    pid: child.pid ?? -1,
    child,
    exited: () => done,
    logTail: () => tail.split('\n').slice(-8).join('\n'),
    stop: async () => {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface LocalKafka {
  readonly name: string;
  readonly bootstrap: string;
  readonly process: JavaProcess;
  stop(): Promise<void>;
}

/** One KRaft node (broker + controller) on free loopback ports, its log dirs in a temp folder removed on stop. */
export async function startKafka(name: string, jars: string): Promise<LocalKafka> {
  const dir = mkdtempSync(path.join(tmpdir(), `kafka-${name}-`));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = path.join(dir, 'server.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${path.join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      '',
    ].join('\n'),
  );
  const clusterId = newClusterId();
  await run(
    'java',
    [
      '-Xmx128m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${jars}/*`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      config,
    ],
    { timeout: 60_000 },
  );
  const process = startJava(jars, 'kafka.Kafka', [config], dir);
  const bootstrap = `127.0.0.1:${port}`;
  const admin = new Kafka({
    clientId: 'probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.connect();
      await admin.listTopics();
      await admin.disconnect();
      break;
    } catch (err) {
      if (process.exited() || Date.now() > deadline || attempt > 300)
        throw new Error(`Kafka ${name} did not start: ${(err as Error).message}\n${process.logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    name,
    bootstrap,
    process,
    stop: async () => {
      await process.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** MirrorMaker 2 (dedicated mode) launcher for the LocalMirrorMaker2 adapter; every process it starts is tracked. */
export function mirrorMakerLauncher(jars: string): { launch: Mm2Launcher; started: JavaProcess[] } {
  const started: JavaProcess[] = [];
  const launch: Mm2Launcher = async ({ name, properties }) => {
    const dir = mkdtempSync(path.join(tmpdir(), `mm2-${name.slice(0, 20)}-`));
    writeFileSync(path.join(dir, 'mm2.properties'), toPropertiesFile(properties));
    const process = startJava(
      jars,
      'org.apache.kafka.connect.mirror.MirrorMaker',
      [path.join(dir, 'mm2.properties')],
      dir,
      '384m',
    );
    started.push(process);
    const handle: Mm2ProcessHandle = {
      pid: process.pid,
      exited: process.exited,
      logTail: process.logTail,
      stop: async () => {
        await process.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return handle;
  };
  return { launch, started };
}

// ---- a small kafkajs KafkaDataPlane (the harness provides the real one) ----

/* eslint-disable @typescript-eslint/no-require-imports */
// kafkajs has no public way to read a partition without joining a group; its Cluster/Broker classes do (pinned 2.2.4).
const KafkaJsCluster = require('kafkajs/src/cluster') as new (options: Record<string, unknown>) => KafkaJsClusterApi;
const { createLogger } = require('kafkajs/src/loggers') as {
  createLogger: (o: { level: number; logCreator: () => () => void }) => unknown;
};
const socketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

interface FetchedMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
  isControlRecord?: boolean;
}
interface KafkaJsClusterApi {
  targetTopics: Set<string>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<{
    fetch(args: Record<string, unknown>): Promise<{
      responses: Array<{
        topicName: string;
        partitions: Array<{ errorCode: number; highWatermark: string; messages: FetchedMessage[] }>;
      }>;
    }>;
  }>;
}

export class StopgapKafkaJsDataPlane implements KafkaDataPlane {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer: Producer | undefined;
  private cluster: KafkaJsClusterApi | undefined;
  private connected: Promise<void> | undefined;

  constructor(readonly connection: KafkaConnection) {
    this.kafka = new Kafka({
      clientId: `msk-migration-${connection.name}`,
      brokers: [...connection.bootstrapServers],
      logLevel: logLevel.NOTHING,
      requestTimeout: connection.requestTimeoutMs ?? 10_000,
    });
    this.admin = this.kafka.admin();
  }

  private async ready(): Promise<void> {
    this.connected ??= this.admin.connect();
    await this.connected;
  }

  async listTopics(): Promise<string[]> {
    await this.ready();
    return (await this.admin.listTopics()).sort();
  }
  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    await this.ready();
    const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    return metadata.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    }));
  }
  async describeTopicConfigs(topics: readonly string[]): Promise<Record<string, ConfigEntry[]>> {
    await this.ready();
    if (topics.length === 0) return {};
    const out = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: 2, name })),
    });
    return Object.fromEntries(
      out.resources.map((r) => [
        r.resourceName,
        r.configEntries.map((e) => ({
          name: e.configName,
          value: e.configValue,
          isDefault: e.isDefault || (e as { configSource?: number }).configSource !== 1,
          isSensitive: e.isSensitive,
        })),
      ]),
    );
  }
  async createTopics(
    topics: ReadonlyArray<{
      topic: string;
      numPartitions: number;
      replicationFactor?: number;
      configs?: Record<string, string>;
    }>,
  ): Promise<void> {
    await this.ready();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor ?? 1,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.ready();
    await this.admin.deleteTopics({ topics: [...topics] });
  }
  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    await this.ready();
    return (await this.admin.fetchTopicOffsets(topic))
      .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
      .sort((a, b) => a.partition - b.partition);
  }
  async listGroups(): Promise<Array<{ groupId: string; protocolType: string }>> {
    await this.ready();
    return (await this.admin.listGroups()).groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
  }
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    await this.ready();
    return (await this.admin.describeGroups([...groupIds])).groups.map((g) => ({
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
    }));
  }
  async fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
    await this.ready();
    const list = topics ?? (await this.listTopics()).filter((t) => !t.startsWith('__'));
    const out = await this.admin.fetchOffsets({ groupId, topics: [...list] });
    return out.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })));
  }
  async setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    await this.ready();
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets)
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    for (const [topic, partitions] of byTopic) await this.admin.setOffsets({ groupId, topic, partitions });
  }
  async produce(
    topic: string,
    records: readonly KafkaRecordOut[],
  ): Promise<Array<{ partition: number; offset: string }>> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    const meta = await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({
        key: r.key ?? null,
        value: r.value,
        headers: r.headers,
        ...(r.partition !== undefined ? { partition: r.partition } : {}),
      })),
    });
    return meta.map((m) => ({ partition: m.partition, offset: m.baseOffset ?? '-1' }));
  }
  async readPartition(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
    timeoutMs?: number;
  }): Promise<KafkaRecordIn[]> {
    // One read at a time: kafkajs's Cluster keeps one set of target topics for its metadata.
    const previous = this.reading;
    let release!: () => void;
    this.reading = new Promise<void>((r) => (release = r));
    await previous;
    try {
      return await this.readPartitionNow(args);
    } finally {
      release();
    }
  }

  private reading: Promise<void> = Promise.resolve();

  private async readPartitionNow(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
    timeoutMs?: number;
  }): Promise<KafkaRecordIn[]> {
    if (!this.cluster) {
      this.cluster = new KafkaJsCluster({
        logger: createLogger({ level: 0, logCreator: () => () => undefined }),
        socketFactory: socketFactory(),
        brokers: [...this.connection.bootstrapServers],
        clientId: `msk-migration-reader-${this.connection.name}`,
        connectionTimeout: 3_000,
        requestTimeout: 30_000,
        retry: { retries: 2 },
        isolationLevel: 1,
        metadataMaxAge: 60_000,
      });
      await this.cluster.connect();
    }
    // Only this topic: a topic deleted since an earlier read would fail the metadata request.
    this.cluster.targetTopics = new Set([args.topic]);
    await this.cluster.refreshMetadata();
    const leaders = this.cluster.findLeaderForPartitions(args.topic, [args.partition]);
    const nodeId = Object.keys(leaders)[0];
    if (nodeId === undefined) throw new Error(`no leader for ${args.topic}-${args.partition}`);
    const broker = await this.cluster.findBroker({ nodeId });
    const out: KafkaRecordIn[] = [];
    let next = BigInt(args.fromOffset);
    const until = args.untilOffset === undefined ? undefined : BigInt(args.untilOffset);
    const deadline = Date.now() + (args.timeoutMs ?? 5_000);
    for (let round = 0; round < 100 && out.length < args.maxRecords && (until === undefined || next < until); round++) {
      const response = await broker.fetch({
        isolationLevel: 1,
        maxWaitTime: Math.max(10, Math.min(500, deadline - Date.now())),
        minBytes: 1,
        maxBytes: 4 * 1024 * 1024,
        topics: [
          {
            topic: args.topic,
            partitions: [{ partition: args.partition, fetchOffset: next.toString(), maxBytes: 1024 * 1024 }],
          },
        ],
      });
      const messages = response.responses[0]?.partitions[0]?.messages ?? [];
      let advanced = false;
      for (const m of messages) {
        const offset = BigInt(m.offset);
        if (offset < next) continue;
        next = offset + 1n;
        advanced = true;
        if (m.isControlRecord) continue;
        if (until !== undefined && offset >= until) break;
        out.push({
          topic: args.topic,
          partition: args.partition,
          offset: m.offset,
          timestamp: m.timestamp,
          key: m.key,
          value: m.value,
          headers: m.headers,
        });
        if (out.length >= args.maxRecords) break;
      }
      // Caught up with what the partition holds now: return what was read rather than wait for more.
      const highWatermark = BigInt(response.responses[0]?.partitions[0]?.highWatermark ?? '-1');
      if (out.length > 0 && (!advanced || next >= highWatermark)) break;
      if (!advanced && Date.now() >= deadline) break;
    }
    return out;
  }
  async deleteRecordsBefore(topic: string, partition: number, offset: string): Promise<void> {
    await this.ready();
    await this.admin.deleteTopicRecords({ topic, partitions: [{ partition, offset }] });
  }
  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.cluster?.disconnect();
    if (this.connected) await this.admin.disconnect();
  }
}
