import { checkPlan } from '../../lambdas/core/plan/check-plan';
import { MigrationPlanSchema, fenceNoticeSecondsOf, settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';
import type { KafkaCluster } from '../../rehearsal/kafka/cluster';
import type { MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { rehearsalPlan } from '../../rehearsal/plan';
import {
  COMPENSATED_FINAL_STATE,
  SCENARIOS,
  SCENARIO_DEFINITIONS,
  isScenario,
  type ScenarioContext,
  type ScenarioName,
} from '../../rehearsal/scenarios';
import type { WorkloadTally } from '../../rehearsal/workload';

/**
 * The scenarios as definitions: each one's plan passes the real plan schema, and each one's hooks inject its fault at
 * the states its definition names, driven here through a recording context (the e2e tier runs them on real clusters).
 */

const cluster = (pid: number, bootstrap: string) => ({ pid, bootstrap }) as unknown as KafkaCluster;

function recordingContext(options: { holding?: boolean } = {}) {
  const frozen = new Set<number>();
  const actions: string[] = [];
  const mismatches: string[] = [];
  const figures: Record<string, unknown> = {};
  let mm2Pid = 300;
  const mm2 = {
    pid: () => mm2Pid,
    kill: async () => {
      actions.push(`kill ${mm2Pid}`);
    },
    restart: async () => {
      mm2Pid++;
      actions.push(`restart ${mm2Pid}`);
    },
  } as unknown as MirrorMaker;
  const context: ScenarioContext = {
    source: cluster(100, '127.0.0.1:9001'),
    target: cluster(200, '127.0.0.1:9002'),
    runDir: '/tmp/rehearsal-scenarios-test',
    mirrorMaker: () => mm2,
    requestAbort: async (reason) => {
      actions.push(`abort: ${reason}`);
    },
    stopExecution: () => actions.push('stop'),
    holdingWrites: () => options.holding ?? true,
    freeze: (pid) => {
      frozen.add(pid);
      actions.push(`freeze ${pid}`);
    },
    thaw: (pid) => {
      if (frozen.delete(pid)) actions.push(`thaw ${pid}`);
    },
    isFrozen: (pid) => frozen.has(pid),
    setTargetAlarm: (state) => actions.push(`alarm ${state}`),
    targetAlarmName: 'rehearsal-target-health',
    lastLag: () => undefined,
    log: () => undefined,
    addTeardown: () => undefined,
    mismatch: (what) => mismatches.push(what),
    figure: (name, value) => {
      figures[name] = value;
    },
  };
  return { context, actions, mismatches, figures };
}

const planOf = (name: ScenarioName, rollbackWindowMinutes = 1) =>
  rehearsalPlan({
    scenario: SCENARIO_DEFINITIONS[name],
    source: { bootstrap: '127.0.0.1:9001' },
    target: { bootstrap: '127.0.0.1:9002' },
    pointerFile: '/tmp/rehearsal/pointer.json',
    rollbackWindowMinutes,
  });

describe('the rehearsal scenarios', () => {
  it('defines each scenario once, under its own name, with a terminal state and an outcome', () => {
    // Assess
    expect(new Set(SCENARIOS).size).toBe(SCENARIOS.length);
    for (const name of SCENARIOS) {
      const d = SCENARIO_DEFINITIONS[name];
      expect(d.name).toBe(name);
      if (d.stopped) expect(d.finalState).toBe(COMPENSATED_FINAL_STATE);
      else expect(d.finalState).toMatch(/^Migration(Succeeded|RolledBack|Failed)$/);
      expect(d.fault.length).toBeGreaterThan(0);
    }
    expect(isScenario('happy-path')).toBe(true);
    expect(isScenario('no-such-scenario')).toBe(false);
  });

  it.each(SCENARIOS.map((s) => [s]))(
    'gives %s a plan the local runtime accepts (schema, kinds, history budget)',
    (name) => {
      // Act
      const validation = checkPlan(planOf(name), 'LOCAL', WORKFLOW_DEFINITION);
      // Assess
      expect(validation.issues).toEqual([]);
    },
  );

  it('shortens the catch-up timeout only for lag-never-converges and the approval timeout only for approval-timeout', () => {
    // Assess
    expect(planOf('lag-never-converges').gates.catchUpTimeoutMinutes).toBe(1);
    expect(planOf('happy-path').gates.catchUpTimeoutMinutes).toBe(10);
    expect(planOf('approval-timeout').approval.timeoutMinutes).toBe(1);
    expect(planOf('happy-path').approval.timeoutMinutes).toBe(60);
  });

  it('keeps a rollback window of at least one minute for failure-in-rollback-window, so the alarm is seen', () => {
    // Assess
    expect(planOf('failure-in-rollback-window', 0).cutover.rollbackWindowMinutes).toBe(1);
    expect(planOf('happy-path', 0).cutover.rollbackWindowMinutes).toBe(0);
  });

  it('rejects the cutover in approval-rejected and lets it expire in approval-timeout; the others leave it to the run', () => {
    // Prepare
    const decide = (name: ScenarioName, kind: string) =>
      SCENARIO_DEFINITIONS[name].inject?.(recordingContext().context).approval?.(kind);
    // Assess
    expect(decide('approval-rejected', 'CUTOVER')).toEqual({ outcome: 'REJECT' });
    expect(decide('approval-rejected', 'FINALIZE')).toBeUndefined();
    expect(decide('approval-timeout', 'CUTOVER')).toMatchObject({ outcome: 'NONE' });
    expect(decide('happy-path', 'CUTOVER')).toBeUndefined();
  });

  it('freezes MirrorMaker 2 when catch-up starts in lag-never-converges, once, and thaws it for the rollback', async () => {
    // Prepare
    const { context, actions } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['lag-never-converges'].inject?.(context);
    // Act
    for (const state of ['StartReplication', 'EvaluateCatchUp', 'EvaluateCatchUp', 'RollbackReplication'])
      await hooks?.beforeState?.(state);
    // Assess
    expect(actions).toEqual(['freeze 300', 'thaw 300']);
  });

  it('freezes the target broker when ValidateTarget starts in target-down-at-validation and thaws it for the rollback', async () => {
    // Prepare
    const { context, actions } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['target-down-at-validation'].inject?.(context);
    // Act
    for (const state of ['EvaluateCatchUp', 'ValidateTarget', 'RollbackReplication']) await hooks?.beforeState?.(state);
    // Assess
    expect(actions).toEqual(['freeze 200', 'thaw 200']);
  });

  it('sets the target alarm after the first healthy check of the window in failure-in-rollback-window', async () => {
    // Prepare
    const { context, actions } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['failure-in-rollback-window'].inject?.(context);
    // Act
    await hooks?.afterState?.('CheckTargetHealth', { healthy: false });
    await hooks?.afterState?.('CheckTargetHealth', { healthy: true });
    // Assess
    expect(actions).toEqual(['alarm ALARM']);
  });

  it('kills MirrorMaker 2 after the first healthy catch-up check in replicator-crash and restarts it after two unhealthy ones', async () => {
    // Prepare
    const { context, actions, mismatches, figures } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['replicator-crash'].inject?.(context);
    const evaluation = (healthy: boolean) => ({ lastHealthy: healthy, passed: false });
    // Act
    await hooks?.afterState?.('EvaluateCatchUp', evaluation(true));
    await hooks?.afterState?.('EvaluateCatchUp', evaluation(false));
    await hooks?.afterState?.('EvaluateCatchUp', evaluation(false));
    await hooks?.afterState?.('EvaluateCatchUp', evaluation(true));
    // Assess
    expect(actions).toEqual(['kill 300', 'restart 301']);
    expect(mismatches).toEqual([]);
    expect(figures['replicatorCrash']).toMatchObject({ unhealthyWhileDown: 2, restarted: true });
  });

  it('records a mismatch in replicator-crash when the catch-up gate is healthy while MirrorMaker 2 is down', async () => {
    // Prepare
    const { context, mismatches } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['replicator-crash'].inject?.(context);
    // Act
    await hooks?.afterState?.('EvaluateCatchUp', { lastHealthy: true, passed: false });
    await hooks?.afterState?.('EvaluateCatchUp', { lastHealthy: true, passed: false });
    // Assess
    expect(mismatches).toEqual(['the catch-up gate was healthy while MirrorMaker 2 was down']);
  });

  it('kills MirrorMaker 2 three times in replicator-crash-loop, restarting it after one unhealthy check each time', async () => {
    // Prepare
    const { context, actions, mismatches, figures } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['replicator-crash-loop'].inject?.(context);
    const evaluation = (healthy: boolean, passed = false) => ({ lastHealthy: healthy, passed });
    // Act: healthy → kill; down → restart; one check → kill; … ; then two healthy checks pass the gate
    for (const e of [true, false, true, false, false, false, true, true, true])
      await hooks?.afterState?.('EvaluateCatchUp', evaluation(e));
    await hooks?.afterState?.('EvaluateCatchUp', evaluation(true, true));
    await hooks?.afterState?.('ValidateTarget', { duplicates: { records: 42, partitions: [] } });
    // Assess
    expect(actions).toEqual(['kill 300', 'restart 301', 'kill 301', 'restart 302', 'kill 302', 'restart 303']);
    expect(mismatches).toEqual([]);
    expect(figures).toMatchObject({ replicatorKills: 3, targetDuplicates: { records: 42 } });
  });

  it('lets the crash scenarios accept duplicates on the target but no record read twice; the others keep NONE', () => {
    // Assess
    for (const name of ['replicator-crash', 'replicator-crash-loop'] as const)
      expect(planOf(name).recovery).toEqual({ duplicateTolerance: { maxRecords: 10_000 }, replayTolerance: 'NONE' });
    expect(planOf('happy-path').recovery).toBeUndefined();
  });

  it('asks the execution to abort after the first catch-up evaluation in operator-aborts-during-catch-up, once', async () => {
    // Prepare
    const { context, actions, mismatches } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['operator-aborts-during-catch-up'].inject?.(context);
    // Act
    await hooks?.beforeState?.('EvaluateCatchUp');
    await hooks?.afterState?.('EvaluateCatchUp', { lastHealthy: false, passed: false });
    await hooks?.beforeState?.('EvaluateCatchUp');
    await hooks?.beforeState?.('RollbackReplication');
    // Assess
    expect(actions).toEqual(['abort: Rehearsal: change freeze for the payments release.']);
    expect(mismatches).toEqual([]);
  });

  it('records a mismatch in operator-aborts-during-catch-up when the catch-up goes on, or the cutover starts, after the request', async () => {
    // Prepare
    const { context, mismatches } = recordingContext();
    const hooks = SCENARIO_DEFINITIONS['operator-aborts-during-catch-up'].inject?.(context);
    // Act
    await hooks?.afterState?.('EvaluateCatchUp', { lastHealthy: true, passed: false });
    await hooks?.afterState?.('EvaluateCatchUp', { lastHealthy: true, passed: true });
    await hooks?.beforeState?.('FenceProducers');
    // Assess
    expect(mismatches).toEqual([
      'EvaluateCatchUp returned 2 times: the abort request was not seen',
      'FenceProducers ran after the abort request',
    ]);
  });

  it('stops the execution right after FenceProducers in operator-stops-while-fenced, and requires the producers seen holding', async () => {
    // Prepare
    const held = recordingContext({ holding: true });
    const notHeld = recordingContext({ holding: false });
    const definition = SCENARIO_DEFINITIONS['operator-stops-while-fenced'];
    // Act
    await definition.inject?.(held.context).afterState?.('CheckDrain', {});
    await definition.inject?.(held.context).afterState?.('FenceProducers', {});
    await definition.inject?.(notHeld.context).afterState?.('FenceProducers', {});
    // Assess
    expect(definition.stopped).toEqual({ after: 'FenceProducers', before: 'SwitchToTarget' });
    expect(held.actions).toEqual(['stop']);
    expect(held.mismatches).toEqual([]);
    expect(held.figures['producersHeldAfterStop']).toBe(true);
    expect(notHeld.mismatches).toEqual(['the producers were never seen holding their writes after the stop']);
  });

  it("gives settle-outlasts-notice a settle longer than the clients' notice, and requires the caught-up path: the drain before the settle's end, ConfirmDrain at or after it", async () => {
    // Prepare
    const plan = MigrationPlanSchema.parse(planOf('settle-outlasts-notice', 0));
    const definition = SCENARIO_DEFINITIONS['settle-outlasts-notice'];
    const fencedAt = Date.parse('2026-12-05T01:00:00.000Z');
    const at = (ms: number): string => new Date(fencedAt + ms).toISOString();
    const cutover = (steps: Array<[string, number, number]>, drained = true) => ({
      drain: { drained, fencedAt: at(0), polls: 5 },
      oneInvocation: {
        reached: 'SWITCHED',
        steps: steps.map(([step, from, to]) => ({ step, startedAt: at(from), endedAt: at(to) })),
      },
    });
    const caughtUpPath = cutover([
      ['FenceProducers', -10, 10],
      ['CheckDrain', 10, 353],
      ['CommitConsumerOffsets', 353, 390],
      ['ConfirmDrain', 1002, 1011],
      ['SwitchToTarget', 1011, 1015],
    ]);
    const drainedAtSettle = cutover([
      ['FenceProducers', -10, 10],
      ['CheckDrain', 10, 1003],
      ['CommitConsumerOffsets', 1003, 1040],
      ['SwitchToTarget', 1040, 1045],
    ]);
    const confirmedEarly = cutover([
      ['CheckDrain', 10, 353],
      ['ConfirmDrain', 400, 410],
      ['SwitchToTarget', 410, 415],
    ]);
    const taken = recordingContext();
    const notTaken = recordingContext();
    const early = recordingContext();
    const readTwice = recordingContext();
    // Act
    await definition.inject?.(taken.context).afterState?.('Cutover', caughtUpPath);
    await definition.inject?.(notTaken.context).afterState?.('Cutover', drainedAtSettle);
    await definition.inject?.(early.context).afterState?.('Cutover', confirmedEarly);
    await definition.inject?.(readTwice.context).afterRun?.({
      records: { produced: 10, lost: 0, duplicatesConsumed: 1, outOfOrder: 0, perTopic: {} },
    } as unknown as WorkloadTally);
    // Assess
    expect(settleSecondsOf(plan)).toBe(1);
    expect(fenceNoticeSecondsOf(plan)).toBe(0.35);
    expect(definition.outcome).toBe('SUCCEEDED');
    expect(taken.mismatches).toEqual([]);
    expect(taken.figures['settleEnd']).toMatchObject({ settleMs: 1000, drainEndedMs: 353, confirmFromMs: 1002 });
    expect(notTaken.mismatches).toEqual([expect.stringContaining("did not end caught up before the settle's end")]);
    expect(early.mismatches).toEqual([expect.stringContaining('ConfirmDrain started 400 ms after the fence')]);
    expect(readTwice.mismatches).toEqual(['1 record(s) consumed twice']);
  });
});
