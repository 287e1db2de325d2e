import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import { runEvaluateCatchUp as evaluateCatchUpPhase } from '../../core/replication/phases';
import { CatchUpStateSchema } from '../../core/replication/state';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import { ExecutionStateSchema, ReplicationPhaseSchema } from '../shared/execution-state';
import { identityOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * EvaluateCatchUp: one evaluation of the catch-up gate (MSK Replicator alarms and datapoints, per-partition lag for
 * MirrorMaker 2, the canary round trip). `$.catchUp.passed` after gates.consecutiveHealthyChecks healthy ones in a row;
 * past gates.catchUpTimeoutMinutes → Migration.LagTimeout. Each evaluation's figures are in the ArtifactStore.
 */

export const Input = lazySchema(() =>
  z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) }),
);
export type Input = z.infer<typeof Input>;

export const Output = CatchUpStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
  readonly artifacts: ArtifactStore;
  /** Required for MSK Replicator. */
  readonly lagSignals?: LagSignals;
  /** Required for MirrorMaker 2 and for the canary. */
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly now: () => Date;
}

export async function runEvaluateCatchUp(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const gates = state.input.gates;
  const progress = await evaluateCatchUpPhase(
    identityOf(state),
    state.replication,
    {
      maxLagRecords: gates.maxLagRecords,
      consecutiveHealthyChecks: gates.consecutiveHealthyChecks,
      catchUpTimeoutMinutes: gates.catchUpTimeoutMinutes,
      canaryTimeoutSeconds: gates.canaryTimeoutSeconds,
      ...(gates.maxReplicationLatencyMs !== undefined
        ? { maxReplicationLatencyMs: gates.maxReplicationLatencyMs }
        : {}),
      ...(gates.maxCanaryRoundTripMs !== undefined ? { maxCanaryRoundTripMs: gates.maxCanaryRoundTripMs } : {}),
    },
    state.catchUp,
    {
      artifacts: deps.artifacts,
      now: deps.now,
      ...(deps.lagSignals ? { lagSignals: deps.lagSignals } : {}),
      ...(deps.source ? { source: deps.source } : {}),
      ...(deps.target ? { target: deps.target } : {}),
    },
  );
  return Output.parse(progress);
}

/** EvaluateCatchUp as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'EvaluateCatchUp',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    artifacts: 'artifacts',
    lagSignals: 'lagSignals',
    source: 'source',
    target: 'target',
    now: 'clock',
  },
  run: runEvaluateCatchUp,
});
