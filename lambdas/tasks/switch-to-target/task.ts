import * as z from 'zod';
import { applyClientSwitches, untilComplete, type Sleep } from '../../core/cutover/client-switches';
import { switchConsumers } from '../../core/cutover/switch-consumers';
import { CutoverFailedError } from '../../core/errors';
import type { ClientSwitchFactory } from '../../ports/client-switch';
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
import { identityOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * SwitchToTarget: the target's end offsets are recorded first (before any client points at the target: the baseline
 * of the rollback's target-writes report and the start of a failback, `switchTargetOffsetsKey`), then the pointer
 * moves from the fence to the target value (cutover.targetValue, else the target's bootstrap servers), with the fence
 * as the expected value. Producers and consumers read the same pointer, so both move here. The rollback window opens.
 * Idempotent through the journal.
 *
 * Then the plan's client switches (`cutover.switches`: Lambda event source mappings, ECS services) take one step each
 * (core/cutover/client-switches.ts), stepped within this invocation until all are on the target or
 * cutover.clientSwitchTimeoutMinutes ran out (Migration.CutoverFailed: the Catch rolls them back). A retried
 * invocation reads the pointer part and each switch's progress back from the journal.
 */

export const Input = lazySchema(() => z.object({ state: CutoverExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = SwitchStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly pointer: CutoverSwitch;
  readonly target: KafkaDataPlane;
  /** Builds the adapter of each `cutover.switches` entry; needed only when the plan has some. */
  readonly clientSwitches?: ClientSwitchFactory;
  /** Between two steps of the client switches. @default a timer */
  readonly sleep?: Sleep;
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
  const { switches, clientSwitchTimeoutMinutes } = state.input.cutover;
  if (switches.length === 0) return Output.parse({ ...record, switchTargetOffsetsKey: record.targetEndsAtSwitch.key });
  if (!deps.clientSwitches)
    throw new CutoverFailedError(
      'The plan names cutover.switches, but this runtime has no client switch adapters: they were not moved.',
    );
  const bootstrapServers = (state.target?.bootstrapServers ?? state.input.target.bootstrapServers ?? []).join(',');
  const clusterArn = state.target?.clusterArn ?? state.input.target.clusterArn;
  const clientSwitches = deps.clientSwitches;
  const clients = await untilComplete(
    () =>
      applyClientSwitches(
        {
          identity: identityOf(state),
          switches,
          timeoutMinutes: clientSwitchTimeoutMinutes,
          target: { bootstrapServers, ...(clusterArn ? { clusterArn } : {}) },
        },
        { clientSwitches, artifacts: deps.artifacts, now: deps.now },
      ),
    deps.sleep ?? sleepFor,
  );
  return Output.parse({ ...record, switchTargetOffsetsKey: record.targetEndsAtSwitch.key, clients });
}

/** SwitchToTarget as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'SwitchToTarget',
  Input,
  Output,
  needs: {
    pointer: 'pointer',
    target: 'target',
    clientSwitches: 'clientSwitches',
    artifacts: 'artifacts',
    now: 'clock',
  },
  run: runSwitchToTarget,
});

const sleepFor: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
