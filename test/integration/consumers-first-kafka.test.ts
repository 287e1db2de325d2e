import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileCutoverSwitch, readPointerFile, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { passConsumersFirst } from '../../lambdas/core/cutover/check-drain';
import { commitConsumerOffsets } from '../../lambdas/core/cutover/commit-consumer-offsets';
import { fenceProducers } from '../../lambdas/core/cutover/fence-producers';
import { switchConsumers } from '../../lambdas/core/cutover/switch-consumers';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil, startMirrorMaker, waitForTopic, type MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';
import { startPointerConsumer, type PointerConsumer } from './pointer-consumer';

/**
 * A consumers-first wave on real brokers with MirrorMaker 2: a producer keeps writing sequence-numbered records to the
 * source the whole time; a read-only consumer finds its cluster through a pointer of its own. Its pointer is fenced
 * (the consumer commits and leaves), nothing is drained, its group's offsets are translated by content while the
 * source keeps moving and committed on the target, and its pointer moves to the target: the consumer goes on reading
 * there what MM2 copies, every sequence number exactly once.
 */
jest.setTimeout(240_000);

const quiet = { log: () => undefined };
const identity = { migrationId: 'audit-first-it', executionName: 'exec-1', wave: 'audit' };
const TOPIC = 'payments';
const PARTITIONS = 3;
const GROUP = 'payments-audit';

describe('consumers first with MirrorMaker 2 on real brokers', () => {
  let source: KafkaCluster;
  let target: KafkaCluster;
  let sourcePlane: KafkajsDataPlane;
  let targetPlane: KafkajsDataPlane;
  let mm2: MirrorMaker | undefined;
  let dir: string;
  let producing = true;
  let producer: Promise<void> | undefined;
  let reader: PointerConsumer | undefined;

  beforeAll(async () => {
    [source, target] = await startKafkaClusters([{ name: 'first-source' }, { name: 'first-target' }]);
    sourcePlane = new KafkajsDataPlane(source.connection('source'), quiet);
    targetPlane = new KafkajsDataPlane(target.connection('target'), quiet);
    await sourcePlane.createTopics([{ topic: TOPIC, numPartitions: PARTITIONS }]);
    dir = mkdtempSync(path.join(tmpdir(), 'consumers-first-'));
  });

  afterAll(async () => {
    producing = false;
    await producer;
    await reader?.stop();
    await mm2?.stop();
    await sourcePlane?.close();
    await targetPlane?.close();
    await stopAllKafkaClusters();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('moves a read-only consumer to the target while the producer keeps writing to the source: no loss, no duplicate', async () => {
    // Prepare: MM2 copying; the producer writes to the source only; the consumer reads its own pointer
    mm2 = startMirrorMaker({ source, target }, { name: 'mm2-first', topics: TOPIC, groups: 'no-group-synced-by-mm2' });
    const pointerFile = path.join(dir, 'audit-bootstrap.json');
    writePointerFile(pointerFile, source.bootstrap as string);
    const pointer = new FileCutoverSwitch(pointerFile);
    const planes = new Map([
      [source.bootstrap as string, true],
      [target.bootstrap as string, true],
    ]);
    let seq = 0;
    producer = (async () => {
      while (producing) {
        const batch = Array.from({ length: 5 }, () => seq++);
        await sourcePlane.produce(
          TOPIC,
          batch.map((n) => ({
            key: `customer-${n % 11}`,
            value: JSON.stringify({ seq: n }),
            partition: n % PARTITIONS,
          })),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    reader = startPointerConsumer({
      pointerFile,
      clientId: 'audit',
      groupId: GROUP,
      topic: TOPIC,
      knows: (value) => planes.has(value),
    });
    const { consumed } = reader;
    await waitForTopic(target, TOPIC, { mirrorMaker: mm2, timeoutMs: 90_000 });
    await pollUntil('the consumer to read on the source', async () => (consumed.length > 30 ? true : undefined), {
      timeoutMs: 30_000,
    });
    const artifacts = new MemoryArtifacts();
    const now = (): Date => new Date();
    const topics = [TOPIC];

    // Act: the consumers' fence (no write fence), no drain, offsets while the source moves, the switch
    const fence = await fenceProducers(
      { identity, topics },
      { producers: pointer, source: sourcePlane, artifacts, now },
    );
    const drain = await passConsumersFirst(
      { identity, topics, fence },
      { source: sourcePlane, target: targetPlane, artifacts, now },
    );
    const progress: Array<{ complete: boolean; waiting: number }> = [];
    const offsets = await pollUntil(
      'the group to leave the source and its positions to be on the target',
      async () => {
        const o = await commitConsumerOffsets(
          {
            identity,
            topics,
            consumerGroups: { include: [GROUP], exclude: [] },
            fence,
            drain,
            consumersFirst: { lagAllowance: 1_000, replicationTimeoutSeconds: 120 },
          },
          { source: sourcePlane, target: targetPlane, artifacts, now },
        );
        progress.push({ complete: o.complete, waiting: (o.waitingForReplication ?? []).length });
        return o.complete ? o : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const sourceEndsAtCommit = (await sourcePlane.fetchTopicOffsets(TOPIC)).reduce((n, o) => n + BigInt(o.high), 0n);
    await switchConsumers(
      { identity, topics, fence, offsets, producersTargetValue: target.bootstrap as string },
      { producers: pointer, target: targetPlane, artifacts, now },
    );
    const atSwitch = seq;
    await pollUntil(
      'more writes to the source after the switch',
      async () => (seq >= atSwitch + 60 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    producing = false;
    await producer;
    const produced = seq;
    await pollUntil(
      'the consumer to read every record on the target',
      async () => (new Set(consumed).size >= produced ? true : undefined),
      { timeoutMs: 120_000, abort: () => (mm2?.running() ? undefined : `MM2 exited: ${mm2?.logTail(10)}`) },
    );

    // Assess: the producer never held; the source moved during the offsets step; every record read once
    expect(readPointerFile(pointerFile)?.value).toBe(target.bootstrap);
    expect(drain).toMatchObject({ drained: true, sourceStable: false });
    expect(offsets).toMatchObject({ complete: true, groups: 1, partitionsCommitted: PARTITIONS });
    expect(BigInt(fence.sourceEndsAtFence.totalEnd)).toBeLessThan(sourceEndsAtCommit);
    const counts = new Map<number, number>();
    for (const n of consumed) counts.set(n, (counts.get(n) ?? 0) + 1);
    const lost = Array.from({ length: produced }, (_, n) => n).filter((n) => !counts.has(n));
    const duplicates = [...counts.values()].filter((c) => c > 1).length;
    console.log(
      `consumers first: ${produced} records produced to the source, ${consumed.length} consumed, offsets looks ${progress.length} (${progress.filter((p) => p.waiting > 0).length} waiting for the replication)`,
    );
    expect({ lost: lost.length, duplicates }).toEqual({ lost: 0, duplicates: 0 });
  });
});
