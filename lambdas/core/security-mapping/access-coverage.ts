import { aclAccessChecker, type AclBinding as AuthorizerBinding } from '../validation/acl-access';
import type { AccessChecker } from '../validation/validate-target';
import { CONNECT } from './iam-actions';
import { evaluateIamPolicy } from './iam-policy-evaluation';
import type { AclBinding, SecurityMapping } from './model';

/**
 * Proof that the generated policies carry the source's access over: for every principal, topic, group and
 * operation, the source's decision (Kafka's authorizer over the ACLs) is compared with the IAM decision of the
 * principal's generated policy on the target's ARNs. Differences are listed, not thrown: a host-restricted ACL,
 * for instance, is expected to differ and is already a finding.
 */

type Operation = 'READ' | 'WRITE' | 'DESCRIBE';
type ResourceType = 'TOPIC' | 'GROUP';

const IAM_ACTION: Record<ResourceType, Partial<Record<Operation, string>>> = {
  TOPIC: { READ: 'kafka-cluster:ReadData', WRITE: 'kafka-cluster:WriteData', DESCRIBE: 'kafka-cluster:DescribeTopic' },
  GROUP: { READ: 'kafka-cluster:AlterGroup', DESCRIBE: 'kafka-cluster:DescribeGroup' },
};

/** Decides access on the source as Kafka's authorizer does, from the inventory's bindings and super users. */
export function sourceAccessChecker(acls: readonly AclBinding[], superUsers: readonly string[] = []): AccessChecker {
  const authorizerBindings = acls.filter((b): b is AclBinding & AuthorizerBinding =>
    ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'].includes(b.resourceType),
  );
  return aclAccessChecker(authorizerBindings, superUsers);
}

/** Decides access on the IAM-only target from the generated policies (a principal without a policy has none). */
export function iamAccessChecker(mapping: SecurityMapping): AccessChecker {
  const clusterArn = mapping.target.clusterArn;
  return {
    async check({ principal, resourceType, resourceName, operation }) {
      const entry = mapping.policies.find((p) => p.principal === principal);
      const action = IAM_ACTION[resourceType][operation];
      if (!entry || !action) return 'DENIED';
      if (evaluateIamPolicy(entry.policy, CONNECT, clusterArn) !== 'ALLOWED') return 'DENIED';
      // arn:…:cluster/<name>/<uuid> → arn:…:topic/<name>/<uuid>/<topic>
      const arn = `${clusterArn.replace(':cluster/', resourceType === 'TOPIC' ? ':topic/' : ':group/')}/${resourceName}`;
      return evaluateIamPolicy(entry.policy, action, arn) === 'ALLOWED' ? 'ALLOWED' : 'DENIED';
    },
  };
}

export interface AccessDifference {
  readonly principal: string;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  readonly operation: Operation;
  readonly source: 'ALLOWED' | 'DENIED' | 'NOT_CHECKABLE';
  readonly target: 'ALLOWED' | 'DENIED' | 'NOT_CHECKABLE';
}

export interface AccessComparison {
  readonly checked: number;
  readonly differences: AccessDifference[];
}

export async function compareAccess(args: {
  readonly source: AccessChecker;
  readonly target: AccessChecker;
  readonly principals: readonly string[];
  readonly topics: readonly string[];
  readonly groups: readonly string[];
}): Promise<AccessComparison> {
  const differences: AccessDifference[] = [];
  let checked = 0;
  const cases: Array<{ resourceType: ResourceType; names: readonly string[]; operations: Operation[] }> = [
    { resourceType: 'TOPIC', names: args.topics, operations: ['READ', 'WRITE', 'DESCRIBE'] },
    { resourceType: 'GROUP', names: args.groups, operations: ['READ', 'DESCRIBE'] },
  ];
  for (const principal of args.principals) {
    for (const { resourceType, names, operations } of cases) {
      for (const resourceName of names) {
        for (const operation of operations) {
          const request = { principal, resourceType, resourceName, operation };
          const [source, target] = await Promise.all([args.source.check(request), args.target.check(request)]);
          checked += 1;
          if (source !== target) differences.push({ ...request, source, target });
        }
      }
    }
  }
  return { checked, differences };
}
