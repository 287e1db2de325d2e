import * as z from 'zod';
import { ExecutionIdentitySchema } from '../cutover/model';
import { ReplicatorHandleSchema } from '../replication/state';
import { lazySchema } from '../lazy-schema';

/**
 * Schemas of the failback tasks (StartFailback, CheckFailback, StopFailback): what a handler parses from the
 * execution state and what goes to `$.failback` / `$.failbackStopped`. Small on purpose: the per-partition positions
 * and every check's figures live in the artifact store, the state carries keys and counts.
 */

const NameFilterSchema = lazySchema(() =>
  z.object({ include: z.array(z.string()).min(1), exclude: z.array(z.string()).default([]) }),
);

const ReplicationAuthSchema = lazySchema(() =>
  z.discriminatedUnion('mechanism', [
    z.object({ mechanism: z.enum(['PLAINTEXT', 'IAM']) }),
    z.object({
      mechanism: z.literal('TLS'),
      clientCertificateSecretArn: z.string().optional(),
      caSecretArn: z.string().optional(),
    }),
    z.object({
      mechanism: z.enum(['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN']),
      secretArn: z.string(),
      tls: z.boolean(),
      caSecretArn: z.string().optional(),
    }),
  ]),
);

/** One cluster as a replicator reaches it (ports/replicator.ts ReplicationEndpoint). */
export const ReplicationEndpointSchema = lazySchema(() =>
  z.object({
    clusterArn: z.string().optional(),
    bootstrapServers: z.array(z.string()).optional(),
    auth: ReplicationAuthSchema.optional(),
    vpc: z.object({ subnetIds: z.array(z.string()), securityGroupIds: z.array(z.string()) }).optional(),
  }),
);

/** What StartFailback needs, gathered by its handler from `$.input`, `$.replication` and `$.cutover`. */
export const StartFailbackRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    engine: z.enum(['MSK_REPLICATOR', 'MIRROR_MAKER_2']),
    /** The migration's source cluster (A): the failback writes to it. */
    source: ReplicationEndpointSchema,
    /** The migration's target cluster (B): producers write there since the switch; the failback reads from it. */
    target: ReplicationEndpointSchema,
    /** The input's topic filter (the forward replicator's), also for topics created on the target since the switch. */
    topicFilter: NameFilterSchema,
    consumerGroups: NameFilterSchema,
    /** Artifact key of the replicated topic list (`$.replication.topicsKey`, JSON string[]). */
    topicsKey: z.string(),
    /** `$.replication.canaryTopic`: never copied back. */
    canaryTopic: z.string().optional(),
    /** `$.replication.handle`: the forward replicator (MirrorMaker 2 stops it first: identical names, no loop detection). */
    forwardHandle: ReplicatorHandleSchema.optional(),
    /** The forward replicator's offset sync mode; MSK Replicator translates offsets back only with ENHANCED. */
    forwardOffsetSyncMode: z.enum(['LEGACY', 'ENHANCED']).default('LEGACY'),
    /**
     * Artifact key of the target's end offsets at the switch (cutover EndOffsetsSnapshot `key`, `{partitions:
     * [{topic, partition, low, high}]}`): the first offset producers wrote to on the target, per partition.
     */
    switchTargetOffsetsKey: z.string().optional(),
    /** Artifact key of the source's end offsets at the fence (same shape): to report writes to the source since then. */
    fenceSourceOffsetsKey: z.string().optional(),
    /**
     * A plan in waves, instead of the two keys above: per wave that moved producers to the target, its topics and the
     * keys of its own switch and fence (each wave switched at its own time, so each partition starts at its wave's).
     */
    waves: z
      .array(
        z.object({
          wave: z.string().min(1),
          topics: z.array(z.string().min(1)).min(1),
          switchTargetOffsetsKey: z.string(),
          fenceSourceOffsetsKey: z.string().optional(),
        }),
      )
      .min(1)
      .optional(),
    /** MSK Replicator whose forward replicator is LEGACY: the approver accepts that group offsets are not translated back. */
    acceptUntranslatedOffsets: z.boolean().default(false),
    /** Past this many minutes after the start, CheckFailback fails with Migration.LagTimeout. */
    catchUpTimeoutMinutes: z.number().positive().default(120),
    /** MirrorMaker 2 on MSK Connect: refused (it cannot start from given offsets). */
    mskConnect: z.unknown().optional(),
    tags: z.record(z.string(), z.string()).default({}),
  }),
);
export type StartFailbackRequest = z.input<typeof StartFailbackRequestSchema>;

export const FailbackCheckSummarySchema = lazySchema(() =>
  z.object({
    at: z.string(),
    /** Records written to the target since the switch that are not on the source yet. */
    lagRecords: z.number().int().nonnegative(),
    partitionsBehind: z.number().int().nonnegative(),
    /** Group partitions whose committed offset on the source points at the record the target's points at. */
    groupPartitionsTranslated: z.number().int().nonnegative(),
    /** Translated by the engine to an earlier record than the exact one (MM2's sparse offset syncs): re-reads, no skips. */
    groupPartitionsConservative: z.number().int().nonnegative(),
    groupPartitionsPending: z.number().int().nonnegative(),
    /** Group partitions still before the switch on the target: on the source they keep their offset (re-reads, no skips). */
    groupPartitionsBeforeSwitch: z.number().int().nonnegative(),
    reasons: z.array(z.string()),
    evidenceKey: z.string(),
  }),
);

/** `$.failback` after StartFailback and each CheckFailback; the Choice after CheckFailback loops until `caughtUp`. */
export const FailbackStateSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    engine: z.enum(['MSK_REPLICATOR', 'MIRROR_MAKER_2']),
    handle: ReplicatorHandleSchema,
    /** False when an earlier attempt of this execution had created it (a retried task). */
    created: z.boolean(),
    offsetSyncMode: z.enum(['LEGACY', 'ENHANCED']),
    /** ENGINE: the replicator translates group offsets back (checked by content); NONE: accepted as not translated. */
    offsetTranslation: z.enum(['ENGINE', 'NONE']),
    /** What StartFailback did to the forward replicator. */
    forwardReplicator: z.enum(['KEPT', 'DELETED', 'ALREADY_GONE', 'NOT_OURS', 'NONE']),
    startedAt: z.string(),
    catchUpTimeoutMinutes: z.number().positive(),
    consumerGroups: NameFilterSchema,
    /** Artifact key of the per-partition positions: `{partitions: [{topic, partition, targetStart, sourceBase}]}`. */
    positionsKey: z.string(),
    topicCount: z.number().int().nonnegative(),
    partitionCount: z.number().int().nonnegative(),
    notes: z.array(z.string()),
    /** MirrorMaker 2: names of the reverse flow's topics that already existed on the source (StopFailback keeps them). */
    preexistingTopics: z.array(z.string()).default([]),
    state: z.enum(['CREATING', 'RUNNING', 'UPDATING', 'DELETING', 'FAILED']),
    running: z.boolean(),
    caughtUp: z.boolean(),
    checks: z.number().int().nonnegative(),
    lastCheck: FailbackCheckSummarySchema.optional(),
  }),
);
export type FailbackState = z.infer<typeof FailbackStateSchema>;

/** `$.failbackStopped` after StopFailback. */
export const FailbackStoppedSchema = lazySchema(() =>
  z.object({
    replicator: z.enum(['DELETED', 'ALREADY_GONE', 'NOT_OURS']),
    /** MirrorMaker 2's internal topics of the reverse flow, deleted from the source. */
    internalTopicsDeleted: z.array(z.string()),
    stoppedAt: z.string(),
  }),
);
export type FailbackStopped = z.infer<typeof FailbackStoppedSchema>;

/** What CommitFailbackOffsets did: group partitions committed on the source at the exact translated offset. */
export const FailbackOffsetsCommittedSchema = lazySchema(() =>
  z.object({
    committed: z.array(
      z.object({ groupId: z.string(), topic: z.string(), partition: z.number().int(), offset: z.string() }),
    ),
    /** Groups left alone because they have active members on the source. */
    skippedActiveGroups: z.array(z.string()),
    evidenceKey: z.string(),
  }),
);
export type FailbackOffsetsCommitted = z.infer<typeof FailbackOffsetsCommittedSchema>;
