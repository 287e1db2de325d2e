import { z } from 'zod';
import { switchConsumers } from '../../core/cutover/switch-consumers';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import {
  CutoverExecutionStateSchema,
  SwitchStateSchema,
  cutoverTargetValue,
  cutoverScope,
  requireStep,
} from '../shared/cutover-state';
import { defineTask } from '../../workflow/define-task';

/**
 * SwitchToTarget: the target's end offsets are recorded first (before any client points at the target: the baseline
 * of the rollback's target-writes report and the start of a failback, `switchTargetOffsetsKey`), then the pointer
 * moves from the fence to the target value (cutover.targetValue, else the target's bootstrap servers), with the fence
 * as the expected value. Producers and consumers read the same pointer, so both move here. The rollback window opens.
 * Idempotent through the journal.
 */

export const Input = z.object({ state: CutoverExecutionStateSchema });
export type Input = z.infer<typeof Input>;

export const Output = SwitchStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly pointer: CutoverSwitch;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export async function runSwitchToTarget(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const record = await switchConsumers(
    {
      ...(await cutoverScope(state, deps.artifacts)),
      fence: requireStep(state, 'fence', 'FenceProducers'),
      offsets: requireStep(state, 'offsets', 'CommitConsumerOffsets'),
      producersTargetValue: cutoverTargetValue(state),
    },
    { producers: deps.pointer, target: deps.target, artifacts: deps.artifacts, now: deps.now },
  );
  return Output.parse({ ...record, switchTargetOffsetsKey: record.targetEndsAtSwitch.key });
}

/** SwitchToTarget as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'SwitchToTarget',
  Input,
  Output,
  needs: { pointer: 'pointer', target: 'target', artifacts: 'artifacts', now: 'clock' },
  run: runSwitchToTarget,
});
