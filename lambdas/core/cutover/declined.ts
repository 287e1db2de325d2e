import type { MigrationPlan } from '../plan/migration-plan';
import { isConsumersFirstWave } from '../plan/waves';
import { holdsAtFence } from './client-switches';

/**
 * THE PLANS THE ONE-INVOCATION CUTOVER LEAVES TO THE STEP-BY-STEP STATES, AND THOSE WHOSE OFFSETS ARE NOT COMMITTED
 * BESIDE THE DRAIN: decided from the plan alone, up front, by the tasks (lambdas/tasks/cutover/task.ts,
 * lambdas/tasks/commit-consumer-offsets/task.ts) and by the pause model (pause-model.ts), which walks the same path.
 */

/**
 * Why the Cutover state runs no step of this plan (its `oneInvocation.reached` is NOT_RUN and CutoverReached? goes on
 * through the step-by-step states from FenceProducers), or undefined where it runs them in one invocation.
 */
export function oneInvocationDeclined(
  cutover: Pick<MigrationPlan['cutover'], 'singleInvocation' | 'switches'>,
): string | undefined {
  if (cutover.singleInvocation === false) return 'cutover.singleInvocation is false: each step runs as its own state.';
  if (cutover.switches.length > 0)
    return 'The plan names client switches (cutover.switches): FenceProducers, CommitConsumerOffsets and SwitchToTarget move them, each as its own state.';
  // A HOOK pointer runs in it: its idempotency key names the Cutover step for the fence's set and the switch's alike,
  // and the value each writes (adapters/aws/cutover-switch-hook.ts hookIdempotencyKey), so the two keys differ.
  return undefined;
}

/**
 * Why the consumer offsets are not committed beside the drain for this plan and wave (the pass is LEFT before its first
 * look, and CommitConsumerOffsets does its whole work after the drain), or undefined where the pass looks.
 */
export function offsetsDuringDrainDeclined(
  plan: Pick<MigrationPlan, 'cutover'> & Partial<Pick<MigrationPlan, 'recovery' | 'waves'>>,
  wave: string | undefined,
): string | undefined {
  if (isConsumersFirstWave(plan, wave)) return 'Consumers first: their offsets are translated after the drain.';
  if ((plan.recovery?.freshGroups ?? []).length > 0)
    return 'The plan starts groups fresh (recovery.freshGroups): translated after the drain.';
  if (plan.cutover.switches.some(holdsAtFence))
    return 'The plan holds consumers through client switches: translated after the drain.';
  return undefined;
}
