import type { KafkaDataPlane } from '../../lambdas/ports/kafka';

/**
 * The KafkaDataPlane port's contract: what the cores rely on of a Kafka cluster, run against both real adapters on
 * real brokers (test/integration/kafka-port-contract.test.ts) and against the FakeKafka behind the unit and workflow
 * tests (test/unit/fake-kafka-contract.test.ts), so that the fake cannot drift from what Kafka does.
 */
export interface KafkaDataPlaneSubject {
  readonly plane: KafkaDataPlane;
  /** The name of one of this subject's topics or groups (subjects may share a cluster). */
  own(base: string): string;
  /**
   * A consumer of the test joins `group` on `topic` (one partition, read from the start) with the client ID
   * `contract-<group>`, commits the offset after its `commitAfter`-th record when given, and stays a member until
   * `leave()`.
   */
  member(
    group: string,
    topic: string,
    options?: { readonly commitAfter?: number },
  ): Promise<{ leave(): Promise<void> }>;
}

export function describeKafkaDataPlaneContract(subject: () => KafkaDataPlaneSubject): void {
  it('creates topics, lists and describes them, and reports the configs set on a topic as non-default', async () => {
    // Prepare
    const { plane, own } = subject();
    const orders = own('orders');
    const audit = own('audit');

    // Act
    await plane.createTopics([
      { topic: orders, numPartitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } },
      { topic: audit, numPartitions: 1 },
    ]);
    const topics = await plane.listTopics();
    const described = await plane.describeTopics([orders, audit]);
    const configs = await plane.describeTopicConfigs([orders, audit]);

    // Assess
    expect(topics).toEqual(expect.arrayContaining([audit, orders]));
    expect(described.map((t) => t.name).sort()).toEqual([audit, orders].sort());
    expect(
      described.find((t) => t.name === orders)?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
    ).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    const setOn = (topic: string): Record<string, string | null> =>
      Object.fromEntries((configs[topic] ?? []).filter((c) => !c.isDefault).map((c) => [c.name, c.value]));
    expect(setOn(orders)).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
    expect(setOn(audit)).toEqual({});
  });

  it('deletes topics, which then leave the listing', async () => {
    // Prepare
    const { plane, own } = subject();
    const doomed = own('doomed');
    await plane.createTopics([{ topic: doomed, numPartitions: 1 }]);
    const before = await plane.listTopics();

    // Act
    await plane.deleteTopics([doomed]);
    const after = await plane.listTopics();

    // Assess
    expect(before).toContain(doomed);
    expect(after).not.toContain(doomed);
  });

  it('produces records with their offsets and reads a partition range back with keys, null keys and headers', async () => {
    // Prepare
    const { plane, own } = subject();
    const payments = own('payments');
    await plane.createTopics([{ topic: payments, numPartitions: 2 }]);
    const records = Array.from({ length: 20 }, (_, i) => ({
      key: i % 4 === 3 ? null : `k${i}`,
      value: `payment-${i}`,
      headers: { seq: String(i), source: 'contract' },
      partition: i % 2,
    }));

    // Act
    const written = await plane.produce(payments, records);
    const offsets = await plane.fetchTopicOffsets(payments);
    const middle = await plane.readPartition({
      topic: payments,
      partition: 1,
      fromOffset: '2',
      untilOffset: '6',
      maxRecords: 100,
      timeoutMs: 3_000,
    });
    const capped = await plane.readPartition({
      topic: payments,
      partition: 0,
      fromOffset: '0',
      maxRecords: 3,
      timeoutMs: 3_000,
    });

    // Assess
    expect(written).toHaveLength(20);
    expect(written.slice(0, 4)).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
      { partition: 0, offset: '1' },
      { partition: 1, offset: '1' },
    ]);
    expect(written[19]).toEqual({ partition: 1, offset: '9' });
    expect(offsets).toEqual([
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '0', high: '10' },
    ]);
    expect(
      middle.map((r) => [
        r.topic,
        r.partition,
        r.offset,
        r.key?.toString() ?? null,
        r.value?.toString(),
        r.headers.seq?.toString(),
        r.headers.source?.toString(),
      ]),
    ).toEqual([
      [payments, 1, '2', 'k5', 'payment-5', '5', 'contract'],
      [payments, 1, '3', null, 'payment-7', '7', 'contract'],
      [payments, 1, '4', 'k9', 'payment-9', '9', 'contract'],
      [payments, 1, '5', null, 'payment-11', '11', 'contract'],
    ]);
    expect(middle.every((r) => /^\d+$/.test(r.timestamp) && Number(r.timestamp) > 1_600_000_000_000)).toBe(true);
    expect(capped.map((r) => [r.offset, r.value?.toString()])).toEqual([
      ['0', 'payment-0'],
      ['1', 'payment-2'],
      ['2', 'payment-4'],
    ]);
  });

  it('chooses the partition of a keyed record as Kafka does and reports each record at its own offset', async () => {
    // Prepare: the same key always lands on one partition (murmur2), whichever client wrote it.
    const { plane, own } = subject();
    const keyed = own('keyed');
    await plane.createTopics([{ topic: keyed, numPartitions: 3 }]);

    // Act
    const written = await plane.produce(keyed, [
      { key: 'customer-42', value: 'a' },
      { key: 'customer-42', value: 'b' },
      { key: 'customer-7', value: 'c' },
    ]);
    const [first] = written;
    const read = await plane.readPartition({
      topic: keyed,
      partition: first?.partition ?? -1,
      fromOffset: '0',
      maxRecords: 10,
      timeoutMs: 3_000,
    });

    // Assess: murmur2("customer-42") % 3 is 0 and murmur2("customer-7") % 3 is 1 (Kafka's default partitioner).
    expect(written).toEqual([
      { partition: 0, offset: '0' },
      { partition: 0, offset: '1' },
      { partition: 1, offset: '0' },
    ]);
    expect(read.map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual([
      ['0', 'customer-42', 'a'],
      ['1', 'customer-42', 'b'],
    ]);
  });

  it('returns what a partition holds when asked for more, and nothing past its end, within the time given', async () => {
    // Prepare
    const { plane, own } = subject();
    const sparse = own('sparse');
    await plane.createTopics([{ topic: sparse, numPartitions: 1 }]);
    await plane.produce(sparse, [{ value: 'only' }]);

    // Act
    const records = await plane.readPartition({
      topic: sparse,
      partition: 0,
      fromOffset: '0',
      maxRecords: 1000,
      timeoutMs: 10_000,
    });
    const none = await plane.readPartition({
      topic: sparse,
      partition: 0,
      fromOffset: '1',
      maxRecords: 10,
      timeoutMs: 300,
    });

    // Assess
    expect(records.map((r) => [r.offset, r.key, r.value?.toString()])).toEqual([['0', null, 'only']]);
    expect(none).toEqual([]);
  });

  it('lists and describes a group with a member, then fetches its committed offsets once it has left', async () => {
    // Prepare: the test's own consumer joins, reads 6 records, commits offset 6 and leaves.
    const { plane, own, member } = subject();
    const invoices = own('invoices');
    const group = own('billing');
    await plane.createTopics([{ topic: invoices, numPartitions: 1 }]);
    await plane.produce(
      invoices,
      Array.from({ length: 10 }, (_, i) => ({ value: `invoice-${i}` })),
    );
    const consumer = await member(group, invoices, { commitAfter: 6 });
    let whileMember;
    try {
      whileMember = await plane.describeGroups([group]);
    } finally {
      await consumer.leave();
    }

    // Act
    const groups = await plane.listGroups();
    const [afterLeaving] = await plane.describeGroups([group]);
    const everyTopic = await plane.fetchCommittedOffsets(group);
    const named = await plane.fetchCommittedOffsets(group, [invoices]);

    // Assess
    expect(whileMember).toEqual([
      {
        groupId: group,
        state: 'Stable',
        protocolType: 'consumer',
        members: [
          {
            memberId: expect.any(String),
            clientId: `contract-${group}`,
            clientHost: expect.stringMatching(/127\.0\.0\.1/),
          },
        ],
      },
    ]);
    expect(groups).toContainEqual({ groupId: group, protocolType: 'consumer' });
    expect(afterLeaving).toMatchObject({ groupId: group, state: 'Empty', members: [] });
    expect(everyTopic).toEqual([{ topic: invoices, partition: 0, offset: '6' }]);
    expect(named).toEqual([{ topic: invoices, partition: 0, offset: '6' }]);
  });

  it('sets the committed offsets of a group that does not exist yet, and reads them back', async () => {
    // Prepare
    const { plane, own } = subject();
    const ledger = own('ledger');
    const group = own('fresh-group');
    await plane.createTopics([{ topic: ledger, numPartitions: 2 }]);
    const before = await plane.fetchCommittedOffsets(group, [ledger]);

    // Act
    await plane.setCommittedOffsets(group, [
      { topic: ledger, partition: 0, offset: '0' },
      { topic: ledger, partition: 1, offset: '0' },
    ]);
    await plane.setCommittedOffsets(group, [{ topic: ledger, partition: 1, offset: '0' }]);
    const after = await plane.fetchCommittedOffsets(group, [ledger]);
    const all = await plane.fetchCommittedOffsets(group);

    // Assess
    expect(before).toEqual([
      { topic: ledger, partition: 0, offset: '-1' },
      { topic: ledger, partition: 1, offset: '-1' },
    ]);
    expect(after).toEqual([
      { topic: ledger, partition: 0, offset: '0' },
      { topic: ledger, partition: 1, offset: '0' },
    ]);
    expect(all).toEqual(after);
  });

  it('refuses to set the offsets of a group that has an active member, naming the group', async () => {
    // Prepare
    const { plane, own, member } = subject();
    const busy = own('busy');
    const group = own('busy-group');
    await plane.createTopics([{ topic: busy, numPartitions: 1 }]);
    const consumer = await member(group, busy);

    try {
      // Act
      const attempt = plane.setCommittedOffsets(group, [{ topic: busy, partition: 0, offset: '0' }]);

      // Assess
      await expect(attempt).rejects.toThrow(new RegExp(`${group} .* 1 active member`));
    } finally {
      await consumer.leave();
    }
  });
}
