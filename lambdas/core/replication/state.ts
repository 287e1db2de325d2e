import * as z from 'zod';
import { CatchUpProgressSchema } from '../gates/catch-up';
import { lazySchema } from '../lazy-schema';

/**
 * What the replication phases put in the execution state (their ResultPaths), as schemas the task modules reuse for
 * their Output and for reading what an earlier state wrote. Small on purpose: the topic list and every evaluation's
 * figures live in the artifact store, the state carries keys and counts.
 */

/** `$.target` after ProvisionTarget / CheckTargetStatus (only when the input asked for a new cluster). */
export const ProvisionedTargetSchema = lazySchema(() =>
  z.object({
    clusterArn: z.string(),
    clusterName: z.string(),
    /** False when an earlier attempt of this execution had created it (a retried task). */
    created: z.boolean(),
    /** ACTIVE once ready; the Choice after CheckTargetStatus loops on `ready`. */
    state: z.string(),
    ready: z.boolean(),
    /** SASL/IAM bootstrap brokers, once ACTIVE. */
    bootstrapServers: z.array(z.string()).optional(),
  }),
);
export type ProvisionedTarget = z.infer<typeof ProvisionedTargetSchema>;

export const ReplicatorHandleSchema = lazySchema(() =>
  z.object({
    engine: z.enum(['MSK_REPLICATOR', 'MIRROR_MAKER_2']),
    name: z.string(),
    id: z.string(),
  }),
);

/** `$.replication` after StartReplication / CheckReplicationStatus. */
export const ReplicationStateSchema = lazySchema(() =>
  z.object({
    handle: ReplicatorHandleSchema,
    created: z.boolean(),
    /** CREATING | RUNNING | UPDATING; the Choice after CheckReplicationStatus loops until `running`. */
    state: z.enum(['CREATING', 'RUNNING', 'UPDATING', 'DELETING', 'FAILED']),
    running: z.boolean(),
    startingPosition: z.enum(['EARLIEST', 'LATEST']),
    /** Artifact key of the replicated topic list (JSON string[]), read by EvaluateCatchUp and ValidateTarget. */
    topicsKey: z.string(),
    topicCount: z.number().int().nonnegative(),
    /** The execution's canary topic, when it is in use (created on the source, deleted by rollback/finalize). */
    canaryTopic: z.string().optional(),
    /** Alarms StartReplication put (MSK Replicator); rollback and finalize delete them. */
    alarmNames: z.array(z.string()),
  }),
);
export type ReplicationState = z.infer<typeof ReplicationStateSchema>;

/** `$.catchUp` after each EvaluateCatchUp; the Choice passes on `passed`, the Wait loops otherwise. */
export const CatchUpStateSchema = CatchUpProgressSchema;
export type CatchUpState = z.infer<typeof CatchUpStateSchema>;

/** `$.validation` after ValidateTarget (a failure is the error Migration.ValidationFailed, with the differences). */
export const ValidationStateSchema = lazySchema(() =>
  z.object({
    passed: z.literal(true),
    evidenceKey: z.string(),
    checked: z.object({
      topics: z.number().int(),
      partitions: z.number().int(),
      configs: z.number().int(),
      sampledRecords: z.number().int(),
      groups: z.number().int(),
      groupPartitions: z.number().int(),
      accessChecks: z.number().int(),
    }),
    /** Whose access was checked and how, or why it was not (SKIPPED is never a pass of the access check). */
    access: z
      .object({
        status: z.enum(['CHECKED', 'PARTLY_CHECKED', 'NOT_CHECKABLE', 'SKIPPED']),
        principals: z.number().int(),
        listedBy: z.enum(['PLAN', 'SOURCE_ACLS']).optional(),
        basis: z.string().optional(),
        reason: z.string().optional(),
      })
      .optional(),
    /** Records a restarted replicator copied twice, within the plan's recovery.duplicateTolerance. */
    duplicates: z
      .object({
        records: z.number().int(),
        partitions: z.array(z.object({ subject: z.string(), records: z.number().int(), ranges: z.array(z.string()) })),
      })
      .optional(),
    notes: z.array(z.string()),
  }),
);
export type ValidationState = z.infer<typeof ValidationStateSchema>;
