import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import { HealthProgressSchema, checkTargetHealth, windowEndsAt } from '../../core/cutover/check-target-health';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import { CutoverExecutionStateShape, WindowStateSchema, cutoverScope, requireStep } from '../shared/cutover-state';
import { scopeToCurrentWave } from '../shared/execution-state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * CheckTargetHealth: one poll of the rollback window (WaitInRollbackWindow ⇄ CheckTargetHealth). The core judges the
 * target's health; `closed` (read by the Choice WindowClosed?) is true once cutover.rollbackWindowMinutes have passed
 * since the switch AND this check found the target healthy — an unhealthy target at the end of the window keeps it
 * open, so that its next unhealthy checks still roll back. The core's consecutive-unhealthy limit throws
 * Migration.TargetUnhealthy, whose Catch runs RollbackCutover.
 */

export const Input = lazySchema(() =>
  z.object({
    state: CutoverExecutionStateShape.extend({ window: HealthProgressSchema.optional() }).transform(scopeToCurrentWave),
  }),
);
export type Input = z.infer<typeof Input>;

export const Output = WindowStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  /** Target health alarms (AWS); absent locally. */
  readonly lagSignals?: LagSignals;
  /** Alarms on the target the window watches. @default none */
  readonly alarmNames?: readonly string[];
}

export async function runCheckTargetHealth(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const switched = requireStep(state, 'switch', 'SwitchToTarget');
  const minutes = state.input.cutover.rollbackWindowMinutes;
  const progress = await checkTargetHealth(
    {
      ...(await cutoverScope(state, deps.artifacts)),
      switch: switched,
      offsets: requireStep(state, 'offsets', 'CommitConsumerOffsets'),
      // The core counts whole positive minutes; a window of 0 is judged below from the plan's own value.
      rollbackWindowMinutes: Math.max(1, minutes),
      ...(state.window ? { previous: state.window } : {}),
      alarmNames: [...(deps.alarmNames ?? [])],
    },
    {
      target: deps.target,
      artifacts: deps.artifacts,
      now: deps.now,
      ...(deps.lagSignals ? { lagSignals: deps.lagSignals } : {}),
    },
  );
  const endsAt = windowEndsAt(switched.switchedAt, minutes);
  const timeUp = Date.parse(progress.checkedAt) >= Date.parse(endsAt);
  return Output.parse({ ...progress, windowEndsAt: endsAt, windowClosed: timeUp, closed: timeUp && progress.healthy });
}

/** CheckTargetHealth as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CheckTargetHealth',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    target: 'target',
    artifacts: 'artifacts',
    lagSignals: 'lagSignals',
    alarmNames: 'healthAlarmNames',
    now: 'clock',
  },
  run: runCheckTargetHealth,
});
