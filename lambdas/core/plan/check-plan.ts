import { historyBudget, type BudgetDefinition, type HistoryBudget } from './history-budget';
import { validateMigrationPlan, type MigrationPlan, type PlanIssue } from './migration-plan';
import { runtimeIssues, type Runtime } from './runtimes';

/**
 * The whole check of an execution input, as ValidateInput runs it and `msk-migrate validate` / `start` run it before
 * anything is started: the contract (migration-plan.ts), what the runtime has no adapter for (runtimes.ts), the size
 * the execution's state can carry and the worst-case history of every path (history-budget.ts). Every problem it can
 * see is reported in one run.
 */

/**
 * The largest plan accepted (bytes of JSON). The plan travels in the state of every later step beside the steps'
 * results and up to three trimmed errors; this cap keeps that state well under Step Functions' 256 KiB
 * (test/workflow/state-size.test.ts builds the largest one).
 */
export const PLAN_MAX_BYTES = 32 * 1024;

export type PlanCheck =
  | { readonly valid: true; readonly plan: MigrationPlan; readonly budget: HistoryBudget; readonly issues: readonly [] }
  | { readonly valid: false; readonly issues: readonly PlanIssue[] };

function sizeIssues(plan: MigrationPlan): PlanIssue[] {
  const bytes = new TextEncoder().encode(JSON.stringify(plan)).length;
  if (bytes <= PLAN_MAX_BYTES) return [];
  return [
    {
      path: '(root)',
      message: `the plan is ${bytes.toLocaleString('en-US')} bytes of JSON with its defaults; at most ${PLAN_MAX_BYTES.toLocaleString('en-US')} (it travels in every state of the execution, capped at 256 KiB): shorten the longest lists (topics, groups, approvers)`,
    },
  ];
}

export function checkPlan(input: unknown, runtime: Runtime, workflow: BudgetDefinition): PlanCheck {
  const checked = validateMigrationPlan(input);
  if (!checked.valid) return checked;
  const { plan } = checked;
  const budget = historyBudget(plan, workflow);
  const issues = [...runtimeIssues(plan, runtime), ...sizeIssues(plan), ...budget.problems];
  return issues.length === 0 ? { valid: true, plan, budget, issues: [] } : { valid: false, issues };
}
