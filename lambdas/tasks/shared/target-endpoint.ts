import { ProvisioningFailedError } from '../../core/errors';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import type { TargetProvisioner } from '../../ports/target-provisioner';
import { bootstrapServersFor } from './cluster-endpoints';
import { TargetStateSchema, type TargetState } from './execution-state';

/** What ProvisionTarget and CheckTargetStatus reach the target with; a runtime offers what it can (locally, neither). */
export interface TargetEndpointDeps {
  /** For a cluster this execution creates (the plan's target.create). */
  readonly provisioner?: TargetProvisioner;
  /** For an existing MSK target (the plan's target.clusterArn), described until ACTIVE. */
  readonly msk?: MskControlPlane;
  readonly now: () => Date;
}

/** An existing MSK target as MSK describes it now; FAILED or DELETING cannot become ready. */
export async function describeExistingTarget(
  plan: MigrationPlan,
  clusterArn: string,
  msk: MskControlPlane,
  startedAt: string,
): Promise<TargetState> {
  const cluster = await msk.describeCluster(clusterArn);
  if (cluster.state === 'FAILED' || cluster.state === 'DELETING') {
    throw new ProvisioningFailedError(
      `Target cluster ${clusterArn} is ${cluster.state}: it cannot receive the migration. Repair it or name another target.`,
      { clusterArn, state: cluster.state },
    );
  }
  const ready = cluster.state === 'ACTIVE';
  return TargetStateSchema.parse({
    type: plan.target.type,
    source: 'EXISTING_MSK',
    clusterArn,
    clusterName: cluster.clusterName,
    created: false,
    state: cluster.state,
    ready,
    ...(ready
      ? {
          bootstrapServers: bootstrapServersFor(
            clusterArn,
            plan.target.auth ?? { mechanism: 'IAM' },
            cluster.bootstrapBrokers,
          ),
        }
      : {}),
    startedAt,
  });
}
