import * as z from 'zod';
import { InputInvalidError } from '../../core/errors';
import { runProvisionTarget as provisionTargetCluster } from '../../core/replication/phases';
import { ExecutionStateSchema, TargetStateSchema } from '../shared/execution-state';
import { identityOf } from '../shared/plan-views';
import { describeExistingTarget, type TargetEndpointDeps } from '../shared/target-endpoint';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * ProvisionTarget: makes `$.target` describe the target endpoint, whichever way the plan names it.
 * - `target.create`: creates the cluster once per execution (adopted by name and ownership tags on a retry); not
 *   ready yet, the Wait/CheckTargetStatus loop follows.
 * - `target.clusterArn`: an existing MSK cluster, described; ready when ACTIVE, never created nor deleted by us.
 * - `target.bootstrapServers`: a Kafka-compatible cluster reached by address; ready at once.
 */

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = TargetStateSchema;
export type Output = z.infer<typeof Output>;

export type Deps = TargetEndpointDeps;

export async function runProvisionTarget(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const plan = state.input;
  const startedAt = deps.now().toISOString();
  const { target } = plan;
  if (target.create) {
    if (!deps.provisioner)
      throw new InputInvalidError(
        'target.create needs the MSK provisioner, which this runtime does not offer: name an existing target instead.',
      );
    const created = await provisionTargetCluster(
      identityOf(state),
      {
        kind: target.type === 'MSK_SERVERLESS' ? 'SERVERLESS' : 'PROVISIONED',
        vpc: target.create.vpc,
        ...(target.create.provisioned ? { provisioned: target.create.provisioned } : {}),
        tags: { ...(plan.tags ?? {}), ...(target.create.tags ?? {}) },
      },
      deps.provisioner,
    );
    return Output.parse({ type: target.type, source: 'CREATE', ...created, startedAt });
  }
  if (target.clusterArn) {
    if (!deps.msk)
      throw new InputInvalidError(
        'target.clusterArn needs the MSK control plane, which this runtime does not offer: give target.bootstrapServers instead.',
      );
    return describeExistingTarget(plan, target.clusterArn, deps.msk, startedAt);
  }
  if (target.bootstrapServers) {
    return Output.parse({
      type: target.type,
      source: 'BOOTSTRAP',
      created: false,
      state: 'REACHABLE_BY_ADDRESS',
      ready: true,
      bootstrapServers: [...target.bootstrapServers],
      startedAt,
    });
  }
  throw new InputInvalidError(
    'The plan names no target: expected one of target.create, target.clusterArn, target.bootstrapServers.',
  );
}

/** ProvisionTarget as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'ProvisionTarget',
  Input,
  Output,
  needs: { provisioner: 'provisioner', msk: 'msk', now: 'clock' },
  run: runProvisionTarget,
});
