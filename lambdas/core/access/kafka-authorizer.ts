import type { AccessChecker } from './access-checker';
import type { AclBinding } from './acl-binding';

/**
 * Access on a cluster that uses Kafka ACLs (self-managed Kafka, AutoMQ, MSK provisioned with SCRAM/mTLS), decided the
 * way Kafka's authorizer does: a matching DENY wins over any ALLOW; ALL matches every operation; READ, WRITE, DELETE
 * and ALTER imply DESCRIBE; `User:*` and the literal resource `*` match everyone and everything; a PREFIXED binding
 * matches names that start with it; nothing matching means denied (Kafka's default,
 * `allow.everyone.if.no.acl.found=false`). Hosts are not modelled: bindings for a specific host are ignored.
 * Super users bypass the ACLs.
 */

const IMPLIES_DESCRIBE = new Set(['READ', 'WRITE', 'DELETE', 'ALTER']);

export function aclAccessChecker(bindings: readonly AclBinding[], superUsers: readonly string[] = []): AccessChecker {
  return {
    async check({ principal, resourceType, resourceName, operation }) {
      if (superUsers.includes(principal)) return 'ALLOWED';
      const relevant = bindings.filter(
        (b) =>
          b.resourceType === resourceType &&
          (b.principal === principal || b.principal === 'User:*') &&
          (b.host === '*' || b.host === '') &&
          (b.patternType === 'PREFIXED'
            ? resourceName.startsWith(b.resourceName)
            : b.resourceName === resourceName || b.resourceName === '*'),
      );
      const grants = (b: AclBinding, op: string): boolean => b.operation === 'ALL' || b.operation === op;
      if (relevant.some((b) => b.permissionType === 'DENY' && grants(b, operation))) return 'DENIED';
      const allowed = relevant.some(
        (b) =>
          b.permissionType === 'ALLOW' &&
          (grants(b, operation) ||
            (operation === 'DESCRIBE' && [...IMPLIES_DESCRIBE].some((implied) => b.operation === implied))),
      );
      return allowed ? 'ALLOWED' : 'DENIED';
    },
  };
}
