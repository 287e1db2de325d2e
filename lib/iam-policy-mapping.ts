import * as fs from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { SecurityMapping } from '../lambdas/core/security-mapping/model';

export interface IamPolicyMappingProps {
  /** The security mapping the assessment wrote (`security/security-mapping.json` in the evidence bucket). */
  readonly mapping: Pick<SecurityMapping, 'policies'>;
  /**
   * Also create one role per principal, named as the mapping suggests, assumable by this principal (the clients'
   * compute: an EKS service account, an ECS task role's account, …).
   * @default no roles: attach the managed policies to the clients' existing roles
   */
  readonly createRolesAssumedBy?: iam.IPrincipal;
  /**
   * Principals to leave out (for example those already handled by hand).
   * @default none
   */
  readonly exclude?: string[];
}

/**
 * The IAM policies generated from the source's ACLs, deployed: one customer managed policy per Kafka principal (and
 * optionally its role), so that clients can authenticate to the IAM-only target before cutover. Review the mapping's
 * findings first: this construct deploys what the mapping says, no more.
 */
export class IamPolicyMapping extends Construct {
  /** Managed policy per Kafka principal (`User:orders-app`). */
  public readonly policies: ReadonlyMap<string, iam.ManagedPolicy>;
  /** Role per Kafka principal, when `createRolesAssumedBy` is set. */
  public readonly roles: ReadonlyMap<string, iam.Role>;

  /** Reads the mapping from a file (the JSON written to the evidence bucket, downloaded). */
  public static fromFile(
    scope: Construct,
    id: string,
    path: string,
    props: Omit<IamPolicyMappingProps, 'mapping'> = {},
  ): IamPolicyMapping {
    let mapping: Pick<SecurityMapping, 'policies'>;
    try {
      mapping = JSON.parse(fs.readFileSync(path, 'utf8')) as Pick<SecurityMapping, 'policies'>;
    } catch (err) {
      throw new Error(
        `Cannot read the security mapping ${path}: ${(err as Error).message}. Download security/security-mapping.json from the execution's evidence.`,
      );
    }
    if (!Array.isArray(mapping.policies))
      throw new Error(`${path} has no "policies" array: is it security-mapping.json from the evidence bucket?`);
    return new IamPolicyMapping(scope, id, { ...props, mapping });
  }

  constructor(scope: Construct, id: string, props: IamPolicyMappingProps) {
    super(scope, id);
    const policies = new Map<string, iam.ManagedPolicy>();
    const roles = new Map<string, iam.Role>();
    const excluded = new Set(props.exclude ?? []);
    const seen = new Set<string>();

    for (const entry of props.mapping.policies) {
      if (excluded.has(entry.principal)) continue;
      if (seen.has(entry.suggestedRoleName)) {
        throw new Error(
          `Two principals map to the role name ${entry.suggestedRoleName}; exclude one of them and write its policy by hand.`,
        );
      }
      seen.add(entry.suggestedRoleName);
      const policy = new iam.ManagedPolicy(this, entry.suggestedRoleName, {
        description: `Kafka access of ${entry.principal} on the IAM-only target, generated from its ACLs`.slice(
          0,
          1000,
        ),
        document: iam.PolicyDocument.fromJson(entry.policy),
      });
      policies.set(entry.principal, policy);
      const wildcards = entry.policy.Statement.flatMap((s) => s.Resource).filter((r) => r.includes('*'));
      for (const resource of new Set(wildcards)) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: `Generated from a prefixed or wildcard Kafka ACL of ${entry.principal} (or a target cluster UUID not known yet): the same scope as on the source.`,
        });
      }
      if (props.createRolesAssumedBy) {
        const role = new iam.Role(this, `${entry.suggestedRoleName}Role`, {
          roleName: entry.suggestedRoleName,
          assumedBy: props.createRolesAssumedBy,
          description: `Kafka client role for ${entry.principal}`.slice(0, 1000),
          managedPolicies: [policy],
        });
        roles.set(entry.principal, role);
      }
    }
    this.policies = policies;
    this.roles = roles;
  }
}
