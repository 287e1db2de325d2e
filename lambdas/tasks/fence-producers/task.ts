import * as z from 'zod';
import { FenceRecordSchema, fenceProducers } from '../../core/cutover/fence-producers';
import {
  FailbackFenceSchema,
  FenceReleaseSchema,
  fenceForFailback,
  releaseFailbackFence,
  releaseFailbackFenceFromJournal,
  type FenceRelease,
} from '../../core/failback/fence';
import { waveForward } from '../shared/failback-waves';
import {
  restartClientSwitchesOnTarget,
  restartsOnFailbackRelease,
  stopClientSwitchesAtFence,
  stopClientSwitchesForFailback,
  stopsAtFence,
} from '../../core/cutover/client-switches';
import type { ExecutionIdentity } from '../../core/replication/naming';
import { identityOf } from '../shared/plan-views';
import { CutoverFailedError, InputInvalidError } from '../../core/errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { ClientSwitchFactory } from '../../ports/client-switch';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import {
  CutoverExecutionStateSchema,
  clientSwitchTargetOf,
  consumersFirst,
  cutoverScope,
  cutoverTargetValue,
  requireStep,
} from '../shared/cutover-state';
import type { WriteFence } from '../../ports/write-fence';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * FenceProducers (phase 9), FenceForFailback (`mode: FAILBACK`) and ReleaseFailbackFence (`mode: RELEASE_FAILBACK`):
 * the single-writer fence.
 *
 * Forward: the core's fenceProducers (core/cutover/fence-producers.ts) records what the pointer holds and sets it to
 * this execution's fence; the source's end offsets after the fence are CheckDrain's baseline. The switch value is
 * resolved first, so a plan that could not be switched fails here, before any producer holds. A consumers-first wave
 * (`waves[].consumersFirst`) fences its own pointer, which only its consumers read, and takes no write fence.
 *
 * Failback and its release: the core's fenceForFailback and releaseFailbackFence (core/failback/fence.ts), on the
 * value SwitchToTarget set.
 */

export const Input = lazySchema(() =>
  z.object({
    state: CutoverExecutionStateSchema,
    mode: z.enum(['FORWARD', 'FAILBACK', 'RELEASE_FAILBACK']).optional(),
  }),
);
export type Input = z.infer<typeof Input>;

export const Output = lazySchema(() => z.union([FenceRecordSchema, FailbackFenceSchema, FenceReleaseSchema]));
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The pointer the plan names (cutover.switch). */
  readonly pointer: CutoverSwitch;
  /** The cluster producers write to until the fence: the source forward, the target on the way back (unused by a release). */
  readonly producersCluster?: KafkaDataPlane;
  /** The plan's write fence on the source (cutover.fence KAFKA_ACL / IAM_POLICY); forward only. */
  readonly writeFence?: WriteFence;
  /** The plan's client switches: entries with stopAtFence (ECS_SERVICE, LOCAL_PROCESS) are stopped here (forward only). */
  readonly clientSwitches?: ClientSwitchFactory;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export async function runFenceProducers(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const { switches, clientSwitchTimeoutMinutes } = state.input.cutover;
  const switchRequest = (identity: ExecutionIdentity) => ({
    identity,
    switches,
    timeoutMinutes: clientSwitchTimeoutMinutes,
  });
  const clientDeps = (factory: ClientSwitchFactory) => ({
    clientSwitches: factory,
    artifacts: deps.artifacts,
    now: deps.now,
  });
  if (input.mode === 'RELEASE_FAILBACK') {
    const release = await releaseFence(state, deps);
    // The pointer's producers resume on the target: so do the applications stopped at the failback fence and the
    // consumers FailbackCutover held there. Not when the pointer is elsewhere (FailbackCutover already moved it back
    // to the source, or someone moved it).
    if (!restartsOnFailbackRelease(switches) || release.outcome === 'NOT_FENCED') return release;
    if (!deps.clientSwitches)
      throw new CutoverFailedError(
        'The plan names cutover.switches, but this runtime has no client switch adapters: the applications stopped at the failback fence were not started again.',
      );
    const clients = await restartClientSwitchesOnTarget(
      { ...switchRequest(identityOf(state)), target: clientSwitchTargetOf(state) },
      clientDeps(deps.clientSwitches),
    );
    return FenceReleaseSchema.parse({ ...release, clients });
  }
  const scope = await cutoverScope(state, deps.artifacts);
  const producersCluster = deps.producersCluster;
  if (!producersCluster)
    throw new TypeError('FenceProducers needs the cluster the producers write to (producersCluster).');
  if (input.mode === 'FAILBACK') {
    const fenced = await fenceForFailback(
      { ...scope, switchedTo: await switchedValue(state, deps.artifacts) },
      { ...deps, producersCluster },
    );
    if (!switches.some(stopsAtFence)) return fenced;
    if (!deps.clientSwitches)
      throw new CutoverFailedError(
        'The plan asks to stop applications at the fence (cutover.switches stopAtFence), but this runtime has no client switch adapters.',
      );
    const clients = await stopClientSwitchesForFailback(switchRequest(scope.identity), clientDeps(deps.clientSwitches));
    return FailbackFenceSchema.parse({ ...fenced, clients });
  }
  cutoverTargetValue(state);
  // A consumers-first wave holds its consumers (its own pointer) and never the producers: no write fence.
  const writeFence = consumersFirst(state) ? undefined : deps.writeFence;
  const record = await fenceProducers(scope, {
    producers: deps.pointer,
    source: producersCluster,
    ...(writeFence ? { writeFence } : {}),
    artifacts: deps.artifacts,
    now: deps.now,
  });
  if (switches.some(stopsAtFence)) {
    if (!deps.clientSwitches)
      throw new CutoverFailedError(
        'The plan asks to stop applications at the fence (cutover.switches stopAtFence), but this runtime has no client switch adapters.',
      );
    // One call: the drain's settle waits for the stopped producers' last writes, CommitConsumerOffsets for the
    // stopped consumers to leave; SwitchToTarget scales them back.
    await stopClientSwitchesAtFence(switchRequest(scope.identity), clientDeps(deps.clientSwitches));
  }
  return FenceRecordSchema.parse(record);
}

/**
 * The value SwitchToTarget set on the pointer: the only one the failback fence replaces and the release puts back.
 * A plan in waves: the current wave's, from its switch journal (`$.cutover` is the last wave's).
 */
async function switchedValue(state: Input['state'], artifacts: ArtifactStore): Promise<string> {
  const { wave } = state.identity;
  if (!wave) return requireStep(state, 'switch', 'SwitchToTarget').producers.value;
  const forward = await waveForward({ ...identityOf(state), wave }, artifacts);
  if (!forward)
    throw new InputInvalidError(
      `Wave ${wave} has no finished switch in this execution (cutover/waves/${wave}/journal/switch.json): it is not on the target, so its pointer is not fenced for the failback.`,
    );
  return forward.switched.producers.value;
}

/**
 * ReleaseFailbackFence: `$.failbackFence` as FenceForFailback returned it; a plan in waves (each wave fenced in its own
 * invocation, `$.failbackFence` holds the last) or a fence whose result never reached the state (FenceForFailback
 * failed after moving the pointer): from the wave's FenceForFailback journal, released only while the pointer holds
 * this execution's failback fence.
 */
async function releaseFence(state: Input['state'], deps: Deps): Promise<FenceRelease> {
  const recorded = (state as { failbackFence?: unknown }).failbackFence;
  if (!state.identity.wave && recorded !== undefined) return releaseFailbackFence(recorded, deps);
  const identity = identityOf(state);
  const switchedTo = await switchedValue(state, deps.artifacts).catch(() => undefined);
  const released = await releaseFailbackFenceFromJournal(identity, switchedTo, deps);
  return (
    released ?? {
      direction: 'RELEASE_FAILBACK',
      outcome: 'NOT_FENCED',
      pointer: deps.pointer.pointer,
      releasedAt: deps.now().toISOString(),
    }
  );
}

/** FenceProducers as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'FenceProducers',
  Input,
  Output,
  needs: {
    pointer: 'pointer',
    clientSwitches: 'clientSwitches',
    // forward only: the way back fences the target's producers with the pointer alone
    writeFence: {
      oneOf: ['writeFence'],
      pick: (input) => ((input.mode ?? 'FORWARD') === 'FORWARD' ? 'writeFence' : undefined),
    },
    // the cluster producers use now: the source, the target for the way back, none to lift the failback fence
    producersCluster: {
      oneOf: ['source', 'target'],
      pick: (input) =>
        input.mode === 'FAILBACK' ? 'target' : input.mode === 'RELEASE_FAILBACK' ? undefined : 'source',
    },
    artifacts: 'artifacts',
    now: 'clock',
  },
  run: runFenceProducers,
});
