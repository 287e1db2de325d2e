import { Kafka, logLevel } from 'kafkajs';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { CommittedOffset, PartitionOffsets } from '../../lambdas/ports/kafka';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil, startMirrorMaker, waitForTopic, type MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';

/**
 * MirrorMaker 2 from the harness, for each Kafka line: a SCRAM-only source (as MSK with SASL/SCRAM) and a plaintext
 * target; MM2 copies a topic under the same name, record for record, with its configs, syncs a consumer group's
 * committed offsets, and after a crash (SIGKILL) and a restart copies what was produced meanwhile.
 */
jest.setTimeout(180_000);

const quiet = { log: () => undefined };

describe.each(KAFKA_VERSIONS)('MirrorMaker 2 of Kafka %s', (version) => {
  let source: KafkaCluster;
  let target: KafkaCluster;
  let sourcePlane: KafkajsDataPlane;
  let targetPlane: KafkajsDataPlane;
  let mm2: MirrorMaker | undefined;
  let auditCommitted: CommittedOffset[];

  beforeAll(async () => {
    [source, target] = await startKafkaClusters([
      { name: `mm2-source-${version}`, version, plaintext: false, scram: {} },
      { name: `mm2-target-${version}`, version },
    ]);
    console.log(`Kafka ${version}: source ready in ${source.startupMs} ms, target in ${target.startupMs} ms`);
    sourcePlane = new KafkajsDataPlane(source.connection('source'), quiet);
    targetPlane = new KafkajsDataPlane(target.connection('target'), quiet);
    await sourcePlane.createTopics([{ topic: 'orders', numPartitions: 3, configs: { 'retention.ms': '7200000' } }]);
    await sourcePlane.produce(
      'orders',
      Array.from({ length: 300 }, (_, i) => ({
        key: `order-${i}`,
        value: JSON.stringify({ seq: i }),
        partition: i % 3,
      })),
    );
    // A real consumer group that stopped part-way on two partitions and read all of the third.
    const admin = source.admin as { username: string; password: string };
    const consumer = new Kafka({
      clientId: 'audit-service',
      brokers: [source.saslBootstrap as string],
      sasl: { mechanism: 'scram-sha-512', ...admin },
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: 'audit', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({ autoCommit: false, eachMessage: async () => resolve() });
    });
    await consumer.commitOffsets([
      { topic: 'orders', partition: 0, offset: '40' },
      { topic: 'orders', partition: 1, offset: '55' },
      { topic: 'orders', partition: 2, offset: '100' },
    ]);
    await consumer.disconnect();
    auditCommitted = await sourcePlane.fetchCommittedOffsets('audit');
  });

  afterAll(async () => {
    await sourcePlane?.close();
    await targetPlane?.close();
    await stopAllKafkaClusters();
  });

  it('copies a topic under the same name, record for record, with the configs set on it', async () => {
    // Act
    const began = Date.now();
    mm2 = startMirrorMaker({ source, target }, { name: `mm2-${version}`, topics: 'orders', groups: 'shipping|audit' });
    const topicMs = await waitForTopic(target, 'orders', { mirrorMaker: mm2, timeoutMs: 90_000 });
    const sourceEnd = await sourcePlane.fetchTopicOffsets('orders');
    const targetEnd = await pollUntil(
      'all 300 records on the target',
      async () => {
        const end = await targetPlane.fetchTopicOffsets('orders');
        return sameEnds(end, sourceEnd) ? end : undefined;
      },
      { timeoutMs: 60_000, abort: () => (mm2?.running() ? undefined : `MM2 exited: ${mm2?.logTail(10)}`) },
    );
    console.log(
      `Kafka ${version}: MM2 created the topic after ${topicMs} ms, copied 300 records after ${Date.now() - began} ms`,
    );
    const [fromSource, fromTarget] = await Promise.all(
      [sourcePlane, targetPlane].map((p) =>
        p.readPartition({ topic: 'orders', partition: 1, fromOffset: '0', maxRecords: 200 }),
      ),
    );
    const configs = await targetPlane.describeTopicConfigs(['orders']);

    // Assess
    expect(targetEnd).toEqual(sourceEnd);
    expect(fromTarget?.map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual(
      fromSource?.map((r) => [r.offset, r.key?.toString(), r.value?.toString()]),
    );
    expect(fromTarget).toHaveLength(100);
    expect(configs.orders?.find((c) => c.name === 'retention.ms')?.value).toBe('7200000');
  });

  it("syncs a caught-up group's committed offsets exactly, once the next record of each partition is copied", async () => {
    // Prepare: `shipping` has read everything (committed at the end offsets) and stopped. MM2 emits the offset sync
    // of a partition's last record only when the next record arrives, hence one more record per partition.
    const ends = await sourcePlane.fetchTopicOffsets('orders');
    const caughtUp = ends.map((o) => ({ topic: 'orders', partition: o.partition, offset: o.high }));
    await sourcePlane.setCommittedOffsets('shipping', caughtUp);
    await sourcePlane.produce(
      'orders',
      [0, 1, 2].map((partition) => ({ key: `next-${partition}`, value: 'after the group stopped', partition })),
    );

    // Act
    const began = Date.now();
    const onTarget = await pollUntil(
      'the group shipping synced on the target',
      async () => {
        const committed = await targetPlane.fetchCommittedOffsets('shipping', ['orders']);
        return JSON.stringify(committed) === JSON.stringify(caughtUp) ? committed : undefined;
      },
      { timeoutMs: 60_000, abort: () => (mm2?.running() ? undefined : 'MM2 exited') },
    );
    console.log(`Kafka ${version}: group offsets synced ${Date.now() - began} ms after the next records`);

    // Assess
    expect(caughtUp.map((c) => c.offset)).toEqual(['100', '100', '100']);
    expect(onTarget).toEqual(caughtUp);
  });

  it("never translates a part-way group's offsets past the source's (consumers may re-read, never skip)", async () => {
    // Act: `audit` stopped part-way before MM2 started; MM2 translates through its sparse offset syncs.
    const onTarget = await pollUntil(
      'the group audit on the target',
      async () => {
        // Partitions without a translation yet read as -1.
        const committed = (await targetPlane.fetchCommittedOffsets('audit', ['orders'])).filter(
          (c) => c.offset !== '-1',
        );
        return committed.length > 0 ? committed : undefined;
      },
      { timeoutMs: 60_000, abort: () => (mm2?.running() ? undefined : 'MM2 exited') },
    );

    // Assess
    expect(auditCommitted.map((c) => c.offset)).toEqual(['40', '55', '100']);
    for (const translated of onTarget) {
      const committed = auditCommitted.find((c) => c.partition === translated.partition);
      expect(BigInt(translated.offset)).toBeLessThanOrEqual(BigInt(committed?.offset ?? '-1'));
    }
  });

  it('copies what was produced while it was down once restarted after a crash', async () => {
    // Prepare
    if (!mm2) throw new Error('MirrorMaker 2 was not started by the first test');
    const crashedPid = mm2.pid();
    await mm2.kill();
    await sourcePlane.produce(
      'orders',
      Array.from({ length: 30 }, (_, i) => ({
        key: `late-${i}`,
        value: `produced while MM2 was down ${i}`,
        partition: 0,
      })),
    );

    // Act
    const began = Date.now();
    await mm2.restart();
    const late = await pollUntil(
      'the 30 late records on the target',
      async () => {
        const records = await targetPlane.readPartition({
          topic: 'orders',
          partition: 0,
          fromOffset: '101',
          maxRecords: 500,
          timeoutMs: 500,
        });
        const found = records.filter((r) => r.key?.toString().startsWith('late-'));
        return new Set(found.map((r) => r.key?.toString())).size === 30 ? found : undefined;
      },
      { timeoutMs: 90_000, abort: () => (mm2?.running() ? undefined : `MM2 exited: ${mm2?.logTail(10)}`) },
    );
    console.log(`Kafka ${version}: MM2 restarted after a crash copied the late records in ${Date.now() - began} ms`);

    // Assess
    expect(mm2.pid()).not.toBe(crashedPid);
    expect(late[0]?.value?.toString()).toBe('produced while MM2 was down 0');
  });
});

function sameEnds(a: readonly PartitionOffsets[], b: readonly PartitionOffsets[]): boolean {
  return a.length === b.length && a.every((p, i) => p.partition === b[i]?.partition && p.high === b[i]?.high);
}
