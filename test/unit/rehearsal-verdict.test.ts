import type { RunResult } from '../../rehearsal/asl-runner';
import { sourceChangesSince, type EndState } from '../../rehearsal/end-state';
import type { RehearsalResult } from '../../rehearsal/report';
import { COMPENSATED_FINAL_STATE, SCENARIO_DEFINITIONS } from '../../rehearsal/scenarios';
import { buildResult, judge, oneInvocationStepMs } from '../../rehearsal/verdict';
import type { WorkloadTally } from '../../rehearsal/workload';
import type { KafkaDataPlane, PartitionOffsets } from '../../lambdas/ports/kafka';

/**
 * The rehearsal's verdict on how a run ended: a stopped execution must be ABORTED between the scenario's states with
 * no Catch run and undone by the compensator; every run must leave the producers writing, this execution's
 * replicator gone and the source untouched.
 */

const observations = { gateChecks: [], lagSamples: [], latencies: [], switchedAt: null, windowEndsAt: null };
const tally = {
  records: { produced: 100, lost: 0, duplicatesConsumed: 0, outOfOrder: 0, perTopic: {} },
  cutover: { writePauseMs: null, pointerPropagationMs: null, writePauses: [], propagation: [] },
} as unknown as WorkloadTally;
const stopDefinition = SCENARIO_DEFINITIONS['operator-stops-while-fenced'];

const run = (status: RunResult['status'], visited: string[]): RunResult => ({
  status,
  visited,
  events: [],
  historyEvents: 0,
});
const fine: EndState = { writesAfterEnd: 25, stillHolding: false, replicatorLeft: false, sourceChanges: [] };
const compensated = { outcome: 'ROLLED_BACK' as const, notes: ['Cutover undone.'] };

function resultOf(r: RunResult, compensation = compensated): RehearsalResult {
  return buildResult({
    scenario: stopDefinition.name,
    startedAt: '2026-12-04T04:00:00.000Z',
    run: r,
    tally,
    failure: undefined,
    observations,
    version: '4.3.1',
    compensation,
  });
}

describe('the rehearsal verdict', () => {
  it('accepts a stop after FenceProducers that no Catch saw and the compensator rolled back', () => {
    // Prepare
    const r = run('ABORTED', ['FenceProducers', 'WaitForDrain', 'CheckDrain']);
    const result = resultOf(r);
    // Act
    const mismatches = judge(stopDefinition, result, r, tally, {
      ...fine,
      compensation: { ...compensated, executionArn: 'arn', status: 'ABORTED', locksReleased: [], reportKey: 'k' },
    });
    // Assess
    expect(result).toMatchObject({ outcome: 'ROLLED_BACK', finalState: COMPENSATED_FINAL_STATE });
    expect(result.checklist.Rollback.status).toBe('PASS');
    expect(mismatches).toEqual([]);
  });

  it('refuses a stopped run that a Catch rolled back, that reached the switch, or that the compensator did not undo', () => {
    // Prepare
    const r = run('ABORTED', ['FenceProducers', 'SwitchToTarget', 'RollbackCutover']);
    // Act
    const mismatches = judge(stopDefinition, resultOf(r), r, tally, fine);
    // Assess
    expect(mismatches).toEqual([
      'SwitchToTarget ran before the stop took effect',
      'a Catch ran in a stopped execution: RollbackCutover',
      'the compensator did not run',
    ]);
  });

  it('refuses any run that leaves the producers held, the replicator running or the source changed', () => {
    // Prepare
    const definition = SCENARIO_DEFINITIONS['approval-rejected'];
    const r = run('FAILED', ['CutoverApproval', 'RollbackReplication', 'ReportRollback', 'MigrationRolledBack']);
    const result = { ...resultOf(r), error: { name: 'Migration.ApprovalRejected', message: '' } };
    // Act
    const mismatches = judge(definition, result, r, tally, {
      writesAfterEnd: 0,
      stillHolding: true,
      replicatorLeft: true,
      sourceChanges: ['orders-0: log start offset 10, 0 before (records removed)'],
      compensationError: 'the pointer could not be written',
    });
    // Assess
    expect(mismatches).toEqual(
      expect.arrayContaining([
        'the compensator failed: the pointer could not be written',
        'the producers still hold their writes at the end (a fence was left)',
        "this execution's replicator is still running at the end",
        'source changed: orders-0: log start offset 10, 0 before (records removed)',
      ]),
    );
  });

  it('names what changed on the source: a topic gone, records removed, the canary topic left', async () => {
    // Prepare
    const offsets: Record<string, PartitionOffsets[]> = {
      orders: [
        { partition: 0, low: '5', high: '90' },
        { partition: 1, low: '0', high: '80' },
      ],
    };
    const source = {
      listTopics: async () => ['orders', 'msk-migration.canary.m'],
      fetchTopicOffsets: async (t: string) => offsets[t] ?? [],
    } as unknown as KafkaDataPlane;
    const before = {
      orders: [
        { partition: 0, low: '0', high: '40' },
        { partition: 1, low: '0', high: '40' },
      ],
      ledger: [{ partition: 0, low: '0', high: '10' }],
    };
    // Act
    const changes = await sourceChangesSince(source, before, 'msk-migration.canary.m');
    // Assess
    expect(changes).toEqual([
      'orders-0: log start offset 5, 0 before (records removed)',
      'topic ledger is gone from the source',
      'the canary topic msk-migration.canary.m is still on the source',
    ]);
  });
});

describe("the one-invocation Cutover's work per step", () => {
  const at = (ms: number): string => new Date(Date.UTC(2026, 11, 5, 0, 0, 0, ms)).toISOString();
  const step = (name: string, from: number, to: number) => ({ step: name, startedAt: at(from), endedAt: at(to) });

  it("takes the drain's from its passing look and the offsets' beside it from their committing look", () => {
    const steps = [
      step('CheckDrain', 10, 2_020),
      step('OffsetsDuringDrain', 10, 1_400),
      step('SwitchToTarget', 2_050, 2_060),
    ];
    expect(oneInvocationStepMs(steps, { checkedAt: at(2_000) }, { status: 'COMMITTED', lookedAt: at(1_300) })).toEqual({
      CheckDrain: 20,
      OffsetsDuringDrain: 100,
      SwitchToTarget: 10,
    });
  });

  it("leaves out the drain's figure where its record is ConfirmDrain's, after the step, and keeps the caught-up drain's steps", () => {
    // Prepare: the drain ended caught up at 1,580 ms; its record is then the confirming look's at the settle's end
    const steps = [
      step('CheckDrain', 10, 1_580),
      step('CommitConsumerOffsets', 1_580, 1_700),
      step('PrepareSwitch', 1_700, 1_708),
      step('ConfirmDrain', 2_001, 2_009),
      step('SwitchToTarget', 2_009, 2_011),
    ];
    // Act
    const work = oneInvocationStepMs(steps, { checkedAt: at(2_001) }, { status: 'LEFT' });
    // Assess: no negative drain figure
    expect(work).toEqual({ CommitConsumerOffsets: 120, PrepareSwitch: 8, ConfirmDrain: 8, SwitchToTarget: 2 });
  });
});
