import { settleSecondsOf, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { runCheckDrain } from '../../lambdas/tasks/check-drain/task';
import { runCheckFailback } from '../../lambdas/tasks/check-failback/task';
import { runCommitConsumerOffsets } from '../../lambdas/tasks/commit-consumer-offsets/task';
import { runFenceProducers } from '../../lambdas/tasks/fence-producers/task';
import type { ClientSwitchFactory } from '../../lambdas/ports/client-switch';
import type { CutoverExecutionState } from '../../lambdas/tasks/shared/cutover-state';
import { runStartFailback } from '../../lambdas/tasks/start-failback/task';
import { runSwitchToTarget } from '../../lambdas/tasks/switch-to-target/task';
import { MemorySwitch, manualClock } from './cutover-fakes';
import { FakeReplicator, examplePlan, identity, stateOf, type ExampleName } from './task-fixtures';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';

/**
 * One cutover in memory for the cutover and failback task tests: a source and a target (FakeKafka) with one topic
 * replicated and the canary, the plan's pointer (MemorySwitch) holding the source's bootstrap servers, the artifact
 * store, a clock moved by hand, and the execution state as the earlier phases leave it. `through(...)` runs the
 * cutover task modules in the ASL's order and keeps their results under their ResultPaths.
 */

export const TOPIC = 'orders.created';
export const CANARY = `msk-migration.canary.${identity.migrationId}`;
export const SOURCE_SERVERS = 'b-1.source:9098,b-2.source:9098';
export const TARGET_SERVERS = ['t-1:9098', 't-2:9098'];
export const TOPICS_KEY = `migrations/${identity.migrationId}/${identity.executionName}/replication/topics.json`;

export async function cutoverWorld(
  options: { plan?: ExampleName; change?: (raw: Record<string, unknown>) => void } = {},
) {
  const plan: MigrationPlan = examplePlan(options.plan ?? 'msk-to-serverless-replicator', options.change);
  const source = new FakeKafka().addTopic(TOPIC, 2).addTopic(CANARY, 1);
  for (let i = 0; i < 10; i++) source.append(TOPIC, i % 2, [{ key: `k${i}`, value: `order-${i}` }]);
  // billing has read everything; ledger is part-way through partition 0.
  source.commit('billing', TOPIC, 0, 5).commit('billing', TOPIC, 1, 5).commit('ledger', TOPIC, 0, 2);
  const target = new FakeKafka();
  replicate(source, target, [TOPIC, CANARY]);
  const artifacts = new MemoryArtifacts();
  await artifacts.putJson(TOPICS_KEY, [TOPIC, CANARY]);
  const pointer = new MemorySwitch('memory:bootstrap', { value: SOURCE_SERVERS, revision: '3' });
  const clock = manualClock();
  let state = stateOf(plan, {
    target: {
      type: plan.target.type,
      source: 'EXISTING_MSK',
      clusterArn: plan.target.clusterArn ?? 'arn:aws:kafka:eu-west-1:123456789012:cluster/t/1',
      created: false,
      state: 'ACTIVE',
      ready: true,
      bootstrapServers: TARGET_SERVERS,
      startedAt: '2026-11-20T08:00:00.000Z',
    },
    replication: {
      handle: { engine: plan.replication.engine, name: 'mskmig-orders-fwd', id: 'fwd-1' },
      created: true,
      state: 'RUNNING',
      running: true,
      startingPosition: 'EARLIEST',
      topicsKey: TOPICS_KEY,
      topicCount: 2,
      canaryTopic: CANARY,
      alarmNames: [],
      startedAt: '2026-11-20T08:30:00.000Z',
    },
  }) as CutoverExecutionState;

  const deps = { artifacts, now: clock.now };
  const world = {
    /** The client switches CommitConsumerOffsets holds (a test's adapters over its AWS fakes), when the plan names some. */
    clientSwitches: undefined as ClientSwitchFactory | undefined,
    /** Between two steps of the client switches: moves the clock. */
    sleep: (ms: number): Promise<void> => {
      clock.advance(ms / 1000);
      return Promise.resolve();
    },
    plan,
    source,
    target,
    artifacts,
    pointer,
    clock,
    get state(): CutoverExecutionState {
      return state;
    },
    set state(next: CutoverExecutionState) {
      state = next;
    },
    /** Puts a task's result under `$.cutover.<step>`. */
    record(step: 'fence' | 'drain' | 'offsets' | 'switch', result: unknown): void {
      state = { ...state, cutover: { ...(state.cutover ?? {}), [step]: result } } as CutoverExecutionState;
    },
    async fence() {
      const out = await runFenceProducers({ state }, { ...deps, pointer, producersCluster: source });
      world.record('fence', out);
      return out;
    },
    async drain() {
      const out = await runCheckDrain({ state }, { ...deps, source, target });
      world.record('drain', out);
      return out;
    },
    async offsets() {
      const out = await runCommitConsumerOffsets(
        { state },
        { ...deps, source, target, ...(world.clientSwitches ? { clientSwitches: world.clientSwitches } : {}) },
      );
      world.record('offsets', out);
      return out;
    },
    /** CommitConsumerOffsets polled as OffsetsCommitted? does (5 s apart): a held consumer takes a poll or two. */
    async offsetsPolled() {
      let out = await world.offsets();
      for (let n = 0; n < 5 && 'complete' in out && !out.complete; n++) {
        clock.advance(5);
        out = await world.offsets();
      }
      return out;
    },
    async switchToTarget() {
      const out = await runSwitchToTarget(
        { state },
        {
          ...deps,
          pointer,
          target,
          ...(world.clientSwitches ? { clientSwitches: world.clientSwitches, sleep: world.sleep } : {}),
        },
      );
      world.record('switch', out);
      return out;
    },
    /** FenceProducers, CheckDrain until drained (the settle time passed on the clock), CommitConsumerOffsets. */
    async throughOffsets() {
      await world.fence();
      await world.drain();
      clock.advance(settleSecondsOf(plan));
      const drained = await world.drain();
      if (!drained.drained) throw new Error(`not drained: ${drained.reasons.join(' ')}`);
      return world.offsetsPolled();
    },
    async throughSwitch() {
      await world.throughOffsets();
      clock.advance(1);
      return world.switchToTarget();
    },
  };
  return world;
}
export type CutoverWorld = Awaited<ReturnType<typeof cutoverWorld>>;
export { identity };

/**
 * After the point of no return: the clients have written to the target since the switch, and a person approved the
 * failback (accepting that the LEGACY forward MSK Replicator does not translate offsets back). The reverse
 * replicator is in memory and copies the target's new records to the source when it is created.
 */
export async function failbackWorld(
  options: { change?: (raw: Record<string, unknown>) => void; clientSwitches?: ClientSwitchFactory } = {},
) {
  const w = await cutoverWorld(options.change ? { change: options.change } : {});
  w.clientSwitches = options.clientSwitches;
  await w.throughSwitch();
  w.clock.advance(w.plan.cutover.rollbackWindowMinutes * 60 + 60);
  w.target.append(TOPIC, 0, [
    { key: 'n1', value: 'after the switch 1' },
    { key: 'n2', value: 'after the switch 2' },
  ]);
  w.target.commit('billing', TOPIC, 0, 7); // billing read both new records on the target
  w.state = {
    ...w.state,
    pointOfNoReturn: { passedAt: w.clock.now().toISOString() },
    approvals: { failback: { approved: true, acceptUntranslatedOffsets: true } },
  };
  const replicator = new FakeReplicator('MSK_REPLICATOR', w.target, w.source);
  return {
    ...w,
    replicator,
    failbackDeps: { replicator, artifacts: w.artifacts, source: w.source, target: w.target, now: w.clock.now },
  };
}

/**
 * A failback approved, started (the reverse replicator RUNNING), fenced on the target (FenceForFailback) and drained
 * (CheckFailbackDrain): the state FailbackCutover gets.
 */
export async function drainedFailback(w: FailbackWorld): Promise<FailbackWorld> {
  const failback = await runStartFailback({ state: w.state }, w.failbackDeps);
  w.replicator.setState(failback.handle.name, 'RUNNING');
  w.state = { ...w.state, failback };
  const failbackFence = await runFenceProducers(
    { state: w.state, mode: 'FAILBACK' },
    {
      pointer: w.pointer,
      producersCluster: w.target,
      ...(w.clientSwitches ? { clientSwitches: w.clientSwitches } : {}),
      artifacts: w.artifacts,
      now: w.clock.now,
    },
  );
  w.state = { ...w.state, failbackFence } as never;
  w.clock.advance(settleSecondsOf(w.plan) + 1);
  const drained = await runCheckFailback({ state: w.state as never, phase: 'DRAIN' }, w.failbackDeps);
  if (!drained.drained) throw new Error(`failback not drained: ${drained.lastCheck?.reasons.join(' ')}`);
  w.state = { ...w.state, failback: drained };
  return w;
}
export type FailbackWorld = Awaited<ReturnType<typeof failbackWorld>>;
