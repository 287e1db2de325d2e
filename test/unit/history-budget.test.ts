import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  historyBudget,
  HISTORY_EVENT_LIMIT,
  loopBudgets,
  pathBudgets,
  pollCadence,
  POLL_LOOP_OF_WAIT,
  worstVisitEvents,
} from '../../lambdas/core/plan/history-budget';
import { validateMigrationPlan, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { runValidateInput } from '../../lambdas/tasks/validate-input/task';
import { loadDefinition } from '../../rehearsal/asl-runner';
import {
  budgetCells,
  budgetRows,
  budgetTable,
  BUDGET_END,
  BUDGET_START,
  cadenceBefore,
  DEFAULTS_PLAN,
} from '../../scripts/history-budget-doc';

const definition = loadDefinition();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a plan as JSON, edited by path
type Raw = Record<string, any>;

function plan(edit: (raw: Raw) => void = () => undefined): MigrationPlan {
  const raw = JSON.parse(JSON.stringify(DEFAULTS_PLAN)) as Raw;
  edit(raw);
  const result = validateMigrationPlan(raw);
  if (!result.valid) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return result.plan;
}

const endsOf = (p: MigrationPlan) =>
  Object.fromEntries(historyBudget(p, definition).paths.map((x) => [x.end, x.events]));

describe('the history event model', () => {
  it('costs a Wait → Lambda Task → Choice poll 9 events, and 24 when the task uses its 5 retries', () => {
    // Act
    const wait = worstVisitEvents({ Type: 'Wait' });
    const choice = worstVisitEvents({ Type: 'Choice' });
    const task = worstVisitEvents({ Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:f' });
    const retried = worstVisitEvents(definition.States.EvaluateCatchUp as never);
    // Assess
    expect(wait + task + choice).toBe(9);
    expect(wait + retried + choice).toBe(24);
  });

  it('knows every Wait state of the ASL as a poll loop', () => {
    const waits = Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Wait')
      .map(([n]) => n);
    expect(waits.filter((w) => !(w in POLL_LOOP_OF_WAIT))).toEqual([]);
  });
});

describe('the history budget of a plan', () => {
  it('fits the defaults on every path, each loop running to its deadline and every task call retried to the end', () => {
    // Act
    const budget = historyBudget(plan(), definition);
    // Assess
    expect(budget.problems).toEqual([]);
    expect(budget.worst.events).toBeLessThanOrEqual(HISTORY_EVENT_LIMIT);
    expect(Object.keys(endsOf(plan()))).toEqual(
      expect.arrayContaining(['MigrationSucceeded', 'MigrationRolledBack', 'MigrationFailedBack']),
    );
  });

  it('did not fit the defaults with the cadence as given before (catch-up polled every 60 s for a day)', () => {
    // Act
    const p = plan();
    const worst = Math.max(...pathBudgets(definition, loopBudgets(p, cadenceBefore(p))).map((x) => x.events));
    // Assess
    expect(worst).toBeGreaterThan(HISTORY_EVENT_LIMIT);
  });

  it('fits a 30-day catch-up followed by a failback by polling the gate less often', () => {
    // Prepare
    const p = plan((raw) => (raw.gates = { catchUpTimeoutMinutes: 30 * 24 * 60 }));
    // Act
    const budget = historyBudget(p, definition);
    // Assess
    expect(budget.problems).toEqual([]);
    expect(endsOf(p).MigrationFailedBack).toBeLessThanOrEqual(HISTORY_EVENT_LIMIT);
    expect(budget.cadence.pollIntervalSeconds).toBe(Math.ceil((30 * 24 * 3600) / 180));
  });

  it('keeps the drain fast: every 10 s for the default 15 minutes', () => {
    expect(pollCadence(plan()).drainPollSeconds).toBe(10);
  });

  it('refuses a day-long drain, naming cutover.drainTimeoutMinutes and the figure', () => {
    // Prepare
    const p = plan((raw) => (raw.cutover.drainTimeoutMinutes = 24 * 60));
    // Act
    const { problems } = historyBudget(p, definition);
    // Assess
    expect(problems.map((x) => x.path)).toEqual(['cutover.drainTimeoutMinutes']);
    expect(problems[0]?.message).toMatch(/expected at most 45 minutes/);
    expect(problems[0]?.message).toMatch(/history events, over Step Functions' 25,000/);
  });

  it('refuses a rollback window of a year and a catch-up of a year, each by its field', () => {
    // Prepare
    const p = plan((raw) => {
      raw.cutover.rollbackWindowMinutes = 365 * 24 * 60;
      raw.gates = { catchUpTimeoutMinutes: 365 * 24 * 60 };
    });
    // Act
    const { problems } = historyBudget(p, definition);
    // Assess
    expect(problems.map((x) => x.path)).toEqual(['cutover.rollbackWindowMinutes', 'gates.catchUpTimeoutMinutes']);
  });

  it('ValidateInput refuses a plan that does not fit with Migration.InputInvalid naming the field; nothing else runs', () => {
    // Prepare
    const raw = JSON.parse(JSON.stringify(DEFAULTS_PLAN)) as Raw;
    raw.cutover.drainTimeoutMinutes = 24 * 60;
    // Act
    const run = () =>
      runValidateInput({ plan: raw, executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e' });
    // Assess
    expect(run).toThrow(/cutover\.drainTimeoutMinutes: expected at most 45 minutes/);
    expect(run).toThrow(expect.objectContaining({ name: 'Migration.InputInvalid' }));
  });

  it('ValidateInput hands the Wait states the cadence of the budget', () => {
    // Act
    const out = runValidateInput({
      plan: DEFAULTS_PLAN,
      executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e',
    });
    // Assess
    expect(out.settings).toMatchObject(pollCadence(plan()));
  });
});

describe('docs/operator-guide.md', () => {
  it('carries the budget table of the examples `npm run budget` generates', () => {
    // Prepare
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'operator-guide.md'), 'utf8');
    // Act
    const generated = `${BUDGET_START}\n\n${budgetTable()}\n\n${BUDGET_END}`;
    // Assess
    expect(budgetCells(doc)).toEqual(budgetCells(generated));
  });

  it('shows every example fitting, and the defaults as they were not fitting', () => {
    const rows = budgetRows();
    expect(rows.filter((r) => !r.fits).map((r) => r.plan)).toEqual(['defaults, before (cadence as given)']);
  });
});
