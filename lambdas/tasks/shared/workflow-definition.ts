import type { BudgetDefinition } from '../../core/plan/history-budget';
import definition from '../../../statemachine/migration.asl.json';

/**
 * The workflow's ASL as deployed (bundled into the functions that need it): ValidateInput and `msk-migrate validate`
 * compute a plan's history budget from the states it really has, so the budget cannot drift from the ASL.
 */
export const WORKFLOW_DEFINITION: BudgetDefinition = definition as unknown as BudgetDefinition;
