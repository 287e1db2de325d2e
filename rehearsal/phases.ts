import { STATE_GUIDE } from '../cli/commands/workflow-states';

/**
 * Which phase of the runbook a state belongs to (the progress lines and the report's timeline): the workflow
 * catalogue's phases (lambdas/workflow/catalogue.ts), through the CLI's guide to every state of the ASL (Task states
 * from the catalogue, Wait, Choice and Pass states with the loop they belong to).
 */
const PHASE_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(STATE_GUIDE)
    .filter(([, guide]) => guide.phase !== 'Ended')
    .map(([state, guide]) => [state, guide.phase]),
);

/** The phase of `state`; `undefined` for a state of no phase (Fail, Succeed, or one this checkout does not know). */
export function phaseOf(state: string): string | undefined {
  return PHASE_OF[state];
}
