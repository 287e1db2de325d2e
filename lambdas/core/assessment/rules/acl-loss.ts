import type { AclBinding } from '../../access/acl-binding';
import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';

/**
 * ACLs present on the source but the target has none (MSK Serverless: IAM policies only): every principal an ACL
 * names loses that access at cutover unless an IAM role carries it. The finding names the principals and what they
 * may do today, so the IAM policies can be written (core/security-mapping turns them into policy documents).
 * On a target with ACLs, they must still be created there before cutover.
 */

function describePrincipal(principal: string, bindings: readonly AclBinding[]): string {
  const allow = bindings.filter((b) => b.permissionType === 'ALLOW');
  const deny = bindings.length - allow.length;
  const resources = [
    ...new Set(
      allow.map((b) => `${b.resourceType}:${b.resourceName}${b.patternType === 'PREFIXED' ? '*' : ''} ${b.operation}`),
    ),
  ].sort();
  return `${principal}: ${resources.length > 0 ? firstFew(resources, 4) : 'no ALLOW'}${deny > 0 ? ` (+${deny} DENY)` : ''}`;
}

export function aclLossRule(inventory: Inventory, profile: TargetProfile, _options: AssessmentOptions): Finding[] {
  const acls = inventory.dataPlane.acls;
  const targetHasNoAcls = profile.access.acls === 'NONE';
  if (acls.status === 'NOT_COLLECTED') {
    return [
      {
        id: 'acl.not-collected',
        severity: 'WARNING',
        subject: 'ACLs',
        criterion: 'networkAndIdentity',
        evidence: `The source's ACLs could not be read: ${acls.reason}`,
        remediation: targetHasNoAcls
          ? 'Which principals lose access on the IAM-only target is unknown: grant the inventory DESCRIBE on the cluster and run again, or list the principals and their permissions by hand.'
          : 'Grant the inventory DESCRIBE on the cluster and run again, so that the ACLs can be recreated on the target.',
      },
    ];
  }
  if (!acls.authorizerEnabled) {
    return targetHasNoAcls
      ? [
          {
            id: 'acl.no-authorizer',
            severity: 'WARNING',
            subject: 'ACLs',
            criterion: 'networkAndIdentity',
            evidence: 'The source has no authorizer: every authenticated client may read and write every topic.',
            remediation:
              'On the IAM-only target every client needs an IAM policy: list the clients (consumer groups, producers) and give each role the topics it uses.',
          },
        ]
      : [];
  }
  if (acls.bindings.length === 0) return [];
  const byPrincipal = new Map<string, AclBinding[]>();
  for (const b of acls.bindings) byPrincipal.set(b.principal, [...(byPrincipal.get(b.principal) ?? []), b]);
  const principals = [...byPrincipal.keys()].sort();
  const items = principals.map((p) => describePrincipal(p, byPrincipal.get(p) ?? []));
  if (targetHasNoAcls) {
    return [
      {
        id: 'acl.principals-lose-access',
        severity: 'BLOCKER',
        subject: plural(principals.length, 'principal'),
        criterion: 'networkAndIdentity',
        evidence: `${plural(acls.bindings.length, 'ACL binding')} on the source; ${profile.name} has no ACLs, so these principals lose their access at cutover: ${firstFew(principals, 8)}.`,
        remediation:
          'Map each principal to an IAM role and write its policy (kafka-cluster:Connect, ReadData/WriteData on its topics, AlterGroup/DescribeGroup on its groups) before cutover; the security mapping produces the documents. Then acknowledge acl.principals-lose-access in the input.',
        items,
      },
    ];
  }
  return [
    {
      id: 'acl.recreate-on-target',
      severity: 'INFO',
      subject: plural(principals.length, 'principal'),
      criterion: 'networkAndIdentity',
      evidence: `${plural(acls.bindings.length, 'ACL binding')} for ${firstFew(principals, 8)}.`,
      remediation:
        'Create the same ACLs on the target before cutover (MirrorMaker 2 syncs topic ACLs only, never group or cluster ACLs), and the principals (SCRAM users, certificates) too.',
      items,
    },
  ];
}
