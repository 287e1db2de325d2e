import * as z from 'zod';
import { InputInvalidError } from '../../core/errors';
import { InventorySummarySchema } from '../../core/inventory/model';
import { MigrationPlanSchema, type MigrationPlan } from '../../core/plan/migration-plan';
import { planForWave } from '../../core/plan/waves';
import { CatchUpStateSchema, ReplicationStateSchema, ValidationStateSchema } from '../../core/replication/state';
import { lazySchema } from '../../core/lazy-schema';

/**
 * The execution state as the Task states after ValidateInput receive it (`"state.$": "$"`), and the results each
 * phase leaves under its ResultPath. Loose where other phases (cutover, window, failback, approvals) add fields:
 * a task reads what it needs and passes the rest through untouched. Small by design: big data lives in the
 * ArtifactStore and the state carries keys.
 */

/** `$.input`: the plan ValidateInput validated, defaults applied (re-parsing it is idempotent). */
export const PlanSchema = MigrationPlanSchema;
export type { MigrationPlan };

/** `$.identity`: names and ownership tags derive from it (core/replication/naming.ts). */
export const IdentitySchema = lazySchema(() =>
  z.object({
    migrationId: z.string().min(1),
    executionName: z.string().min(1),
    /** Set by the cutover tasks' schemas for the current wave (scopeToCurrentWave), never written to the state. */
    wave: z.string().min(1).optional(),
  }),
);

/** `$.execution`: the execution ARN, its name and when it started. */
export const ExecutionSchema = lazySchema(() =>
  z.looseObject({
    id: z.string().min(1),
    name: z.string().min(1),
    startedAt: z.string().min(1),
  }),
);

/** `$.settings`: the Wait states' seconds and the poll loops' deadlines, computed by ValidateInput. */
export const SettingsSchema = lazySchema(() =>
  z.looseObject({
    provisionPollSeconds: z.number().optional(),
    replicatorPollSeconds: z.number().optional(),
    pollIntervalSeconds: z.number().optional(),
    drainPollSeconds: z.number().optional(),
    healthPollSeconds: z.number().optional(),
    /** CheckTargetStatus gives up past this. @default 90 */
    provisionTimeoutMinutes: z.number().positive().optional(),
    /** CheckReplicationStatus gives up past this (MSK Replicator creation takes about 30 minutes). @default 120 */
    replicationStartTimeoutMinutes: z.number().positive().optional(),
    /** The approval states' TimeoutSecondsPath. */
    approvalTimeoutSeconds: z.number().int().positive().optional(),
  }),
);

/** `$.inventory` after Inventory: the summary and its artifact key. */
export const InventoryStateSchema = InventorySummarySchema;
export type InventoryState = z.infer<typeof InventoryStateSchema>;

/** `$.assessment` after Assess (a blocked assessment is the error Migration.AssessmentBlocked instead). */
export const AssessmentStateSchema = lazySchema(() =>
  z.object({
    blocked: z.literal(false),
    profile: z.string(),
    counts: z.object({ BLOCKER: z.number().int(), WARNING: z.number().int(), INFO: z.number().int() }),
    /** The first findings' ids with their severity (the report has them all). */
    findings: z.array(z.object({ id: z.string(), severity: z.string(), subject: z.string() })),
    acknowledged: z.array(z.string()),
    reportKey: z.string(),
    markdownKey: z.string(),
  }),
);
export type AssessmentState = z.infer<typeof AssessmentStateSchema>;

/**
 * `$.target` after ProvisionTarget / CheckTargetStatus: the target endpoint, whichever way the plan names it
 * (created by this execution, an existing MSK cluster by ARN, or a Kafka-compatible cluster by address).
 */
export const TargetStateSchema = lazySchema(() =>
  z.object({
    type: z.enum(['MSK_SERVERLESS', 'MSK_PROVISIONED', 'KAFKA']),
    /** CREATE: this execution creates it (rollback may delete it); EXISTING_MSK / BOOTSTRAP: never deleted. */
    source: z.enum(['CREATE', 'EXISTING_MSK', 'BOOTSTRAP']),
    clusterArn: z.string().optional(),
    clusterName: z.string().optional(),
    /** True when an attempt of this execution created the cluster (false: adopted on retry, or not ours at all). */
    created: z.boolean(),
    state: z.string(),
    /** The Choice TargetReady? reads this. */
    ready: z.boolean(),
    bootstrapServers: z.array(z.string()).optional(),
    /** When ProvisionTarget first ran: CheckTargetStatus's deadline counts from here. */
    startedAt: z.string(),
  }),
);
export type TargetState = z.infer<typeof TargetStateSchema>;

/** `$.replication` after StartReplication / CheckReplicationStatus (the core's state plus the deadline's start). */
export const ReplicationPhaseSchema = lazySchema(() => ReplicationStateSchema.extend({ startedAt: z.string() }));
export type ReplicationPhase = z.infer<typeof ReplicationPhaseSchema>;

/** What an undo step did: DONE, NOTHING_TO_DO (the phase never ran or created nothing), or what it left alone. */
export const UndoOutcomeSchema = lazySchema(() => z.enum(['DONE', 'NOTHING_TO_DO', 'NOT_OURS']));

/** `$.finalize` after Finalize and `$.rollback.replication` after RollbackReplication. */
export const ReplicationTeardownStateSchema = lazySchema(() =>
  z.object({
    outcome: UndoOutcomeSchema,
    replicator: z.enum(['DELETED', 'ALREADY_GONE', 'NOT_OURS', 'KEPT', 'NONE']),
    replicatorName: z.string().optional(),
    alarmsDeleted: z.number().int().nonnegative(),
    canaryTopicDeleted: z.boolean(),
    /** One sentence per step, for the report. */
    notes: z.array(z.string()),
    at: z.string(),
  }),
);
export type ReplicationTeardownState = z.infer<typeof ReplicationTeardownStateSchema>;

/** `$.rollback.target` after RollbackTarget. */
export const TargetRollbackStateSchema = lazySchema(() =>
  z.object({
    outcome: UndoOutcomeSchema,
    deletion: z.enum(['DELETED', 'ALREADY_GONE', 'NOT_OURS', 'NONE']),
    clusterArn: z.string().optional(),
    notes: z.array(z.string()),
    at: z.string(),
  }),
);
export type TargetRollbackState = z.infer<typeof TargetRollbackStateSchema>;

/** A Catch's `{Error, Cause}`. */
export const CaughtErrorSchema = lazySchema(() =>
  z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }),
);

/** `$.lock` after AcquireLock: the resources this execution locked, released by Report and the compensator. */
export const LockStateSchema = lazySchema(() =>
  z.object({
    keys: z.array(z.string()),
    /** Those of `keys` shared with other migrations in waves (core/lock: released with releaseShared). */
    shared: z.array(z.string()).optional(),
    holder: z.object({
      executionArn: z.string(),
      executionName: z.string(),
      migrationId: z.string(),
      acquiredAt: z.string(),
    }),
  }),
);
export type LockState = z.infer<typeof LockStateSchema>;

/** `$.report` after Report. */
export const ReportStateSchema = lazySchema(() =>
  z.object({ reportKey: z.string(), markdownKey: z.string(), outcome: z.string() }),
);

const loose = lazySchema(() => z.looseObject({}));

/** One wave as the state carries it (lambdas/core/plan/waves.ts, WaveCursor). */
export const WaveCursorSchema = lazySchema(() =>
  z.object({
    name: z.string().min(1),
    index: z.number().int().min(0),
    count: z.number().int().min(1),
    last: z.boolean(),
    next: z.number().int().min(1).optional(),
    previous: z.number().int().min(0).optional(),
    consumersFirst: z.literal(true).optional(),
    replicationFeeds: z.array(z.string().min(1)).optional(),
  }),
);

/** `$.waves` for a plan in waves: every wave, and the current one (ValidateInput, then the Pass NextWave). */
export const WavesStateSchema = lazySchema(() =>
  z.object({ all: z.array(WaveCursorSchema).min(1), current: WaveCursorSchema }),
);
export type WavesStateParsed = z.infer<typeof WavesStateSchema>;

export const ExecutionStateSchema = lazySchema(() =>
  z.looseObject({
    input: PlanSchema,
    identity: IdentitySchema,
    execution: ExecutionSchema,
    settings: SettingsSchema.optional(),
    waves: WavesStateSchema.optional(),
    lock: LockStateSchema.optional(),
    inventory: InventoryStateSchema.optional(),
    assessment: AssessmentStateSchema.optional(),
    target: TargetStateSchema.optional(),
    replication: ReplicationPhaseSchema.optional(),
    catchUp: CatchUpStateSchema.optional(),
    validation: ValidationStateSchema.optional(),
    approvals: z.record(z.string(), loose).optional(),
    /** fence / drain / offsets / switch, written by the cutover states. */
    cutover: z.record(z.string(), loose).optional(),
    window: loose.optional(),
    pointOfNoReturn: z.looseObject({ passedAt: z.string() }).optional(),
    finalize: ReplicationTeardownStateSchema.optional(),
    failback: loose.optional(),
    error: CaughtErrorSchema.optional(),
    rollback: z
      .looseObject({
        cutover: loose.optional(),
        replication: ReplicationTeardownStateSchema.optional(),
        target: TargetRollbackStateSchema.optional(),
      })
      .optional(),
    rollbackError: CaughtErrorSchema.optional(),
    report: ReportStateSchema.optional(),
  }),
);
export type ExecutionState = z.infer<typeof ExecutionStateSchema>;

/**
 * The state as the current wave's cutover reads it (a plan in waves; others unchanged): the plan scoped to the wave
 * (its owners, pointer, client switches and consumer groups: lambdas/core/plan/waves.ts) and the identity naming the
 * wave, so that journals and evidence go under `cutover/waves/<name>/`. The cutover tasks' schemas end with it.
 */
export function scopeToCurrentWave<
  S extends {
    readonly input: MigrationPlan;
    readonly identity: z.infer<typeof IdentitySchema>;
    readonly waves?: WavesStateParsed | undefined;
  },
>(state: S): S {
  const wave = state.waves?.current;
  if (!wave) return state;
  return { ...state, input: planForWave(state.input, wave.name), identity: { ...state.identity, wave: wave.name } };
}

/**
 * Parses a task's payload; a bad one is Migration.InputInvalid naming the fields (paths and zod's messages only, never
 * the values: the state names secrets' ARNs and the approval states carry task tokens).
 */
export function parseTaskInput<S extends z.ZodType>(phase: string, schema: S, event: unknown): z.output<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const fields = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputInvalidError(`${phase} payload invalid: ${fields.join('; ')}.`);
  }
  return parsed.data;
}
