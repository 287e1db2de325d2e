import type {
  AccessChecker,
  AccessDecision,
  AccessOperation,
  AccessRequest,
  AccessResourceType,
} from './access-checker';

/**
 * Proof that one access control carries another's over (the generated IAM policies against the source's ACLs): for
 * every principal, topic, group and operation, both checkers' decisions are compared. Differences are listed, not
 * thrown: a host-restricted ACL, for instance, is expected to differ and is already a finding.
 */

export interface AccessDifference extends AccessRequest {
  readonly source: AccessDecision;
  readonly target: AccessDecision;
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
  const cases: Array<{
    resourceType: AccessResourceType;
    names: readonly string[];
    operations: AccessOperation[];
  }> = [
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
