import * as z from 'zod';
import { readJournal } from '../core/cutover/journal';
import {
  CLIENT_SWITCH_POLL_MS,
  restartClientSwitchesOnTarget,
  restartsOnFailbackRelease,
  revertClientSwitches,
  untilComplete,
  type ClientSwitchProgress,
  type Sleep,
} from '../core/cutover/client-switches';
import { rollbackCutover, rollbackWindowClosesAt, type RollbackCutoverResult } from '../core/cutover/rollback-cutover';
import { RollbackFailedError } from '../core/errors';
import { releaseFailbackFenceFromJournal, type FenceRelease } from '../core/failback/fence';
import { lockKeysOf, releaseMigrationLocks } from '../core/lock/migration-lock';
import { MigrationPlanSchema, type MigrationPlan } from '../core/plan/migration-plan';
import { planForWave, replicationFeedsIn, waveOf } from '../core/plan/waves';
import { canaryTopicName, failbackReplicatorName, type ExecutionIdentity } from '../core/replication/naming';
import { writeMigrationReport, type ReportOutcome } from '../core/report/migration-report';
import { artifactKey, type ArtifactStore } from '../ports/artifact-store';
import type { ClientSwitchFactory } from '../ports/client-switch';
import type { CutoverSwitch } from '../ports/cutover-switch';
import type { KafkaDataPlane } from '../ports/kafka';
import type { LagSignals } from '../ports/lag-signals';
import type { MigrationLocks } from '../ports/migration-locks';
import type { Replicator } from '../ports/replicator';
import type { TargetProvisioner } from '../ports/target-provisioner';
import type { WriteFence } from '../ports/write-fence';
import type { ReplicationTeardownState, TargetRollbackState } from '../tasks/shared/execution-state';
import type { PortName } from '../workflow/catalogue';
import type { Needs, PortChoice } from '../workflow/define-task';
import { undoReplicationByNames } from '../tasks/shared/replication-undo';
import { runRollbackTarget } from '../tasks/rollback-target/task';
import { lazySchema } from '../core/lazy-schema';

/**
 * The compensator: what runs when an execution of the orchestrator ends ABORTED (a StopExecution: no Catch runs),
 * FAILED or TIMED_OUT (an EventBridge rule on Step Functions' "Execution Status Change"). It undoes, from the
 * execution's journals and names, what the execution left behind, in the order of the workflow's own rollback:
 *
 * 1. the cutover (`cutover/journal/*.json`), while the rollback window is open (after it: nothing switched back,
 *    NEEDS_ATTENTION): first the plan's client switches (`cutover.switches`) this execution journaled, returned to
 *    their recorded source configuration as RollbackCutover returns them (stepped until all are back, within
 *    cutover.clientSwitchTimeoutMinutes); then the producers' fence released and the pointer put back at the value
 *    recorded before the cutover. The window is decided once, at one instant, for both. For a plan in waves, the last
 *    wave that fenced (`cutover/waves/<name>/journal/`), behind its own pointer, with its own switches: the waves
 *    before it passed their point of no return and stay on the target, which is then kept;
 *    After the point of no return a failback stopped behind its fence has the fence released (the pointer back at the
 *    target value SwitchToTarget set, as ReleaseFailbackFence does) — for a plan in waves each wave's, from its own
 *    journal and behind its own pointer, a wave already returned to the source left there; the replicators stay for
 *    the person who decides;
 * 2. the replication: the replicator, its alarms and the canary topic found under this execution's names and removed
 *    only when their ownership tags name it;
 * 3. the target cluster, when this execution created it (found by name and ownership tags);
 * 4. the locks this execution holds (source cluster, target, pointer);
 * 5. a report (`report/report.json`, outcome as for the workflow's own Report).
 *
 * Idempotent: an execution that ended through its own Report state (every Fail state of the workflow is reached
 * through one) already rolled back what it had to and wrote its report; the compensator then only makes sure its locks
 * are free; so does an execution this compensator finished. Every step is itself idempotent (journals, names,
 * ownership tags): a retried event after an attempt that failed (ROLLBACK_FAILED, or stopped at its `deadline` with
 * client switches still moving) resumes what that attempt left, with the rollback window decided at the first attempt's
 * instant. Source data is never touched.
 */

export const COMPENSATED_STATUSES = ['ABORTED', 'FAILED', 'TIMED_OUT'] as const;

/**
 * What an invocation keeps after it stops stepping the client switches (its deadline), for the rest: the pointer, the
 * replication, the target, the locks and the report. The compensator's Lambda timeout is at least
 * cutover.clientSwitchTimeoutMinutes' maximum plus this (test/infra/compensator-timeout.test.ts).
 */
export const COMPENSATOR_RESERVE_MS = 3 * 60_000;

/**
 * The compensator's own record of an execution (`compensator/attempt.json`): the instant it decided the rollback
 * window (kept by every later attempt, so that a retry finishes what the first attempt started whatever the clock
 * says since), and how its last attempt ended. An attempt that ended ROLLBACK_FAILED is resumed by the next delivery.
 */
interface CompensatorAttempt {
  readonly decidedAt: string;
  readonly outcome?: ReportOutcome;
  readonly attempts: number;
}

/** The EventBridge event (detail-type "Step Functions Execution Status Change"), the fields used. */
export const ExecutionStatusChangeSchema = lazySchema(() =>
  z.object({
    'detail-type': z.literal('Step Functions Execution Status Change').optional(),
    detail: z.looseObject({
      executionArn: z.string().min(1),
      name: z.string().min(1),
      status: z.string(),
      /** Epoch milliseconds. */
      startDate: z.number().optional(),
      stopDate: z.number().nullable().optional(),
      /** The execution input as a JSON string (absent when EventBridge could not carry it). */
      input: z.string().nullable().optional(),
      error: z.string().nullable().optional(),
      cause: z.string().nullable().optional(),
    }),
  }),
);
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChangeSchema>;

export interface CompensatorDeps {
  readonly artifacts: ArtifactStore;
  readonly locks?: MigrationLocks;
  /** The plan's pointer (cutover.switch). */
  readonly pointer?: CutoverSwitch;
  /** A plan in waves: the pointer of a plan scoped to one wave (its `switch`, else cutover.switch). @default pointer */
  readonly pointerFor?: (plan: MigrationPlan) => CutoverSwitch;
  /** The plan's write fence (cutover.fence), to undo one the fence journal holds. */
  readonly writeFence?: WriteFence;
  /** The plan's client switches (cutover.switches), to return those this execution journaled to the source. */
  readonly clientSwitches?: ClientSwitchFactory;
  /** Between two steps of the client switches. @default a timer */
  readonly sleep?: Sleep;
  /**
   * When this invocation stops stepping the client switches, leaving COMPENSATOR_RESERVE_MS for the pointer, the
   * replication, the target, the locks and the report (the handler: Lambda's deadline less the reserve). Switches still
   * moving then fail this attempt, and the retried delivery resumes them. @default none
   */
  readonly deadline?: Date;
  readonly replicator?: Replicator;
  readonly lagSignals?: LagSignals;
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly provisioner?: TargetProvisioner;
  readonly now: () => Date;
}

/** A port the compensator needs only for an execution whose input is a plan (nothing else can have been created). */
const withPlan = (port: PortName, bestEffort = false): PortChoice<ExecutionStatusChange> => ({
  oneOf: [port],
  pick: (event) => (planOf(event) ? port : undefined),
  ...(bestEffort ? { bestEffort: () => true } : {}),
});

/**
 * The ports of CompensatorDeps, by the workflow catalogue's names: the AWS composition root builds them
 * (lambdas/compensator/handler.ts → lambdas/runtime/aws.ts `buildAwsDeps`), as it builds every task's. Without a plan only
 * the evidence store, the locks and the clock. The source's data plane (the canary topic) and the write fence are
 * best-effort: a source that cannot be reached does not stop the pointer going back.
 */
export const COMPENSATOR_NEEDS: Needs<ExecutionStatusChange, CompensatorDeps> = {
  artifacts: 'artifacts',
  locks: 'locks',
  now: 'clock',
  pointer: withPlan('pointer'),
  source: withPlan('source', true),
  writeFence: withPlan('writeFence', true),
  clientSwitches: withPlan('clientSwitches'),
  replicator: withPlan('replicator'),
  lagSignals: withPlan('lagSignals'),
  provisioner: withPlan('provisioner'),
};

export interface Compensation {
  readonly executionArn: string;
  readonly status: string;
  /** IGNORED: not a status to compensate, or an input that never was a plan (nothing could have been created). */
  readonly outcome: 'IGNORED' | 'ALREADY_REPORTED' | ReportOutcome;
  readonly locksReleased: string[];
  readonly notes: string[];
  readonly reportKey?: string;
}

/** What the compensator needs to know about the plan before it connects to anything (the handler wires by it). */
export function planOf(event: ExecutionStatusChange): MigrationPlan | undefined {
  if (!event.detail.input) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(event.detail.input);
  } catch {
    return undefined;
  }
  const parsed = MigrationPlanSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

const errorOf = (event: ExecutionStatusChange): { error: string; cause: string } => {
  const { status, error, cause } = event.detail;
  if (status === 'ABORTED')
    return {
      error: 'States.ExecutionAborted',
      cause:
        'The execution was stopped (StopExecution, e.g. from the console): no Catch ran; the compensator undid what it left.',
    };
  if (status === 'TIMED_OUT')
    return { error: error ?? 'States.Timeout', cause: cause ?? 'The execution timed out: no Catch ran.' };
  return {
    error: error ?? 'States.Runtime',
    cause: (cause ?? 'The execution failed outside any Catch.').slice(0, 4000),
  };
};

export async function runCompensator(event: ExecutionStatusChange, deps: CompensatorDeps): Promise<Compensation> {
  const { executionArn, name, status } = event.detail;
  const base = { executionArn, status };
  if (!(COMPENSATED_STATUSES as readonly string[]).includes(status))
    return { ...base, outcome: 'IGNORED', locksReleased: [], notes: [`Status ${status}: nothing to compensate.`] };
  const plan = planOf(event);
  if (!plan)
    return {
      ...base,
      outcome: 'IGNORED',
      locksReleased: [],
      notes: ['The execution input is not a valid plan: ValidateInput refused it and nothing was created.'],
    };
  const identity: ExecutionIdentity = { migrationId: plan.migrationId, executionName: name };
  const releaseLocks = async (): Promise<string[]> =>
    deps.locks
      ? (
          await releaseMigrationLocks(
            lockKeysOf(plan).map((k) => k.key),
            executionArn,
            deps.locks,
            lockKeysOf(plan)
              .filter((k) => k.shared)
              .map((k) => k.key),
          )
        ).released
      : [];

  // 0. Ended through its own Report state: rolled back (or not) as the workflow decided; only the locks are checked.
  // The same for an execution this compensator already finished; one whose last attempt failed is resumed.
  const reportKey = artifactKey(identity.migrationId, identity.executionName, 'report/report.json');
  const attemptKey = artifactKey(identity.migrationId, identity.executionName, 'compensator/attempt.json');
  const previous = await deps.artifacts.getJson<CompensatorAttempt>(attemptKey);
  const reported = await deps.artifacts.getJson<{ outcome?: string }>(reportKey);
  if (reported && previous?.outcome !== 'ROLLBACK_FAILED') {
    const locksReleased = await releaseLocks();
    return {
      ...base,
      outcome: 'ALREADY_REPORTED',
      locksReleased,
      notes: [
        `The workflow reported this execution itself (${reported.outcome ?? 'outcome unknown'}): nothing left to undo.`,
      ],
      reportKey,
    };
  }

  const notes: string[] = [];
  const failures: string[] = [];
  const now = () => deps.now().toISOString();
  const attempts = (previous?.attempts ?? 0) + 1;
  let windowDecidedAt = previous?.decidedAt;
  if (previous) notes.push(`Attempt ${attempts}: the previous one ended ${previous.outcome ?? 'before its report'}.`);

  // 1. The cutover, from its journal: for a plan in waves, the last wave that fenced (the loop moves to the next wave
  // only after a wave's point of no return, so the waves fenced before it are on the target).
  let cutover: RollbackCutoverResult | undefined;
  let clients: ClientSwitchProgress | undefined;
  const fencedWaves: string[] = [];
  for (const w of plan.waves ?? [])
    if (await readJournal(deps.artifacts, { ...identity, wave: w.name }, 'fence')) fencedWaves.push(w.name);
  const wave = fencedWaves.at(-1);
  const earlierWavesOnTarget = fencedWaves.slice(0, -1);
  const cutoverIdentity: ExecutionIdentity = wave ? { ...identity, wave } : identity;
  const pointer = wave && deps.pointerFor ? deps.pointerFor(planForWave(plan, wave)) : deps.pointer;
  const fence = await readJournal(deps.artifacts, cutoverIdentity, 'fence');
  if (fence) {
    const rollbackWindowMinutes = Math.max(1, plan.cutover.rollbackWindowMinutes);
    // One instant decides the window for the client switches and the pointer: a switch stepped for minutes must not
    // return the applications to the source while the pointer, decided later, stays on the target. A retried delivery
    // keeps the instant of the first attempt: it finishes what that attempt started.
    const decidedAt = windowDecidedAt ? new Date(windowDecidedAt) : deps.now();
    windowDecidedAt = decidedAt.toISOString();
    await deps.artifacts.putJson(attemptKey, { decidedAt: windowDecidedAt, attempts } satisfies CompensatorAttempt);
    const { switches, clientSwitchTimeoutMinutes } = (wave ? planForWave(plan, wave) : plan).cutover;
    if (switches.length > 0) {
      try {
        const closesAt = await rollbackWindowClosesAt(deps.artifacts, cutoverIdentity, rollbackWindowMinutes);
        if (!closesAt || decidedAt.getTime() < Date.parse(closesAt)) {
          if (!deps.clientSwitches)
            throw new Error('the plan names cutover.switches, but no client switch adapters were wired');
          const clientSwitches = deps.clientSwitches;
          const deadline = deps.deadline;
          const beforeDeadline = (): boolean => !deadline || deps.now().getTime() < deadline.getTime();
          clients = await untilComplete(
            () =>
              revertClientSwitches(
                { identity: cutoverIdentity, switches, timeoutMinutes: clientSwitchTimeoutMinutes },
                { clientSwitches, artifacts: deps.artifacts, now: deps.now },
              ),
            deps.sleep ?? sleepFor,
            CLIENT_SWITCH_POLL_MS,
            beforeDeadline,
          );
          notes.push(...clientNotes(clients));
          if (!clients.complete)
            failures.push(
              beforeDeadline()
                ? 'RollbackCutover: the client switches are not all back on the source.'
                : `RollbackCutover: the client switches are not all back on the source yet (this attempt's deadline came first, with cutover.clientSwitchTimeoutMinutes still running from ${clients.startedAt}): the retried delivery resumes them.`,
            );
        }
      } catch (err) {
        failures.push(`RollbackCutover (client switches): ${(err as Error).message}`);
      }
    }
    try {
      if (!pointer) throw new Error('the pointer of the plan was not wired');
      const replicated =
        (await deps.artifacts.getJson<string[]>(
          artifactKey(identity.migrationId, identity.executionName, 'replication/topics.json'),
        )) ?? [];
      const topics = wave ? replicated.filter((t) => waveOf(plan, wave).topics.includes(t)) : replicated;
      if (wave) notes.push(`Wave ${wave} is the last that fenced: its cutover is undone.`);
      cutover = await rollbackCutover(
        {
          identity: cutoverIdentity,
          topics: topics.length > 0 ? topics : [canaryTopicName(identity)],
          ...(plan.replication.canary === false ? {} : { canaryTopic: canaryTopicName(identity) }),
          rollbackWindowMinutes,
          reason: `Execution ${status}`,
        },
        {
          producers: pointer,
          ...(deps.target ? { target: deps.target } : {}),
          ...(deps.writeFence ? { writeFence: deps.writeFence } : {}),
          artifacts: deps.artifacts,
          now: () => decidedAt,
        },
      );
      notes.push(
        cutover.outcome === 'REVERTED'
          ? `Cutover undone: ${cutover.pointers.map((p) => `${p.role.toLowerCase()} pointer ${p.action.toLowerCase()}`).join(', ')}${cutover.writeFence ? '; the write fence removed' : ''}.`
          : cutover.outcome === 'POINT_OF_NO_RETURN'
            ? 'Past the point of no return: the pointer stays at the target; a person decides (failback or stay).'
            : 'The cutover had nothing to revert.',
      );
    } catch (err) {
      failures.push(`RollbackCutover: ${(err as Error).message}`);
    }
  } else notes.push('The cutover never started (no fence journaled): no pointer to restore.');

  // After the point of no return the replicator stays (the failback needs the way back decided by a person).
  const pastPointOfNoReturn = cutover?.outcome === 'POINT_OF_NO_RETURN';
  let failbackRelease: FenceRelease | undefined;
  const afterPointOfNoReturn: string[] = [];
  // A plan in waves: a failback fences every wave's pointer, so each wave's failback fence is released from its own
  // journal, behind its own pointer (a wave already returned to the source, or never fenced, is left as it is).
  const failbackReleases: Array<FenceRelease & { wave: string }> = [];
  if (pastPointOfNoReturn && (wave ? deps.pointerFor !== undefined : pointer !== undefined)) {
    try {
      for (const w of wave ? fencedWaves : [undefined]) {
        const waveIdentity: ExecutionIdentity = w ? { ...identity, wave: w } : identity;
        const wavePointer = w && deps.pointerFor ? deps.pointerFor(planForWave(plan, w)) : pointer;
        if (!wavePointer) continue;
        const switched = await readJournal<{ producersTargetValue?: string }, unknown>(
          deps.artifacts,
          waveIdentity,
          'switch',
        );
        const release = await releaseFailbackFenceFromJournal(waveIdentity, switched?.intent.producersTargetValue, {
          pointer: wavePointer,
          artifacts: deps.artifacts,
          now: deps.now,
        });
        if (!release) continue;
        const of = w ? ` of wave ${w}` : '';
        // As ReleaseFailbackFence does: the applications stopped at the failback fence and the consumers held on the
        // target start there again with the pointer's producers (where SwitchToTarget moved them, from their journals).
        const { switches } = (w ? planForWave(plan, w) : plan).cutover;
        const clients =
          release.outcome !== 'NOT_FENCED' && deps.clientSwitches && restartsOnFailbackRelease(switches)
            ? await restartClientSwitchesOnTarget(
                { identity: waveIdentity, switches, timeoutMinutes: plan.cutover.clientSwitchTimeoutMinutes },
                { clientSwitches: deps.clientSwitches, artifacts: deps.artifacts, now: deps.now },
              )
            : undefined;
        for (const c of clients ?? [])
          if (!c.complete)
            failures.push(
              `ReleaseFailbackFence: the client switch ${c.name}${of} was not started again on the target (${c.step}${c.detail ? `: ${c.detail}` : ''}).`,
            );
          else if (c.step !== 'UNTOUCHED')
            afterPointOfNoReturn.push(`The client switch ${c.name}${of} runs on the target again (${c.step}).`);
        const withClients = clients ? { ...release, clients } : release;
        if (w) failbackReleases.push({ ...withClients, wave: w });
        else failbackRelease = withClients;
        afterPointOfNoReturn.push(
          release.outcome === 'RELEASED'
            ? `The failback fence${of} was released: the pointer names the target again (${release.value ?? ''}); the target's producers write again.`
            : release.outcome === 'ALREADY_RELEASED'
              ? `The failback fence${of} was already released.`
              : `The pointer${of} does not hold this execution's failback fence (${release.value ?? 'no value'}): left as it is.`,
        );
      }
      const reverse = failbackReplicatorName(identity);
      if (deps.replicator && (await deps.replicator.find(reverse)))
        afterPointOfNoReturn.push(
          `The failback's reverse replicator ${reverse} is still running (target → source): a person decides whether to fail back again or stop it (docs/operator-guide.md, "Stop during a failback").`,
        );
    } catch (err) {
      failures.push(`ReleaseFailbackFence: ${(err as Error).message}`);
    }
    notes.push(...afterPointOfNoReturn);
  }
  let replication: ReplicationTeardownState | undefined;
  let target: TargetRollbackState | undefined;
  // Consumers-first waves still fed by the replication (their producers move in this wave or later): it is kept, as
  // the workflow's ReplicationFeedsConsumers? keeps it, and a person decides.
  const feeds =
    wave && plan.waves
      ? replicationFeedsIn(
          plan.waves,
          plan.waves.findIndex((w) => w.name === wave),
        )
      : [];
  const keptForConsumers = !pastPointOfNoReturn && feeds.length > 0;
  if (keptForConsumers)
    notes.push(
      `The replication and the target are kept: the consumers-first waves ${feeds.join(', ')} read on the target topics whose producers have not moved. Return their consumers (their pointer) or move the producers in a new execution, then stop the replicator with \`msk-migrate finish-replication ${identity.executionName}\`.`,
    );
  if (!pastPointOfNoReturn && !keptForConsumers) {
    // 2. The replication, by this execution's names.
    try {
      replication = await undoReplicationByNames(plan, identity, deps);
      notes.push(...replication.notes);
      if (replication.outcome === 'NOT_OURS') failures.push('RollbackReplication: the replicator is not ours');
    } catch (err) {
      failures.push(`RollbackReplication: ${(err as Error).message}`);
    }
    // 3. The target this execution created (only after its replicator is gone, and never while earlier waves use it).
    if (earlierWavesOnTarget.length > 0)
      notes.push(
        `The target is kept: the waves ${earlierWavesOnTarget.join(', ')} passed their point of no return and run on it.`,
      );
    else if (failures.length === 0) {
      try {
        target = await runRollbackTarget(
          {
            state: {
              input: plan,
              identity,
              execution: {
                id: executionArn,
                name,
                startedAt: new Date(event.detail.startDate ?? deps.now().getTime()).toISOString(),
              },
            },
          },
          { ...(deps.provisioner ? { provisioner: deps.provisioner } : {}), now: deps.now },
        );
        notes.push(...target.notes);
      } catch (err) {
        failures.push(`RollbackTarget: ${(err as Error).message}`);
      }
    }
  }

  // 4. The locks (also when a step failed: this execution will not run again; a person finishes from the report).
  const locksReleased = await releaseLocks();

  // 5. The report.
  const outcome: ReportOutcome =
    failures.length > 0
      ? 'ROLLBACK_FAILED'
      : pastPointOfNoReturn || keptForConsumers
        ? 'NEEDS_ATTENTION'
        : 'ROLLED_BACK';
  const keys = await writeMigrationReport(
    {
      outcome,
      migrationId: identity.migrationId,
      execution: {
        id: executionArn,
        name,
        ...(event.detail.startDate ? { startedAt: new Date(event.detail.startDate).toISOString() } : {}),
      },
      reportedAt: now(),
      phasesReached: [],
      error: errorOf(event),
      ...(failures.length > 0
        ? { rollbackError: { error: 'Migration.RollbackFailed', cause: failures.join(' ') } }
        : {}),
      ...(cutover || clients
        ? {
            rollbackCutover: {
              ...cutover,
              ...(clients ? { clients } : {}),
              by: 'compensator',
              ...(failbackRelease ? { failbackRelease } : {}),
              ...(failbackReleases.length > 0 ? { failbackReleases } : {}),
              ...(afterPointOfNoReturn.length > 0 ? { notes: afterPointOfNoReturn } : {}),
            },
          }
        : {}),
      ...(replication ? { rollbackReplication: replication } : {}),
      ...(target ? { rollbackTarget: target } : {}),
      locksReleased,
      approvals: [],
      unreadable: [],
    },
    deps,
  );
  await deps.artifacts.putJson(attemptKey, {
    decidedAt: windowDecidedAt ?? now(),
    outcome,
    attempts,
  } satisfies CompensatorAttempt);
  const result: Compensation = {
    ...base,
    outcome,
    locksReleased,
    notes: [...notes, ...failures],
    reportKey: keys.reportKey,
  };
  // A failed step is retried by the event's delivery (Lambda's async retries); every step is idempotent.
  if (failures.length > 0)
    throw new RollbackFailedError(
      `The compensator could not finish undoing ${executionArn}: ${failures.join(' ')} The report lists what was and was not undone.`,
      { executionArn, reportKey: keys.reportKey },
    );
  return result;
}

function clientNotes(clients: ClientSwitchProgress): string[] {
  return clients.switches.map((s) =>
    s.step === 'UNTOUCHED'
      ? `${s.name} (${s.subject}) was not changed by this execution: left alone.`
      : s.complete
        ? `${s.name} (${s.subject}) is back on the source (${s.step}).`
        : `${s.name} (${s.subject}) is returning to the source: ${s.step}${s.detail ? ` (${s.detail})` : ''}.`,
  );
}

const sleepFor: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
