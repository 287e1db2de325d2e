import { runInventory } from '../../lambdas/tasks/inventory/task';
import { at, examplePlan, stateOf } from './task-fixtures';
import { FakeInventoryCluster } from './inventory-fake-cluster';
import { MemoryArtifacts } from './validation-fake-kafka';

describe('Inventory task', () => {
  it('writes the inventory under the execution prefix and returns its summary for $.inventory', async () => {
    // Prepare
    const kafka = new FakeInventoryCluster();
    kafka.topics.set('orders.created', { partitions: 3, configs: {} });
    kafka.topics.set('payments', { partitions: 2, configs: { 'cleanup.policy': 'compact' } });
    const artifacts = new MemoryArtifacts();
    // Act
    const summary = await runInventory(
      { state: stateOf(examplePlan('msk-to-serverless-replicator')) },
      { kafka, artifacts, now: at('2026-11-01T10:01:00.000Z') },
    );
    // Assess
    expect(summary.inventoryKey).toBe('migrations/orders-to-serverless/exec-1/inventory.json');
    expect(summary.counts).toMatchObject({ topics: 2, partitions: 5, compactedTopics: 1 });
    expect(await artifacts.getJson(summary.inventoryKey)).toMatchObject({
      source: { clusterArn: expect.stringContaining(':cluster/orders-prod/') },
    });
    // Without an MSK control plane (the rehearsal) the gap is named, not hidden.
    expect(summary.complete).toBe(false);
    expect(summary.gaps.join(' ')).toContain('controlPlane');
  });

  it('runs the connectivity preflight of the target first, and stops before reading anything when it fails', async () => {
    // Prepare
    const kafka = new FakeInventoryCluster();
    kafka.topics.set('orders.created', { partitions: 3, configs: {} });
    const artifacts = new MemoryArtifacts();
    const target = {
      checkConnectivity: async () => ({
        cluster: 'target',
        bootstrapServers: ['automq-0:9093'],
        stages: [
          { stage: 'TCP' as const, passed: true, endpoint: 'automq-0:9093', detail: 'connected' },
          {
            stage: 'TLS' as const,
            passed: false,
            endpoint: 'automq-0:9093',
            detail: 'unable to verify the first certificate',
          },
        ],
      }),
    };

    // Act
    const failure = await runInventory(
      { state: stateOf(examplePlan('msk-to-serverless-replicator')) },
      { kafka, target, artifacts, now: at('2026-11-01T10:01:00.000Z') },
    ).catch((err: Error) => err);

    // Assess
    expect(failure).toMatchObject({
      name: 'Migration.Unreachable',
      message: expect.stringContaining('the target cluster failed at TLS on automq-0:9093'),
    });
    expect(await artifacts.list('migrations/')).toEqual([]);
  });
});
