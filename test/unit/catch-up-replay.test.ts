import { measurePartitionLag } from '../../lambdas/core/gates/partition-lag';
import { exactlyOnceProperties, mm2DedicatedProperties } from '../../lambdas/core/replication/mm2-config';
import type { ReplicatorSpec } from '../../lambdas/ports/replicator';
import { FakeKafka } from './validation-fake-kafka';

/** The catch-up gate on a target that holds a replayed range, and MirrorMaker 2's exactly-once properties. */

const rec = (i: number) => ({ key: `k${i}`, value: `v${i}` });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const content = { whenLagAtMost: 200, searchWindow: 20, ignoredHeaders: [], readTimeoutMs: 1_000 };

describe('catch-up lag on a target holding a replayed range', () => {
  it('counts the lag from the source position of the target’s last record, not from its end offset', async () => {
    // Prepare: 1,000 records on the source; the target copied 0–899 with 0–149 copied twice (end offset 1,050)
    const source = new FakeKafka().addTopic('orders', 1).append('orders', 0, range(0, 999).map(rec));
    const target = new FakeKafka()
      .addTopic('orders', 1)
      .append('orders', 0, [...range(0, 299), ...range(150, 899)].map(rec));
    // Act
    const offsetsOnly = await measurePartitionLag(source, target, ['orders'], () => new Date(0));
    const byContent = await measurePartitionLag(source, target, ['orders'], () => new Date(0), 8, content);
    // Assess: the end offsets say 0 behind; by content 100 records are still to copy and 150 were replayed
    expect(offsetsOnly.partitions[0]).toMatchObject({ lag: 0 });
    expect(byContent.partitions[0]).toMatchObject({ lag: 100, copiedUntil: '900', replayedRecords: 150 });
  });

  it('leaves partitions whose offset difference is above the threshold to the offsets (nothing read)', async () => {
    const source = new FakeKafka().addTopic('orders', 1).append('orders', 0, range(0, 999).map(rec));
    const target = new FakeKafka().addTopic('orders', 1).append('orders', 0, range(0, 499).map(rec));
    const reads = jest.spyOn(source, 'readPartition');
    const snapshot = await measurePartitionLag(source, target, ['orders'], () => new Date(0), 8, content);
    expect(snapshot.partitions[0]).toEqual({
      topic: 'orders',
      partition: 0,
      sourceEnd: '1000',
      targetEnd: '500',
      lag: 500,
    });
    expect(reads).not.toHaveBeenCalled();
  });
});

describe('MirrorMaker 2 exactly-once source support', () => {
  const spec = {
    name: 'm',
    source: { bootstrapServers: ['127.0.0.1:9001'] },
    target: { bootstrapServers: ['127.0.0.1:9002'] },
    topics: { include: ['orders'], exclude: [] },
    consumerGroups: { include: ['.*'], exclude: [] },
    startingPosition: 'EARLIEST',
    copyTopicConfigurations: true,
    detectAndCopyNewTopics: true,
    syncGroupOffsets: true,
    offsetSyncMode: 'LEGACY',
    tags: {},
  } as unknown as ReplicatorSpec;

  it('enables it for the target cluster with the KIP-710 REST server on loopback and a read-committed source consumer', () => {
    expect(mm2DedicatedProperties(spec, { exactlyOnce: { restPort: 18083 } })).toMatchObject({
      'target.exactly.once.source.support': 'enabled',
      'dedicated.mode.enable.internal.rest': 'true',
      listeners: 'http://127.0.0.1:18083',
      'source.consumer.isolation.level': 'read_committed',
    });
    expect(exactlyOnceProperties('a', 'b', 1)).toHaveProperty(['b.exactly.once.source.support'], 'enabled');
  });

  it('stays at-least-once unless asked', () => {
    expect(mm2DedicatedProperties(spec)).not.toHaveProperty(['target.exactly.once.source.support']);
  });
});
