import { ProvisioningFailedError, TransientError } from '../errors';
import type { TargetClusterInfo, TargetClusterRequest, TargetProvisioner } from '../../ports/target-provisioner';
import { ExecutionIdentity, isOwnedBy, ownershipTags, shortHash } from '../replication/naming';

/**
 * Target provisioning: create the target cluster once per execution, wait for ACTIVE, delete only what we created.
 *
 * CreateClusterV2 takes no client token, so idempotency comes from the name and the tags: before creating, we list
 * clusters by name and adopt the one that carries this execution's tags. A cluster with our name but someone
 * else's tags is never adopted nor deleted.
 */

export interface TargetClusterPlan {
  readonly kind: TargetClusterRequest['kind'];
  readonly vpc: TargetClusterRequest['vpc'];
  readonly provisioned?: TargetClusterRequest['provisioned'];
  /** Extra tags from the input (ours win on conflict). */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ProvisionResult {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** False when an earlier attempt of this execution had already created it. */
  readonly created: boolean;
}

/** MSK cluster names: 1–64 characters, letters, digits and hyphens, starting with a letter or digit. */
export function targetClusterName(identity: ExecutionIdentity): string {
  const base = `${identity.migrationId}-target`.replace(/[^A-Za-z0-9-]/g, '-');
  const suffix = shortHash(`${identity.migrationId}/${identity.executionName}`);
  return `${base.slice(0, 64 - suffix.length - 1)}-${suffix}`;
}

export async function ensureTargetCluster(
  plan: TargetClusterPlan,
  identity: ExecutionIdentity,
  provisioner: TargetProvisioner,
): Promise<ProvisionResult> {
  if (plan.kind === 'PROVISIONED' && !plan.provisioned) {
    throw new ProvisioningFailedError(
      'target.create.provisioned is required to create an MSK provisioned cluster (broker type, count, Kafka version).',
    );
  }
  if (plan.vpc.subnetIds.length === 0) {
    throw new ProvisioningFailedError(
      'target.create.vpc.subnetIds is empty: MSK needs at least two subnets in different Availability Zones.',
    );
  }
  const clusterName = targetClusterName(identity);
  const existing = (await provisioner.findClusters(clusterName)).filter((c) => c.clusterName === clusterName);
  const ours = existing.find((c) => isOwnedBy(c.tags, identity) && c.state !== 'DELETING');
  if (ours) {
    return { clusterArn: ours.clusterArn, clusterName, created: false };
  }
  const foreign = existing.find((c) => !isOwnedBy(c.tags, identity) && c.state !== 'DELETING');
  if (foreign) {
    throw new ProvisioningFailedError(
      `A cluster named ${clusterName} already exists (${foreign.clusterArn}) and was not created by execution ${identity.executionName}; it is left untouched. Use another migrationId or pass target.clusterArn.`,
      { clusterArn: foreign.clusterArn },
    );
  }
  const { clusterArn } = await provisioner.createCluster({
    clusterName,
    kind: plan.kind,
    vpc: plan.vpc,
    ...(plan.provisioned ? { provisioned: plan.provisioned } : {}),
    tags: { ...(plan.tags ?? {}), ...ownershipTags(identity) },
  });
  return { clusterArn, clusterName, created: true };
}

export type TargetClusterCheck =
  | { readonly ready: true; readonly state: 'ACTIVE'; readonly bootstrapServers: string[] }
  | { readonly ready: false; readonly state: TargetClusterInfo['state'] };

/** One Describe of the Wait/Describe loop: ACTIVE → ready with its IAM bootstrap brokers; FAILED → fatal. */
export async function checkTargetCluster(
  clusterArn: string,
  provisioner: TargetProvisioner,
): Promise<TargetClusterCheck> {
  const info = await provisioner.describeCluster(clusterArn);
  if (!info) {
    throw new ProvisioningFailedError(
      `Target cluster ${clusterArn} no longer exists: it was deleted while being created.`,
      { clusterArn },
    );
  }
  switch (info.state) {
    case 'ACTIVE': {
      const bootstrapServers = await provisioner.getIamBootstrapBrokers(clusterArn);
      if (bootstrapServers.length === 0) {
        // ACTIVE is reported a moment before the bootstrap brokers are published.
        throw new TransientError(`Target cluster ${clusterArn} is ACTIVE but has no SASL/IAM bootstrap brokers yet.`);
      }
      return { ready: true, state: 'ACTIVE', bootstrapServers };
    }
    case 'FAILED':
      throw new ProvisioningFailedError(
        `Target cluster ${clusterArn} is FAILED: ${info.stateDetail ?? 'no reason given by MSK'}. Check the subnets, security groups and service quotas, then start a new execution.`,
        {
          clusterArn,
          stateDetail: info.stateDetail,
        },
      );
    case 'DELETING':
      throw new ProvisioningFailedError(
        `Target cluster ${clusterArn} is being deleted while this execution waits for it.`,
        { clusterArn },
      );
    default:
      return { ready: false, state: info.state };
  }
}

export type TargetDeletion = 'DELETED' | 'ALREADY_GONE' | 'NOT_OURS';

/** Rollback: deletes the target cluster only when its tags say this execution created it. */
export async function deleteOwnedTargetCluster(
  clusterArn: string,
  identity: ExecutionIdentity,
  provisioner: TargetProvisioner,
): Promise<TargetDeletion> {
  const info = await provisioner.describeCluster(clusterArn);
  if (!info) return 'ALREADY_GONE';
  if (!isOwnedBy(info.tags, identity)) return 'NOT_OURS';
  if (info.state === 'DELETING') return 'DELETED';
  await provisioner.deleteCluster(clusterArn);
  return 'DELETED';
}
