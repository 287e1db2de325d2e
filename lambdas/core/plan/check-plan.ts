import { historyBudget, type BudgetDefinition, type HistoryBudget } from './history-budget';
import { validateMigrationPlan, validSections, type MigrationPlan, type PlanIssue } from './migration-plan';
import { runtimeIssues, type Runtime, type RuntimeContext } from './runtimes';

/**
 * The whole check of an execution input, as ValidateInput runs it and `msk-migrate validate` / `start` run it before
 * anything is started: the contract (migration-plan.ts), what the runtime has no adapter for (runtimes.ts), the size
 * the execution's state can carry and the worst-case history of every path (history-budget.ts). Every problem is
 * reported in one run: a rule across fields runs whenever the fields it reads are valid, whatever else is wrong.
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

export function checkPlan(
  input: unknown,
  runtime: Runtime,
  workflow: BudgetDefinition,
  context: RuntimeContext = {},
): PlanCheck {
  const checked = validateMigrationPlan(input);
  if (!checked.valid) {
    // The checks beyond the schema run on the sections they read when those are valid, so that one run names all.
    const { gates, cutover, replication, target } = validSections(input);
    const more = [
      ...(cutover && replication
        ? runtimeIssues({ cutover, replication, ...(target ? { target } : {}) }, runtime, context)
        : []),
      ...(gates && cutover ? historyBudget({ gates, cutover }, workflow).problems : []),
    ];
    const seen = new Set(checked.issues.map((i) => `${i.path}\u0000${i.message}`));
    return {
      valid: false,
      issues: [...checked.issues, ...more.filter((i) => !seen.has(`${i.path}\u0000${i.message}`))],
    };
  }
  const { plan } = checked;
  const budget = historyBudget(plan, workflow);
  const issues = [...runtimeIssues(plan, runtime, context), ...sizeIssues(plan), ...budget.problems];
  return issues.length === 0 ? { valid: true, plan, budget, issues: [] } : { valid: false, issues };
}
