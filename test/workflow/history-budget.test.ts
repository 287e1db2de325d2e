import { HISTORY_EVENT_LIMIT, historyBudget } from '../../lambdas/core/plan/history-budget';
import { validateMigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';
import { HISTORY_LIMIT_ERROR } from '../../rehearsal/asl-runner';
import { expectNeverVisited, expectVisitedInOrder, summary } from './paths';
import { examplePlan, World } from './world';

/**
 * The 25,000-event history of a Standard execution, through the real ASL: the runner counts the events the service
 * would write (lambdas/core/plan/history-budget.ts's model) and fails the execution at the quota, running no Catch,
 * as the service does. A long migration fits because its loops poll at the cadence its budget gives them.
 */

const THIRTY_DAYS_MINUTES = 30 * 24 * 60;

it('completes a 30-day catch-up followed by a failback within 25,000 events, under the worst case the budget computed', async () => {
  // Prepare: the lag converges only after ~29 days of polling; the reverse replicator takes as many polls to start.
  const plan = examplePlan((raw) => {
    raw.replication.offsetSyncMode = 'ENHANCED';
    raw.gates = { maxLagRecords: 0, consecutiveHealthyChecks: 2, catchUpTimeoutMinutes: THIRTY_DAYS_MINUTES };
  });
  const world = new World({ plan, lagConvergesAfter: 170, approvals: { FINALIZE: 'REJECT' } });
  world.replicator.failbackFate = { becomes: 'RUNNING', afterDescribes: 170 };
  const checked = validateMigrationPlan(plan);
  if (!checked.valid) throw new Error('the example plan is invalid');
  const budget = historyBudget(checked.plan, WORKFLOW_DEFINITION);
  // Act
  const result = await world.run();
  // Assess
  expect(summary(result)).toMatch(/^FAILED Migration\.FailedBack/);
  expectVisitedInOrder(result.visited, ['EvaluateCatchUp', 'SwitchToTarget', 'CheckFailback', 'ReportFailedBack']);
  expect(result.visited.filter((s) => s === 'EvaluateCatchUp').length).toBeGreaterThan(150);
  expect(result.visited.filter((s) => s === 'CheckFailback').length).toBeGreaterThan(150);
  expect(result.historyEvents).toBeLessThanOrEqual(budget.paths.find((p) => p.end === 'MigrationFailedBack')!.events);
  expect(result.historyEvents).toBeLessThan(HISTORY_EVENT_LIMIT);
});

it('fails the execution at the history quota as Step Functions does: no Catch, no report, no rollback', async () => {
  // Prepare: a quota the forward path passes during the catch-up gate.
  const world = new World({ historyEventLimit: 150, lagConvergesAfter: 20 });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe(HISTORY_LIMIT_ERROR);
  expect(result.cause).toMatch(/maximum number of history events \(150\)/);
  expect(result.historyEvents).toBeGreaterThan(150);
  expectNeverVisited(result.visited, ['RollbackReplication', 'ReportRollback', 'ReportFailure', 'CutoverApproval']);
});

it('counts a plain run as the model does: 9 events per catch-up poll more for each extra evaluation', async () => {
  // Prepare
  const short = new World({ lagConvergesAfter: 1 });
  const longer = new World({ lagConvergesAfter: 11 });
  // Act
  const [a, b] = [await short.run(), await longer.run()];
  // Assess
  const polls = (r: typeof a) => r.visited.filter((s) => s === 'EvaluateCatchUp').length;
  expect(polls(b) - polls(a)).toBeGreaterThan(0);
  expect(b.historyEvents - a.historyEvents).toBe(9 * (polls(b) - polls(a)));
});
