import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { FileCutoverSwitch, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { checkDrain, type DrainProgress } from '../../lambdas/core/cutover/check-drain';
import { fenceProducers, type FenceRecord } from '../../lambdas/core/cutover/fence-producers';
import type { ExecutionIdentity } from '../../lambdas/core/replication/naming';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';

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
export function useTwoClusters(scratchPrefix: string): TwoClusters {
  const fixture = {} as { -readonly [K in keyof TwoClusters]: TwoClusters[K] };
  beforeAll(async () => {
    const [source, target] = (await startKafkaClusters([{ name: 'source' }, { name: 'target' }])) as [
      KafkaCluster,
      KafkaCluster,
    ];
    fixture.source = source;
    fixture.target = target;
    fixture.sourcePlane = new KafkajsDataPlane(source.connection('source'), { logLevel: 'NOTHING' });
    fixture.targetPlane = new KafkajsDataPlane(target.connection('target'), { logLevel: 'NOTHING' });
    fixture.dir = mkdtempSync(path.join(tmpdir(), scratchPrefix));
  });
  afterAll(async () => {
    await Promise.all([fixture.sourcePlane?.close(), fixture.targetPlane?.close()]);
    await stopAllKafkaClusters();
    if (fixture.dir) rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
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
