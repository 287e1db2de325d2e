import * as z from 'zod';
import type { CommittedOffset } from '../../ports/kafka';
import { mapBounded } from '../inventory/bounded-map';
import { lazySchema } from '../lazy-schema';
import { selectGroups } from '../replication/topic-selection';
import { loadDrainTails, DrainProgressSchema, NOT_DRAINED, drainedOrCaughtUp, type PartitionTail } from './check-drain';
import {
  atComparedEnd,
  CommitIntentSchema,
  CommitProgressSchema,
  GROUP_CONCURRENCY,
  offsetsRequestShape,
  readOffsetsJournal,
  translateWhileReplicating,
  translationKey,
  verifyCommit,
  type CommitIntent,
  type CommitOffsetsDeps,
  type CommitProgress,
  type OffsetTranslation,
} from './commit-consumer-offsets';
import { allAnswered, writeDone, writeIntent, type JournalEntry } from './journal';
import { ExecutionIdentitySchema, cutoverKey, watchedTopics, partitionKey } from './model';

/**
 * THE CONSUMER OFFSETS WHILE THE DRAIN LOOKS (the one-invocation Cutover): the producers hold from the fence until the
 * switch, and CommitConsumerOffsets' work — each group's committed offsets translated by content, committed on the
 * target, read back and checked by content — used to start only once the drain passed. But a group's committed offsets
 * are final once its consumers left it (they saw the fence and left their group on the source), and the records they
 * point at are on the target as soon as the replication copied them, which it does during the settle. So
 * `commitOffsetsDuringDrain` does that work while the drain waits for the settle's end, and after the drain passed
 * `acceptOffsetsDuringDrain` checks only what can have changed since, without reading a record again:
 * - every group in the filter is still on the source, still empty, with the same committed offsets (OffsetFetch);
 * - no group has active members on the target, and the target still holds each translated offset (read back again);
 * - each translation is aligned on one copy of its record (no replayed range), and its shift (source − target offset of
 *   that record) is the drain's passing look's tail shift for the partition: a replay or a gap since would change it.
 * Then it journals the result as CommitConsumerOffsets would (evidence, DONE). Anything else (a group that moved or
 * came, a shift that differs, no drained tail) returns undefined, and CommitConsumerOffsets does its whole work after
 * the drain as before, committing again over what was committed during it.
 *
 * The pass during the drain decides nothing: it never fails the cutover. A group still on the source, a record not
 * copied yet, a replayed range (its choice of copy needs the drained tail) or a group active on the target leave it
 * to the step after the drain (`WAITING`, `LEFT`). It journals the offsets' intent before its first commit, as
 * CommitConsumerOffsets does: RollbackCutover and the compensator read the same journal. Only for a plan whose
 * consumers read the producers' pointer (no separate consumers' pointer: that one is fenced after the drain), that
 * is not consumers first, holds no consumers through switches and starts no group fresh.
 */

export const OffsetsDuringDrainRequestSchema = lazySchema(() => z.object(offsetsRequestShape()));
export type OffsetsDuringDrainRequest = z.input<typeof OffsetsDuringDrainRequestSchema>;

const TranslationSchema = lazySchema(() =>
  z.object({
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    sourceOffset: z.string(),
    targetOffset: z.string(),
    copies: z.number().int().optional(),
    redelivered: z.number().int().optional(),
    proof: z.object({
      relation: z.enum(['after', 'at', 'end', 'timestamp']),
      sourceRecord: z.string().optional(),
      targetRecord: z.string().optional(),
      digest: z.string().optional(),
    }),
  }),
);

/** What the pass during the drain committed and read back: handed to CommitConsumerOffsets in the same invocation. */
export const OffsetsDuringDrainSchema = lazySchema(() =>
  z.object({
    startedAt: z.string(),
    /** When the look that committed started (its work: from then to `committedAt`). */
    lookedAt: z.string(),
    committedAt: z.string(),
    groups: z.array(
      z.object({
        groupId: z.string(),
        /** The source's committed offsets translated (none: the group committed nothing on these topics). */
        sourceCommitted: z.array(z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() })),
        translations: z.array(TranslationSchema),
        notes: z.array(z.string()),
        committedAt: z.string().optional(),
      }),
    ),
  }),
);
export type OffsetsDuringDrain = z.infer<typeof OffsetsDuringDrainSchema>;

/** One look of the pass during the drain. */
export type OffsetsDuringDrainLook =
  | {
      readonly status: 'COMMITTED';
      readonly result: OffsetsDuringDrain;
      /** The offsets' journal as this look left it (INTENT): the same invocation's check after the drain reads no other. */
      readonly journal: JournalEntry<CommitIntent, CommitProgress>;
    }
  /** Groups still on the source, or records not copied yet (or `stop` came first): look again. */
  | { readonly status: 'WAITING'; readonly on: 'GROUPS' | 'REPLICATION'; readonly reason: string }
  /** Left to CommitConsumerOffsets after the drain (it decides, and refuses where it must). */
  | { readonly status: 'LEFT'; readonly reason: string };

/** A drain look's evidence key, with its tails when the invocation that took it holds them (DrainLookMemory). */
export interface DrainLookTails {
  readonly evidenceKey: string;
  readonly tails?: readonly PartitionTail[] | undefined;
}

/** The look's tails from memory, else from its evidence in the store (a step-by-step state, a retry). */
function drainTailsOf(
  artifacts: CommitOffsetsDeps['artifacts'],
  look: DrainLookTails,
): Promise<readonly PartitionTail[]> {
  return look.tails ? Promise.resolve(look.tails) : loadDrainTails(artifacts, look.evidenceKey);
}

/**
 * Records searched either side of where the two ends put a group's last record on the target (and before its offset
 * on the source): the ends differ by what is still in flight, a few records once the consumers left, and a record
 * not found is looked for again at the next look. A few dozen records, not CommitConsumerOffsets' 200, because these
 * reads share the clusters with the drain's looks; the shift the record is found at is checked against the drained
 * tail's afterwards, whatever the window.
 */
export const DURING_DRAIN_SEARCH_WINDOW = 32;

/** Only a translation aligned on one copy of a record can be checked against the drained tail without reading. */
function alignedOnOneCopy(x: OffsetTranslation): boolean {
  const { relation, sourceRecord, targetRecord } = x.proof;
  return (
    (relation === 'after' || relation === 'at') &&
    sourceRecord !== undefined &&
    targetRecord !== undefined &&
    (x.copies ?? 1) === 1 &&
    (x.redelivered ?? 0) === 0
  );
}

/** One look: translate, commit and read back every group's offsets once all left the source and their records are on the target. */
export async function commitOffsetsDuringDrain(
  input: OffsetsDuringDrainRequest,
  deps: CommitOffsetsDeps,
  /** Asked between the translations: true (the drain ended) leaves the rest to the step after the drain. */
  stop: () => boolean = () => false,
  /**
   * The drain's latest look, whose comparison of the last records translates a group at a partition's end: its tails
   * from memory when the same invocation holds them, else read from its evidence.
   */
  drainLook?: DrainLookTails,
): Promise<OffsetsDuringDrainLook> {
  const parsed = OffsetsDuringDrainRequestSchema.parse(input);
  const request = { ...parsed, searchWindow: Math.min(parsed.searchWindow, DURING_DRAIN_SEARCH_WINDOW) };
  const { identity, fence } = request;
  const lookedAt = deps.now().toISOString();
  if (fence.mode === 'SEPARATE_POINTERS')
    return { status: 'LEFT', reason: 'The consumers read their own pointer, fenced after the drain.' };
  const journal = await readOffsetsJournal(deps.artifacts, identity);
  if (journal?.status === 'DONE') return { status: 'LEFT', reason: 'The offsets are journaled as committed already.' };
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const groups = selectGroups(
    (await deps.source.listGroups()).map((g) => g.groupId),
    request.consumerGroups,
  );
  if (groups.length > 0) {
    const active = (await deps.source.describeGroups(groups)).filter((g) => g.members.length > 0);
    if (active.length > 0)
      return {
        status: 'WAITING',
        on: 'GROUPS',
        reason: `Consumer group(s) still on the source: ${active
          .slice(0, 5)
          .map((g) => g.groupId)
          .join(', ')}.`,
      };
    const onTarget = (await deps.target.describeGroups(groups)).filter((g) => g.members.length > 0);
    if (onTarget.length > 0)
      return { status: 'LEFT', reason: `Consumer group(s) active on the target: ${onTarget[0]?.groupId}.` };
  }
  // A group that read to where the drain's latest look found a partition's last record on both sides, by content:
  // translated from that comparison (its shift is checked against the passing look's after the drain). The others
  // are read while the replication still copies the tail: a record not on the target yet is waited for.
  const tailBy = new Map(
    (drainLook ? await drainTailsOf(deps.artifacts, drainLook) : []).map((t) => [partitionKey(t), t]),
  );
  const { translations, waiting, sourceBy, targetBy, committedBy } = await translateWhileReplicating(
    request,
    0,
    groups,
    topics,
    deps,
    stop,
    (_, c) => atComparedEnd(c, tailBy.get(partitionKey(c))),
  );
  if (waiting.length > 0)
    return { status: 'WAITING', on: 'REPLICATION', reason: `Not translated yet: ${waiting.slice(0, 3).join(', ')}.` };
  const perGroup = groups.map((groupId) => {
    const sourceCommitted = (committedBy.get(groupId) ?? []).filter(
      (c) => c.offset !== '-1' && sourceBy.has(partitionKey(c)),
    );
    const xs = sourceCommitted.map((c) => translations.get(translationKey(groupId, c.topic, c.partition, c.offset)));
    return { groupId, sourceCommitted, translations: xs };
  });
  const unaligned = perGroup.find((g) => g.translations.some((x) => x === undefined || !alignedOnOneCopy(x)));
  if (unaligned)
    return {
      status: 'LEFT',
      reason: `Group ${unaligned.groupId} has an offset not aligned on one copy of its record: translated after the drain.`,
    };

  const intent: CommitIntent = journal
    ? CommitIntentSchema.parse(journal.intent)
    : { startedAt: deps.now().toISOString() };
  if (!journal) await writeIntent(deps.artifacts, identity, 'offsets', intent);
  const committed = await mapBounded(perGroup, GROUP_CONCURRENCY, async (g) => {
    const xs = g.translations as OffsetTranslation[];
    if (xs.length === 0) return { groupId: g.groupId, sourceCommitted: [], translations: [], notes: [] as string[] };
    await deps.target.setCommittedOffsets(
      g.groupId,
      xs.map((x) => ({ topic: x.topic, partition: x.partition, offset: x.targetOffset })),
    );
    // The shift each translation was found at stands for the drain's tail delta in the read-back's search.
    const deltaBy = new Map(
      xs.map((x) => [partitionKey(x), BigInt(x.proof.sourceRecord ?? 0) - BigInt(x.proof.targetRecord ?? 0)]),
    );
    const notes = await verifyCommit(deps, request, g.groupId, g.sourceCommitted, xs, sourceBy, targetBy, deltaBy);
    return {
      groupId: g.groupId,
      sourceCommitted: g.sourceCommitted,
      translations: xs,
      notes,
      committedAt: deps.now().toISOString(),
    };
  });
  return {
    status: 'COMMITTED',
    result: { startedAt: intent.startedAt, lookedAt, committedAt: deps.now().toISOString(), groups: committed },
    journal: { status: 'INTENT', intent },
  };
}

export const AcceptOffsetsRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    consumerGroups: z.object({ include: z.array(z.string()), exclude: z.array(z.string()) }),
    /** The drained (or caught-up) poll (`$.cutover.drain`): its evidence holds each partition's tail shift. */
    drain: DrainProgressSchema.refine(drainedOrCaughtUp, { message: NOT_DRAINED }),
    duringDrain: OffsetsDuringDrainSchema,
  }),
);
export type AcceptOffsetsRequest = z.input<typeof AcceptOffsetsRequestSchema>;

/**
 * After the drain passed: the pass during the drain's commits, checked against what can have changed since (see the
 * module's comment) and journaled as CommitConsumerOffsets' result; undefined when anything differs.
 */
export interface AcceptOptions {
  /**
   * The offsets' journal as the pass during the drain left it, in the same invocation (nothing else writes it in
   * between): not read again. Without it (a step-by-step state, a retry), read from the store.
   */
  readonly journal?: JournalEntry<CommitIntent, CommitProgress>;
  /**
   * The drained look's tails as the same invocation's CheckDrain compared them (`drain.evidenceKey`'s): not read back
   * from the store while the producers hold. Without them, or for another look (another evidence key), read from its
   * evidence.
   */
  readonly drainLook?: DrainLookTails;
  /**
   * A read the caller needs answered before this writes anything (CommitConsumerOffsets' abort check): it goes with
   * the checks' reads, and its failure is this call's.
   */
  readonly before?: Promise<unknown>;
  /**
   * Once the checks passed, with the result about to be journaled: what the caller must have durable before it acts
   * next (the one-invocation Cutover journals the switch's intent and snapshot), written at once with this step's
   * evidence and DONE, and answered before this returns. Not called when anything differs (undefined).
   */
  readonly whileJournaling?: (progress: CommitProgress) => Promise<unknown>;
}

export async function acceptOffsetsDuringDrain(
  input: AcceptOffsetsRequest,
  deps: CommitOffsetsDeps,
  options: AcceptOptions = {},
): Promise<CommitProgress | undefined> {
  const request = AcceptOffsetsRequestSchema.parse(input);
  const { identity, duringDrain } = request;
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const byGroup = new Map(duringDrain.groups.map((g) => [g.groupId, g]));
  const ids = [...byGroup.keys()];
  // Everything it reads at once, the journal too: each is one request, and the producers hold until the last answers.
  // The checks are read only, so reading them before the journal says whether they are needed costs a retry that
  // finds DONE a few requests, not a round trip on every first attempt.
  const [journal, listed, onSource, onTarget, sourceNow, targetNow, tails] = await allAnswered([
    options.journal ? Promise.resolve(options.journal) : readOffsetsJournal(deps.artifacts, identity),
    deps.source.listGroups(),
    ids.length > 0 ? deps.source.describeGroups(ids) : Promise.resolve([]),
    ids.length > 0 ? deps.target.describeGroups(ids) : Promise.resolve([]),
    Promise.all(ids.map((g) => deps.source.fetchCommittedOffsets(g, topics))),
    Promise.all(ids.map((g) => deps.target.fetchCommittedOffsets(g, topics))),
    drainTailsOf(
      deps.artifacts,
      options.drainLook?.evidenceKey === request.drain.evidenceKey
        ? options.drainLook
        : { evidenceKey: request.drain.evidenceKey },
    ),
    options.before ?? Promise.resolve(),
  ]);
  if (journal?.status === 'DONE') return CommitProgressSchema.parse(journal.record);
  if (journal === undefined) return undefined;
  const groups = selectGroups(
    listed.map((g) => g.groupId),
    request.consumerGroups,
  );
  if (groups.length !== ids.length || groups.some((g) => !byGroup.has(g))) return undefined;
  if ([...onSource, ...onTarget].some((g) => g.members.length > 0)) return undefined;
  const same = (a: readonly CommittedOffset[], b: readonly CommittedOffset[]): boolean => {
    const m = new Map(a.filter((c) => c.offset !== '-1').map((c) => [partitionKey(c), c.offset]));
    const n = b.filter((c) => c.offset !== '-1');
    return m.size === n.length && n.every((c) => m.get(partitionKey(c)) === c.offset);
  };
  const tailBy = new Map<string, PartitionTail>(tails.map((t) => [partitionKey(t), t]));
  for (const [i, groupId] of ids.entries()) {
    const g = byGroup.get(groupId) as OffsetsDuringDrain['groups'][number];
    // Same source positions, still committed on the target as translated.
    if (!same(g.sourceCommitted, sourceNow[i] ?? [])) return undefined;
    const onTargetNow = (targetNow[i] ?? []).filter((c) => c.offset !== '-1');
    const translatedTo = g.translations.map((x) => ({
      topic: x.topic,
      partition: x.partition,
      offset: x.targetOffset,
    }));
    if (!same(translatedTo, onTargetNow)) return undefined;
    for (const x of g.translations) {
      const tail = tailBy.get(partitionKey(x));
      if (!alignedOnOneCopy(x) || !tail?.drained || tail.delta === null) return undefined;
      if (BigInt(x.proof.sourceRecord as string) - BigInt(x.proof.targetRecord as string) !== BigInt(tail.delta))
        return undefined;
    }
  }

  const intent = CommitIntentSchema.parse(journal.intent);
  const completedAt = deps.now().toISOString();
  const evidenceKey = cutoverKey(identity, 'consumer-offsets.json');
  const committedGroups = duringDrain.groups.filter((g) => g.translations.length > 0);
  const partitions = committedGroups.reduce((n, g) => n + g.translations.length, 0);
  const progress: CommitProgress = {
    complete: true,
    startedAt: intent.startedAt,
    checkedAt: completedAt,
    waitingForGroups: [],
    groups: duringDrain.groups.length,
    partitionsCommitted: partitions,
    committed: duringDrain.groups.slice(0, 50).map((g) =>
      g.translations.length > 0
        ? {
            groupId: g.groupId,
            partitions: g.translations.length,
            ...(g.committedAt ? { committedAt: g.committedAt } : {}),
            status: 'COMMITTED' as const,
          }
        : { groupId: g.groupId, partitions: 0, status: 'NO_OFFSETS' as const },
    ),
    redeliveredRecords: 0,
    replayAheadRecords: 0,
    committedDuringDrain: partitions,
    completedAt,
    evidenceKey,
  };
  // DONE at once with its evidence and the caller's writes (the one invocation's switch journal, the drain's records),
  // every write answered before this returns. A retry that finds the DONE checks that the evidence it names is there
  // (readOffsetsJournal): the pointer moves only once this whole round is answered, so a DONE without its evidence
  // means the pointer never moved, and the retry does the acceptance again and writes both.
  const journaled = (): Promise<unknown> =>
    allAnswered([
      deps.artifacts.putJson(evidenceKey, {
        kind: 'cutover-consumer-offsets',
        startedAt: intent.startedAt,
        completedAt,
        committedDuringDrain: duringDrain.committedAt,
        groups: committedGroups.map((g) => ({
          groupId: g.groupId,
          translations: g.translations,
          notes: [
            ...g.notes,
            `Committed and read back during the drain (${g.committedAt ?? duringDrain.committedAt}); after it, the same committed offsets on both sides and each shift equal to the drained tail's.`,
          ],
        })),
        skipped: duringDrain.groups.filter((g) => g.translations.length === 0).map((g) => g.groupId),
      }),
      writeDone(deps.artifacts, identity, 'offsets', intent, progress),
    ]);
  await allAnswered([journaled(), options.whileJournaling ? options.whileJournaling(progress) : Promise.resolve()]);
  return progress;
}
