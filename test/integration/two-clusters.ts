import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { FileCutoverSwitch, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { LocalMirrorMaker2 } from '../../lambdas/adapters/local/mm2-replicator';
import { checkDrain, type DrainProgress } from '../../lambdas/core/cutover/check-drain';
import { fenceProducers, type FenceRecord } from '../../lambdas/core/cutover/fence-producers';
import type { FailbackState } from '../../lambdas/core/failback/state';
import { runCheckFailback } from '../../lambdas/core/failback/tasks';
import type { ExecutionIdentity } from '../../lambdas/core/replication/naming';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import type { KafkaDataPlane } from '../../lambdas/ports/kafka';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { mirrorMakerProcessLauncher, pollUntil, type MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';

/** Two fresh Kafka clusters for one test file, a kafkajs data plane on each, and a scratch folder (pointer files). */
export interface TwoClusters {
  readonly source: KafkaCluster;
  readonly target: KafkaCluster;
  readonly sourcePlane: KafkajsDataPlane;
  readonly targetPlane: KafkajsDataPlane;
  readonly dir: string;
}

/**
 * Starts the clusters in `beforeAll` and stops them (by PID), the clients and the folder in `afterAll`, of the
 * describe block it is called in. The fields are there once `beforeAll` ran: read them inside the tests.
 */
export function useTwoClusters(
  scratchPrefix: string,
  names: readonly [string, string] = ['source', 'target'],
): TwoClusters {
  const fixture = {} as Writable<TwoClusters>;
  beforeAll(() => startTwo(fixture, scratchPrefix, names));
  afterAll(() => stopTwo(fixture));
  return fixture;
}

/** Two clusters with the local MirrorMaker 2 adapter between them: its processes start when a flow is created. */
export interface MirrorMakerClusters extends TwoClusters {
  readonly mm2: LocalMirrorMaker2;
  /** Every MirrorMaker 2 process the adapter started, in order (the forward flow first, then the failback's). */
  readonly started: readonly MirrorMaker[];
  /** The evidence of the test file's execution. */
  readonly artifacts: MemoryArtifacts;
  /** The replication and failback tasks' dependencies: this MirrorMaker 2, the clusters, the artifacts, the clock. */
  deps(): {
    replicator: LocalMirrorMaker2;
    artifacts: MemoryArtifacts;
    source: KafkajsDataPlane;
    target: KafkajsDataPlane;
    now: () => Date;
  };
  /** The source and the target as replication and failback requests name them (their plaintext listeners). */
  sourceEndpoint(): PlaintextEndpoint;
  targetEndpoint(): PlaintextEndpoint;
}

/**
 * useTwoClusters with MirrorMaker 2 of the source's Kafka version (short refresh, sync and flush intervals, so that a
 * test waits seconds); `afterAll` stops its flows and processes (by PID) before the clusters.
 */
export function useMirrorMakerClusters(scratchPrefix: string, names: readonly [string, string]): MirrorMakerClusters {
  const fixture = {
    artifacts: new MemoryArtifacts(),
    deps: () => ({
      replicator: fixture.mm2,
      artifacts: fixture.artifacts,
      source: fixture.sourcePlane,
      target: fixture.targetPlane,
      now: () => new Date(),
    }),
    sourceEndpoint: () => plaintextEndpoint(fixture.source),
    targetEndpoint: () => plaintextEndpoint(fixture.target),
  } as Writable<MirrorMakerClusters>;
  beforeAll(async () => {
    await startTwo(fixture, scratchPrefix, names);
    const launcher = mirrorMakerProcessLauncher({ version: fixture.source.version });
    fixture.started = launcher.started;
    fixture.mm2 = new LocalMirrorMaker2(
      launcher.launch,
      { refreshIntervalSeconds: 2, syncIntervalSeconds: 1, offsetFlushIntervalMs: 1_000 },
      (e) =>
        new KafkajsDataPlane(
          { name: 'mm2-offsets', bootstrapServers: e.bootstrapServers ?? [], auth: { mechanism: 'PLAINTEXT' } },
          { logLevel: 'NOTHING' },
        ),
    );
  });
  afterAll(async () => {
    await fixture.mm2?.stopAll();
    for (const p of fixture.started ?? []) await p.stop();
    await stopTwo(fixture);
  });
  return fixture;
}

type PlaintextEndpoint = { bootstrapServers: string[]; auth: { mechanism: 'PLAINTEXT' } };

function plaintextEndpoint(cluster: KafkaCluster): PlaintextEndpoint {
  return { bootstrapServers: [cluster.bootstrap as string], auth: { mechanism: 'PLAINTEXT' } };
}

/**
 * CheckFailback polled every second until the reverse flow caught up; fails at once, with its log, when the reverse
 * MirrorMaker 2 (the second process started) exits.
 */
export function untilFailbackCaughtUp(
  k: MirrorMakerClusters,
  state: FailbackState,
  what: string,
  timeoutMs: number,
): Promise<FailbackState> {
  let failback = state;
  return pollUntil(
    what,
    async () => {
      failback = await runCheckFailback(failback, k.deps());
      return failback.caughtUp ? failback : undefined;
    },
    {
      timeoutMs,
      intervalMs: 1_000,
      abort: () => (k.started[1]?.running() === false ? `reverse MM2 exited: ${k.started[1]?.logTail(10)}` : undefined),
    },
  );
}

/** The key of the record at `offset` of a partition (undefined past the end): what a committed offset points at. */
export async function keyAt(
  plane: KafkaDataPlane,
  topic: string,
  partition: number,
  offset: string,
): Promise<string | undefined> {
  const [record] = await plane.readPartition({ topic, partition, fromOffset: offset, maxRecords: 1, timeoutMs: 3_000 });
  return record?.key?.toString();
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

async function startTwo(
  fixture: Writable<TwoClusters>,
  scratchPrefix: string,
  names: readonly [string, string],
): Promise<void> {
  const [source, target] = (await startKafkaClusters([{ name: names[0] }, { name: names[1] }])) as [
    KafkaCluster,
    KafkaCluster,
  ];
  fixture.source = source;
  fixture.target = target;
  fixture.sourcePlane = new KafkajsDataPlane(source.connection('source'), { logLevel: 'NOTHING' });
  fixture.targetPlane = new KafkajsDataPlane(target.connection('target'), { logLevel: 'NOTHING' });
  fixture.dir = mkdtempSync(path.join(tmpdir(), scratchPrefix));
}

async function stopTwo(fixture: Partial<TwoClusters>): Promise<void> {
  await Promise.all([fixture.sourcePlane?.close(), fixture.targetPlane?.close()]);
  await stopAllKafkaClusters();
  if (fixture.dir) rmSync(fixture.dir, { recursive: true, force: true });
}

/**
 * The cutover up to the offsets on the two clusters: a pointer file (`pointerName` in the scratch folder) naming the
 * source, FenceProducers on it, then CheckDrain looked at every 500 ms (settle 1 s) until the source drained.
 */
export async function fenceAndDrain(
  k: TwoClusters,
  a: {
    identity: ExecutionIdentity;
    topics: string[];
    pointerName: string;
    artifacts: ArtifactStore;
    now: () => Date;
  },
): Promise<{ fence: FenceRecord; drain: DrainProgress }> {
  const { identity, topics, artifacts, now } = a;
  const pointerFile = path.join(k.dir, a.pointerName);
  writePointerFile(pointerFile, k.source.bootstrap as string);
  const fence = await fenceProducers(
    { identity, topics },
    { producers: new FileCutoverSwitch(pointerFile), source: k.sourcePlane, artifacts, now },
  );
  let drain: DrainProgress | undefined;
  drain = await pollUntil(
    'the drain',
    async () => {
      drain = await checkDrain(
        { identity, topics, fence, settleSeconds: 1, ...(drain ? { previous: drain } : {}) },
        { source: k.sourcePlane, target: k.targetPlane, artifacts, now },
      );
      return drain.drained ? drain : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  return { fence, drain };
}

/** The first `count` values a consumer of `groupId` reads on the target: where the group's committed offset resumes it. */
export async function firstValuesOnTarget(
  k: TwoClusters,
  a: { groupId: string; topic: string; count: number },
): Promise<string[]> {
  const kafka = new Kafka({
    clientId: `${a.groupId}-reader`,
    brokers: [k.target.bootstrap as string],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: a.groupId });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [a.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
      },
    });
    await pollUntil('the consumer to read', async () => (values.length >= a.count ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  } finally {
    await consumer.disconnect();
  }
  return values.slice(0, a.count);
}
