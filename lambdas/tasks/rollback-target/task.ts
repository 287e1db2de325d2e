import * as z from 'zod';
import { deleteOwnedTargetCluster, targetClusterName } from '../../core/provisioning/target-cluster';
import { isOwnedBy } from '../../core/replication/naming';
import type { TargetProvisioner } from '../../ports/target-provisioner';
import { ExecutionStateSchema, TargetRollbackStateSchema } from '../shared/execution-state';
import { identityOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * RollbackTarget: deletes the target cluster only when this execution created it (the plan asked for target.create
 * and the cluster's ownership tags name this execution). A target the plan named (an existing cluster, an address)
 * is never touched. Idempotent: a cluster already gone or being deleted counts as done. When ProvisionTarget failed
 * before it could record the cluster, the cluster is looked for by this execution's name and tags.
 */

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = TargetRollbackStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** Required when the plan has target.create. */
  readonly provisioner?: TargetProvisioner;
  readonly now: () => Date;
}

export async function runRollbackTarget(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const at = deps.now().toISOString();
  const identity = identityOf(state);
  if (!state.input.target.create) {
    const named = state.input.target.clusterArn ?? (state.input.target.bootstrapServers ?? []).join(',');
    return Output.parse({
      outcome: 'NOTHING_TO_DO',
      deletion: 'NONE',
      notes: [`The target (${named}) was named by the plan, not created by this execution: left untouched.`],
      at,
    });
  }
  if (!deps.provisioner) throw new Error('RollbackTarget needs the MSK provisioner for a plan with target.create.');
  let clusterArn = state.target?.source === 'CREATE' ? state.target.clusterArn : undefined;
  if (!clusterArn) {
    const name = targetClusterName(identity);
    const ours = (await deps.provisioner.findClusters(name)).find(
      (c) => c.clusterName === name && isOwnedBy(c.tags, identity),
    );
    if (!ours)
      return Output.parse({
        outcome: 'NOTHING_TO_DO',
        deletion: 'NONE',
        notes: [`No cluster named ${name} with this execution's tags: ProvisionTarget created nothing.`],
        at,
      });
    clusterArn = ours.clusterArn;
  }
  const deletion = await deleteOwnedTargetCluster(clusterArn, identity, deps.provisioner);
  const note = {
    DELETED: `Target cluster ${clusterArn} deleted (created by this execution).`,
    ALREADY_GONE: `Target cluster ${clusterArn} was already gone.`,
    NOT_OURS: `Target cluster ${clusterArn} does not carry this execution's ownership tags: left untouched.`,
  }[deletion];
  return Output.parse({
    outcome: deletion === 'NOT_OURS' ? 'NOT_OURS' : 'DONE',
    deletion,
    clusterArn,
    notes: [note],
    at,
  });
}

/** RollbackTarget as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'RollbackTarget',
  Input,
  Output,
  needs: { provisioner: 'provisioner', now: 'clock' },
  run: runRollbackTarget,
});
