import type { AccessChecker, AccessOperation, AccessResourceType } from './access-checker';
import { CONNECT, evaluateIamPolicy, type IamPolicyDocument } from './iam-policy';

/**
 * Access on an IAM-only cluster (MSK Serverless, MSK with IAM) from per-principal identity policies (the ones the
 * security mapping generates): a principal without a policy has none; Connect on the cluster comes first.
 */

const IAM_ACTION: Record<AccessResourceType, Partial<Record<AccessOperation, string>>> = {
  TOPIC: { READ: 'kafka-cluster:ReadData', WRITE: 'kafka-cluster:WriteData', DESCRIBE: 'kafka-cluster:DescribeTopic' },
  GROUP: { READ: 'kafka-cluster:AlterGroup', DESCRIBE: 'kafka-cluster:DescribeGroup' },
};

export interface PrincipalPolicies {
  readonly target: { readonly clusterArn: string };
  readonly policies: ReadonlyArray<{ readonly principal: string; readonly policy: IamPolicyDocument }>;
}

export function iamAccessChecker(mapping: PrincipalPolicies): AccessChecker {
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
