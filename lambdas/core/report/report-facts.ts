import type { ReportedWave } from '../plan/waves';
/** The facts a migration report states, as the Report task reads them from the execution state. */
import type { InventorySummary } from '../inventory/model';
import type { CatchUpState, ReplicationState, ValidationState } from '../replication/state';
import type { DrainProgress } from '../cutover/check-drain';
import type { HealthProgress } from '../cutover/check-target-health';
import type { CommitProgress } from '../cutover/commit-consumer-offsets';

export const REPORT_OUTCOMES = [
  'SUCCEEDED',
  'ROLLED_BACK',
  'FAILED',
  'FAILED_BACK',
  'NEEDS_ATTENTION',
  'ROLLBACK_FAILED',
] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

/** A Catch's error, its Cause reduced to the message. */
export interface ReportedError {
  readonly error: string;
  readonly cause: string;
}

/** What an undo step (Finalize, RollbackReplication, RollbackTarget) left in the state. */
export interface UndoStep {
  readonly outcome: string;
  readonly notes: readonly string[];
  /** Finalize, RollbackReplication: what became of the replicator (`KEPT` when consumers-first readers need it). */
  readonly replicator?: string;
  readonly replicatorName?: string;
}

export interface ReportedApproval {
  readonly kind: string;
  readonly approved?: boolean;
  readonly approver?: string;
  readonly approverName?: string;
  readonly channel?: string;
  readonly decidedAt?: string;
  readonly comment?: string;
}

/** Everything the report says, as read from the execution state. */
export interface MigrationReportFacts {
  readonly outcome: ReportOutcome;
  readonly migrationId: string;
  readonly execution: { readonly id?: string; readonly name: string; readonly startedAt?: string };
  readonly reportedAt: string;
  /** The Task states whose results are in the state, in workflow order. */
  readonly phasesReached: readonly string[];
  readonly error?: ReportedError;
  readonly rollbackError?: ReportedError;
  readonly pointOfNoReturn?: string;
  readonly inventory?: Pick<InventorySummary, 'inventoryKey' | 'counts' | 'complete' | 'gaps'>;
  readonly assessment?: {
    readonly profile: string;
    readonly counts: { readonly BLOCKER: number; readonly WARNING: number; readonly INFO: number };
    readonly findings: ReadonlyArray<{ readonly id: string; readonly severity: string; readonly subject: string }>;
    readonly acknowledged: readonly string[];
    readonly reportKey: string;
    readonly markdownKey: string;
  };
  readonly target?: {
    readonly source: 'CREATE' | 'EXISTING_MSK' | 'BOOTSTRAP';
    readonly clusterArn?: string;
    readonly bootstrapServers?: readonly string[];
  };
  readonly replication?: Pick<ReplicationState, 'handle' | 'canaryTopic' | 'alarmNames' | 'topicsKey'>;
  readonly catchUp?: CatchUpState;
  readonly validation?: ValidationState;
  /** The cutover's drain and committed offsets (`$.cutover.drain`, `$.cutover.offsets`). */
  readonly cutover?: { readonly drain?: DrainProgress; readonly offsets?: CommitProgress };
  /** The rollback window's last health check (`$.window`). */
  readonly window?: HealthProgress;
  readonly finalize?: UndoStep;
  /**
   * The forward replicator left running for consumers-first readers: by Finalize (`waves[].producersStay`), or by
   * `ReplicationFeedsConsumers?` after a later wave's rollback. The operator stops it with `msk-migrate
   * finish-replication`.
   */
  readonly replicationKept?: { readonly replicatorName: string; readonly waves: readonly string[] };
  readonly rollbackCutover?: unknown;
  readonly rollbackReplication?: UndoStep;
  readonly rollbackTarget?: UndoStep;
  readonly approvals: readonly ReportedApproval[];
  /** The migration locks this execution released (AcquireLock took them; Report and the compensator release them). */
  readonly locksReleased?: readonly string[];
  /** A plan in waves: where each wave ended (lambdas/core/plan/waves.ts, waveStatuses). */
  readonly waves?: readonly ReportedWave[];
  /** State sections that did not parse, with their raw value (the JSON keeps it). */
  readonly unreadable: ReadonlyArray<{ readonly section: string; readonly raw: unknown }>;
}
