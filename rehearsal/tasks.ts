import type { LocalTaskCallback } from '../lambdas/adapters/local/local-approval-callback';
import type { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import type { ApprovalServices } from '../lambdas/core/approval/service';
import type { ArtifactStore } from '../lambdas/ports/artifact-store';
import type { CutoverSwitch } from '../lambdas/ports/cutover-switch';
import type { ProducerActivity } from '../lambdas/ports/producer-activity';
import type { ClientSwitchFactory } from '../lambdas/ports/client-switch';
import type { WriteFence } from '../lambdas/ports/write-fence';
import type { LagSignals } from '../lambdas/ports/lag-signals';
import type { MigrationLocks } from '../lambdas/ports/migration-locks';
import type { AbortRequests } from '../lambdas/ports/abort-requests';
import { MemoryAbortRequests } from '../lambdas/adapters/local/memory-abort-requests';
import { MemoryMigrationLocks } from '../lambdas/adapters/local/memory-migration-locks';
import type { Replicator } from '../lambdas/ports/replicator';
import { task as requestApproval } from '../lambdas/tasks/request-approval/task';
import type { StateName } from '../lambdas/workflow/catalogue';
import { parseEvent } from '../lambdas/workflow/define-task';
import { serveStates } from '../lambdas/workflow/tasks';
import { timerPacer } from '../lambdas/tasks/shared/paced';
import type { LocalTask } from './asl-runner';

/**
 * Every Task state of the ASL, served in-process by its task module (the workflow catalogue says which, and
 * `defineTask`'s `needs` which ports) over the local adapters, exactly as its handler.ts does in AWS: parse with the
 * module's zod Input, call the core, return the small output. Keyed by STATE name, as the runner calls them.
 */

export interface LocalTaskPorts {
  readonly source: KafkajsDataPlane;
  readonly target: KafkajsDataPlane;
  readonly artifacts: ArtifactStore;
  readonly replicator: Replicator;
  readonly pointer: CutoverSwitch;
  /** DescribeProducers on the source: CheckDrain names a writer that keeps writing after the fence. */
  readonly producerActivity?: ProducerActivity;
  /** The plan's write fence on the source (cutover.fence KAFKA_ACL), from the local registry. */
  readonly writeFence?: WriteFence;
  /** The plan's client switches (cutover.switches LOCAL_PROCESS), from the local registry. */
  readonly clientSwitches?: ClientSwitchFactory;
  readonly approvals: ApprovalServices & { readonly callback: LocalTaskCallback };
  /** The target's health alarms the rollback window watches (a local stand-in for CloudWatch). */
  readonly targetAlarms?: { readonly signals: LagSignals; readonly alarmNames: readonly string[] };
  /** Called once the approval request is stored and mailed, with its id (auto-approve, or print the link). */
  readonly onApprovalRequested: (request: { kind: string; approvalId: string }) => void;
  /** The migration locks (AcquireLock takes them, Report releases them). @default one in-memory table per call */
  readonly locks?: MigrationLocks;
  /** The operator's abort requests, read by every poll task (`msk-migrate abort`). @default none recorded */
  readonly aborts?: AbortRequests;
  readonly now: () => Date;
}

/** The drain and the offset commit look again every 100 ms for up to 20 s within one call, as the deployed ones do. */
export const REHEARSAL_PACER_SETTINGS = { everyMs: 100, budgetMs: 20_000 };

/** A Step Functions error as the Catch sees it (`Error` = the name, `Cause` = the message). */
class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export function localStates(ports: LocalTaskPorts): Record<StateName, LocalTask> {
  const { source, target, artifacts, replicator, pointer, now } = ports;
  // An approval state waits for the person: RequestApproval stores and mails the request, the local callback
  // resolves when someone decides (or the request expires), as SendTaskSuccess / SendTaskFailure would.
  const approval =
    (state: StateName): LocalTask =>
    async (event) => {
      const input = parseEvent<Parameters<typeof requestApproval.run>[0]>(requestApproval, state, event);
      // Listen before the request exists, so that an instant decision (auto-approve) is not missed.
      const decided = ports.approvals.callback.waitFor(input.taskToken);
      const requested = await requestApproval.run(input, { approvals: ports.approvals });
      ports.onApprovalRequested({ kind: input.kind, approvalId: requested.approvalId });
      const result = await decided;
      if (result.kind === 'FAILURE') throw new TaskFailure(result.error, result.cause);
      return result.output;
    };
  return serveStates(
    // The target's ACLs are read as in AWS; a target without an authorizer and a source without ACLs leave nobody
    // to check, which the validation reports as skipped.
    {
      source,
      target,
      targetAcls: target,
      artifacts,
      replicator,
      pointer,
      approvals: ports.approvals,
      locks: ports.locks ?? new MemoryMigrationLocks(),
      aborts: ports.aborts ?? new MemoryAbortRequests(),
      clock: now,
      // ValidateInput refuses what the local runtime has no adapter for (an SSM switch, an IAM_POLICY fence, ECS).
      runtime: 'LOCAL',
      pacer: timerPacer(REHEARSAL_PACER_SETTINGS),
      ...(ports.producerActivity ? { producerActivity: ports.producerActivity } : {}),
      ...(ports.writeFence ? { writeFence: ports.writeFence } : {}),
      ...(ports.clientSwitches ? { clientSwitches: ports.clientSwitches } : {}),
    },
    {
      portsFor: {
        CheckTargetHealth: ports.targetAlarms
          ? { lagSignals: ports.targetAlarms.signals, healthAlarmNames: ports.targetAlarms.alarmNames }
          : {},
      },
      instead: {
        CutoverApproval: approval('CutoverApproval'),
        FinalizeApproval: approval('FinalizeApproval'),
        FailbackDecision: approval('FailbackDecision'),
      },
    },
  );
}
