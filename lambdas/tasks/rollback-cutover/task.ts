import * as z from 'zod';
import {
  CLIENT_SWITCH_POLL_MS,
  ClientSwitchProgressSchema,
  ClientSwitchStepSchema,
  holdConsumerSwitchesOnTarget,
  holdsAtFence,
  revertClientSwitches,
  untilComplete,
  type ClientSwitchProgress,
  type Sleep,
} from '../../core/cutover/client-switches';
import { FenceIntentSchema } from '../../core/cutover/fence-producers';
import type { ClientSwitchFactory } from '../../ports/client-switch';
import { readJournal } from '../../core/cutover/journal';
import { cutoverKey, toPointerValue } from '../../core/cutover/model';
import {
  PointerRevertSchema,
  RollbackCutoverResultSchema,
  rollbackCutover,
  undoWriteFence,
} from '../../core/cutover/rollback-cutover';
import { WriteFenceUndoSchema, type WriteFenceUndo } from '../../core/cutover/write-fence';
import { CutoverFailedError, InputInvalidError, RollbackFailedError } from '../../core/errors';
import { FailbackStateSchema, FailbackOffsetsCommittedSchema } from '../../core/failback/state';
import { runCommitFailbackOffsets } from '../../core/failback/tasks';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';
import type { Replicator } from '../../ports/replicator';
import { FailbackFenceSchema, failbackFenceJournalKey } from '../../core/failback/fence';
import type { ExecutionIdentity } from '../../core/replication/naming';
import { waveForward } from '../shared/failback-waves';
import { CutoverStateSchema, clientSwitchTargetOf, cutoverScope, minutesSince } from '../shared/cutover-state';
import { ExecutionStateSchema, ReplicationPhaseSchema, scopeToCurrentWave } from '../shared/execution-state';
import { identityOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * RollbackCutover (`mode: ROLLBACK`, the Catch of every cutover step and of the rollback window) and FailbackCutover
 * (`mode: FAILBACK`, after the failback drained).
 *
 * ROLLBACK: the core puts back, from the cutover journal, only the pointers this execution moved (a pointer someone
 * else moved is left alone and fails the rollback with Migration.RollbackFailed), and reports the records written to
 * the target since the switch. When the cutover never started (no fence journaled) nothing is changed and the result
 * says so. The workflow reaches this state only before PointOfNoReturn, so the window is open by definition: an
 * unhealthy target keeps it open past rollbackWindowMinutes (CheckTargetHealth), and the core is told so.
 *
 * FAILBACK: the consumers no fence stops (Lambda event source mappings, sink connectors) that SwitchToTarget moved
 * to the target are held at the target's end first (stepped within this invocation, journaled), as
 * CommitConsumerOffsets held them at the source's end; then the consumer groups' exact translated offsets are
 * committed on the source (runCommitFailbackOffsets),
 * then the pointer goes from the failback fence back to the value recorded before the cutover, the source's write
 * fence is lifted, and the plan's client switches return to the source configuration they journaled before the
 * cutover (stepped until all are back, within cutover.clientSwitchTimeoutMinutes; each switch's return journaled).
 * Journaled: a retry after the offsets were committed does not commit them again (the consumers may already be
 * reading the source), nor steps a switch already back.
 */

export const Input = lazySchema(() =>
  z.object({
    state: ExecutionStateSchema.extend({
      replication: ReplicationPhaseSchema.optional(),
      cutover: CutoverStateSchema.optional(),
      failback: FailbackStateSchema.optional(),
      failbackFence: FailbackFenceSchema.optional(),
    }).transform(scopeToCurrentWave),
    mode: z.enum(['ROLLBACK', 'FAILBACK']),
  }),
);
export type Input = z.infer<typeof Input>;

export const RollbackOutput = lazySchema(() =>
  RollbackCutoverResultSchema.extend({
    mode: z.literal('ROLLBACK'),
    /** The plan's client switches on their way back; the Choice ClientsReverted? reads `complete`. */
    clients: ClientSwitchProgressSchema.optional(),
    /** One sentence per thing done or left, for the report. */
    notes: z.array(z.string()),
  }),
);

export const FailbackCutoverOutput = lazySchema(() =>
  z.object({
    mode: z.literal('FAILBACK'),
    outcome: z.literal('FAILED_BACK'),
    at: z.string(),
    pointer: PointerRevertSchema,
    offsets: z.object({
      partitionsCommitted: z.number().int().nonnegative(),
      groups: z.number().int().nonnegative(),
      skippedActiveGroups: z.array(z.string()),
      evidenceKey: z.string(),
    }),
    /** From the failback fence to the pointer's return: how long the target's producers held. */
    writePauseMs: z.number().int().nonnegative(),
    /** The source's write fence, removed now that producers go back to the source. */
    writeFence: WriteFenceUndoSchema.optional(),
    /** The plan's client switches, returned to the source configuration journaled before the cutover moved them. */
    clients: ClientSwitchProgressSchema.optional(),
    /** The consumers held at the target's end before their offsets were translated back (their last step). */
    held: z.array(ClientSwitchStepSchema).optional(),
    notes: z.array(z.string()),
  }),
);

export const Output = lazySchema(() => z.discriminatedUnion('mode', [RollbackOutput, FailbackCutoverOutput]));
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly pointer: CutoverSwitch;
  /** ROLLBACK: optional (an unreachable target must not keep the pointer on it; its writes are then UNKNOWN). */
  readonly target?: KafkaDataPlane;
  /** FAILBACK: the offsets are committed there. */
  readonly source?: KafkaDataPlane;
  /** The plan's write fence on the source (cutover.fence): removed by the rollback and by the failback. */
  readonly writeFence?: WriteFence;
  /** The plan's client switches (cutover.switches): returned to what was journaled before this execution moved them. */
  readonly clientSwitches?: ClientSwitchFactory;
  /** Between two steps of the client switches. @default a timer */
  readonly sleep?: Sleep;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export async function runRollbackCutover(input: Input, deps: Deps): Promise<Output> {
  return input.mode === 'FAILBACK' ? failbackCutover(input, deps) : rollback(input, deps);
}

async function rollback(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const now = deps.now();
  const reason = state.error?.Error;
  if (!state.replication) {
    return RollbackOutput.parse({
      mode: 'ROLLBACK',
      outcome: 'NOTHING_TO_REVERT',
      rolledBackAt: now.toISOString(),
      pointers: [],
      ...(reason ? { reason } : {}),
      notes: [
        'The cutover never started (no replication in this execution): no pointer was changed, nothing to revert.',
      ],
    });
  }
  const planned = state.input.cutover.rollbackWindowMinutes;
  // Before PointOfNoReturn the window is open whatever the clock says; the core decides by the clock, so its window
  // is made to span the execution so far. After it (not reachable from the ASL) the plan's window applies.
  const windowMinutes = state.pointOfNoReturn
    ? Math.max(1, planned)
    : Math.max(1, planned, minutesSince(state.execution.startedAt, now) + 1);
  const scope = await cutoverScope(state, deps.artifacts);
  // The client switches first, stepped until all are back (within cutover.clientSwitchTimeoutMinutes); a failure is
  // raised after the pointers and the write fence went back, so that one stuck application does not keep the rest moved.
  const { switches, clientSwitchTimeoutMinutes } = state.input.cutover;
  let clients: ClientSwitchProgress | undefined;
  let clientsError: unknown;
  if (switches.length > 0 && !state.pointOfNoReturn) {
    try {
      if (!deps.clientSwitches)
        throw new RollbackFailedError(
          'The plan names cutover.switches, but this runtime has no client switch adapters: they were not returned to the source.',
        );
      const clientSwitches = deps.clientSwitches;
      clients = await untilComplete(
        () =>
          revertClientSwitches(
            { identity: scope.identity, switches, timeoutMinutes: clientSwitchTimeoutMinutes },
            { clientSwitches, artifacts: deps.artifacts, now: deps.now },
          ),
        deps.sleep ?? sleepFor,
      );
    } catch (err) {
      clientsError = err;
    }
  }
  const result = await rollbackCutover(
    {
      ...scope,
      rollbackWindowMinutes: windowMinutes,
      ...(reason ? { reason } : {}),
    },
    {
      producers: deps.pointer,
      ...(deps.target ? { target: deps.target } : {}),
      ...(deps.writeFence ? { writeFence: deps.writeFence } : {}),
      artifacts: deps.artifacts,
      now: deps.now,
    },
  );
  if (clientsError) throw clientsError;
  const notes = rollbackNotes(result);
  if (clients) notes.push(...clientNotes(clients));
  return RollbackOutput.parse({ ...result, mode: 'ROLLBACK', ...(clients ? { clients } : {}), notes });
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

function rollbackNotes(result: z.infer<typeof RollbackCutoverResultSchema>): string[] {
  if (result.outcome === 'NOTHING_TO_REVERT')
    return [
      'The cutover never started (no fence was journaled by this execution): no pointer was changed, nothing to revert.',
    ];
  if (result.outcome === 'POINT_OF_NO_RETURN')
    return ['Past the point of no return: nothing was switched back; a person decides (failback or stay).'];
  const notes = result.pointers.map((p) => {
    const restored = p.restored === null ? 'removed (it did not exist before)' : `back to "${p.restored}"`;
    switch (p.action) {
      case 'REVERTED':
        return `${p.pointer} ${restored}.`;
      case 'ALREADY_REVERTED':
        return `${p.pointer} already held its value from before the cutover.`;
      case 'UNTOUCHED':
        return `${p.pointer} was not changed by this execution: left alone.`;
      case 'MOVED_BY_ANOTHER_WRITER':
        return `${p.pointer} holds "${p.found ?? ''}", set by someone else: left alone.`;
    }
  });
  const writes = result.targetWrites;
  if (writes?.status === 'FOUND')
    notes.push(
      `The target took ${writes.records} record(s) in ${writes.partitions} partition(s) after the switch; they are not on the source (${writes.key}).`,
    );
  else if (writes?.status === 'NONE') notes.push('The target took no records after the switch.');
  else if (writes?.status === 'UNKNOWN')
    notes.push(`The target's writes since the switch are unknown: ${writes.reason ?? ''}`);
  else notes.push('The clients were never switched to the target: nothing was written there by them.');
  if (result.writeFence) notes.push(...writeFenceNotes(result.writeFence));
  notes.push('No record was deleted; the source was not written.');
  return notes;
}

/** commitFailbackOffsets reads and commits offsets only: the replicator is not part of it. */
const NO_REPLICATOR: Replicator = {
  engine: 'MIRROR_MAKER_2',
  find: () => Promise.reject(new Error('FailbackCutover does not call the replicator')),
  countExisting: () => Promise.reject(new Error('FailbackCutover does not call the replicator')),
  create: () => Promise.reject(new Error('FailbackCutover does not call the replicator')),
  describe: () => Promise.reject(new Error('FailbackCutover does not call the replicator')),
  delete: () => Promise.reject(new Error('FailbackCutover does not call the replicator')),
};

type HeldSteps = z.infer<typeof ClientSwitchStepSchema>[];
type FailbackCutoverJournal =
  | { status: 'OFFSETS'; offsets: z.infer<typeof FailbackOffsetsCommittedSchema>; held?: HeldSteps }
  | {
      status: 'DONE';
      offsets: z.infer<typeof FailbackOffsetsCommittedSchema>;
      record: z.infer<typeof FailbackCutoverOutput>;
    };

async function failbackCutover(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const identity = identityOf(state);
  const { failback } = state;
  // A plan in waves: the current wave's own forward fence and failback fence, from its journals ($.cutover is the last
  // wave's, $.failbackFence the last fenced one's), and its own consumer groups.
  const wave = identity.wave;
  const failbackFence = wave ? await waveFailbackFence(identity, deps.artifacts) : state.failbackFence;
  const fence = wave ? (await waveForward({ ...identity, wave }, deps.artifacts))?.fence : state.cutover?.fence;
  if (!failback || !failbackFence || !fence)
    throw new InputInvalidError(
      wave
        ? `FailbackCutover of wave ${wave} needs $.failback (StartFailback) and the wave's journals of FenceProducers and FenceForFailback (cutover/waves/${wave}/journal/fence.json, failback-fence.json).`
        : 'FailbackCutover needs $.failback (StartFailback), $.failbackFence (FenceForFailback) and $.cutover.fence (FenceProducers).',
    );
  if (!deps.source || !deps.target)
    throw new InputInvalidError(
      'FailbackCutover needs both clusters: the offsets are read on the target and committed on the source.',
    );
  const journalKey = cutoverKey(identity, 'journal/failback-cutover.json');
  const journal = await deps.artifacts.getJson<FailbackCutoverJournal>(journalKey);
  if (journal?.status === 'DONE') return FailbackCutoverOutput.parse(journal.record);

  const { switches, clientSwitchTimeoutMinutes, consumerCatchUpSeconds } = state.input.cutover;
  let offsets = journal?.offsets;
  let held = journal?.held;
  if (!offsets) {
    // The mappings and sink connectors on the target would consume (and commit) while their offsets are translated:
    // held at the target's end first, as CommitConsumerOffsets held them at the source's.
    if (switches.some(holdsAtFence)) {
      if (!deps.clientSwitches)
        throw new CutoverFailedError(
          'The plan names consumers to hold before the failback translates their offsets (cutover.switches: an event source mapping or a sink connector), but this runtime has no client switch adapters.',
        );
      const clientSwitches = deps.clientSwitches;
      const scope = await cutoverScope(state, deps.artifacts);
      const target = deps.target;
      const hold = await untilComplete(
        () =>
          holdConsumerSwitchesOnTarget(
            {
              identity,
              switches,
              timeoutMinutes: clientSwitchTimeoutMinutes,
              topics: scope.canaryTopic ? [...scope.topics, scope.canaryTopic] : scope.topics,
              catchUpSeconds: consumerCatchUpSeconds,
              target: clientSwitchTargetOf(state),
            },
            { clientSwitches, artifacts: deps.artifacts, now: deps.now, target },
          ),
        deps.sleep ?? sleepFor,
        CLIENT_SWITCH_POLL_MS,
      );
      if (!hold.complete)
        throw new CutoverFailedError(
          `The consumers on the target were not held: ${hold.switches
            .filter((s) => !s.complete)
            .map((s) => `${s.name} (${s.step})`)
            .join('; ')}. Their offsets were not translated back.`,
        );
      held = hold.switches;
    }
    // The wave's groups only, its evidence under failback/waves/<name>/ (the reverse replication is every wave's).
    const scoped = wave
      ? {
          ...failback,
          identity: { ...failback.identity, wave },
          consumerGroups: {
            include: [...state.input.replication.consumerGroups.include],
            exclude: [...state.input.replication.consumerGroups.exclude],
          },
        }
      : failback;
    offsets = await runCommitFailbackOffsets(scoped, {
      replicator: NO_REPLICATOR,
      artifacts: deps.artifacts,
      source: deps.source,
      target: deps.target,
      now: deps.now,
    });
    await deps.artifacts.putJson(journalKey, { status: 'OFFSETS', offsets, ...(held ? { held } : {}) });
  }

  const previous = fence.producers.previous;
  const base = { pointer: deps.pointer.pointer, role: 'PRODUCERS' as const, restored: previous?.value ?? null };
  const current = await deps.pointer.read();
  let pointer: z.infer<typeof PointerRevertSchema>;
  if (current?.value === previous?.value) pointer = { ...base, action: 'ALREADY_REVERTED' };
  else if (current?.value !== failbackFence.fenceValue) {
    throw new RollbackFailedError(
      `${deps.pointer.pointer} holds ${current ? `"${current.value}"` : 'nothing'}, not the failback fence "${failbackFence.fenceValue}": someone moved it after FenceForFailback, so it was left alone. ` +
        `The offsets are committed on the source (${offsets.evidenceKey}); put back ${previous ? `"${previous.value}"` : 'nothing (remove it)'} by hand once the clients are accounted for.`,
      { pointer: deps.pointer.pointer, found: current?.value ?? null },
    );
  } else {
    const reverted = await deps.pointer.revert(toPointerValue(previous));
    pointer = { ...base, action: 'REVERTED', ...(reverted.changeId ? { changeId: reverted.changeId } : {}) };
  }
  // Producers go back to the source: the source's write fence (if this execution took one) is lifted now.
  const fenceJournal = await readJournal<unknown, unknown>(deps.artifacts, identity, 'fence');
  const writeFence = await undoWriteFence(
    fenceJournal ? FenceIntentSchema.parse(fenceJournal.intent) : undefined,
    deps.writeFence,
  );
  // The applications the cutover moved go back to the source too, after the fence on the source was lifted (a
  // producer restarted there before would be refused) and the offsets committed (consumers resume from them).
  let clients: ClientSwitchProgress | undefined;
  if (switches.length > 0) {
    if (!deps.clientSwitches)
      throw new RollbackFailedError(
        'The plan names cutover.switches, but this runtime has no client switch adapters: they were not returned to the source.',
      );
    const clientSwitches = deps.clientSwitches;
    clients = await untilComplete(
      () =>
        revertClientSwitches(
          { identity, switches, timeoutMinutes: clientSwitchTimeoutMinutes, pass: 'failback' },
          { clientSwitches, artifacts: deps.artifacts, now: deps.now },
        ),
      deps.sleep ?? sleepFor,
    );
  }
  const at = deps.now().toISOString();
  const record = FailbackCutoverOutput.parse({
    mode: 'FAILBACK',
    outcome: 'FAILED_BACK',
    at,
    pointer,
    offsets: {
      partitionsCommitted: offsets.committed.length,
      groups: new Set(offsets.committed.map((c) => c.groupId)).size,
      skippedActiveGroups: offsets.skippedActiveGroups,
      evidenceKey: offsets.evidenceKey,
    },
    writePauseMs: Math.max(0, Date.parse(at) - Date.parse(failbackFence.fencedAt)),
    ...(writeFence ? { writeFence } : {}),
    ...(clients ? { clients } : {}),
    ...(held ? { held } : {}),
    notes: [
      ...(held ? heldNotes(held) : []),
      ...(writeFence ? writeFenceNotes(writeFence) : []),
      ...(clients ? clientNotes(clients) : []),
      `${offsets.committed.length} group partition(s) committed on the source at their translated offsets.`,
      ...(offsets.skippedActiveGroups.length > 0
        ? [`Groups with members on the source were left alone: ${offsets.skippedActiveGroups.slice(0, 5).join(', ')}.`]
        : []),
      pointer.action === 'REVERTED'
        ? `${pointer.pointer} back to ${previous ? `"${previous.value}"` : 'nothing (removed)'}, its value before the cutover.`
        : `${pointer.pointer} already held its value from before the cutover.`,
    ],
  });
  await deps.artifacts.putJson(journalKey, { status: 'DONE', offsets, record });
  return record;
}

/** The failback fence FenceForFailback journaled for the wave `identity` names (DONE), or undefined. */
async function waveFailbackFence(
  identity: ExecutionIdentity,
  artifacts: ArtifactStore,
): Promise<z.infer<typeof FailbackFenceSchema> | undefined> {
  const journal = await artifacts.getJson<{ status: string; record?: unknown }>(failbackFenceJournalKey(identity));
  return journal?.status === 'DONE' ? FailbackFenceSchema.parse(journal.record) : undefined;
}

/** RollbackCutover as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'RollbackCutover',
  Input,
  Output,
  needs: {
    pointer: 'pointer',
    // a rollback moves the pointer back even when the target cannot be reached; the failback needs it
    target: { oneOf: ['target'], pick: () => 'target', bestEffort: (input) => input.mode !== 'FAILBACK' },
    // the failback commits the translated offsets on the source
    source: { oneOf: ['source'], pick: (input) => (input.mode === 'FAILBACK' ? 'source' : undefined) },
    clientSwitches: 'clientSwitches',
    writeFence: 'writeFence',
    artifacts: 'artifacts',
    now: 'clock',
  },
  run: runRollbackCutover,
});

function heldNotes(held: HeldSteps): string[] {
  return held
    .filter((s) => s.step !== 'UNTOUCHED')
    .map(
      (s) =>
        `${s.name} (${s.subject}) was held on the target before its offsets were translated back (${s.step}${s.detail ? `: ${s.detail}` : ''}).`,
    );
}

function writeFenceNotes(undo: WriteFenceUndo): string[] {
  const what = undo.kind === 'KAFKA_ACL' ? 'DENY WRITE binding(s)' : 'role polic(ies)';
  return [
    `Write fence on ${undo.subject}: ${undo.removed} ${what} this execution added removed or put back, ${undo.leftAlone} left as they were.`,
    ...undo.notes,
  ];
}

const sleepFor: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
