import type { Inventory } from '../inventory/model';
import type { MigrationPlan } from '../plan/migration-plan';
import type { ExecutionIdentity } from '../replication/naming';
import { securityInventoryFrom } from '../security-mapping/from-inventory';
import { writeSecurityMappingEvidence } from '../security-mapping/report';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { AclListing } from '../../ports/kafka';
import { notCheckable, type AccessChecker } from './access-checker';
import { authorizerBindings } from './acl-binding';
import { generatedPolicyAccess, targetAclAccess, type AccessCheckRequest } from './principal-access';

/**
 * Whose access ValidateTarget checks on the target, and the checker that decides there: the plan's
 * validation.principals, or else the principals the source's ACLs name (from the inventory). A target reached with IAM
 * has no ACLs: the IAM policies generated from the source's ACLs are checked (and written as evidence), the live IAM
 * configuration is not. Any other target has its ACLs read through `targetAcls`. Nothing is read when nobody is
 * checked.
 */

export interface TargetAccessRequest {
  readonly principals?: AccessCheckRequest['principals'];
  readonly accessBasis?: string;
  readonly accessSkipped?: string;
}

export async function targetAccessOf(
  request: {
    readonly plan: MigrationPlan;
    readonly identity: ExecutionIdentity;
    /** The target's cluster ARN as the execution knows it (ProvisionTarget's), over the plan's. */
    readonly targetClusterArn?: string;
    readonly inventory?: Inventory;
  },
  deps: {
    readonly artifacts: ArtifactStore;
    /** The target's ACLs (DescribeAcls), for a target with Kafka ACLs. */
    readonly targetAcls?: { describeAcls(): Promise<AclListing> };
    /** Decides access instead of the target's ACLs or the generated IAM policies. */
    readonly access?: AccessChecker;
  },
): Promise<{ request: TargetAccessRequest; checker?: AccessChecker }> {
  const { plan, inventory } = request;
  const listed = plan.validation?.principals;
  const security = inventory ? securityInventoryFrom(inventory) : undefined;
  let principals: TargetAccessRequest['principals'];
  if (listed !== undefined) {
    if (listed.length === 0) return { request: { principals: [] } };
    principals = listed;
  } else if (!security) {
    return {
      request: {
        accessSkipped: 'validation.principals is absent and there is no inventory to read the principals from',
      },
    };
  } else if (security.status === 'NOT_MAPPABLE') {
    return {
      request: {
        accessSkipped: `validation.principals is absent and the source's ACLs name nobody: ${security.reason.replace(/\.$/, '')}`,
      },
    };
  } else {
    principals = { fromSourceAcls: authorizerBindings(security.security.acls) };
  }
  if (deps.access) return { request: { principals }, checker: deps.access };
  const decision = isIamTarget(plan)
    ? generatedPolicyAccess(
        security?.status === 'MAPPABLE' ? security.security : undefined,
        request.targetClusterArn ?? plan.target.clusterArn,
        plan.target.type === 'MSK_SERVERLESS',
        security?.status === 'NOT_MAPPABLE' ? security.reason : undefined,
      )
    : deps.targetAcls
      ? await targetAclAccess(deps.targetAcls, plan.validation?.superUsers ?? [])
      : { checker: notCheckable, basis: "no reader of the target's ACLs is wired for this target" };
  let basis = decision.basis;
  if (decision.mapping) {
    const evidence = await writeSecurityMappingEvidence(decision.mapping, request.identity, deps.artifacts);
    basis = `${basis} (policies: ${evidence.mappingKey})`;
  }
  return { request: { principals, accessBasis: basis }, checker: decision.checker };
}

/** MSK Serverless, and any target the tasks reach with IAM: access lives in IAM policies, not in Kafka ACLs. */
function isIamTarget(plan: MigrationPlan): boolean {
  return plan.target.type === 'MSK_SERVERLESS' || plan.target.auth?.mechanism === 'IAM';
}
