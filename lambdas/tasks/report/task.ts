import * as z from 'zod';
import { STATE_NAMES, STATES } from '../../workflow/catalogue';
import { InputInvalidError } from '../../core/errors';
import { releaseMigrationLocks } from '../../core/lock/migration-lock';
import { REPORT_OUTCOMES, writeMigrationReport } from '../../core/report/migration-report';
import { CHECKLIST_GATES, GATE_STATUSES } from '../../core/report/checklist';
import { DrainProgressSchema } from '../../core/cutover/check-drain';
import { CommitProgressSchema } from '../../core/cutover/commit-consumer-offsets';
import { HealthProgressSchema } from '../../core/cutover/check-target-health';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { MigrationLocks } from '../../ports/migration-locks';
import {
  AssessmentStateSchema,
  CaughtErrorSchema,
  IdentitySchema,
  InventoryStateSchema,
  LockStateSchema,
  ReplicationPhaseSchema,
  ReplicationTeardownStateSchema,
  TargetRollbackStateSchema,
  TargetStateSchema,
  WavesStateSchema,
} from '../shared/execution-state';
import { MigrationPlanSchema, type MigrationPlan } from '../../core/plan/migration-plan';
import { cutoverKey } from '../../core/cutover/model';
import { waveStatuses } from '../../core/plan/waves';
import { CatchUpStateSchema, ValidationStateSchema } from '../../core/replication/state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * Report: reads the execution state leniently (Report has no Catch: a phase result it cannot read is listed as
 * unreadable, never a failure) and has the core write the report (lambdas/core/report/migration-report.ts): which
 * phases ran, the outcome and error, what was created and undone, the findings, the evidence, the approvals.
 */

export const Input = lazySchema(() =>
  z.object({
    outcome: z.enum(REPORT_OUTCOMES),
    state: z.looseObject({
      input: z.looseObject({ migrationId: z.string() }).optional(),
      identity: z.looseObject({ migrationId: z.string(), executionName: z.string() }).optional(),
      execution: z
        .looseObject({ id: z.string().optional(), name: z.string().optional(), startedAt: z.string().optional() })
        .optional(),
    }),
  }),
);
export type Input = z.infer<typeof Input>;

export const Output = lazySchema(() =>
  z.object({
    reportKey: z.string(),
    markdownKey: z.string(),
    htmlKey: z.string(),
    outcome: z.enum(REPORT_OUTCOMES),
    /** The seven checklist gates' verdicts (the evidence behind each is in the report). */
    gates: z.record(z.enum(CHECKLIST_GATES), z.enum(GATE_STATUSES)),
    /**
     * The replicator Finalize kept running for consumers-first readers whose producers stay on the source
     * (`waves[].producersStay`): the operator stops it with `msk-migrate finish-replication`.
     */
    replicationKept: z.string().optional(),
  }),
);
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly artifacts: ArtifactStore;
  /** The migration locks: Report runs before every terminal state, so it releases what AcquireLock took. */
  readonly locks?: MigrationLocks;
  readonly now: () => Date;
}

type Raw = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Raw)[k] : undefined), value);

/**
 * The phases in workflow order, with where each leaves its result: the first Task state of the workflow catalogue to
 * write each ResultPath (the loops' later states write the same one), and the PointOfNoReturn Pass state's record.
 */
const PHASES: ReadonlyArray<readonly [string, readonly string[]]> = (() => {
  const phases: Array<readonly [string, readonly string[]]> = [];
  const seen = new Set<string>();
  for (const name of STATE_NAMES) {
    const { resultPath } = STATES[name];
    if (resultPath === '$' || resultPath === '$.report' || seen.has(resultPath)) continue;
    seen.add(resultPath);
    phases.push([name, resultPath.replace(/^\$\./, '').split('.')]);
    if (name === 'CheckTargetHealth') phases.push(['PointOfNoReturn', ['pointOfNoReturn']]);
  }
  return phases;
})();

/** A Catch's Cause is Lambda's JSON `{errorType, errorMessage, trace}`: keep the message, drop the stack. */
function describeError(value: unknown): { error: string; cause: string } | undefined {
  const parsed = CaughtErrorSchema.safeParse(value);
  if (!parsed.success || (!parsed.data.Error && !parsed.data.Cause)) return undefined;
  let cause = parsed.data.Cause ?? '';
  try {
    const inner = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof inner.errorMessage === 'string') cause = inner.errorMessage;
  } catch {
    // a plain-text Cause (States.Timeout, a Fail state) is kept as is
  }
  return { error: parsed.data.Error ?? 'unknown', cause: cause.slice(0, 4000) };
}

function read<T>(schema: z.ZodType<T>, value: unknown, unreadable: string[], what: string): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) unreadable.push(what);
  return parsed.success ? parsed.data : undefined;
}

const ApprovalSchema = lazySchema(() =>
  z.looseObject({
    approved: z.boolean().optional(),
    approver: z.string().optional(),
    approverName: z.string().optional(),
    channel: z.string().optional(),
    decidedAt: z.string().optional(),
    comment: z.string().optional(),
    approvalId: z.string().optional(),
  }),
);

export async function runReport(input: Input, deps: Deps): Promise<Output> {
  const { state, outcome } = input;
  const identity = IdentitySchema.safeParse(state.identity).data ?? {
    migrationId: state.input?.migrationId,
    executionName: state.execution?.name,
  };
  if (!identity.migrationId || !identity.executionName)
    throw new InputInvalidError(
      'Report needs $.identity (or $.input.migrationId and $.execution.name) to know where the report goes.',
    );
  const { migrationId, executionName } = identity as { migrationId: string; executionName: string };
  const unreadable: string[] = [];
  // Every terminal state is reached through a Report state: the migration ends here, so its locks go (idempotent, and
  // only this execution's). A lock store that fails is retried by the Retry of the Report state.
  const lock = read(LockStateSchema, at(state, 'lock'), unreadable, 'lock');
  const locks =
    lock && deps.locks
      ? await releaseMigrationLocks(lock.keys, lock.holder.executionArn, deps.locks, lock.shared ?? [])
      : undefined;
  const pointOfNoReturn = at(state, 'pointOfNoReturn', 'passedAt');
  const error = describeError(at(state, 'error'));
  const rollbackError = describeError(at(state, 'rollbackError'));
  const rollbackCutover = at(state, 'rollback', 'cutover');
  const inventory = read(InventoryStateSchema, at(state, 'inventory'), unreadable, 'inventory');
  const assessment = read(AssessmentStateSchema, at(state, 'assessment'), unreadable, 'assessment');
  const target = read(TargetStateSchema, at(state, 'target'), unreadable, 'target');
  const replication = read(ReplicationPhaseSchema, at(state, 'replication'), unreadable, 'replication');
  const catchUp = read(CatchUpStateSchema, at(state, 'catchUp'), unreadable, 'catchUp');
  const validation = read(ValidationStateSchema, at(state, 'validation'), unreadable, 'validation');
  const drain = read(DrainProgressSchema, at(state, 'cutover', 'drain'), unreadable, 'cutover.drain');
  const offsets = read(CommitProgressSchema, at(state, 'cutover', 'offsets'), unreadable, 'cutover.offsets');
  const window = read(HealthProgressSchema.loose(), at(state, 'window'), unreadable, 'window');
  const finalize = read(ReplicationTeardownStateSchema, at(state, 'finalize'), unreadable, 'finalize');
  const rollbackReplication = read(
    ReplicationTeardownStateSchema,
    at(state, 'rollback', 'replication'),
    unreadable,
    'rollback.replication',
  );
  const rollbackTarget = read(
    TargetRollbackStateSchema,
    at(state, 'rollback', 'target'),
    unreadable,
    'rollback.target',
  );
  const wavesState = WavesStateSchema.safeParse(at(state, 'waves')).data;
  const plan = MigrationPlanSchema.safeParse(at(state, 'input')).data;
  const wavesReport =
    wavesState && plan
      ? waveStatuses(plan, wavesState.current, {
          pointOfNoReturnPassed: typeof pointOfNoReturn === 'string',
          fenced: at(state, 'cutover', 'fence') !== undefined,
          rollbackFailed: outcome === 'ROLLBACK_FAILED',
          failedBack: await wavesFailedBack(plan, { migrationId, executionName }, deps.artifacts),
        })
      : undefined;
  // The forward replication left running for consumers-first readers: Finalize kept it (producersStay), or a rollback
  // in a later wave skipped RollbackReplication (ReplicationFeedsConsumers?).
  const feeds = wavesState?.current.replicationFeeds ?? [];
  const replicationKept =
    finalize?.replicator === 'KEPT'
      ? {
          replicatorName: finalize.replicatorName ?? replication?.handle.name ?? 'the forward replicator',
          waves: feeds,
        }
      : outcome === 'NEEDS_ATTENTION' && feeds.length > 0 && replication && !rollbackReplication && !finalize
        ? { replicatorName: replication.handle.name, waves: feeds }
        : undefined;
  const { checklist, ...keys } = await writeMigrationReport(
    {
      outcome,
      migrationId,
      execution: { id: state.execution?.id, name: executionName, startedAt: state.execution?.startedAt },
      reportedAt: deps.now().toISOString(),
      phasesReached: PHASES.filter(([, path]) => at(state, ...path) !== undefined).map(([name]) => name),
      ...(error ? { error } : {}),
      ...(rollbackError ? { rollbackError } : {}),
      ...(typeof pointOfNoReturn === 'string' ? { pointOfNoReturn } : {}),
      ...(inventory ? { inventory } : {}),
      ...(assessment ? { assessment } : {}),
      ...(target ? { target } : {}),
      ...(replication ? { replication } : {}),
      ...(catchUp ? { catchUp } : {}),
      ...(validation ? { validation } : {}),
      ...(drain || offsets ? { cutover: { ...(drain ? { drain } : {}), ...(offsets ? { offsets } : {}) } } : {}),
      ...(window ? { window } : {}),
      ...(finalize ? { finalize } : {}),
      ...(replicationKept ? { replicationKept } : {}),
      ...(rollbackCutover !== undefined ? { rollbackCutover } : {}),
      ...(rollbackReplication ? { rollbackReplication } : {}),
      ...(rollbackTarget ? { rollbackTarget } : {}),
      ...(locks ? { locksReleased: locks.released } : {}),
      ...(wavesReport ? { waves: wavesReport } : {}),
      approvals: Object.entries((at(state, 'approvals') ?? {}) as Raw).map(([kind, value]) => ({
        kind,
        ...(ApprovalSchema.safeParse(value).data ?? {}),
      })),
      unreadable: unreadable.map((section) => ({ section, raw: at(state, ...section.split('.')) })),
    },
    deps,
  );
  return {
    ...keys,
    outcome,
    gates: Object.fromEntries(CHECKLIST_GATES.map((g) => [g, checklist[g].status])) as Output['gates'],
    ...(replicationKept ? { replicationKept: replicationKept.replicatorName } : {}),
  };
}

/** The waves whose FailbackCutover finished (`cutover/waves/<name>/journal/failback-cutover.json`, DONE). */
async function wavesFailedBack(
  plan: Pick<MigrationPlan, 'waves'>,
  identity: { readonly migrationId: string; readonly executionName: string },
  artifacts: ArtifactStore,
): Promise<string[]> {
  const out: string[] = [];
  for (const w of plan.waves ?? []) {
    const journal = await artifacts.getJson<{ status?: string }>(
      cutoverKey({ ...identity, wave: w.name }, 'journal/failback-cutover.json'),
    );
    if (journal?.status === 'DONE') out.push(w.name);
  }
  return out;
}

/** Report as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Report',
  Input,
  Output,
  needs: { artifacts: 'artifacts', locks: 'locks', now: 'clock' },
  run: runReport,
});
