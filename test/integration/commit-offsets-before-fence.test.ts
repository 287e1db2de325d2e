import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { FileCutoverSwitch, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { checkDrain, type DrainProgress } from '../../lambdas/core/cutover/check-drain';
import { commitConsumerOffsets, translateOffsetsBeforeFence } from '../../lambdas/core/cutover/commit-consumer-offsets';
import { fenceProducers } from '../../lambdas/core/cutover/fence-producers';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';

/**
 * The consumer-group offsets translated before the fence on real brokers: a group that did not move since is
 * committed from the pre-pass's pair, one that consumed since is translated after the drain, and a real consumer of
 * each resumes on the target with the source's next record.
 */
jest.setTimeout(180_000);

const identity = { migrationId: 'before-fence-it', executionName: 'exec-1' };
const TOPIC = 'orders';
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const record = (i: number) => ({ key: `k${i}`, value: `order-${i}`, partition: 0 });

describe('consumer offsets translated before the fence, on real brokers', () => {
  let source: KafkaCluster;
  let target: KafkaCluster;
  let sourcePlane: KafkajsDataPlane;
  let targetPlane: KafkajsDataPlane;
  let dir: string;

  beforeAll(async () => {
    [source, target] = (await startKafkaClusters([{ name: 'source' }, { name: 'target' }])) as [
      KafkaCluster,
      KafkaCluster,
    ];
    sourcePlane = new KafkajsDataPlane(source.connection('source'), { logLevel: 'NOTHING' });
    targetPlane = new KafkajsDataPlane(target.connection('target'), { logLevel: 'NOTHING' });
    dir = mkdtempSync(path.join(tmpdir(), 'before-fence-'));
  });

  afterAll(async () => {
    await Promise.all([sourcePlane?.close(), targetPlane?.close()]);
    await stopAllKafkaClusters();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function firstValues(groupId: string): Promise<string[]> {
    const kafka = new Kafka({
      clientId: 'before-fence-it',
      brokers: [target.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
      },
    });
    await pollUntil('the consumer to read', async () => (values.length >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await consumer.disconnect();
    return values.slice(0, 2);
  }

  it('commits the unmoved group from the pre-pass and the moved one from a translation after the drain', async () => {
    // Prepare: 800 records on both sides (the target shifted by a 100-record head of its own); billing at 300, audit at 500
    for (const plane of [sourcePlane, targetPlane])
      await plane.createTopics([{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }]);
    await targetPlane.produce(TOPIC, range(10_000, 10_099).map(record));
    for (const plane of [sourcePlane, targetPlane]) await plane.produce(TOPIC, range(0, 799).map(record));
    await sourcePlane.setCommittedOffsets('billing', [{ topic: TOPIC, partition: 0, offset: '300' }]);
    await sourcePlane.setCommittedOffsets('audit', [{ topic: TOPIC, partition: 0, offset: '500' }]);
    const artifacts = new MemoryArtifacts();
    const now = () => new Date();
    const consumerGroups = { include: ['billing', 'audit'], exclude: [] };
    const early = await translateOffsetsBeforeFence(
      { identity, topics: [TOPIC], consumerGroups },
      { source: sourcePlane, target: targetPlane, artifacts, now },
    );
    // audit reads on before the fence
    await sourcePlane.setCommittedOffsets('audit', [{ topic: TOPIC, partition: 0, offset: '700' }]);
    const pointerFile = path.join(dir, 'pointer.json');
    writePointerFile(pointerFile, source.bootstrap as string);
    const fence = await fenceProducers(
      { identity, topics: [TOPIC] },
      { producers: new FileCutoverSwitch(pointerFile), source: sourcePlane, artifacts, now },
    );
    let drain: DrainProgress | undefined;
    drain = await pollUntil(
      'the drain',
      async () => {
        drain = await checkDrain(
          { identity, topics: [TOPIC], fence, settleSeconds: 1, ...(drain ? { previous: drain } : {}) },
          { source: sourcePlane, target: targetPlane, artifacts, now },
        );
        return drain.drained ? drain : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // Act
    const progress = await commitConsumerOffsets(
      { identity, topics: [TOPIC], consumerGroups, fence, drain, beforeFence: early },
      { source: sourcePlane, target: targetPlane, artifacts, now },
    );

    // Assess
    expect(early).toMatchObject({ groups: 2, partitionsTranslated: 2, partitionsLeft: 0 });
    expect(progress).toMatchObject({ complete: true, partitionsCommitted: 2, translatedBeforeFence: 1 });
    expect(await targetPlane.fetchCommittedOffsets('billing', [TOPIC])).toEqual([
      { topic: TOPIC, partition: 0, offset: '400' },
    ]);
    expect(await targetPlane.fetchCommittedOffsets('audit', [TOPIC])).toEqual([
      { topic: TOPIC, partition: 0, offset: '800' },
    ]);
    expect(await firstValues('billing')).toEqual(['order-300', 'order-301']);
    expect(await firstValues('audit')).toEqual(['order-700', 'order-701']);
  });
});
