import { AuthFailedError, UnreachableError } from '../../lambdas/core/errors';
import { readDataPlane } from '../../lambdas/core/inventory/data-plane';
import { DataPlaneInventorySchema, type DescribedGroup, type DescribedTopic } from '../../lambdas/core/inventory/model';
import { FakeInventoryCluster } from './inventory-fake-cluster';

const described = (topics: readonly unknown[], name: string): DescribedTopic => {
  const t = (topics as DescribedTopic[]).find((x) => x.name === name);
  if (!t || t.status !== 'DESCRIBED') throw new Error(`${name} not described`);
  return t;
};

describe('data-plane inventory', () => {
  it('reads topics with partitions, RF, only non-default configs, effective cleanup policy and max message size', async () => {
    // Prepare
    const kafka = new FakeInventoryCluster();
    kafka.topics.set('orders', { partitions: 3, configs: { 'retention.ms': '86400000' } });
    kafka.topics.set('state', {
      partitions: 2,
      configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '5242880' },
    });
    kafka.brokerConfigs = { 'message.max.bytes': '2097152', 'log.retention.hours': '72' };
    // Act
    const inv = await readDataPlane(kafka);
    // Assess
    expect(DataPlaneInventorySchema.parse(inv)).toEqual(inv);
    expect(inv.brokerConfigs).toEqual({
      status: 'COLLECTED',
      brokerId: 2,
      configs: { 'message.max.bytes': '2097152', 'log.retention.hours': '72' },
    });
    expect(described(inv.topics, 'orders')).toMatchObject({
      partitionCount: 3,
      replicationFactor: 3,
      configs: { 'retention.ms': '86400000' },
      cleanupPolicy: 'delete',
      compacted: false,
      maxMessageBytes: 2_097_152,
      retentionMs: 86_400_000,
      underReplicatedPartitions: 1,
      retainedRecords: 300,
    });
    expect(described(inv.topics, 'state')).toMatchObject({
      configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '5242880' },
      compacted: true,
      maxMessageBytes: 5_242_880,
      retentionMs: 259_200_000,
    });
  });

  it('batches: one request per batch of topics or groups, never one per partition', async () => {
    const kafka = new FakeInventoryCluster();
    for (let i = 0; i < 2500; i++) kafka.topics.set(`t-${String(i).padStart(4, '0')}`, { partitions: 5, configs: {} });
    for (let i = 0; i < 250; i++)
      kafka.groups.set(`g-${i}`, { state: 'Stable', members: 1, committed: [[`t-0000`, 0, 50]] });
    await readDataPlane(kafka);
    expect(kafka.calls).toMatchObject({
      describeTopics: 3,
      describeTopicConfigs: 5,
      fetchTopicsOffsets: 3,
      describeGroups: 3,
      fetchCommittedOffsets: 250,
      listTopics: 1,
      listGroups: 1,
    });
  });

  it('computes each group’s lag from the log end offsets, and counts partitions committed below the log start', async () => {
    const kafka = new FakeInventoryCluster();
    kafka.topics.set('orders', {
      partitions: 2,
      configs: {},
      offsets: [
        [0, 100],
        [40, 90],
      ],
    });
    kafka.groups.set('billing', {
      state: 'Empty',
      members: 0,
      committed: [
        ['orders', 0, 70],
        ['orders', 1, 10],
        ['gone', 0, 5],
      ],
    });
    const inv = await readDataPlane(kafka);
    const g = inv.groups[0] as DescribedGroup;
    expect(g).toMatchObject({
      groupId: 'billing',
      state: 'Empty',
      topics: ['gone', 'orders'],
      totalLag: null,
      partitionsBehindLogStart: 1,
    });
    expect(g.offsets).toEqual([
      { topic: 'gone', partition: 0, committedOffset: '5', logEndOffset: null, logStartOffset: null, lag: null },
      { topic: 'orders', partition: 0, committedOffset: '70', logEndOffset: '100', logStartOffset: '0', lag: 30 },
      { topic: 'orders', partition: 1, committedOffset: '10', logEndOffset: '90', logStartOffset: '40', lag: 80 },
    ]);
  });

  it('lists a topic whose request fails as undescribable with Kafka’s reason and describes the others', async () => {
    const kafka = new FakeInventoryCluster();
    for (const name of ['a', 'b', 'c', 'd', 'e']) kafka.topics.set(name, { partitions: 1, configs: {} });
    kafka.failDescribe.add('c');
    kafka.failConfigs.add('e');
    const inv = await readDataPlane(kafka);
    expect(inv.topics.map((t) => [t.name, t.status])).toEqual([
      ['a', 'DESCRIBED'],
      ['b', 'DESCRIBED'],
      ['c', 'UNDESCRIBABLE'],
      ['d', 'DESCRIBED'],
      ['e', 'UNDESCRIBABLE'],
    ]);
    expect(inv.topics[2]).toMatchObject({
      reason: 'UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition',
    });
    expect(inv.topics[4]).toMatchObject({ reason: 'Migration.AuthFailed: denied e' });
  });

  it('stops on a connection-level failure instead of returning a partial inventory', async () => {
    const kafka = new FakeInventoryCluster();
    kafka.topics.set('a', { partitions: 1, configs: {} });
    kafka.failAllWith = new UnreachableError('connect ECONNREFUSED 127.0.0.1:9092');
    await expect(readDataPlane(kafka)).rejects.toBeInstanceOf(UnreachableError);
  });

  it('records ACLs as not collected when the principal may not describe them, and an authorizer that is off as such', async () => {
    const kafka = new FakeInventoryCluster();
    kafka.acls = new AuthFailedError('CLUSTER_AUTHORIZATION_FAILED', { kind: 'authorization' });
    const denied = await readDataPlane(kafka);
    expect(denied.acls.status).toBe('NOT_COLLECTED');
    expect(denied.acls.status === 'NOT_COLLECTED' && denied.acls.reason).toContain('CLUSTER_AUTHORIZATION_FAILED');
    kafka.acls = { authorizerEnabled: false };
    expect((await readDataPlane(kafka)).acls).toEqual({ status: 'COLLECTED', authorizerEnabled: false, bindings: [] });
  });

  it('records client quotas, or why they could not be read', async () => {
    const kafka = new FakeInventoryCluster();
    kafka.quotas = [{ entity: [{ type: 'user', name: 'batch' }], values: { producer_byte_rate: 1024 } }];
    expect((await readDataPlane(kafka)).clientQuotas).toEqual({
      status: 'COLLECTED',
      quotas: [{ entity: [{ type: 'user', name: 'batch' }], values: { producer_byte_rate: 1024 } }],
    });
    kafka.quotas = new Error('UNSUPPORTED_VERSION');
    expect((await readDataPlane(kafka)).clientQuotas).toMatchObject({
      status: 'NOT_COLLECTED',
      reason: expect.stringContaining('UNSUPPORTED_VERSION'),
    });
  });

  it('keeps sensitive config values out of the inventory', async () => {
    const kafka = new FakeInventoryCluster();
    kafka.topics.set('a', { partitions: 1, configs: { 'ssl.keystore.password': 'secret' } });
    const inv = await readDataPlane(kafka);
    expect(described(inv.topics, 'a').configs).toEqual({ 'ssl.keystore.password': null });
    expect(JSON.stringify(inv)).not.toContain('secret');
  });
});
