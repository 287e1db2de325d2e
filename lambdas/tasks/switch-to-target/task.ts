import * as z from 'zod';
import { applyClientSwitches, untilComplete, type Sleep } from '../../core/cutover/client-switches';
import {
  switchConsumers,
  type PreparedSwitch,
  type SwitchConsumersRequest,
  type SwitchDeps,
} from '../../core/cutover/switch-consumers';
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
  type CutoverScope,
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

/** What the one-invocation Cutover holds in memory for this step (the step-by-step state has none of it). */
export interface InInvocation {
  /** The cutover scope, read once by the invocation: not read again from the store. */
  readonly scope?: CutoverScope;
  /** The switch journaled beside the offsets' journal (prepareSwitch): only the pointers are left to move. */
  readonly prepared?: PreparedSwitch;
}

/** The core's request for this state: the scope, the fence and offsets records, and the pointer's target value. */
export function switchRequestOf(state: Input['state'], scope: CutoverScope): SwitchConsumersRequest {
  return {
    ...scope,
    fence: requireStep(state, 'fence', 'FenceProducers'),
    offsets: requireStep(state, 'offsets', 'CommitConsumerOffsets'),
    producersTargetValue: cutoverTargetValue(state),
  };
}

/** The core's ports for the producers' pointer (the one pointer this task moves). */
export const switchDepsOf = (deps: Pick<Deps, 'pointer' | 'target' | 'artifacts' | 'now'>): SwitchDeps => ({
  producers: deps.pointer,
  target: deps.target,
  artifacts: deps.artifacts,
  now: deps.now,
});

export async function runSwitchToTarget(input: Input, deps: Deps, inInvocation: InInvocation = {}): Promise<Output> {
  const { state } = input;
  const scope = inInvocation.scope ?? (await cutoverScope(state, deps.artifacts));
  const record = await switchConsumers(switchRequestOf(state, scope), switchDepsOf(deps), inInvocation.prepared);
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
