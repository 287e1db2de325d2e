import { AuthFailedError, TransientError, UnreachableError } from '../../lambdas/core/errors';
import { InventorySchema, InventorySummarySchema, type Inventory } from '../../lambdas/core/inventory/model';
import { takeInventory } from '../../lambdas/core/inventory/take-inventory';
import type { ThroughputMetrics } from '../../lambdas/ports/metrics';
import type { MskControlPlane } from '../../lambdas/ports/msk-control-plane';
import { FakeInventoryCluster } from './inventory-fake-cluster';
import { mskCluster } from './inventory-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

const clusterArn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/source/uuid-1';
const msk: MskControlPlane = { describeCluster: async () => mskCluster(), findClusterArn: async () => clusterArn };
const flatMetrics: ThroughputMetrics = {
  readSeries: async (queries) =>
    queries.map((q) => ({
      id: q.id,
      points: [{ timestamp: '2026-11-01T00:00:00.000Z', value: q.id.startsWith('cluster.BytesIn') ? 1_000_000 : 10 }],
    })),
};
const request = { migrationId: 'orders', executionName: 'exec-1', clusterArn };
const now = () => new Date('2026-11-15T10:00:00.000Z');

function cluster(): FakeInventoryCluster {
  const kafka = new FakeInventoryCluster();
  kafka.topics.set('orders', { partitions: 3, configs: {} });
  kafka.topics.set('state', { partitions: 2, configs: { 'cleanup.policy': 'compact' } });
  kafka.groups.set('billing', { state: 'Stable', members: 1, committed: [['orders', 0, 90]] });
  return kafka;
}

describe('taking the inventory', () => {
  it('writes the whole inventory to the artifact store and returns a small summary with its key', async () => {
    // Prepare
    const store = new MemoryArtifacts();
    // Act
    const { summary } = await takeInventory(request, { kafka: cluster(), msk, metrics: flatMetrics, store, now });
    // Assess
    expect(InventorySummarySchema.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({
      inventoryKey: 'migrations/orders/exec-1/inventory.json',
      location: 'memory://migrations/orders/exec-1/inventory.json',
      complete: true,
      gaps: [],
      cluster: { clusterType: 'PROVISIONED', kafkaVersion: '3.9.x', brokers: 3, authentication: ['IAM'] },
      counts: {
        topics: 2,
        partitions: 5,
        compactedTopics: 1,
        compactedPartitions: 2,
        groups: 1,
        aclBindings: 0,
        clientQuotas: 0,
      },
      peakBytesInPerSec: 1_000_000,
    });
    const stored = await store.getJson<Inventory>(summary.inventoryKey);
    expect(InventorySchema.parse(stored)).toEqual(stored);
    expect(stored?.controlPlane.status).toBe('COLLECTED');
    expect(stored?.throughput.status).toBe('COLLECTED');
  });

  it('marks the inventory incomplete, with each gap, when there is no MSK cluster ARN (a local or non-MSK source)', async () => {
    const store = new MemoryArtifacts();
    const { inventory, summary } = await takeInventory(
      { migrationId: 'orders', executionName: 'exec-1' },
      { kafka: cluster(), store, now },
    );
    expect(inventory.complete).toBe(false);
    expect(inventory.gaps.map((g) => g.part)).toEqual(['controlPlane', 'throughput']);
    expect(summary.cluster).toEqual({
      clusterType: 'KAFKA',
      kafkaVersion: null,
      brokers: 3,
      authentication: ['PLAINTEXT'],
    });
  });

  it('lists an undescribable topic as a gap, never as a complete inventory', async () => {
    const kafka = cluster();
    kafka.failDescribe.add('state');
    const { summary } = await takeInventory(request, {
      kafka,
      msk,
      metrics: flatMetrics,
      store: new MemoryArtifacts(),
      now,
    });
    expect(summary.complete).toBe(false);
    expect(summary.counts.undescribableTopics).toBe(1);
    expect(summary.gaps[0]).toMatch(/^topic:state: UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it('fails with Migration.Unreachable and what to check when the brokers cannot be reached, writing nothing', async () => {
    const kafka = cluster();
    kafka.failAllWith = new UnreachableError('connect ECONNREFUSED 127.0.0.1:9092');
    const store = new MemoryArtifacts();
    const failure = takeInventory(request, { kafka, msk, metrics: flatMetrics, store, now });
    await expect(failure).rejects.toMatchObject({
      name: 'Migration.Unreachable',
      message: expect.stringContaining('security groups'),
    });
    expect(store.objects.size).toBe(0);
  });

  it('fails with Migration.AuthFailed naming the mechanism when the credentials are refused', async () => {
    const kafka = cluster();
    kafka.failAllWith = new AuthFailedError('SASL authentication failed');
    await expect(takeInventory(request, { kafka, msk, store: new MemoryArtifacts(), now })).rejects.toMatchObject({
      name: 'Migration.AuthFailed',
      message: expect.stringContaining('PLAINTEXT'),
      details: expect.objectContaining({ cluster: 'source' }),
    });
  });

  it('records throughput as not collected when CloudWatch refuses the task role, but retries throttling', async () => {
    const refused: ThroughputMetrics = { readSeries: async () => Promise.reject(new AuthFailedError('AccessDenied')) };
    const { inventory } = await takeInventory(request, {
      kafka: cluster(),
      msk,
      metrics: refused,
      store: new MemoryArtifacts(),
      now,
    });
    expect(inventory.throughput).toMatchObject({
      status: 'NOT_COLLECTED',
      reason: expect.stringContaining('cloudwatch:GetMetricData'),
    });
    const throttled: ThroughputMetrics = { readSeries: async () => Promise.reject(new TransientError('Throttling')) };
    await expect(
      takeInventory(request, { kafka: cluster(), msk, metrics: throttled, store: new MemoryArtifacts(), now }),
    ).rejects.toMatchObject({ name: 'Migration.Transient' });
  });

  it('keeps the summary small however large the cluster: the lists stay in the artifact', async () => {
    const kafka = new FakeInventoryCluster();
    for (let i = 0; i < 2000; i++) kafka.topics.set(`topic-${i}`, { partitions: 5, configs: {} });
    for (let i = 0; i < 30; i++) kafka.failConfigs.add(`topic-${i}`);
    const { summary } = await takeInventory(request, {
      kafka,
      msk,
      metrics: flatMetrics,
      store: new MemoryArtifacts(),
      now,
    });
    expect(summary.gaps).toHaveLength(11);
    expect(JSON.stringify(summary).length).toBeLessThan(4096);
  });
});
