import { runStartReplication } from '../../lambdas/tasks/start-replication/task';
import { at, examplePlan, FakeKafka, FakeReplicator, readyKafkaTarget, stateOf } from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

/** A MirrorMaker 2 replication (no canary) between two FakeKafka clusters, as EvaluateCatchUp and ValidateTarget receive it. */
export async function replicatingState() {
  const source = new FakeKafka()
    .addTopic('clicks', 2)
    .append('clicks', 0, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ])
    .commit('analytics-daily', 'clicks', 0, 2);
  const target = new FakeKafka();
  const artifacts = new MemoryArtifacts();
  const plan = examplePlan('msk-to-automq-mirrormaker2', (raw) => {
    (raw.replication as Record<string, unknown>).canary = false;
    (raw.gates as Record<string, unknown>).consecutiveHealthyChecks = 2;
    (raw.gates as Record<string, unknown>).maxLagRecords = 0;
    (raw.gates as Record<string, unknown>).catchUpTimeoutMinutes = 30;
  });
  const targetState = readyKafkaTarget();
  const replication = await runStartReplication(
    { state: stateOf(plan, { target: targetState }) },
    {
      replicator: new FakeReplicator('MIRROR_MAKER_2', source, target),
      artifacts,
      source,
      now: at('2026-11-01T10:30:00.000Z'),
    },
  );
  target.commit('analytics-daily', 'clicks', 0, 2);
  return {
    source,
    target,
    artifacts,
    state: stateOf(plan, { target: targetState, replication: { ...replication, state: 'RUNNING', running: true } }),
  };
}
