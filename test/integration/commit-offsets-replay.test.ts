import { Kafka, logLevel } from 'kafkajs';
import { commitConsumerOffsets } from '../../lambdas/core/cutover/commit-consumer-offsets';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';
import { fenceAndDrain, firstValuesOnTarget, useTwoClusters } from './two-clusters';

/**
 * CommitConsumerOffsets on real brokers whose target holds a replayed range (source records 450–599 written twice, as
 * a restarted replicator leaves them): the group resumes on the target with the record after its last one — a real
 * consumer's first record is the source's next — and nothing is counted as read again.
 */
jest.setTimeout(180_000);

const identity = { migrationId: 'replay-offsets-it', executionName: 'exec-1' };
const TOPIC = 'orders';
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const record = (i: number) => ({ key: `k${i}`, value: `order-${i}`, partition: 0 });

describe('CommitConsumerOffsets across a replayed range on real brokers', () => {
  const k = useTwoClusters('replay-offsets-');

  it('resumes the group after the last copy of its last record: the next record read is the source’s next', async () => {
    // Prepare: 1,000 records on the source; the target holds 0–599 then 450–999 (150 replayed)
    for (const plane of [k.sourcePlane, k.targetPlane])
      await plane.createTopics([{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }]);
    for (const [from, to] of [
      [0, 499],
      [500, 999],
    ] as const)
      await k.sourcePlane.produce(TOPIC, range(from, to).map(record));
    for (const [from, to] of [
      [0, 599],
      [450, 999],
    ] as const)
      await k.targetPlane.produce(TOPIC, range(from, to).map(record));
    await k.sourcePlane.setCommittedOffsets('billing', [{ topic: TOPIC, partition: 0, offset: '500' }]);
    const artifacts = new MemoryArtifacts();
    const now = () => new Date();
    const { fence, drain } = await fenceAndDrain(k, {
      identity,
      topics: [TOPIC],
      pointerName: 'pointer.json',
      artifacts,
      now,
    });

    // Act
    const progress = await commitConsumerOffsets(
      { identity, topics: [TOPIC], consumerGroups: { include: ['billing'], exclude: [] }, fence, drain },
      { source: k.sourcePlane, target: k.targetPlane, artifacts, now },
    );
    const firstValues = await firstValuesOnTarget(k, { groupId: 'billing', topic: TOPIC, count: 3 });

    // Assess: source 499 is at target offsets 499 and 649; the group resumes at 650 (source 500)
    expect(await k.targetPlane.fetchCommittedOffsets('billing', [TOPIC])).toEqual([
      { topic: TOPIC, partition: 0, offset: '650' },
    ]);
    expect(firstValues.slice(0, 3)).toEqual(['order-500', 'order-501', 'order-502']);
    expect(progress).toMatchObject({ complete: true, redeliveredRecords: 0 });
  });

  it('checks by content a commit that follows a transaction marker, where the record before it is no record', async () => {
    // Prepare: on the source three transactions of 10 records each (offsets 0–9, 11–20, 22–31; markers at 10, 21
    // and 32), the target holds the 30 records without markers (offsets 0–29); the group committed 22, right after
    // the second marker, so the last record it consumed is source offset 20 (target offset 19)
    const PAYMENTS = 'payments';
    for (const plane of [k.sourcePlane, k.targetPlane])
      await plane.createTopics([{ topic: PAYMENTS, numPartitions: 1, replicationFactor: 1 }]);
    const kafka = new Kafka({
      clientId: 'marker-it',
      brokers: [k.source.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
    const writer = kafka.producer({ transactionalId: 'payments-writer', idempotent: true, maxInFlightRequests: 1 });
    await writer.connect();
    for (const from of [0, 10, 20]) {
      const tx = await writer.transaction();
      await tx.send({ topic: PAYMENTS, messages: range(from, from + 9).map(record) });
      await tx.commit();
    }
    await writer.disconnect();
    await k.targetPlane.produce(PAYMENTS, range(0, 29).map(record));
    await k.sourcePlane.setCommittedOffsets('payments-ledger', [{ topic: PAYMENTS, partition: 0, offset: '22' }]);
    const artifacts = new MemoryArtifacts();
    const now = () => new Date();
    const { fence, drain } = await fenceAndDrain(k, {
      identity,
      topics: [PAYMENTS],
      pointerName: 'payments-pointer.json',
      artifacts,
      now,
    });

    // Act
    const progress = await commitConsumerOffsets(
      { identity, topics: [PAYMENTS], consumerGroups: { include: ['payments-ledger'], exclude: [] }, fence, drain },
      { source: k.sourcePlane, target: k.targetPlane, artifacts, now },
    );

    // Assess: committed right after the copy of source offset 20, and read back by content across the marker
    expect(progress).toMatchObject({ complete: true, redeliveredRecords: 0 });
    expect(await k.targetPlane.fetchCommittedOffsets('payments-ledger', [PAYMENTS])).toEqual([
      { topic: PAYMENTS, partition: 0, offset: '20' },
    ]);
    const evidence = await artifacts.getJson<{ groups: Array<{ notes: string[] }> }>(progress.evidenceKey as string);
    expect(evidence?.groups[0]?.notes).toEqual([
      'payments-0: read back after the record at source offset 20 (target 19).',
    ]);
  });
});
