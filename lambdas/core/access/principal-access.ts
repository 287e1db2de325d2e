import { AuthFailedError } from '../errors';
import { notCheckable, type AccessChecker } from './access-checker';
import { authorizerBindings, type AclBinding } from './acl-binding';
import { iamAccessChecker } from './iam-authorizer';
import { aclAccessChecker } from './kafka-authorizer';
import { mapAclsToIamPolicies } from '../security-mapping/map-acls-to-iam';
import type { SecurityInventory, SecurityMapping } from '../security-mapping/model';
import type { AclListing } from '../../ports/kafka';
import type { Difference } from '../validation/differences';

/**
 * The access part of ValidateTarget: every principal the plan lists (or, when it lists none, every principal the
 * source's ACLs name, with what those ACLs allow it on the replicated topics and the selected groups) must be allowed
 * the same on the target. A principal that would lose access is a difference. How the target decides depends on its
 * access control: Kafka ACLs are read from the target and decided as Kafka's authorizer does; on an IAM-only target
 * the policies generated from the source's ACLs are evaluated, which proves the mapping, not the live IAM
 * configuration (the roles the clients assume are not visible from here), and the evidence says so.
 */

/** What a principal must be allowed on the target. Operations apply to the topics; on groups only READ and DESCRIBE exist. */
export interface PrincipalExpectation {
  readonly principal: string;
  readonly topics?: readonly string[];
  readonly groups?: readonly string[];
  readonly operations: ReadonlyArray<'READ' | 'WRITE' | 'DESCRIBE'>;
}

type Operation = PrincipalExpectation['operations'][number];
type ResourceType = 'TOPIC' | 'GROUP';

/** Kafka has no WRITE on a consumer group: a consumer needs READ (join, commit) and DESCRIBE. */
const OPERATIONS_OF: Record<ResourceType, readonly Operation[]> = {
  TOPIC: ['READ', 'WRITE', 'DESCRIBE'],
  GROUP: ['READ', 'DESCRIBE'],
};

export type AccessStatus = 'CHECKED' | 'PARTLY_CHECKED' | 'NOT_CHECKABLE' | 'SKIPPED';

export interface AccessSummary {
  readonly status: AccessStatus;
  /** Principals whose access was looked at. */
  readonly principals: number;
  /** PLAN: validation.principals; SOURCE_ACLS: derived from the inventory's ACLs. */
  readonly listedBy?: 'PLAN' | 'SOURCE_ACLS';
  /** How the target's decisions were made. */
  readonly basis?: string;
  /** Why nothing (or not everything) was checked. */
  readonly reason?: string;
}

/** One principal that would lose access on the target, with what it loses (`READ topic orders`). */
export interface LostAccess {
  readonly principal: string;
  readonly loses: string[];
}

/**
 * What a principal may do today, from the source's ACLs alone (not super.users, not allow.everyone.if.no.acl.found:
 * neither is visible in the ACLs, and the inventory reports when it could not read them), over the given topics and
 * groups. Grouped per principal, resource type and set of operations, so the list stays short.
 */
export async function expectationsFromSourceAcls(
  acls: readonly AclBinding[],
  topics: readonly string[],
  groups: readonly string[],
): Promise<PrincipalExpectation[]> {
  const source = aclAccessChecker(acls);
  const principals = [...new Set(acls.map((b) => b.principal).filter((p) => p !== 'User:*'))].sort();
  const out: PrincipalExpectation[] = [];
  for (const principal of principals) {
    for (const [resourceType, names] of [
      ['TOPIC', topics],
      ['GROUP', groups],
    ] as const) {
      const byOperations = new Map<string, { operations: Operation[]; names: string[] }>();
      for (const resourceName of names) {
        const operations: Operation[] = [];
        for (const operation of OPERATIONS_OF[resourceType]) {
          if ((await source.check({ principal, resourceType, resourceName, operation })) === 'ALLOWED')
            operations.push(operation);
        }
        if (operations.length === 0) continue;
        const key = operations.join(',');
        const entry = byOperations.get(key) ?? { operations, names: [] };
        entry.names.push(resourceName);
        byOperations.set(key, entry);
      }
      for (const { operations, names: granted } of byOperations.values()) {
        out.push({ principal, operations, ...(resourceType === 'TOPIC' ? { topics: granted } : { groups: granted }) });
      }
    }
  }
  return out;
}

export interface TargetAccess {
  readonly checker: AccessChecker;
  /** How the checker decides, for the evidence and the notes. */
  readonly basis: string;
  /** The IAM policies checked (IAM-only target), for the evidence. */
  readonly mapping?: SecurityMapping;
}

/**
 * A target with Kafka ACLs (self-managed Kafka, AutoMQ, MSK provisioned with SCRAM or mTLS): its bindings read with
 * DescribeAcls and decided as Kafka's authorizer does. `super.users` is not readable from a broker (Kafka reports it
 * as a sensitive value without one), so the plan names them. A refused DescribeAcls is reported as not checkable;
 * connection failures propagate (Unreachable / Transient are retried by the workflow).
 */
export async function targetAclAccess(
  reads: { describeAcls(): Promise<AclListing> },
  superUsers: readonly string[],
): Promise<TargetAccess> {
  let listing: AclListing;
  try {
    listing = await reads.describeAcls();
  } catch (err) {
    if (err instanceof AuthFailedError && err.details?.kind === 'authorization') {
      return {
        checker: notCheckable,
        basis:
          "the target refused to describe its ACLs to the orchestrator's principal: grant it DESCRIBE on the CLUSTER resource of the target to have access checked",
      };
    }
    throw err;
  }
  if (!listing.authorizerEnabled) {
    return {
      checker: { check: async () => 'ALLOWED' },
      basis: 'the target has no authorizer: every client that can connect and authenticate may do everything',
    };
  }
  const bindings = authorizerBindings(listing.bindings);
  const supers = superUsers.length > 0 ? `; super users (validation.superUsers): ${superUsers.join(', ')}` : '';
  return {
    checker: aclAccessChecker(bindings, superUsers),
    basis: `the target's ${bindings.length} ACL binding(s) read with DescribeAcls, decided as Kafka's authorizer does (a resource without a matching ACL is denied, as with allow.everyone.if.no.acl.found=false)${supers}`,
  };
}

/** The parts of an MSK cluster ARN the IAM resource ARNs are built from (`…:cluster/<name>/<uuid>`). */
export function parseMskClusterArn(
  arn: string,
): { partition: string; region: string; accountId: string; clusterName: string; clusterUuid: string } | undefined {
  const match = /^arn:([^:]+):kafka:([^:]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, clusterName, clusterUuid] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, region, accountId, clusterName, clusterUuid };
}

/**
 * An IAM-only target (MSK Serverless, MSK with IAM access control): the per-principal policies generated from the
 * source's ACLs (lambdas/core/security-mapping), evaluated on the target's ARNs. Whether those policies are attached
 * to the roles the clients assume is not checkable from here, and the basis says so.
 */
export function generatedPolicyAccess(
  security: SecurityInventory | undefined,
  targetClusterArn: string | undefined,
  serverless: boolean,
  unavailable: string | undefined,
): TargetAccess {
  const cluster = targetClusterArn ? parseMskClusterArn(targetClusterArn) : undefined;
  const live =
    'not checkable against the live IAM configuration (the roles the clients assume are not visible here): attach the policies and confirm with IAM policy simulation';
  if (!security || !cluster) {
    const why = !security
      ? (unavailable ?? 'the source has no ACLs to generate IAM policies from')
      : `the target cluster ARN is unknown (${targetClusterArn ?? 'none'})`;
    return {
      checker: notCheckable,
      basis: `IAM access control on the target; no generated IAM policies to check (${why}); ${live}`,
    };
  }
  const mapping = mapAclsToIamPolicies(security, { ...cluster, serverless });
  return {
    checker: iamAccessChecker(mapping),
    basis: `the IAM policies generated from the source's ACLs for ${mapping.policies.length} principal(s), evaluated on the target's ARNs; ${live}`,
    mapping,
  };
}

export interface AccessCheckRequest {
  /** Listed (the plan's validation.principals), or derived from the source's ACLs over the topics and groups. */
  readonly principals?: readonly PrincipalExpectation[] | { readonly fromSourceAcls: readonly AclBinding[] };
  readonly basis?: string;
  /** Why access is not checked at all: reported as SKIPPED, never as a pass. */
  readonly skipped?: string;
}

export interface AccessCheckOutcome {
  readonly summary: AccessSummary;
  readonly checks: number;
  readonly differences: Difference[];
  readonly lost: LostAccess[];
  readonly notes: string[];
}

/** Asks the checker about every (principal, resource, operation) expected; DENIED is a lost access. */
export async function checkPrincipalAccess(
  request: AccessCheckRequest,
  access: AccessChecker | undefined,
  topics: readonly string[],
  groups: readonly string[],
): Promise<AccessCheckOutcome> {
  const listedBy =
    request.principals === undefined
      ? undefined
      : Array.isArray(request.principals)
        ? ('PLAN' as const)
        : ('SOURCE_ACLS' as const);
  const expectations: readonly PrincipalExpectation[] =
    request.principals === undefined
      ? []
      : 'fromSourceAcls' in request.principals
        ? await expectationsFromSourceAcls(request.principals.fromSourceAcls, topics, groups)
        : request.principals;
  const skip = (reason: string): AccessCheckOutcome => ({
    summary: { status: 'SKIPPED', principals: 0, ...(listedBy ? { listedBy } : {}), reason },
    checks: 0,
    differences: [],
    lost: [],
    notes: [`Principal access not checked: ${reason}.`],
  });
  if (request.skipped !== undefined) return skip(request.skipped);
  if (listedBy === undefined)
    return skip('no principals are listed (validation.principals) and none were derived from the source');
  if (expectations.length === 0) {
    return skip(
      listedBy === 'PLAN'
        ? 'validation.principals is empty'
        : "the source's ACLs allow no principal anything on the replicated topics or the selected consumer groups",
    );
  }
  const checker = access ?? notCheckable;
  const differences: Difference[] = [];
  const notes: string[] = [];
  const lost = new Map<string, string[]>();
  let checks = 0;
  let decided = 0;
  let undecided = 0;
  for (const expectation of expectations) {
    const resources = [
      ...(expectation.topics ?? []).map((name) => ({ resourceType: 'TOPIC' as const, resourceName: name })),
      ...(expectation.groups ?? []).map((name) => ({ resourceType: 'GROUP' as const, resourceName: name })),
    ];
    for (const resource of resources) {
      for (const operation of expectation.operations.filter((op) =>
        OPERATIONS_OF[resource.resourceType].includes(op),
      )) {
        const verdict = await checker.check({ principal: expectation.principal, ...resource, operation });
        checks++;
        const what = `${operation} ${resource.resourceType.toLowerCase()} ${resource.resourceName}`;
        if (verdict === 'NOT_CHECKABLE') {
          undecided++;
          continue;
        }
        decided++;
        if (verdict === 'DENIED') {
          lost.set(expectation.principal, [...(lost.get(expectation.principal) ?? []), what]);
          differences.push({
            check: 'ACCESS',
            subject: expectation.principal,
            detail: `${expectation.principal} may not ${what} on the target${listedBy === 'SOURCE_ACLS' ? ' (the source allows it)' : ''}.`,
            source: listedBy === 'SOURCE_ACLS' ? 'ALLOWED' : 'EXPECTED',
            target: 'DENIED',
          });
        }
      }
    }
  }
  const principals = new Set(expectations.map((e) => e.principal)).size;
  const basis = request.basis ?? (access ? 'the access checker given' : 'no access checker for this target');
  const status: AccessStatus = undecided === 0 ? 'CHECKED' : decided === 0 ? 'NOT_CHECKABLE' : 'PARTLY_CHECKED';
  if (status === 'CHECKED')
    notes.push(`Access of ${principals} principal(s) checked (${checks} checks) against ${basis}.`);
  else
    notes.push(
      `Access of ${principals} principal(s): ${undecided} of ${checks} checks could not be decided: ${basis}.`,
    );
  return {
    summary: { status, principals, listedBy, basis, ...(status === 'CHECKED' ? {} : { reason: basis }) },
    checks,
    differences,
    lost: [...lost.entries()].map(([principal, loses]) => ({ principal, loses })),
    notes,
  };
}
