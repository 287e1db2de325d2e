import { commitConsumerOffsets, translateOffsetsBeforeFence } from '../../lambdas/core/cutover/commit-consumer-offsets';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';
import { fenceAndDrain, firstValuesOnTarget, useTwoClusters } from './two-clusters';

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
  const k = useTwoClusters('before-fence-');

  const firstValues = (groupId: string): Promise<string[]> =>
    firstValuesOnTarget(k, { groupId, topic: TOPIC, count: 2 });

  it('commits the unmoved group from the pre-pass and the moved one from a translation after the drain', async () => {
    // Prepare: 800 records on both sides (the target shifted by a 100-record head of its own); billing at 300, audit at 500
    for (const plane of [k.sourcePlane, k.targetPlane])
      await plane.createTopics([{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }]);
    await k.targetPlane.produce(TOPIC, range(10_000, 10_099).map(record));
    for (const plane of [k.sourcePlane, k.targetPlane]) await plane.produce(TOPIC, range(0, 799).map(record));
    await k.sourcePlane.setCommittedOffsets('billing', [{ topic: TOPIC, partition: 0, offset: '300' }]);
    await k.sourcePlane.setCommittedOffsets('audit', [{ topic: TOPIC, partition: 0, offset: '500' }]);
    const artifacts = new MemoryArtifacts();
    const now = () => new Date();
    const consumerGroups = { include: ['billing', 'audit'], exclude: [] };
    const early = await translateOffsetsBeforeFence(
      { identity, topics: [TOPIC], consumerGroups },
      { source: k.sourcePlane, target: k.targetPlane, artifacts, now },
    );
    // audit reads on before the fence
    await k.sourcePlane.setCommittedOffsets('audit', [{ topic: TOPIC, partition: 0, offset: '700' }]);
    const { fence, drain } = await fenceAndDrain(k, {
      identity,
      topics: [TOPIC],
      pointerName: 'pointer.json',
      artifacts,
      now,
    });

    // Act
    const progress = await commitConsumerOffsets(
      { identity, topics: [TOPIC], consumerGroups, fence, drain, beforeFence: early },
      { source: k.sourcePlane, target: k.targetPlane, artifacts, now },
    );

    // Assess
    expect(early).toMatchObject({ groups: 2, partitionsTranslated: 2, partitionsLeft: 0 });
    expect(progress).toMatchObject({ complete: true, partitionsCommitted: 2, translatedBeforeFence: 1 });
    expect(await k.targetPlane.fetchCommittedOffsets('billing', [TOPIC])).toEqual([
      { topic: TOPIC, partition: 0, offset: '400' },
    ]);
    expect(await k.targetPlane.fetchCommittedOffsets('audit', [TOPIC])).toEqual([
      { topic: TOPIC, partition: 0, offset: '800' },
    ]);
    expect(await firstValues('billing')).toEqual(['order-300', 'order-301']);
    expect(await firstValues('audit')).toEqual(['order-700', 'order-701']);
  });
});
