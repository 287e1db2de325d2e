import type { ClientBehaviourReads } from '../ports/client-behaviour';
import type { LocalTaskCallback } from '../adapters/local/local-approval-callback';
import { MemoryAbortRequests } from '../adapters/local/memory-abort-requests';
import { MemoryMigrationLocks } from '../adapters/local/memory-migration-locks';
import type { ApprovalServices } from '../core/approval/service';
import type { Runtime } from '../core/plan/runtimes';
import type { AbortRequests } from '../ports/abort-requests';
import type { ArtifactStore } from '../ports/artifact-store';
import type { ClientSwitchFactory } from '../ports/client-switch';
import type { CutoverSwitch } from '../ports/cutover-switch';
import type { KafkaDataPlane, KafkaInventoryReads } from '../ports/kafka';
import type { LagSignals } from '../ports/lag-signals';
import type { MigrationLocks } from '../ports/migration-locks';
import type { Pacer } from '../ports/pacer';
import type { ProducerActivity } from '../ports/producer-activity';
import type { Replicator } from '../ports/replicator';
import type { WriteFence } from '../ports/write-fence';
import { task as requestApproval } from '../tasks/request-approval/task';
import { timerPacer } from '../tasks/shared/paced';
import type { StateName } from '../workflow/catalogue';
import { parseEvent, type PortBag } from '../workflow/define-task';
import { serveStates, type ServeOptions, type StateTask } from '../workflow/tasks';

/**
 * THE COMPOSITION ROOT OF THE LOCAL RUNTIME: every Task state of the ASL served in-process by its task module (the
 * workflow catalogue says which, `defineTask`'s `needs` which ports) over ports the caller made, exactly as the AWS
 * root (lambdas/runtime/aws.ts) serves them in Lambda: parse with the module's zod Input, call the core, return the
 * small output. Keyed by STATE name, as the local ASL runner calls them.
 *
 * Two callers: the rehearsal (rehearsal/run-rehearsal.ts: real Kafka clusters, MirrorMaker 2, a pointer file, the
 * local approval server), and the workflow tests (test/workflow/world.ts: in-memory fakes; its documented variant
 * serves the AWS runtime's plans, decides approvals itself and withholds the ports the rehearsal adds by default).
 * Nothing deployed imports this module (eslint layer rules).
 */

/** The ports a local runtime offers, by the catalogue's names (lambdas/workflow/catalogue.ts, PORTS). */
export interface LocalPorts {
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly replicator: Replicator;
  readonly pointer: CutoverSwitch;
  readonly clock: () => Date;
  /** The target's ACL reads (ValidateTarget's access check). @default the target, when it reads ACLs */
  readonly targetAcls?: Pick<KafkaInventoryReads, 'describeAcls'>;
  /** DescribeProducers on the source: CheckDrain names a writer that keeps writing after the fence. */
  readonly producerActivity?: ProducerActivity;
  /** The source's producers, transactions, record batches and group types, for the Inventory. */
  readonly clientBehaviour?: ClientBehaviourReads;
  /** The plan's write fence on the source (cutover.fence KAFKA_ACL), from the local registry. */
  readonly writeFence?: WriteFence;
  /** The plan's client switches (cutover.switches LOCAL_PROCESS), from the local registry. */
  readonly clientSwitches?: ClientSwitchFactory;
  readonly lagSignals?: LagSignals;
  readonly healthAlarmNames?: readonly string[];
  readonly provisioner?: unknown;
  readonly msk?: unknown;
  readonly approvals?: ApprovalServices;
  /** The migration locks (AcquireLock takes them, Report releases them). @default one in-memory table per call */
  readonly locks?: MigrationLocks;
  /** The operator's abort requests, read by every poll task (`msk-migrate abort`). @default none recorded */
  readonly aborts?: AbortRequests;
  /** Which runtime's adapters the plan may name (ValidateInput). @default LOCAL */
  readonly runtime?: Runtime;
  /** @default REHEARSAL_PACER_SETTINGS on a timer */
  readonly pacer?: Pacer;
}

/** The drain and the offset commit look again every 100 ms for up to 20 s within one call, as the deployed ones do. */
export const REHEARSAL_PACER_SETTINGS = { everyMs: 100, budgetMs: 20_000 };

/**
 * The local runtime's port bag: what the caller made, over the defaults (the target's ACLs read on the target, fresh
 * in-memory locks and abort requests, the LOCAL runtime, the rehearsal's pacer). A key given as `undefined` withholds
 * that port (the workflow tests' variant).
 */
export function localPorts(ports: LocalPorts): PortBag {
  return {
    targetAcls: ports.target as unknown as Pick<KafkaInventoryReads, 'describeAcls'>,
    locks: new MemoryMigrationLocks(),
    aborts: new MemoryAbortRequests(),
    runtime: 'LOCAL' satisfies Runtime,
    pacer: timerPacer(REHEARSAL_PACER_SETTINGS),
    ...ports,
  };
}

/** A Step Functions error as the Catch sees it (`Error` = the name, `Cause` = the message). */
class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The approval states (`.waitForTaskToken`): who decides, in this runtime. */
export interface LocalApprovals {
  readonly services: ApprovalServices & { readonly callback: LocalTaskCallback };
  /** Called once the approval request is stored and mailed, with its id (auto-approve, or print the link). */
  readonly onRequested: (request: { kind: string; approvalId: string }) => void;
}

/**
 * An approval state waits for the person: RequestApproval stores and mails the request, the local callback resolves
 * when someone decides (or the request expires), as SendTaskSuccess / SendTaskFailure would.
 */
function awaitDecision(state: StateName, approvals: LocalApprovals): StateTask {
  return async (event) => {
    const input = parseEvent<Parameters<typeof requestApproval.run>[0]>(requestApproval, state, event);
    // Listen before the request exists, so that an instant decision (auto-approve) is not missed.
    const decided = approvals.services.callback.waitFor(input.taskToken);
    const requested = await requestApproval.run(input, { approvals: approvals.services });
    approvals.onRequested({ kind: input.kind, approvalId: requested.approvalId });
    const result = await decided;
    if (result.kind === 'FAILURE') throw new TaskFailure(result.error, result.cause);
    return result.output;
  };
}

export interface LocalServeOptions extends ServeOptions {
  /** The approval states wait for a decision through the local callback (the rehearsal); else `instead` serves them. */
  readonly approvals?: LocalApprovals;
}

/** Every Task state of the catalogue, served in-process over `ports` (and the defaults of `localPorts`). */
export function localStates(ports: LocalPorts, options: LocalServeOptions = {}): Record<StateName, StateTask> {
  const { approvals, ...serve } = options;
  const waiting = approvals
    ? {
        CutoverApproval: awaitDecision('CutoverApproval', approvals),
        FinalizeApproval: awaitDecision('FinalizeApproval', approvals),
        FailbackDecision: awaitDecision('FailbackDecision', approvals),
      }
    : {};
  const bag = localPorts({ ...ports, ...(approvals ? { approvals: approvals.services } : {}) });
  return serveStates(bag, { ...serve, instead: { ...waiting, ...serve.instead } });
}
