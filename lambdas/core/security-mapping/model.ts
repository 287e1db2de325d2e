import * as z from 'zod';
import { AclBindingSchema, type AclBinding } from '../access/acl-binding';
import type { IamPolicyDocument } from '../access/iam-policy';
import { lazySchema } from '../lazy-schema';

/**
 * What the security mapping reads (the source cluster's principals and ACLs, from the inventory) and what it writes
 * (one IAM policy document per principal, plus findings). The ACL binding is the project's one binding
 * (core/access/acl-binding.ts), so the inventory's bindings pass straight in.
 */

export const PrincipalAuthenticationSchema = lazySchema(() => z.enum(['SCRAM', 'MTLS', 'IAM', 'UNKNOWN']));
export type PrincipalAuthentication = z.infer<typeof PrincipalAuthenticationSchema>;

export const SourcePrincipalSchema = lazySchema(() =>
  z.object({
    /** Kafka principal as ACLs name it: `User:<name>`. */
    principal: z.string(),
    authentication: PrincipalAuthenticationSchema,
  }),
);

export const SecurityInventorySchema = lazySchema(() =>
  z.object({
    /** SCRAM users and mTLS principals known on the source (ACL principals not listed here are added as UNKNOWN). */
    principals: z.array(SourcePrincipalSchema),
    acls: z.array(AclBindingSchema),
    /** The brokers' `super.users` (principals that bypass ACLs); absent when it could not be read (Kafka hides its value). */
    superUsers: z.array(z.string()).optional(),
    /** The brokers' `allow.everyone.if.no.acl.found`; absent when the inventory could not read it. */
    allowEveryoneIfNoAclFound: z.boolean().optional(),
    /** Topics on the source (to list the ones no ACL names). */
    topics: z.array(z.string()),
    consumerGroups: z.array(z.string()).default([]),
  }),
);
export type SecurityInventory = z.input<typeof SecurityInventorySchema>;

/** The IAM-only target whose ARNs the policies name. */
export const IamTargetClusterSchema = lazySchema(() =>
  z.object({
    /** @default 'aws' */
    partition: z.string().default('aws'),
    region: z.string().min(1),
    accountId: z.string().regex(/^\d{12}$/, 'an AWS account ID is 12 digits'),
    clusterName: z.string().min(1),
    /** The UUID in the cluster ARN. Absent while the target is not created yet: the policies then use `*`. */
    clusterUuid: z.string().optional(),
    /** MSK Serverless supports fewer cluster-level actions (no AlterCluster, no dynamic configuration). */
    serverless: z.boolean(),
  }),
);
export type IamTargetCluster = z.input<typeof IamTargetClusterSchema>;

export type FindingSeverity = 'BLOCKER' | 'WARNING' | 'INFO';

export type SecurityFindingCode =
  | 'PRINCIPAL_LOCKED_OUT'
  | 'HOST_RESTRICTED_ACL'
  | 'DENY_ACL_AS_EXPLICIT_DENY'
  | 'NO_IAM_EQUIVALENT'
  | 'NOT_SUPPORTED_ON_SERVERLESS'
  | 'WILDCARD_PRINCIPAL'
  | 'WILDCARD_CHARACTER_IN_NAME'
  | 'SUPER_USER'
  | 'SUPER_USERS_UNKNOWN'
  | 'ALLOW_EVERYONE_IF_NO_ACL_FOUND'
  | 'ALLOW_EVERYONE_UNKNOWN'
  | 'IDEMPOTENT_PRODUCER_PERMISSION'
  | 'ALREADY_IAM'
  | 'CLUSTER_UUID_UNKNOWN'
  | 'POLICY_TOO_LARGE';

export interface SecurityFinding {
  readonly severity: FindingSeverity;
  readonly code: SecurityFindingCode;
  /** Kafka principal concerned, when one is. */
  readonly principal?: string;
  /** The binding concerned, when one is. */
  readonly acl?: AclBinding;
  readonly message: string;
  readonly remediation: string;
}

export interface PrincipalPolicy {
  readonly principal: string;
  readonly authentication: PrincipalAuthentication;
  /** A valid IAM role name derived from the principal, for the role the client will assume on the target. */
  readonly suggestedRoleName: string;
  readonly policy: IamPolicyDocument;
  /** Resource patterns the policy allows, per kind, for people reading the report (`orders`, `audit-*`, `*`). */
  readonly allowed: {
    readonly topics: string[];
    readonly groups: string[];
    readonly transactionalIds: string[];
    readonly cluster: string[];
  };
}

export interface SecurityMapping {
  readonly target: { readonly clusterArn: string; readonly serverless: boolean };
  readonly policies: PrincipalPolicy[];
  readonly findings: SecurityFinding[];
  /** Principals that can use the source today and would have no data access on the target. */
  readonly lockedOut: string[];
}
