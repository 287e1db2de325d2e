import { canaryTopicName, replicatorName } from '../../lambdas/core/replication/naming';
import type { AlarmDefinition, LagSignals } from '../../lambdas/ports/lag-signals';
import { runFinalize } from '../../lambdas/tasks/finalize/task';
import { runStartReplication } from '../../lambdas/tasks/start-replication/task';
import {
  at,
  examplePlan,
  FakeKafka,
  FakeProvisioner,
  FakeReplicator,
  identity,
  readyServerlessTarget,
  stateOf,
} from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

const now = at('2026-11-02T12:00:00.000Z');
const TARGET_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/8d7c6b5a-4f3e-2d1c-0b9a-8f7e6d5c4b3a-s2';

function memoryAlarms(): LagSignals & { alarms: Map<string, AlarmDefinition> } {
  const alarms = new Map<string, AlarmDefinition>();
  return {
    alarms,
    putAlarms: async (list) => list.forEach((a) => alarms.set(a.alarmName, a)),
    deleteAlarms: async (names) => names.forEach((n) => alarms.delete(n)),
    describeAlarms: async (names) =>
      names.map((n) => ({ alarmName: n, state: alarms.has(n) ? ('OK' as const) : ('MISSING' as const) })),
    getMetricSeries: async () => [],
  };
}

describe('Finalize task', () => {
  it('deletes the forward replicator, its alarms and the canary topic, keeps the target, and is harmless when retried', async () => {
    // Prepare
    const source = new FakeKafka().addTopic('payments', 1);
    const targetKafka = new FakeKafka();
    const replicator = new FakeReplicator('MSK_REPLICATOR', source, targetKafka);
    const lagSignals = memoryAlarms();
    const provisioner = new FakeProvisioner().add({
      clusterArn: TARGET_ARN,
      clusterName: 'orders-serverless',
      tags: {},
    });
    const target = readyServerlessTarget(TARGET_ARN);
    const plan = examplePlan('msk-to-serverless-replicator');
    const replication = await runStartReplication(
      { state: stateOf(plan, { target }) },
      { replicator, artifacts: new MemoryArtifacts(), source, lagSignals, now },
    );
    expect(lagSignals.alarms.size).toBeGreaterThan(0);
    const state = stateOf(plan, { target, replication, pointOfNoReturn: { passedAt: '2026-11-02T11:00:00.000Z' } });
    // Act
    const finalize = await runFinalize({ state }, { replicator, lagSignals, source, target: targetKafka, now });
    const retry = await runFinalize({ state }, { replicator, lagSignals, source, target: targetKafka, now });
    // Assess
    expect(finalize).toMatchObject({
      outcome: 'DONE',
      replicator: 'DELETED',
      alarmsDeleted: replication.alarmNames.length,
      canaryTopicDeleted: true,
    });
    expect(retry).toMatchObject({ outcome: 'DONE', replicator: 'ALREADY_GONE' });
    expect(replicator.deleted).toEqual([replicatorName(identity)]);
    expect(lagSignals.alarms.size).toBe(0);
    expect(await source.listTopics()).toEqual(['payments']);
    expect(await targetKafka.listTopics()).not.toContain(canaryTopicName(identity));
    expect(await targetKafka.listTopics()).toContain('payments');
    expect(provisioner.deletes).toEqual([]);
    expect(finalize.notes.join(' ')).toContain('target cluster and its data are kept');
  });
});
