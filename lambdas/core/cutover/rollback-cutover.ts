import * as z from 'zod';
import { RollbackFailedError } from '../errors';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';
import type { ExecutionIdentity } from '../replication/naming';
import { windowEndsAt } from './check-target-health';
import type { CommitProgress } from './commit-consumer-offsets';
import { FenceIntentSchema, type FenceIntent, type FenceRecord } from './fence-producers';
import { readJournal, writeDone } from './journal';
import {
  ExecutionIdentitySchema,
  fenceValue,
  loadEndOffsets,
  readEndOffsets,
  toPointerValue,
  watchedTopics,
  type PartitionEnd,
  type PointerRecord,
  partitionKey,
} from './model';
import type { SwitchRecord } from './switch-consumers';
import { WriteFenceUndoSchema, type WriteFenceUndo } from './write-fence';
import { lazySchema } from '../lazy-schema';

/**
 * RollbackCutover: the Catch target of every cutover step and of the rollback window. While the window is open it
 * puts each pointer this execution changed back to the value recorded before the cutover — producers first, so that
 * writes to the target stop as early as possible — and reports the records written to the target since the switch
 * (per partition: the target's end offset at the switch and now), so that they can be reconciled. It deletes no
 * records and never touches the source.
 *
 * It reads what was done from the cutover journal, not from the state: a step that failed after moving a pointer
 * never returned its record, but journaled its intent first. A pointer that holds neither the fence nor the target
 * value was moved by someone else; it is left alone and the rollback fails (Migration.RollbackFailed) after reverting
 * the rest.
 *
 * After the window has closed (the point of no return) it changes nothing: the target has taken writes the source
 * does not have, and switching back is a human decision (failback with reverse replication). It returns the decision
 * request for the PointOfNoReturnApproval state instead.
 */

export const RollbackCutoverRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    rollbackWindowMinutes: z.number().int().positive(),
    /** Why the rollback runs (`$.error.Error`), for the record. */
    reason: z.string().optional(),
  }),
);
export type RollbackCutoverRequest = z.infer<typeof RollbackCutoverRequestSchema>;

export const PointerRevertSchema = lazySchema(() =>
  z.object({
    pointer: z.string(),
    role: z.enum(['PRODUCERS', 'CONSUMERS']),
    action: z.enum(['REVERTED', 'ALREADY_REVERTED', 'UNTOUCHED', 'MOVED_BY_ANOTHER_WRITER']),
    /** The value put back (`null`: the pointer did not exist before and was removed). */
    restored: z.string().nullable(),
    found: z.string().nullable().optional(),
    changeId: z.string().optional(),
  }),
);

export const TargetWriteSchema = lazySchema(() =>
  z.object({
    topic: z.string(),
    partition: z.number().int(),
    fromOffset: z.string(),
    toOffset: z.string(),
    records: z.string(),
  }),
);
export type TargetWrite = z.infer<typeof TargetWriteSchema>;

export const TargetWritesReportSchema = lazySchema(() =>
  z.object({
    /** NONE: nothing was written; UNKNOWN: the target could not be read (see `reason`). */
    status: z.enum(['NONE', 'FOUND', 'UNKNOWN']),
    partitions: z.number().int().nonnegative(),
    records: z.string(),
    /** The first 20 partitions; all of them are under `key`. */
    sample: z.array(TargetWriteSchema),
    key: z.string(),
    reason: z.string().optional(),
  }),
);
export type TargetWritesReport = z.infer<typeof TargetWritesReportSchema>;

export const PointOfNoReturnDecisionSchema = lazySchema(() =>
  z.object({
    kind: z.literal('FAILBACK'),
    migrationId: z.string(),
    executionName: z.string(),
    switchedAt: z.string(),
    windowClosedAt: z.string(),
    requestedAt: z.string(),
    title: z.string(),
    summary: z.string(),
    options: z.array(
      z.object({ id: z.enum(['STAY_ON_TARGET', 'FAILBACK_WITH_REVERSE_REPLICATION']), description: z.string() }),
    ),
    reason: z.string().optional(),
  }),
);
export type PointOfNoReturnDecision = z.infer<typeof PointOfNoReturnDecisionSchema>;

export const RollbackCutoverResultSchema = lazySchema(() =>
  z.object({
    outcome: z.enum(['REVERTED', 'NOTHING_TO_REVERT', 'POINT_OF_NO_RETURN']),
    rolledBackAt: z.string(),
    pointers: z.array(PointerRevertSchema),
    targetWrites: TargetWritesReportSchema.optional(),
    /** The source's write fence (KAFKA_ACL / IAM_POLICY) removed: exactly what FenceProducers journaled it added. */
    writeFence: WriteFenceUndoSchema.optional(),
    decision: PointOfNoReturnDecisionSchema.optional(),
    reason: z.string().optional(),
  }),
);
export type RollbackCutoverResult = z.infer<typeof RollbackCutoverResultSchema>;

export interface RollbackCutoverDeps {
  readonly producers: CutoverSwitch;
  readonly consumers?: CutoverSwitch;
  /** Optional: an unreachable target must not stop the pointers going back; its writes are then UNKNOWN. */
  readonly target?: KafkaDataPlane;
  /** The plan's write fence (cutover.fence KAFKA_ACL / IAM_POLICY): needed to undo one the journal holds. */
  readonly writeFence?: WriteFence;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

/**
 * Undoes the write fence the fence journal records (intent or done: the plan is journaled before the fence is taken),
 * or returns undefined when this execution took none. Shared by RollbackCutover and FailbackCutover.
 */
export async function undoWriteFence(
  intent: Pick<FenceIntent, 'writeFence'> | undefined,
  writeFence: WriteFence | undefined,
): Promise<WriteFenceUndo | undefined> {
  const plan = intent?.writeFence;
  if (!plan) return undefined;
  if (!writeFence)
    throw new RollbackFailedError(
      `This execution took a ${plan.kind} write fence on ${plan.subject}, but the rollback was given no way to remove it: producers stay refused. Remove it by hand (the journal lists what was added) or rerun the rollback with the plan's cutover.fence.`,
      { writeFence: plan.subject },
    );
  return writeFence.undo(plan);
}

/**
 * When the rollback window of this execution's switch closes (`cutover/journal/switch.json` DONE plus the window), or
 * undefined when the pointer was never switched (the window is then open): how rollbackCutover decides, for a caller
 * that must decide the same before it (the compensator, before it returns the client switches).
 */
export async function rollbackWindowClosesAt(
  artifacts: ArtifactStore,
  identity: ExecutionIdentity,
  rollbackWindowMinutes: number,
): Promise<string | undefined> {
  const switched = await readJournal<unknown, SwitchRecord>(artifacts, identity, 'switch');
  return switched?.status === 'DONE' ? windowEndsAt(switched.record.switchedAt, rollbackWindowMinutes) : undefined;
}

export async function rollbackCutover(
  request: RollbackCutoverRequest,
  deps: RollbackCutoverDeps,
): Promise<RollbackCutoverResult> {
  const { identity } = RollbackCutoverRequestSchema.parse(request);
  const done = await readJournal<unknown, RollbackCutoverResult>(deps.artifacts, identity, 'rollback');
  if (done?.status === 'DONE') return RollbackCutoverResultSchema.parse(done.record);

  const fence = await readJournal<FenceIntent, FenceRecord>(deps.artifacts, identity, 'fence');
  const offsets = await readJournal<{ consumersFencedAt?: string }, CommitProgress>(
    deps.artifacts,
    identity,
    'offsets',
  );
  const switched = await readJournal<
    {
      targetEndsAtSwitch: SwitchRecord['targetEndsAtSwitch'];
      producersTargetValue: string;
      consumersTargetValue?: string;
    },
    SwitchRecord
  >(deps.artifacts, identity, 'switch');
  const now = deps.now();
  const rolledBackAt = now.toISOString();
  const reason = request.reason ? { reason: request.reason } : {};

  if (!fence) {
    const result: RollbackCutoverResult = { outcome: 'NOTHING_TO_REVERT', rolledBackAt, pointers: [], ...reason };
    await writeDone(deps.artifacts, identity, 'rollback', {}, result);
    return result;
  }

  const switchRecord = switched?.status === 'DONE' ? switched.record : undefined;
  if (switchRecord) {
    const closesAt = windowEndsAt(switchRecord.switchedAt, request.rollbackWindowMinutes);
    if (now.getTime() >= Date.parse(closesAt)) {
      const targetWrites = await reportTargetWrites(identity, request, deps, switchRecord.targetEndsAtSwitch.key);
      const decision = pointOfNoReturnDecision({
        identity,
        switchedAt: switchRecord.switchedAt,
        windowClosedAt: closesAt,
        now,
        targetWrites,
        ...reason,
      });
      // Not journaled as DONE: a later, approved failback is a different branch, and a retry must decide again.
      return { outcome: 'POINT_OF_NO_RETURN', rolledBackAt, pointers: [], targetWrites, decision, ...reason };
    }
  }

  const ours = (targetValue: string | undefined): Set<string> =>
    new Set([fenceValue(identity), ...(targetValue ? [targetValue] : [])]);
  const pointers: Array<z.infer<typeof PointerRevertSchema>> = [];
  const producersPrevious = fence.status === 'DONE' ? fence.record.producers.previous : fence.intent.producersPrevious;
  pointers.push(
    await revertPointer(
      'PRODUCERS',
      deps.producers,
      producersPrevious,
      ours(switched?.intent.producersTargetValue),
      true,
    ),
  );
  if (deps.consumers) {
    const consumersPrevious =
      fence.status === 'DONE' ? (fence.record.consumers?.previous ?? null) : (fence.intent.consumersPrevious ?? null);
    const touched = offsets !== undefined || switched !== undefined;
    pointers.push(
      await revertPointer(
        'CONSUMERS',
        deps.consumers,
        consumersPrevious,
        ours(switched?.intent.consumersTargetValue),
        touched,
      ),
    );
  }

  // After the pointers: producers that read the pointer see the source again before the source takes writes again.
  const writeFence = await undoWriteFence(FenceIntentSchema.parse(fence.intent), deps.writeFence);

  // A switch journaled without its record may have moved the producers: its target-end snapshot is the baseline.
  const atSwitchKey =
    switchRecord?.targetEndsAtSwitch.key ??
    (switched?.status === 'INTENT' ? switched.intent.targetEndsAtSwitch.key : undefined);
  const targetWrites = atSwitchKey ? await reportTargetWrites(identity, request, deps, atSwitchKey) : undefined;
  const result: RollbackCutoverResult = {
    outcome: 'REVERTED',
    rolledBackAt,
    pointers,
    ...(targetWrites ? { targetWrites } : {}),
    ...(writeFence ? { writeFence } : {}),
    ...reason,
  };
  const moved = pointers.filter((p) => p.action === 'MOVED_BY_ANOTHER_WRITER');
  if (moved.length > 0) {
    throw new RollbackFailedError(
      `${moved.map((p) => `${p.pointer} holds "${p.found}"`).join('; ')}: neither this execution's fence nor its target value, so another writer moved it; it was left alone. ` +
        `Decide by hand whether to put back ${moved.map((p) => (p.restored === null ? 'nothing (remove it)' : `"${p.restored}"`)).join(', ')}.`,
      { result },
    );
  }
  await writeDone(deps.artifacts, identity, 'rollback', {}, result);
  return result;
}

async function revertPointer(
  role: 'PRODUCERS' | 'CONSUMERS',
  pointer: CutoverSwitch,
  previous: PointerRecord['previous'],
  ours: ReadonlySet<string>,
  touched: boolean,
): Promise<z.infer<typeof PointerRevertSchema>> {
  const base = { pointer: pointer.pointer, role, restored: previous?.value ?? null };
  const current = await pointer.read();
  if (current?.value === previous?.value) return { ...base, action: touched ? 'ALREADY_REVERTED' : 'UNTOUCHED' };
  if (current !== undefined && !ours.has(current.value))
    return { ...base, action: 'MOVED_BY_ANOTHER_WRITER', found: current.value };
  const reverted = await pointer.revert(toPointerValue(previous));
  return { ...base, action: 'REVERTED', ...(reverted.changeId ? { changeId: reverted.changeId } : {}) };
}

/** Per partition, what the target holds beyond its end offsets at the switch: the writes made since. */
export async function reportTargetWrites(
  identity: ExecutionIdentity,
  request: Pick<RollbackCutoverRequest, 'topics' | 'canaryTopic'>,
  deps: Pick<RollbackCutoverDeps, 'target' | 'artifacts'>,
  atSwitchKey: string,
): Promise<TargetWritesReport> {
  const key = artifactKey(
    identity.migrationId,
    identity.executionName,
    identity.wave
      ? `rollback/waves/${identity.wave}/target-writes-since-switch.json`
      : 'rollback/target-writes-since-switch.json',
  );
  const unknown = async (why: string): Promise<TargetWritesReport> => {
    await deps.artifacts.putJson(key, { kind: 'target-writes-since-switch', status: 'UNKNOWN', reason: why });
    return { status: 'UNKNOWN', partitions: 0, records: '0', sample: [], key, reason: why };
  };
  const atSwitch = await loadEndOffsets(deps.artifacts, atSwitchKey);
  if (!atSwitch) return unknown(`The target's end offsets at the switch (${atSwitchKey}) are missing.`);
  if (!deps.target) return unknown('No target connection was given to the rollback.');
  let nowEnds: PartitionEnd[];
  try {
    nowEnds = await readEndOffsets(deps.target, watchedTopics(request.topics, request.canaryTopic));
  } catch (err) {
    return unknown(
      `The target cannot be read: ${(err as Error).message}. Read its end offsets once it answers and compare them with ${atSwitchKey}.`,
    );
  }
  const before = new Map(atSwitch.map((e) => [partitionKey(e), e.high]));
  const writes: TargetWrite[] = [];
  for (const e of nowEnds) {
    const from = before.get(partitionKey(e)) ?? '0';
    const records = BigInt(e.high) - BigInt(from);
    if (records > 0n)
      writes.push({
        topic: e.topic,
        partition: e.partition,
        fromOffset: from,
        toOffset: e.high,
        records: records.toString(),
      });
  }
  const total = writes.reduce((n, w) => n + BigInt(w.records), 0n).toString();
  await deps.artifacts.putJson(key, {
    kind: 'target-writes-since-switch',
    status: writes.length > 0 ? 'FOUND' : 'NONE',
    records: total,
    partitions: writes,
    atSwitchKey,
  });
  return {
    status: writes.length > 0 ? 'FOUND' : 'NONE',
    partitions: writes.length,
    records: total,
    sample: writes.slice(0, 20),
    key,
  };
}

/** The request for a human decision once the window has closed: the workflow never switches back on its own then. */
export function pointOfNoReturnDecision(args: {
  identity: ExecutionIdentity;
  switchedAt: string;
  windowClosedAt: string;
  now: Date;
  targetWrites?: TargetWritesReport;
  reason?: string;
}): PointOfNoReturnDecision {
  const writes =
    args.targetWrites?.status === 'FOUND'
      ? `The target has taken ${args.targetWrites.records} record(s) in ${args.targetWrites.partitions} partition(s) since the switch that the source does not have.`
      : args.targetWrites?.status === 'NONE'
        ? 'The target has taken no records since the switch.'
        : 'Whether the target has taken records since the switch is unknown.';
  return {
    kind: 'FAILBACK',
    migrationId: args.identity.migrationId,
    executionName: args.identity.executionName,
    switchedAt: args.switchedAt,
    windowClosedAt: args.windowClosedAt,
    requestedAt: args.now.toISOString(),
    title: `Migration ${args.identity.migrationId}: the point of no return has passed`,
    summary: `The rollback window closed at ${args.windowClosedAt}; the clients have used the target since ${args.switchedAt}. ${writes} Nothing was switched back automatically.`,
    options: [
      { id: 'STAY_ON_TARGET', description: 'Keep the clients on the target and fix the failure there.' },
      {
        id: 'FAILBACK_WITH_REVERSE_REPLICATION',
        description: 'Replicate target → source, then run a new, approved single-writer cutover back to the source.',
      },
    ],
    ...(args.reason ? { reason: args.reason } : {}),
  };
}
