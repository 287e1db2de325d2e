import type { AclBinding } from '../access/acl-binding';
import { CONNECT, type IamPolicyDocument, type IamStatement } from '../access/iam-policy';
import {
  NOT_ON_SERVERLESS,
  WRITE_DATA,
  WRITE_DATA_IDEMPOTENTLY,
  allActionsOf,
  iamActionsFor,
  isUntranslatable,
  type IamResourceKind,
} from './iam-actions';
import {
  IamTargetClusterSchema,
  SecurityInventorySchema,
  type IamTargetCluster,
  type PrincipalAuthentication,
  type PrincipalPolicy,
  type SecurityFinding,
  type SecurityInventory,
  type SecurityMapping,
} from './model';

/**
 * From the source's principals and ACLs to IAM policies for an IAM-only target (MSK Serverless, MSK with IAM access
 * control): one policy document per principal, allowing on the target's ARNs what the ACLs allowed on the source,
 * and findings for what does not carry over. "A technically complete data copy can still fail if clients cannot
 * authenticate": the findings say which clients those are before anything is cut over.
 *
 * Decisions (each is a finding, so a reviewer sees it):
 * - ALLOW ACLs become Allow statements with the actions Kafka and MSK imply; literal `*` and PREFIXED names become
 *   `*` / `prefix*` ARN patterns.
 * - DENY ACLs become explicit Deny statements (IAM, like Kafka, lets a Deny win), with the primary action only.
 * - Host-restricted ACLs are not translated: IAM has no equivalent of the client host for Kafka requests; an ALLOW
 *   dropped this way can lock a principal out, a DENY dropped this way widens its access.
 * - `User:*` ACLs are folded into every principal's policy: IAM has no "every principal" for a resource policy here.
 * - Producers get `WriteDataIdempotently` with `WriteData`: Kafka ≥ 3.0 clients enable idempotence by default and
 *   MSK's IAM authorizer asks for it, where Kafka's ACL authorizer (≥ 2.8) accepts WRITE on a topic instead.
 */

/** IAM managed policy size limit (characters, whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

const EVERYONE = 'User:*';

interface Grant {
  effect: 'Allow' | 'Deny';
  kind: IamResourceKind;
  /** ARN tail: topic/group/transactional-id name pattern; '' for the cluster itself. */
  pattern: string;
  actions: Set<string>;
}

export function mapAclsToIamPolicies(
  inventoryInput: SecurityInventory,
  targetInput: IamTargetCluster,
): SecurityMapping {
  const inventory = SecurityInventorySchema.parse(inventoryInput);
  const target = IamTargetClusterSchema.parse(targetInput);
  const arns = arnBuilder(target);
  const findings: SecurityFinding[] = [];
  const lockedOut: string[] = [];

  if (target.clusterUuid === undefined) {
    findings.push({
      severity: 'INFO',
      code: 'CLUSTER_UUID_UNKNOWN',
      message: `The target cluster ${target.clusterName} has no UUID yet: the policies match any cluster of that name (cluster/${target.clusterName}/*).`,
      remediation: 'Regenerate the policies once the target exists to pin them to its ARN.',
    });
  }

  if (inventory.superUsers === undefined) {
    findings.push({
      severity: 'WARNING',
      code: 'SUPER_USERS_UNKNOWN',
      message:
        'super.users could not be read (Kafka reports it as a hidden value): a super user needs no ACL on the source, so it gets no policy here and would be locked out.',
      remediation:
        "Read super.users from the cluster's configuration (MSK configuration revision) and give those principals a policy.",
    });
  }
  const principals = collectPrincipals(inventory);
  for (const b of inventory.acls) {
    if (b.principal === EVERYONE && b.permissionType === 'ALLOW') {
      findings.push({
        severity: 'WARNING',
        code: 'WILDCARD_PRINCIPAL',
        acl: b,
        message: `ACL ${describeAcl(b)} applies to every principal; it is folded into each known principal's policy.`,
        remediation:
          'A client role created later gets none of it: attach the same statements to every new client role.',
      });
    }
  }

  const policies: PrincipalPolicy[] = [];
  for (const [principal, authentication] of principals) {
    if (authentication === 'IAM') {
      findings.push({
        severity: 'INFO',
        code: 'ALREADY_IAM',
        principal,
        message: `${principal} already authenticates with IAM; its policies are not derived from ACLs.`,
        remediation: `Point the resource ARNs of its existing policies at the target cluster (${arns.cluster}).`,
      });
      continue;
    }
    if (!principal.startsWith('User:')) {
      findings.push({
        severity: 'WARNING',
        code: 'NO_IAM_EQUIVALENT',
        principal,
        message: `${principal} is not a User principal (custom principal builder?); it has no IAM role to map to.`,
        remediation: 'Decide by hand which IAM role its clients will assume on the target.',
      });
      continue;
    }
    const superUser = (inventory.superUsers ?? []).includes(principal);
    const grants: Grant[] = [];
    // Its own ALLOW ACLs (User:* grants are everybody's, not what this principal's clients were given).
    let ownAllowsOnSource = false;
    let ownAllowsKept = false;

    if (superUser) {
      findings.push({
        severity: 'INFO',
        code: 'SUPER_USER',
        principal,
        message: `${principal} is a super user on the source: its policy allows every kafka-cluster action on the target.`,
        remediation: 'Narrow it if this principal is an application rather than an administrator.',
      });
      ownAllowsOnSource = true;
      ownAllowsKept = true;
      for (const kind of ['topic', 'group', 'transactional-id'] as const)
        grants.push({ effect: 'Allow', kind, pattern: '*', actions: new Set(allActionsOf(kind)) });
      grants.push({
        effect: 'Allow',
        kind: 'cluster',
        pattern: '',
        actions: new Set(allActionsOf('cluster').filter((x) => !(target.serverless && NOT_ON_SERVERLESS.has(x)))),
      });
    } else {
      const relevant = inventory.acls.filter((b) => b.principal === principal || b.principal === EVERYONE);
      for (const b of relevant) {
        const own = b.principal === principal && b.permissionType === 'ALLOW';
        if (own) ownAllowsOnSource = true;
        const kept = translateBinding(b, principal, target.serverless, grants, findings);
        if (kept && own) ownAllowsKept = true;
      }
      if (inventory.allowEveryoneIfNoAclFound === true && !ownAllowsOnSource) {
        // No ALLOW of its own, yet it reads and writes every resource that has no ACL today.
        ownAllowsOnSource = true;
      }
    }

    const dataAccess = grants.some((g) => g.effect === 'Allow' && (g.kind === 'topic' || g.kind === 'group'));
    if (ownAllowsOnSource && (!ownAllowsKept || !dataAccess)) {
      lockedOut.push(principal);
      findings.push({
        severity: 'BLOCKER',
        code: 'PRINCIPAL_LOCKED_OUT',
        principal,
        message: `${principal} can use the source today but would have no topic or group access on the IAM-only target.`,
        remediation:
          'Write its IAM policy by hand (see the findings on its ACLs), or accept the finding if the principal is retired.',
      });
    }
    if (
      grants.some((g) => g.effect === 'Allow' && g.actions.has(WRITE_DATA)) &&
      !grants.some((g) => g.actions.has(WRITE_DATA_IDEMPOTENTLY))
    ) {
      grants.push({ effect: 'Allow', kind: 'cluster', pattern: '', actions: new Set([WRITE_DATA_IDEMPOTENTLY]) });
      findings.push({
        severity: 'INFO',
        code: 'IDEMPOTENT_PRODUCER_PERMISSION',
        principal,
        message: `${principal} writes to topics: its policy adds kafka-cluster:WriteDataIdempotently, which idempotent producers (the default since Kafka 3.0 clients) need under IAM.`,
        remediation: 'None, unless its producers set enable.idempotence=false.',
      });
    }
    // A principal with nothing allowed gets no policy (not even Connect); a lock-out was reported above.
    if (!grants.some((g) => g.effect === 'Allow')) continue;

    const policy = policyDocument(grants, arns);
    const size = JSON.stringify(policy).replace(/\s/g, '').length;
    if (size > MANAGED_POLICY_MAX_CHARS) {
      findings.push({
        severity: 'WARNING',
        code: 'POLICY_TOO_LARGE',
        principal,
        message: `The policy of ${principal} has ${size} characters, over the ${MANAGED_POLICY_MAX_CHARS} of an IAM managed policy.`,
        remediation: 'Split it over several managed policies, or replace literal names by prefixes.',
      });
    }
    policies.push({
      principal,
      authentication,
      suggestedRoleName: roleNameFor(principal),
      policy,
      allowed: {
        topics: patternsOf(grants, 'topic'),
        groups: patternsOf(grants, 'group'),
        transactionalIds: patternsOf(grants, 'transactional-id'),
        cluster: [
          ...new Set(grants.filter((g) => g.effect === 'Allow' && g.kind === 'cluster').flatMap((g) => [...g.actions])),
        ].sort(),
      },
    });
  }

  findings.push(...allowEveryoneFindings(inventory));
  return { target: { clusterArn: arns.cluster, serverless: target.serverless }, policies, findings, lockedOut };
}

/** Adds the grants of one binding; returns whether anything was kept. */
function translateBinding(
  b: AclBinding,
  principal: string,
  serverless: boolean,
  grants: Grant[],
  findings: SecurityFinding[],
): boolean {
  if (b.host !== '*' && b.host !== '') {
    findings.push({
      severity: 'WARNING',
      code: 'HOST_RESTRICTED_ACL',
      principal,
      acl: b,
      message:
        b.permissionType === 'ALLOW'
          ? `ACL ${describeAcl(b)} is limited to host ${b.host}; IAM cannot restrict Kafka requests by client host, so it is not carried over and ${principal} loses this access.`
          : `ACL ${describeAcl(b)} denies only from host ${b.host}; IAM cannot express it, so ${principal} would keep this access from that host.`,
      remediation: 'Restrict by network instead (security groups, VPC endpoints), or grant the access in IAM by hand.',
    });
    return false;
  }
  const mapped = iamActionsFor(b.resourceType, b.operation);
  if (isUntranslatable(mapped)) {
    findings.push({
      severity: 'WARNING',
      code: 'NO_IAM_EQUIVALENT',
      principal,
      acl: b,
      message: `ACL ${describeAcl(b)} has no IAM equivalent: ${mapped.untranslatable}`,
      remediation: 'Remove the dependency on it before cutover, or keep this principal on a cluster with Kafka ACLs.',
    });
    return false;
  }
  if (b.permissionType === 'DENY') {
    findings.push({
      severity: 'WARNING',
      code: 'DENY_ACL_AS_EXPLICIT_DENY',
      principal,
      acl: b,
      message: `ACL ${describeAcl(b)} becomes an explicit Deny in the policy of ${principal}.`,
      remediation: 'Check that no other policy of the role is expected to grant it: an IAM Deny wins over every Allow.',
    });
  }
  if (
    b.resourceType !== 'CLUSTER' &&
    b.resourceType !== 'TOPIC' &&
    /[*?]/.test(b.resourceName) &&
    !(b.patternType === 'LITERAL' && b.resourceName === '*')
  ) {
    findings.push({
      severity: 'WARNING',
      code: 'WILDCARD_CHARACTER_IN_NAME',
      principal,
      acl: b,
      message: `The name "${b.resourceName}" contains * or ?, which an IAM ARN reads as wildcards: the statement matches more names than the ACL did.`,
      remediation: 'Rename the group or transactional ID, or accept the wider match.',
    });
  }
  let kept = false;
  for (const m of mapped) {
    const wanted = b.permissionType === 'ALLOW' ? [...m.primary, ...m.implied] : [...m.primary];
    const actions = wanted.filter((x) => !(serverless && NOT_ON_SERVERLESS.has(x)));
    const dropped = wanted.filter((x) => !actions.includes(x));
    if (dropped.length > 0) {
      findings.push({
        severity: 'WARNING',
        code: 'NOT_SUPPORTED_ON_SERVERLESS',
        principal,
        acl: b,
        message: `ACL ${describeAcl(b)} maps to ${dropped.join(', ')}, which MSK Serverless does not offer.`,
        remediation: 'Nothing to grant: cluster settings of a Serverless cluster are managed by the service.',
      });
    }
    if (actions.length === 0) continue;
    const pattern = m.kind === 'cluster' ? '' : b.resourceType === 'CLUSTER' ? '*' : namePattern(b);
    const effect = b.permissionType === 'ALLOW' ? 'Allow' : 'Deny';
    const existing = grants.find((g) => g.effect === effect && g.kind === m.kind && g.pattern === pattern);
    if (existing) actions.forEach((x) => existing.actions.add(x));
    else grants.push({ effect, kind: m.kind, pattern, actions: new Set(actions) });
    kept = true;
  }
  return kept;
}

function namePattern(b: AclBinding): string {
  if (b.patternType === 'PREFIXED') return `${b.resourceName}*`;
  return b.resourceName;
}

function policyDocument(grants: readonly Grant[], arns: ArnBuilder): IamPolicyDocument {
  const statements: IamStatement[] = [{ Sid: 'Connect', Effect: 'Allow', Action: [CONNECT], Resource: [arns.cluster] }];
  // One statement per (effect, kind, action set): resources that share the same actions are listed together.
  const buckets = new Map<
    string,
    { effect: 'Allow' | 'Deny'; kind: IamResourceKind; actions: string[]; resources: Set<string> }
  >();
  for (const g of grants) {
    const actions = [...g.actions].sort();
    const key = `${g.effect}|${g.kind}|${actions.join(',')}`;
    const bucket = buckets.get(key) ?? { effect: g.effect, kind: g.kind, actions, resources: new Set<string>() };
    bucket.resources.add(arns.of(g.kind, g.pattern));
    buckets.set(key, bucket);
  }
  const order = (b: { effect: string; kind: string }): string =>
    `${b.effect === 'Deny' ? 1 : 0}|${['cluster', 'topic', 'group', 'transactional-id'].indexOf(b.kind)}`;
  const sorted = [...buckets.values()].sort(
    (x, y) => order(x).localeCompare(order(y)) || x.actions.join().localeCompare(y.actions.join()),
  );
  const counters: Record<string, number> = {};
  for (const b of sorted) {
    const base = `${b.effect}${sidKind(b.kind)}`;
    counters[base] = (counters[base] ?? 0) + 1;
    statements.push({
      Sid: `${base}${counters[base]}`,
      Effect: b.effect,
      Action: b.actions,
      Resource: [...b.resources].sort(),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function sidKind(kind: IamResourceKind): string {
  return { cluster: 'Cluster', topic: 'Topics', group: 'Groups', 'transactional-id': 'TransactionalIds' }[kind];
}

function patternsOf(grants: readonly Grant[], kind: IamResourceKind): string[] {
  return [...new Set(grants.filter((g) => g.effect === 'Allow' && g.kind === kind).map((g) => g.pattern))].sort();
}

interface ArnBuilder {
  readonly cluster: string;
  of(kind: IamResourceKind, pattern: string): string;
}

function arnBuilder(target: {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
  clusterUuid?: string | undefined;
}): ArnBuilder {
  const prefix = `arn:${target.partition}:kafka:${target.region}:${target.accountId}`;
  const id = `${target.clusterName}/${target.clusterUuid ?? '*'}`;
  return {
    cluster: `${prefix}:cluster/${id}`,
    of: (kind, pattern) => (kind === 'cluster' ? `${prefix}:cluster/${id}` : `${prefix}:${kind}/${id}/${pattern}`),
  };
}

/** Principals to map: the inventory's, then the ones only ACLs and super.users name (authentication unknown). */
function collectPrincipals(
  inventory: ReturnType<typeof SecurityInventorySchema.parse>,
): Map<string, PrincipalAuthentication> {
  const principals = new Map<string, PrincipalAuthentication>();
  for (const p of inventory.principals) principals.set(p.principal, p.authentication);
  for (const name of [...inventory.acls.map((b) => b.principal), ...(inventory.superUsers ?? [])]) {
    if (name !== EVERYONE && !principals.has(name)) principals.set(name, 'UNKNOWN');
  }
  return new Map([...principals.entries()].sort(([x], [y]) => x.localeCompare(y)));
}

function allowEveryoneFindings(inventory: ReturnType<typeof SecurityInventorySchema.parse>): SecurityFinding[] {
  if (inventory.allowEveryoneIfNoAclFound === undefined) {
    return [
      {
        severity: 'WARNING',
        code: 'ALLOW_EVERYONE_UNKNOWN',
        message:
          'The inventory could not read allow.everyone.if.no.acl.found: if it is true, clients reach topics without ACLs today that IAM will refuse them.',
        remediation: 'Read it from the cluster configuration (MSK configuration revision) and re-run the assessment.',
      },
    ];
  }
  if (!inventory.allowEveryoneIfNoAclFound) return [];
  const named = (topic: string): boolean =>
    inventory.acls.some(
      (b) =>
        b.resourceType === 'TOPIC' &&
        (b.resourceName === '*' ||
          (b.patternType === 'PREFIXED' ? topic.startsWith(b.resourceName) : b.resourceName === topic)),
    );
  const open = inventory.topics.filter((t) => !named(t)).sort();
  return [
    {
      severity: 'WARNING',
      code: 'ALLOW_EVERYONE_IF_NO_ACL_FOUND',
      message:
        open.length > 0
          ? `allow.everyone.if.no.acl.found=true on the source: ${open.length} topic(s) have no ACL and are open to every authenticated client today (${open.slice(0, 20).join(', ')}${open.length > 20 ? ', …' : ''}); IAM grants nothing by default.`
          : 'allow.everyone.if.no.acl.found=true on the source: any resource without an ACL is open today; IAM grants nothing by default.',
      remediation:
        'List the clients of those topics and grant them in IAM, or add ACLs on the source first and re-run the assessment.',
    },
  ];
}

/** An IAM role name (64 characters of [\w+=,.@-]) for a Kafka principal: the CN of a DN, the user name otherwise. */
export function roleNameFor(principal: string): string {
  const name = principal.replace(/^User:/, '');
  const cn = /(?:^|,)\s*CN=([^,]+)/i.exec(name)?.[1];
  const base = (cn ?? name).trim().replace(/[^\w+=,.@-]/g, '-');
  return `msk-client-${base}`.slice(0, 64);
}

export function describeAcl(b: AclBinding): string {
  const name = b.patternType === 'PREFIXED' ? `${b.resourceName}* (prefixed)` : b.resourceName;
  return `${b.permissionType} ${b.principal} ${b.operation} on ${b.resourceType} ${name}${b.host !== '*' && b.host !== '' ? ` from ${b.host}` : ''}`;
}
