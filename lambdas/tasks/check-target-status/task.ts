import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import { InputInvalidError, ProvisioningFailedError } from '../../core/errors';
import { runCheckTargetStatus as checkTargetCluster } from '../../core/replication/phases';
import { ExecutionStateSchema, TargetStateSchema, type TargetState } from '../shared/execution-state';
import { minutesBetween } from '../shared/plan-views';
import { describeExistingTarget, type TargetEndpointDeps } from '../shared/target-endpoint';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * CheckTargetStatus: one Describe of the WaitForTarget loop. ACTIVE → `ready` with the bootstrap servers; FAILED, or
 * still not ready past the provisioning deadline (counted from ProvisionTarget's `startedAt`) → Migration.ProvisioningFailed,
 * which rolls back the cluster this execution created.
 */

/** MSK provisioned clusters take 15–40 minutes to create; Serverless a few. Overridable by `$.settings.provisionTimeoutMinutes`. */
const DEFAULT_PROVISION_TIMEOUT_MINUTES = 90;

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema.extend({ target: TargetStateSchema }) }));
export type Input = z.infer<typeof Input>;

export const Output = TargetStateSchema;
export type Output = z.infer<typeof Output>;

export type Deps = TargetEndpointDeps & {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
};

export async function runCheckTargetStatus(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const target = state.target;
  if (target.ready) return target;
  if (!target.clusterArn) throw new InputInvalidError('$.target is not ready and names no cluster to describe.');
  const now = deps.now();
  let checked: TargetState;
  if (target.source === 'CREATE') {
    if (!deps.provisioner) throw new InputInvalidError('Checking a created target needs the MSK provisioner.');
    const described = await checkTargetCluster(
      {
        clusterArn: target.clusterArn,
        clusterName: target.clusterName ?? '',
        created: target.created,
        state: target.state,
        ready: false,
      },
      deps.provisioner,
    );
    checked = {
      ...target,
      state: described.state,
      ready: described.ready,
      ...(described.bootstrapServers ? { bootstrapServers: described.bootstrapServers } : {}),
    };
  } else {
    if (!deps.msk) throw new InputInvalidError('Checking an existing MSK target needs the MSK control plane.');
    checked = {
      ...(await describeExistingTarget(state.input, target.clusterArn, deps.msk, target.startedAt)),
      created: target.created,
    };
  }
  if (checked.ready) return Output.parse(checked);
  const limit = state.settings?.provisionTimeoutMinutes ?? DEFAULT_PROVISION_TIMEOUT_MINUTES;
  const waited = minutesBetween(target.startedAt, now);
  if (waited > limit) {
    throw new ProvisioningFailedError(
      `Target cluster ${target.clusterArn} is still ${checked.state} ${Math.round(waited)} minutes after ProvisionTarget started (limit ${limit} minutes). Check its state in the MSK console; a cluster this execution created is deleted by the rollback.`,
      { clusterArn: target.clusterArn, state: checked.state, waitedMinutes: Math.round(waited), limitMinutes: limit },
    );
  }
  return Output.parse(checked);
}

/** CheckTargetStatus as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CheckTargetStatus',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    provisioner: 'provisioner',
    msk: 'msk',
    now: 'clock',
  },
  run: runCheckTargetStatus,
});
