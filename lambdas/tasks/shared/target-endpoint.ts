import { ProvisioningFailedError } from '../../core/errors';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import { bootstrapServersFor } from './cluster-endpoints';
import { TargetStateSchema, type TargetState } from './execution-state';

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
