import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { ReplicationEndpoint, ReplicationEngine, Replicator, ReplicatorSpec } from '../../ports/replicator';
import { LagTimeoutError, ReplicationFailedError } from '../errors';
import { loadEndOffsets, readEndOffsets, type PartitionEnd } from '../cutover/model';
import { mm2InternalTopics } from '../replication/mm2-config';
import {
  failbackReplicatorName,
  isOwnedBy,
  literalPattern,
  ownershipTags,
  type ExecutionIdentity,
} from '../replication/naming';
import {
  checkReplication,
  startReplication,
  stopReplication,
  type ReplicationLimits,
} from '../replication/replication';
import { selectGroups, type NameFilter } from '../replication/topic-selection';
import { DEFAULT_IGNORED_HEADERS } from '../validation/record-digest';
import { readDigests } from '../validation/record-continuity';
import type { FailbackOffsetsCommitted, FailbackState, FailbackStopped } from './state';

/**
 * Failback: after the point of no return producers write to the target and the source is stale. A failback copies
 * back to the source only what was written to the target since the cutover switch (never what the forward
 * replication had copied there, which would duplicate the history on the source), lets the engine translate the
 * consumer groups' offsets back, and checks both by content; the pointers then move back with the cutover's own
 * functions (FailbackCutover), and StopFailback deletes the reverse replicator.
 *
 * - MSK Replicator: a second replicator target → source, IDENTICAL names, starting at EARLIEST (it skips the records
 *   that came from the source: they carry its `__mskmr` header), ENHANCED offset sync (which needs the forward one to
 *   be ENHANCED too and running: bidirectional). AWS's own failback procedure for identical topic names.
 * - MirrorMaker 2: the flow `target->source`, started per partition at the target's end offset of the switch (seeded
 *   into its Connect offsets topic, see mm2StartOffsetRecords). The forward flow is stopped first: with identical
 *   names MirrorMaker 2 cannot tell a copied record from a produced one and would copy the records back and forth.
 */

export const FAILBACK_ROLE_TAG = 'msk-migration:role';
export const FAILBACK_ROLE = 'failback';

/** MirrorMaker 2's cluster aliases: the migration's clusters keep their names, the failback runs `target->source`. */
export const FAILBACK_FLOW_ALIASES = { source: 'target', target: 'source' } as const;

/** Where a partition's failback starts on the target and where its copies land on the source. */
export interface FailbackPosition {
  readonly topic: string;
  readonly partition: number;
  /** The target's end offset at the switch: the first record a producer wrote there. */
  readonly targetStart: string;
  /** The source's end offset when the failback started: where the first copied record lands. */
  readonly sourceBase: string;
}

export interface FailbackPlanInput {
  readonly identity: ExecutionIdentity;
  readonly engine: ReplicationEngine;
  readonly source: ReplicationEndpoint;
  readonly target: ReplicationEndpoint;
  readonly topicFilter: NameFilter;
  readonly consumerGroups: NameFilter;
  readonly canaryTopic?: string;
  readonly forwardOffsetSyncMode: 'LEGACY' | 'ENHANCED';
  readonly acceptUntranslatedOffsets?: boolean;
  readonly mskConnect?: unknown;
  readonly tags?: Readonly<Record<string, string>>;
  /** The target's end offsets at the switch. */
  readonly switchTargetOffsets: readonly PartitionEnd[];
  /** The target's offsets now (its log start shows whether retention removed post-switch records). */
  readonly targetNow: readonly PartitionEnd[];
  /** The source's end offsets now (nothing has flowed back yet). */
  readonly sourceNow: readonly PartitionEnd[];
  /** The source's end offsets at the fence, when recorded. */
  readonly sourceAtFence?: readonly PartitionEnd[];
}

export interface FailbackPlan {
  readonly spec: ReplicatorSpec;
  readonly positions: FailbackPosition[];
  readonly offsetTranslation: 'ENGINE' | 'NONE';
  readonly notes: string[];
}

const tp = (p: { topic: string; partition: number }): string => `${p.topic}-${p.partition}`;

/** Pure: the reverse replicator's spec and the per-partition positions, or Migration.ReplicationFailed saying why not. */
export function planFailback(input: FailbackPlanInput): FailbackPlan {
  if (input.mskConnect !== undefined) {
    throw new ReplicationFailedError(
      'Failback is not offered for MirrorMaker 2 on MSK Connect: its connectors cannot be started from given offsets, so the whole history of the target would be copied back onto the source. Copy the records written since the switch by hand, or run MirrorMaker 2 yourself (dedicated mode) from the offsets in the failback evidence.',
    );
  }
  let offsetSyncMode: 'LEGACY' | 'ENHANCED' = 'ENHANCED';
  let offsetTranslation: FailbackPlan['offsetTranslation'] = 'ENGINE';
  const notes: string[] = [];
  if (input.engine === 'MSK_REPLICATOR' && input.forwardOffsetSyncMode !== 'ENHANCED') {
    if (!input.acceptUntranslatedOffsets) {
      throw new ReplicationFailedError(
        'The forward MSK Replicator uses LEGACY consumer-group offset sync, which does not translate offsets back to the source: consumers moved back would resume from their offsets of before the cutover. Approve the failback with acceptUntranslatedOffsets: true to accept those re-reads, or (next time) start the migration with replication.offsetSyncMode ENHANCED.',
        { forwardOffsetSyncMode: input.forwardOffsetSyncMode },
      );
    }
    offsetSyncMode = 'LEGACY';
    offsetTranslation = 'NONE';
    notes.push(
      'Consumer-group offsets are not translated back (forward replicator LEGACY, accepted by the approver): groups resume on the source from their offsets of before the cutover.',
    );
  }

  const sourceNow = new Map(input.sourceNow.map((e) => [tp(e), e]));
  const targetNow = new Map(input.targetNow.map((e) => [tp(e), e]));
  const positions: FailbackPosition[] = [];
  const trimmed: string[] = [];
  for (const atSwitch of [...input.switchTargetOffsets].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  )) {
    if (atSwitch.topic === input.canaryTopic) continue;
    const now = targetNow.get(tp(atSwitch));
    if (now && BigInt(now.low) > BigInt(atSwitch.high))
      trimmed.push(`${tp(atSwitch)} (offsets ${atSwitch.high}–${BigInt(now.low) - 1n})`);
    positions.push({
      topic: atSwitch.topic,
      partition: atSwitch.partition,
      targetStart: atSwitch.high,
      sourceBase: sourceNow.get(tp(atSwitch))?.high ?? '0',
    });
  }
  if (trimmed.length > 0) {
    throw new ReplicationFailedError(
      `Records written to the target since the switch are gone from it (retention or deleteRecords) and cannot be copied back: ${trimmed.slice(0, 5).join(', ')}${trimmed.length > 5 ? ` and ${trimmed.length - 5} more` : ''}. Failback would lose them; reconcile them from your own records first.`,
      { partitions: trimmed.length },
    );
  }
  if (input.sourceAtFence) {
    const fence = new Map(input.sourceAtFence.map((e) => [tp(e), e]));
    let written = 0n;
    for (const p of positions) {
      const before = fence.get(tp(p));
      if (before) written += BigInt(p.sourceBase) - BigInt(before.high);
    }
    if (written > 0n)
      notes.push(
        `The source received ${written} record(s) after the fence, not from this migration: they stay, and the records copied back land after them.`,
      );
  }

  const spec: ReplicatorSpec = {
    name: failbackReplicatorName(input.identity),
    source: input.target,
    target: input.source,
    topics: {
      include: [...input.topicFilter.include],
      exclude: [...input.topicFilter.exclude, ...(input.canaryTopic ? [literalPattern(input.canaryTopic)] : [])],
    },
    consumerGroups: { include: [...input.consumerGroups.include], exclude: [...input.consumerGroups.exclude] },
    // MSK Replicator skips records that came from its target (their `__mskmr` header); MirrorMaker 2 starts at
    // startOffsets, and partitions without one (created on the target since the switch) hold only new records.
    startingPosition: 'EARLIEST',
    // The source's topics keep their own configs: a failback only appends records.
    copyTopicConfigurations: false,
    detectAndCopyNewTopics: true,
    syncGroupOffsets: true,
    offsetSyncMode,
    tags: { ...(input.tags ?? {}), ...ownershipTags(input.identity), [FAILBACK_ROLE_TAG]: FAILBACK_ROLE },
    ...(input.engine === 'MIRROR_MAKER_2'
      ? {
          flowAliases: FAILBACK_FLOW_ALIASES,
          startOffsets: positions
            .filter((p) => BigInt(p.targetStart) > 0n)
            .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.targetStart })),
        }
      : {}),
  };
  return { spec, positions, offsetTranslation, notes };
}

/** A failback's evidence; a wave's own (a plan in waves: its offsets committed back) under `failback/waves/<name>/`. */
export function failbackKey(identity: ExecutionIdentity, name: string): string {
  return artifactKey(
    identity.migrationId,
    identity.executionName,
    identity.wave ? `failback/waves/${identity.wave}/${name}` : `failback/${name}`,
  );
}

export interface StartFailbackInput extends Omit<
  FailbackPlanInput,
  'switchTargetOffsets' | 'targetNow' | 'sourceNow' | 'sourceAtFence'
> {
  readonly topics: readonly string[];
  /** Without waves: the target's end offsets at the switch (required then) and the source's at the fence. */
  readonly switchTargetOffsetsKey?: string;
  readonly fenceSourceOffsetsKey?: string;
  /** A plan in waves: each wave that moved producers, with its topics and its own switch's and fence's keys. */
  readonly waves?: ReadonlyArray<{
    readonly wave: string;
    readonly topics: readonly string[];
    readonly switchTargetOffsetsKey: string;
    readonly fenceSourceOffsetsKey?: string;
  }>;
  readonly forwardHandle?: FailbackState['handle'];
  readonly catchUpTimeoutMinutes: number;
  readonly limits?: ReplicationLimits;
}

export interface FailbackDeps {
  readonly replicator: Replicator;
  readonly artifacts: ArtifactStore;
  /** The migration's source (A), which the failback writes to. */
  readonly source: KafkaDataPlane;
  /** The migration's target (B), which the failback reads from. */
  readonly target: KafkaDataPlane;
  readonly now: () => Date;
}

interface StoredPositions {
  readonly kind: 'failback-positions';
  readonly at: string;
  readonly partitions: FailbackPosition[];
  readonly offsetTranslation: FailbackPlan['offsetTranslation'];
  readonly offsetSyncMode: 'LEGACY' | 'ENHANCED';
  readonly forwardReplicator: FailbackState['forwardReplicator'];
  readonly notes: string[];
  readonly preexistingTopics: string[];
}

/**
 * Starts the reverse replication, idempotently: the positions are computed once and kept in the artifact store (a
 * retry after the replicator has begun copying must not take the grown source end as its base), the replicator is
 * found by its name and ownership tags before anything is created.
 */
export async function startFailback(input: StartFailbackInput, deps: FailbackDeps): Promise<FailbackState> {
  const positionsKey = failbackKey(input.identity, 'positions.json');
  let stored = await deps.artifacts.getJson<StoredPositions>(positionsKey);
  let spec: ReplicatorSpec;
  if (stored) {
    spec = replanFromStored(input, stored);
  } else {
    const { switchTargetOffsets, sourceAtFence, waveOf } = await switchAndFenceOffsets(input, deps.artifacts);
    const topics = [...new Set(switchTargetOffsets.map((e) => e.topic))].filter((t) => input.topics.includes(t));
    const [targetNow, sourceNow] = [
      await readEndOffsets(deps.target, topics),
      await readEndOffsets(deps.source, topics),
    ];
    const plan = planFailback({
      ...input,
      switchTargetOffsets: switchTargetOffsets.filter((e) => topics.includes(e.topic)),
      targetNow,
      sourceNow,
      ...(sourceAtFence ? { sourceAtFence } : {}),
    });
    // Identical names and no loop detection: a forward MirrorMaker 2 would copy every record back again.
    const forwardReplicator: FailbackState['forwardReplicator'] =
      input.engine === 'MIRROR_MAKER_2'
        ? input.forwardHandle
          ? await stopReplication(input.forwardHandle, input.identity, deps.replicator)
          : 'NONE'
        : 'KEPT';
    const present = new Set(await deps.source.listTopics());
    const preexistingTopics =
      input.engine === 'MIRROR_MAKER_2'
        ? mm2InternalTopics(FAILBACK_FLOW_ALIASES.source).filter((t) => present.has(t))
        : [];
    stored = {
      kind: 'failback-positions',
      preexistingTopics,
      at: deps.now().toISOString(),
      partitions: plan.positions.map((p) => {
        const wave = waveOf.get(p.topic);
        return wave ? { ...p, wave } : p;
      }),
      offsetTranslation: plan.offsetTranslation,
      offsetSyncMode: plan.spec.offsetSyncMode,
      forwardReplicator,
      notes: plan.notes,
    };
    await deps.artifacts.putJson(positionsKey, stored);
    spec = plan.spec;
  }
  const started = await startReplication(spec, input.identity, deps.replicator, input.limits);
  const check = await checkReplication(started.handle, deps.replicator);
  return {
    identity: { ...input.identity },
    engine: input.engine,
    handle: started.handle,
    created: started.created,
    offsetSyncMode: stored.offsetSyncMode,
    offsetTranslation: stored.offsetTranslation,
    forwardReplicator: stored.forwardReplicator,
    startedAt: stored.at,
    catchUpTimeoutMinutes: input.catchUpTimeoutMinutes,
    consumerGroups: { include: [...input.consumerGroups.include], exclude: [...input.consumerGroups.exclude] },
    positionsKey,
    topicCount: new Set(stored.partitions.map((p) => p.topic)).size,
    partitionCount: stored.partitions.length,
    notes: stored.notes,
    preexistingTopics: stored.preexistingTopics,
    state: check.state,
    running: check.running,
    caughtUp: false,
    checks: 0,
  };
}

/**
 * The target's end offsets at the switch and the source's at the fence. Without waves, from the one cutover. A plan in
 * waves: each wave's partitions from its own switch and fence (its topics only: a consumers-first wave, which moved no
 * producer, is not listed, and the wave that moved its topics' producers gives their start).
 */
async function switchAndFenceOffsets(
  input: Pick<StartFailbackInput, 'switchTargetOffsetsKey' | 'fenceSourceOffsetsKey' | 'waves'>,
  artifacts: ArtifactStore,
): Promise<{ switchTargetOffsets: PartitionEnd[]; sourceAtFence?: PartitionEnd[]; waveOf: Map<string, string> }> {
  const missing = (key: string, wave?: string): ReplicationFailedError =>
    new ReplicationFailedError(
      `No target end offsets of the switch${wave ? ` of wave ${wave}` : ''} under ${key}: without them the failback cannot tell new records from copied ones, so it starts nothing.`,
    );
  const waveOf = new Map<string, string>();
  if (!input.waves) {
    if (!input.switchTargetOffsetsKey)
      throw new ReplicationFailedError('StartFailback was given no switch offsets (switchTargetOffsetsKey).');
    const switchTargetOffsets = await loadEndOffsets(artifacts, input.switchTargetOffsetsKey);
    if (!switchTargetOffsets) throw missing(input.switchTargetOffsetsKey);
    const sourceAtFence = input.fenceSourceOffsetsKey
      ? await loadEndOffsets(artifacts, input.fenceSourceOffsetsKey)
      : undefined;
    return { switchTargetOffsets, ...(sourceAtFence ? { sourceAtFence } : {}), waveOf };
  }
  const switchTargetOffsets: PartitionEnd[] = [];
  const sourceAtFence: PartitionEnd[] = [];
  for (const w of input.waves) {
    const atSwitch = await loadEndOffsets(artifacts, w.switchTargetOffsetsKey);
    if (!atSwitch) throw missing(w.switchTargetOffsetsKey, w.wave);
    const own = (e: PartitionEnd): boolean => w.topics.includes(e.topic);
    switchTargetOffsets.push(...atSwitch.filter(own));
    if (w.fenceSourceOffsetsKey)
      sourceAtFence.push(...((await loadEndOffsets(artifacts, w.fenceSourceOffsetsKey)) ?? []).filter(own));
    for (const t of w.topics) waveOf.set(t, w.wave);
  }
  return { switchTargetOffsets, sourceAtFence, waveOf };
}

/** The spec of an earlier attempt, rebuilt from its stored positions (the base must not move). */
function replanFromStored(input: StartFailbackInput, stored: StoredPositions): ReplicatorSpec {
  const ends = (pick: (p: FailbackPosition) => string): PartitionEnd[] =>
    stored.partitions.map((p) => ({ topic: p.topic, partition: p.partition, low: '0', high: pick(p) }));
  return planFailback({
    ...input,
    acceptUntranslatedOffsets: input.acceptUntranslatedOffsets ?? stored.offsetTranslation === 'NONE',
    switchTargetOffsets: ends((p) => p.targetStart),
    targetNow: [],
    sourceNow: ends((p) => p.sourceBase),
  }).spec;
}

interface PartitionFigures {
  readonly topic: string;
  readonly partition: number;
  readonly targetStart: string;
  readonly sourceBase: string;
  readonly targetEnd: string;
  readonly sourceEnd: string;
  readonly lag: number;
  readonly contentMatches: boolean | null;
}

interface GroupFigures {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly targetCommitted: string;
  readonly sourceCommitted: string;
  readonly expected: string | null;
  readonly status: 'TRANSLATED' | 'CONSERVATIVE' | 'PENDING' | 'BEFORE_SWITCH';
}

export interface CheckFailbackOptions {
  /** Bound of each record read. @default 5000 */
  readonly readTimeoutMs?: number;
  readonly ignoredHeaders?: readonly string[];
}

const REASONS_KEPT = 5;

/**
 * One evaluation of the reverse flow, by content: per partition, the records written to the target since the switch
 * (target end − start) against those landed on the source (source end − base), and the last landed record against the
 * target's record at the same place; the first one too, which proves that no record from before the switch flowed back
 * (that is Migration.ReplicationFailed: the source would hold it twice). Per consumer group and partition, the offset
 * committed on the source must point at the record the target's offset points at. Caught up when nothing lags, every
 * translatable group offset is translated, and the replicator is RUNNING; past the timeout, Migration.LagTimeout.
 */
export async function checkFailback(
  state: FailbackState,
  deps: FailbackDeps,
  options: CheckFailbackOptions = {},
): Promise<FailbackState> {
  const at = deps.now().toISOString();
  const status = await checkReplication(state.handle, deps.replicator);
  const stored = await deps.artifacts.getJson<StoredPositions>(state.positionsKey);
  if (!stored)
    throw new ReplicationFailedError(
      `The failback positions under ${state.positionsKey} are missing: the check cannot tell new records from copied ones.`,
    );
  const readOptions = {
    ignoredHeaders: options.ignoredHeaders ?? DEFAULT_IGNORED_HEADERS,
    readTimeoutMs: options.readTimeoutMs ?? 5_000,
  };
  const digestAt = async (
    cluster: KafkaDataPlane,
    topic: string,
    partition: number,
    offset: bigint,
  ): Promise<string | undefined> =>
    (await readDigests(cluster, topic, partition, offset, offset + 1n, 1, readOptions))[0]?.digest;

  const topics = [...new Set(stored.partitions.map((p) => p.topic))];
  const [targetEnds, sourceEnds] = [
    await readEndOffsets(deps.target, topics),
    await readEndOffsets(deps.source, topics),
  ];
  const targetEnd = new Map(targetEnds.map((e) => [tp(e), e.high]));
  const sourceEnd = new Map(sourceEnds.map((e) => [tp(e), e.high]));
  const reasons: string[] = [];
  const partitions: PartitionFigures[] = [];
  for (const p of stored.partitions) {
    const [start, base] = [BigInt(p.targetStart), BigInt(p.sourceBase)];
    const tEnd = BigInt(targetEnd.get(tp(p)) ?? p.targetStart);
    const sEnd = BigInt(sourceEnd.get(tp(p)) ?? p.sourceBase);
    const written = tEnd - start;
    const landed = sEnd - base;
    let contentMatches: boolean | null = null;
    if (landed > 0n) {
      const [firstOnSource, firstOnTarget] = [
        await digestAt(deps.source, p.topic, p.partition, base),
        await digestAt(deps.target, p.topic, p.partition, start),
      ];
      if (firstOnSource !== firstOnTarget) {
        throw new ReplicationFailedError(
          `${tp(p)}: the first record copied back to the source (offset ${base}) is not the first record written to the target since the switch (offset ${start}): records from before the switch may have flowed back and would be on the source twice. Stop the failback (StopFailback) and compare the partitions.`,
          { topic: p.topic, partition: p.partition, sourceOffset: base.toString(), targetOffset: start.toString() },
        );
      }
      const lastLanded = landed <= written ? landed : written;
      contentMatches =
        (await digestAt(deps.source, p.topic, p.partition, base + lastLanded - 1n)) ===
        (await digestAt(deps.target, p.topic, p.partition, start + lastLanded - 1n));
      if (!contentMatches)
        reasons.push(
          `${tp(p)}: the source's record at ${base + lastLanded - 1n} differs from the target's at ${start + lastLanded - 1n}.`,
        );
    }
    if (landed > written)
      reasons.push(
        `${tp(p)}: the source holds ${landed - written} record(s) more since the failback began than were written to the target since the switch (written to the source by someone else?).`,
      );
    const lag = written > landed ? Number(written - landed) : 0;
    if (lag > 0)
      reasons.push(`${tp(p)}: ${lag} record(s) written to the target since the switch are not on the source yet.`);
    partitions.push({
      topic: p.topic,
      partition: p.partition,
      targetStart: p.targetStart,
      sourceBase: p.sourceBase,
      targetEnd: tEnd.toString(),
      sourceEnd: sEnd.toString(),
      lag,
      contentMatches,
    });
  }

  const groups =
    state.offsetTranslation === 'ENGINE'
      ? await checkGroupOffsets(state.consumerGroups, stored.partitions, topics, deps)
      : [];
  for (const g of groups.filter((x) => x.status === 'PENDING')) {
    reasons.push(
      `Group ${g.groupId} on ${g.topic}-${g.partition}: committed ${g.targetCommitted} on the target, ${g.sourceCommitted} on the source; ${g.expected} expected.`,
    );
  }
  if (!status.running) reasons.unshift(`The reverse replicator ${state.handle.name} is ${status.state}.`);

  const lagRecords = partitions.reduce((n, p) => n + p.lag, 0);
  const caughtUp = reasons.length === 0;
  const checks = state.checks + 1;
  const evidenceKey = failbackKey(state.identity, `check-${String(checks).padStart(4, '0')}.json`);
  await deps.artifacts.putJson(evidenceKey, {
    kind: 'failback-check',
    at,
    replicator: status,
    caughtUp,
    reasons,
    partitions,
    groups,
  });
  const next: FailbackState = {
    ...state,
    state: status.state,
    running: status.running,
    caughtUp,
    checks,
    lastCheck: {
      at,
      lagRecords,
      partitionsBehind: partitions.filter((p) => p.lag > 0).length,
      groupPartitionsTranslated: groups.filter((g) => g.status === 'TRANSLATED').length,
      groupPartitionsConservative: groups.filter((g) => g.status === 'CONSERVATIVE').length,
      groupPartitionsPending: groups.filter((g) => g.status === 'PENDING').length,
      groupPartitionsBeforeSwitch: groups.filter((g) => g.status === 'BEFORE_SWITCH').length,
      reasons: reasons.slice(0, REASONS_KEPT),
      evidenceKey,
    },
  };
  if (!caughtUp && Date.parse(at) - Date.parse(state.startedAt) >= state.catchUpTimeoutMinutes * 60_000) {
    throw new LagTimeoutError(
      `The failback has not caught up ${state.catchUpTimeoutMinutes} minutes after it started: ${reasons.slice(0, 3).join(' ')} Evidence: ${evidenceKey}. The producers still write to the target; decide whether to retry or stay.`,
      { evidenceKey, lagRecords },
    );
  }
  return next;
}

/**
 * A group's offset on the target at or past the switch (X ≥ start) lands on the source at base + (X − start): exact
 * when the source's committed offset is that, conservative when it is between base and that (MirrorMaker 2 translates
 * through sparse offset syncs, to an earlier record: the consumers re-read, never skip), pending otherwise (not
 * translated yet, or past it: they would skip). One still before the switch cannot be translated back (its records
 * came from the source) and keeps, on the source, the offset it had there at the cutover.
 */
async function checkGroupOffsets(
  filter: NameFilter,
  positions: readonly FailbackPosition[],
  topics: readonly string[],
  deps: FailbackDeps,
): Promise<GroupFigures[]> {
  const byPartition = new Map(positions.map((p) => [tp(p), p]));
  const groupIds = selectGroups(
    (await deps.target.listGroups())
      .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
      .map((g) => g.groupId),
    filter,
  );
  const out: GroupFigures[] = [];
  for (const groupId of groupIds) {
    const onTarget = await deps.target.fetchCommittedOffsets(groupId, topics);
    const onSource = new Map((await deps.source.fetchCommittedOffsets(groupId, topics)).map((c) => [tp(c), c.offset]));
    for (const c of onTarget) {
      const position = byPartition.get(tp(c));
      if (!position || BigInt(c.offset) < 0n) continue;
      const sourceCommitted = onSource.get(tp(c)) ?? '-1';
      const base = { groupId, topic: c.topic, partition: c.partition, targetCommitted: c.offset, sourceCommitted };
      if (BigInt(c.offset) < BigInt(position.targetStart)) {
        out.push({ ...base, expected: null, status: 'BEFORE_SWITCH' });
        continue;
      }
      const expected = (BigInt(position.sourceBase) + BigInt(c.offset) - BigInt(position.targetStart)).toString();
      const committed = BigInt(sourceCommitted);
      const status =
        committed === BigInt(expected)
          ? 'TRANSLATED'
          : committed >= BigInt(position.sourceBase) && committed < BigInt(expected)
            ? 'CONSERVATIVE'
            : 'PENDING';
      out.push({ ...base, expected, status });
    }
  }
  return out;
}

/**
 * Deletes the reverse replicator, only when its tags say this execution created it as its failback, and for
 * MirrorMaker 2 the internal topics of the reverse flow on the source. The forward replicator and the data are left.
 */
export async function stopFailback(
  state: Pick<FailbackState, 'identity' | 'engine' | 'handle' | 'preexistingTopics'>,
  deps: Pick<FailbackDeps, 'replicator' | 'now'> & { readonly source?: KafkaDataPlane },
): Promise<FailbackStopped> {
  const stoppedAt = deps.now().toISOString();
  const existing = await deps.replicator.find(state.handle.name);
  let replicator: FailbackStopped['replicator'];
  if (!existing) replicator = 'ALREADY_GONE';
  else if (!isOwnedBy(existing.tags, state.identity) || existing.tags[FAILBACK_ROLE_TAG] !== FAILBACK_ROLE)
    replicator = 'NOT_OURS';
  else {
    if (existing.state !== 'DELETING') await deps.replicator.delete(existing.handle);
    replicator = 'DELETED';
  }
  const internalTopicsDeleted: string[] = [];
  if (state.engine === 'MIRROR_MAKER_2' && replicator !== 'NOT_OURS' && deps.source) {
    const present = new Set(await deps.source.listTopics());
    const keep = new Set(state.preexistingTopics);
    internalTopicsDeleted.push(
      ...mm2InternalTopics(FAILBACK_FLOW_ALIASES.source).filter((t) => present.has(t) && !keep.has(t)),
    );
    if (internalTopicsDeleted.length > 0) await deps.source.deleteTopics(internalTopicsDeleted);
  }
  return { replicator, internalTopicsDeleted, stoppedAt };
}

/**
 * Commits, on the source, each group's exact translated offset (base + (X − start)), after checking by content that
 * the source's record there is the target's record at X (or that both are at the end). For the FailbackCutover, once
 * the consumers on the target are drained: it makes MirrorMaker 2's conservative translations exact. Groups with
 * active members on the source are left alone (Kafka refuses, and they would be someone else's consumers).
 */
export async function commitFailbackOffsets(
  state: FailbackState,
  deps: FailbackDeps,
  options: CheckFailbackOptions = {},
): Promise<FailbackOffsetsCommitted> {
  const stored = await deps.artifacts.getJson<StoredPositions>(state.positionsKey);
  if (!stored)
    throw new ReplicationFailedError(
      `The failback positions under ${state.positionsKey} are missing: offsets cannot be translated back.`,
    );
  const readOptions = {
    ignoredHeaders: options.ignoredHeaders ?? DEFAULT_IGNORED_HEADERS,
    readTimeoutMs: options.readTimeoutMs ?? 5_000,
  };
  const topics = [...new Set(stored.partitions.map((p) => p.topic))];
  const groups = await checkGroupOffsets(state.consumerGroups, stored.partitions, topics, deps);
  const byGroup = new Map<string, GroupFigures[]>();
  for (const g of groups) if (g.expected !== null) byGroup.set(g.groupId, [...(byGroup.get(g.groupId) ?? []), g]);
  const active = new Set(
    (await deps.source.describeGroups([...byGroup.keys()])).filter((d) => d.members.length > 0).map((d) => d.groupId),
  );
  const committed: FailbackOffsetsCommitted['committed'] = [];
  for (const [groupId, partitions] of byGroup) {
    if (active.has(groupId)) continue;
    const offsets = [];
    for (const g of partitions) {
      const expected = BigInt(g.expected as string);
      const [onSource, onTarget] = [
        await readDigests(deps.source, g.topic, g.partition, expected, expected + 1n, 1, readOptions),
        await readDigests(
          deps.target,
          g.topic,
          g.partition,
          BigInt(g.targetCommitted),
          BigInt(g.targetCommitted) + 1n,
          1,
          readOptions,
        ),
      ];
      if (onSource[0]?.digest !== onTarget[0]?.digest) {
        throw new ReplicationFailedError(
          `Group ${groupId} on ${g.topic}-${g.partition}: the source's record at ${expected} is not the target's at ${g.targetCommitted}; the failback has not copied it yet or the logs differ. Check again (CheckFailback) before moving the consumers back.`,
          { groupId, topic: g.topic, partition: g.partition },
        );
      }
      offsets.push({ topic: g.topic, partition: g.partition, offset: expected.toString() });
    }
    if (offsets.length > 0) await deps.source.setCommittedOffsets(groupId, offsets);
    committed.push(...offsets.map((o) => ({ groupId, ...o })));
  }
  const evidenceKey = failbackKey(state.identity, 'offsets-committed.json');
  await deps.artifacts.putJson(evidenceKey, {
    kind: 'failback-offsets',
    at: deps.now().toISOString(),
    committed,
    groups,
  });
  return { committed, skippedActiveGroups: [...active], evidenceKey };
}
