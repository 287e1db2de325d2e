import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * The write fence the source cluster enforces (plan `cutover.fence`): unlike the pointer, it holds producers that know
 * nothing about the migration. Two kinds:
 *
 * - KAFKA_ACL: one DENY WRITE binding per migrated topic and principal (LITERAL pattern). Kafka evaluates DENY before
 *   ALLOW, so a producer with an ALLOW WRITE binding is refused too; super users are never bound by ACLs. Only the
 *   migrated topics are bound: the replicator's own topics on the source (MirrorMaker 2's offset-syncs and heartbeats,
 *   the canary) stay writable.
 * - IAM_POLICY: an inline policy with an explicit Deny of kafka-cluster:WriteData on the migrated topics' ARNs, put
 *   on each producer role named in the plan. An explicit deny wins over any allow.
 *
 * What the fence replaced is journaled before it is taken ({@link WriteFencePlan}: the bindings that existed already,
 * the inline policy a role already held under the same name), so that rollback removes exactly what this execution
 * added and puts back what it overwrote — never a binding or a policy someone else made.
 */

export const AclFenceBindingSchema = lazySchema(() =>
  z.object({
    topic: z.string().min(1),
    principal: z.string().min(1),
    host: z.string().min(1),
    /** The binding existed before this execution: the fence leaves it, rollback does not delete it. */
    preExisting: z.boolean(),
  }),
);
export type AclFenceBinding = z.infer<typeof AclFenceBindingSchema>;

export const IamRoleFenceSchema = lazySchema(() =>
  z.object({
    roleName: z.string().min(1),
    /** The inline policy the role held under this name before the fence (URL-decoded JSON); null: none. */
    previousDocument: z.string().nullable(),
  }),
);

export const WriteFencePlanSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('KAFKA_ACL'),
      /** `kafka:<bootstrap>`: where the bindings live, for messages. */
      subject: z.string(),
      bindings: z.array(AclFenceBindingSchema),
    }),
    z.object({
      kind: z.literal('IAM_POLICY'),
      subject: z.string(),
      policyName: z.string().min(1),
      /** The policy document put on every role. */
      document: z.string().min(1),
      roles: z.array(IamRoleFenceSchema),
    }),
  ]),
);
export type WriteFencePlan = z.infer<typeof WriteFencePlanSchema>;

export const WriteFenceUndoSchema = lazySchema(() =>
  z.object({
    kind: z.enum(['KAFKA_ACL', 'IAM_POLICY']),
    subject: z.string(),
    /** Bindings deleted / policies deleted or restored by this undo. */
    removed: z.number().int().nonnegative(),
    /** Already gone (a retried rollback) or never added by this execution (pre-existing): left as they are. */
    leftAlone: z.number().int().nonnegative(),
    notes: z.array(z.string()),
  }),
);
export type WriteFenceUndo = z.infer<typeof WriteFenceUndoSchema>;

/** The IAM actions the fence denies; WriteDataIdempotently's resource is the cluster, so topic ARNs never match it. */
export const IAM_FENCE_ACTIONS = ['kafka-cluster:WriteData', 'kafka-cluster:WriteDataIdempotently'] as const;

/**
 * `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>` → the topic ARN of `topic` on that cluster
 * (`arn:aws:kafka:<region>:<account>:topic/<name>/<uuid>/<topic>`), as MSK IAM access control names it.
 */
export function topicArn(clusterArn: string, topic: string): string {
  const match = /^(arn:[^:]+:kafka:[^:]+:\d{12}:)cluster\/([^/]+)\/([^/]+)$/.exec(clusterArn);
  if (!match) throw new TypeError(`"${clusterArn}" is not an MSK cluster ARN (…:cluster/<name>/<uuid>).`);
  return `${match[1]}topic/${match[2]}/${match[3]}/${topic}`;
}

/** The inline policy IAM_POLICY puts on each producer role: an explicit deny of writes to the migrated topics. */
export function iamFencePolicyDocument(clusterArn: string, topics: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'MskMigrationWriteFence',
        Effect: 'Deny',
        Action: [...IAM_FENCE_ACTIONS],
        Resource: [...topics].sort().map((t) => topicArn(clusterArn, t)),
      },
    ],
  });
}

/** IAM's limit on the aggregate size of a role's inline policies (characters, whitespace excluded). */
export const IAM_ROLE_INLINE_POLICY_LIMIT = 10_240;
