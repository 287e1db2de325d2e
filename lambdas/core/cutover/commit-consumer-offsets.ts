import * as z from 'zod';
import { CutoverFailedError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { CommittedOffset, KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';
import { mapBounded } from '../inventory/bounded-map';
import { selectGroups } from '../replication/topic-selection';
import type { ExecutionIdentity } from '../replication/naming';
import { checkGroupOffsets, type PartitionView } from '../validation/group-offsets';
import { readDigests } from '../validation/record-continuity';
import type { DigestedRecord } from '../validation/record-digest';
import { DEFAULT_IGNORED_HEADERS } from '../validation/record-digest';
import { RecoveryPolicySchema, allows, describeTolerance, tolerancesFor } from '../validation/recovery-policy';
import { DrainProgressSchema, NOT_DRAINED, drainedOrCaughtUp, loadDrainTails, type PartitionTail } from './check-drain';
import { FenceRecordSchema } from './fence-producers';
import { readJournal, writeDone, writeIntent, type JournalEntry } from './journal';
import {
  ExecutionIdentitySchema,
  cutoverKey,
  readEndOffsets,
  watchedTopics,
  type PartitionEnd,
  partitionKey,
} from './model';
import { lazySchema } from '../lazy-schema';

/**
 * CommitConsumerOffsets: after the drain, each consumer group in scope gets, on the target, committed offsets that
 * point at the same records as its committed offsets on the source — so consumers resume on the target with nothing
 * skipped and nothing read twice.
 *
 * 1. With a separate consumers' pointer, it is fenced now (consumers have read the source's tail meanwhile); with a
 *    shared pointer consumers saw the fence already.
 * 2. Waits (returns `complete: false`; the state machine loops on it) until no group in scope has an active member
 *    on the source: a group still consuming there keeps moving its offsets, and translating a moving offset makes
 *    consumers read records twice. Past `groupsTimeoutSeconds` it fails the cutover. The consumers a switch holds at
 *    the fence (`heldGroups`: a Lambda event source mapping disabled, a sink connector deleted, by the task through
 *    holdConsumerSwitches) count as gone once held, and those not held yet (`holdingGroups`) as active.
 * 3. Refuses a group with active members on the target (Kafka refuses offset commits for it, and its consumers
 *    already read from their own positions): stop them, roll back, retry.
 * 4. Translates by content: the last record the group consumed on the source (the one before the committed offset)
 *    is located on the target by its digest, near the offset the drain's tail delta predicts (searched back from
 *    there: a replayed range puts earlier records further back); the translated offset is the one after it. A target
 *    holding a replayed range has that record twice: the LAST copy whose next record is the source's next record is
 *    taken, so the group resumes with the record after its last one and reads nothing twice. Where only an earlier
 *    copy continues correctly, the records between the two copies are read again: counted per partition, and held
 *    to the plan's recovery.replayTolerance. Commits, reads back, and checks the result with the validation's
 *    group-offset check.
 * 5. Fresh groups (`recovery.freshGroups`) are not translated: each starts on the target at the first record at or
 *    after its `startAt` on every partition; the records it will read again (when it had a position on the source)
 *    are counted, and its owner's acceptance is in the plan and the approval.
 *
 * Idempotent through the journal: once complete, a retry returns the recorded result without committing again.
 *
 * The bulk before the fence (`translateOffsetsBeforeFence`, the TranslateOffsetsBeforeFence state): while producers
 * and consumers still run on the source, each group's committed offsets are translated by content the same way and
 * journaled, nothing committed. After the drain, a partition's translation from before the fence is reused, without
 * reading again, only when nothing can have made it wrong since: the group's committed offset on the source is the
 * one translated, the record was found once on the target (no replayed range), and the drain's tail shows the same
 * offset shift (source − target) for that partition as the translated pair (no replay or gap since). Every other
 * partition — the tail: groups that consumed since, or partitions the pre-pass could not place — is translated after
 * the drain as before; every group's commit is read back and content-checked as before, reused or not.
 */

/** `$.cutover.offsetsBeforeFence`: what the pre-pass translated before the fence (the proofs are in the evidence). */
export const OffsetsBeforeFenceSchema = lazySchema(() =>
  z.object({
    translatedAt: z.string(),
    groups: z.number().int().nonnegative(),
    /** Partitions translated by content before the fence. */
    partitionsTranslated: z.number().int().nonnegative(),
    /** Partitions left for after the drain: their record not (yet) on the target within the search, or none to align on. */
    partitionsLeft: z.number().int().nonnegative(),
    evidenceKey: z.string(),
  }),
);
export type OffsetsBeforeFence = z.infer<typeof OffsetsBeforeFenceSchema>;

/**
 * What every request to translate and commit the groups' offsets carries (CommitConsumerOffsets, and the pass beside
 * the drain: offsets-during-drain.ts): a new shape on each call, for the lazily built schemas that spread it.
 */
export function offsetsRequestShape() {
  return {
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    /** The plan's consumer-group filter (`input.replication.consumerGroups`). */
    consumerGroups: z.object({ include: z.array(z.string()), exclude: z.array(z.string()) }),
    fence: FenceRecordSchema,
    /** How far around the predicted offset the target is searched for the record. */
    searchWindow: z.number().int().positive().default(200),
    ignoredHeaders: z.array(z.string()).default([...DEFAULT_IGNORED_HEADERS]),
    readTimeoutMs: z.number().int().positive().default(5_000),
  };
}

export const CommitConsumerOffsetsRequestSchema = lazySchema(() =>
  z.object({
    ...offsetsRequestShape(),
    /** The drained (or caught-up) poll (`$.cutover.drain`). */
    drain: DrainProgressSchema.refine(drainedOrCaughtUp, { message: NOT_DRAINED }),
    groupsTimeoutSeconds: z.number().int().positive().default(300),
    /** The plan's recovery section: replayTolerance per topic, fresh groups. */
    recovery: RecoveryPolicySchema.optional(),
    /** The pre-pass's record (`$.cutover.offsetsBeforeFence`): its translations are reused where still valid. */
    beforeFence: OffsetsBeforeFenceSchema.optional(),
    /**
     * Groups of consumers held at the fence (a Lambda event source mapping disabled, a sink connector deleted:
     * holdConsumerSwitches): their committed offsets are final even while a stopped member still shows on the source.
     */
    heldGroups: z.array(z.string()).default([]),
    /** Groups of consumers not held yet (still consuming to the source's end): waited for like active groups. */
    holdingGroups: z.array(z.string()).default([]),
    /**
     * A consumers-first wave (`waves[].consumersFirst`): the producers still write to the source and nothing was
     * drained, so the offset shift is estimated from both ends (the search widened by `lagAllowance`, the catch-up
     * gate's `gates.maxLagRecords`), and a group whose last record the replication has not copied yet is waited for
     * (`waitingForReplication`) up to `replicationTimeoutSeconds` after this step started.
     */
    consumersFirst: z
      .object({
        lagAllowance: z.number().int().nonnegative(),
        replicationTimeoutSeconds: z.number().int().positive(),
      })
      .optional(),
  }),
);
export type CommitConsumerOffsetsRequest = z.input<typeof CommitConsumerOffsetsRequestSchema>;

export const GroupCommitSchema = lazySchema(() =>
  z.object({
    groupId: z.string(),
    /** Partitions with a committed offset on the source (and therefore one committed on the target). */
    partitions: z.number().int().nonnegative(),
    committedAt: z.string().optional(),
    /** NO_OFFSETS: the group has committed nothing on these topics; FRESH: started from recovery.freshGroups' time. */
    status: z.enum(['COMMITTED', 'NO_OFFSETS', 'FRESH']),
    /** Records the group reads again on the target: a replayed range it cannot skip, or a fresh start's replay. */
    redelivered: z.number().int().nonnegative().optional(),
    /**
     * Duplicates still ahead of the group on the target (replayed ranges after its position): records the target holds
     * beyond the group's position minus those the source holds beyond it. Forced by the replay, reported, not avoidable.
     */
    replayAhead: z.number().int().nonnegative().optional(),
  }),
);

export const CommitProgressSchema = lazySchema(() =>
  z.object({
    /** False while groups are still active on the source: wait and call again. */
    complete: z.boolean(),
    startedAt: z.string(),
    checkedAt: z.string(),
    /** When the consumers' own pointer was fenced (SEPARATE_POINTERS only). */
    consumersFencedAt: z.string().optional(),
    /** Groups still with active members on the source (first 20). */
    waitingForGroups: z.array(z.string()),
    /** Consumers first: `<group> <topic>-<partition>` whose last consumed record is not on the target yet (first 20). */
    waitingForReplication: z.array(z.string()).optional(),
    groups: z.number().int().nonnegative(),
    partitionsCommitted: z.number().int().nonnegative(),
    /** The first 50 groups' records; all of them, with every offset pair, are in the evidence. */
    committed: z.array(GroupCommitSchema),
    /** Records consumers read again in total (replays they could not skip, fresh groups' replays). */
    redeliveredRecords: z.number().int().nonnegative().optional(),
    /** Duplicates ahead of the groups on the target that their consumers will read (forced by a replay). */
    replayAheadRecords: z.number().int().nonnegative().optional(),
    /** Partitions whose translation from before the fence was reused (the rest, the tail, were translated after the drain). */
    translatedBeforeFence: z.number().int().nonnegative().optional(),
    /**
     * Partitions committed and read back while the drain looked (the one-invocation Cutover,
     * core/cutover/offsets-during-drain.ts), then checked against the drained tail instead of translated again.
     */
    committedDuringDrain: z.number().int().nonnegative().optional(),
    completedAt: z.string().optional(),
    evidenceKey: z.string().optional(),
  }),
);
export type CommitProgress = z.infer<typeof CommitProgressSchema>;

export interface CommitOffsetsDeps {
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  /** The consumers' pointer, when separate from the producers' (FenceProducers recorded it). */
  readonly consumers?: CutoverSwitch;
}

/** One committed offset and its translation, with the content proof. */
export interface OffsetTranslation {
  readonly topic: string;
  readonly partition: number;
  readonly sourceOffset: string;
  readonly targetOffset: string;
  /** Copies of the reference record on the target (2 or more: a replayed range) and records read again. */
  readonly copies?: number;
  readonly redelivered?: number;
  /** Records the target holds after the translated offset beyond those the source holds after the committed one. */
  readonly replayAhead?: number;
  /** The record both offsets follow (or, `at`, start at), by offset on each side and digest. */
  readonly proof: {
    readonly relation: 'after' | 'at' | 'end' | 'timestamp';
    readonly sourceRecord?: string;
    readonly targetRecord?: string;
    readonly digest?: string;
  };
}

/** Consumer groups translated and committed at once after the drain. */
export const GROUP_CONCURRENCY = 4;

/** What the offsets' journal intent holds (written before the first commit). */
export const CommitIntentSchema = lazySchema(() =>
  z.object({ startedAt: z.string(), consumersFencedAt: z.string().optional() }),
);
export type CommitIntent = z.infer<typeof CommitIntentSchema>;
type Parsed = z.output<typeof CommitConsumerOffsetsRequestSchema>;

/**
 * The offsets' journal as a step may act on it. A DONE is final (the step returns its record as it is) only with the
 * evidence it names: the offsets done during the drain journal their DONE at once with their evidence
 * (acceptOffsetsDuringDrain), and the pointer moves only once that whole round is answered, so a DONE whose evidence
 * is missing is an attempt whose round failed before the pointer moved. It is then read as its intent: the step
 * commits (or accepts) again and writes both. One more read, only where a DONE is found (a retry).
 */
export async function readOffsetsJournal(
  artifacts: CommitOffsetsDeps['artifacts'],
  identity: ExecutionIdentity,
): Promise<JournalEntry<CommitIntent, CommitProgress> | undefined> {
  const journal = await readJournal<CommitIntent, CommitProgress>(artifacts, identity, 'offsets');
  if (journal?.status !== 'DONE') return journal;
  const { evidenceKey } = CommitProgressSchema.parse(journal.record);
  if (evidenceKey === undefined || (await artifacts.getJson(evidenceKey)) !== undefined) return journal;
  return { status: 'INTENT', intent: journal.intent };
}
/** What a translation's reads and the read-back's content check read with. */
export type ReadSettings = Pick<Parsed, 'searchWindow' | 'ignoredHeaders' | 'readTimeoutMs'>;

export async function commitConsumerOffsets(
  input: CommitConsumerOffsetsRequest,
  deps: CommitOffsetsDeps,
): Promise<CommitProgress> {
  const request = CommitConsumerOffsetsRequestSchema.parse(input);
  const { identity, fence } = request;
  const journal = await readOffsetsJournal(deps.artifacts, identity);
  if (journal?.status === 'DONE') return CommitProgressSchema.parse(journal.record);
  if (fence.mode === 'SEPARATE_POINTERS' && !deps.consumers)
    throw new CutoverFailedError(
      'The fence recorded a separate consumers\u2019 pointer, but no consumers switch was given to CommitConsumerOffsets.',
    );

  let intent: CommitIntent = journal
    ? CommitIntentSchema.parse(journal.intent)
    : { startedAt: deps.now().toISOString() };
  if (!journal) await writeIntent(deps.artifacts, identity, 'offsets', intent);
  if (deps.consumers && fence.consumers) {
    await deps.consumers.set(fence.fenceValue, { expected: fence.consumers.previous?.value ?? null });
    if (!intent.consumersFencedAt) {
      intent = { ...intent, consumersFencedAt: deps.now().toISOString() };
      await writeIntent(deps.artifacts, identity, 'offsets', intent);
    }
  }

  const topics = watchedTopics(request.topics, request.canaryTopic);
  const freshGroups = request.recovery?.freshGroups ?? [];
  const fresh = new Set(freshGroups.map((g) => g.groupId));
  const sourceGroups = (await deps.source.listGroups()).map((g) => g.groupId);
  const groups = selectGroups(sourceGroups, request.consumerGroups).filter((g) => !fresh.has(g));
  const onSource = new Set(sourceGroups);
  const now = deps.now();
  const holding = [...groups, ...freshGroups.map((g) => g.groupId).filter((g) => onSource.has(g))];
  const held = new Set(request.heldGroups);
  const active =
    holding.length > 0
      ? (await deps.source.describeGroups(holding))
          .filter((g) => g.members.length > 0 && !held.has(g.groupId))
          .map((g) => g.groupId)
      : [];
  // A consumer being held counts as active wherever its group is: nothing completes before its hold does.
  const waiting = [...new Set([...request.holdingGroups, ...active])];
  const base = {
    startedAt: intent.startedAt,
    ...(intent.consumersFencedAt ? { consumersFencedAt: intent.consumersFencedAt } : {}),
    groups: groups.length + freshGroups.length,
  };
  if (waiting.length > 0) {
    if (now.getTime() - Date.parse(intent.startedAt) >= request.groupsTimeoutSeconds * 1000) {
      throw new CutoverFailedError(
        `${waiting.length} consumer group(s) still have active members on the source ${request.groupsTimeoutSeconds} s after the consumers were told to hold: ${waiting.slice(0, 5).join(', ')}. ` +
          'Their committed offsets keep moving, so they cannot be translated. Make those consumers read the pointer (or stop them), then retry the cutover.',
        { waitingForGroups: waiting.slice(0, 20) },
      );
    }
    return {
      ...base,
      complete: false,
      checkedAt: now.toISOString(),
      waitingForGroups: waiting.slice(0, 20),
      partitionsCommitted: 0,
      committed: [],
    };
  }
  const everyGroup = [...groups, ...freshGroups.map((g) => g.groupId)];
  const activeOnTarget =
    everyGroup.length > 0
      ? (await deps.target.describeGroups(everyGroup)).filter((g) => g.members.length > 0).map((g) => g.groupId)
      : [];
  if (activeOnTarget.length > 0) {
    throw new CutoverFailedError(
      `${activeOnTarget.length} consumer group(s) already have active members on the target: ${activeOnTarget.slice(0, 5).join(', ')}. Kafka refuses offset commits for an active group, and those consumers ` +
        'read from positions of their own. Stop them, let the rollback put the pointers back, and cut over again.',
      { activeOnTarget: activeOnTarget.slice(0, 20) },
    );
  }

  // Consumers first: every group's position translated before anything is committed, or wait for the replication.
  let whileReplicating: Map<string, OffsetTranslation> | undefined;
  if (request.consumersFirst) {
    const { translations, waiting: behind } = await translateWhileReplicating(
      request,
      request.consumersFirst.lagAllowance,
      groups,
      topics,
      deps,
    );
    if (behind.length > 0) {
      const limit = request.consumersFirst.replicationTimeoutSeconds;
      if (now.getTime() - Date.parse(intent.startedAt) >= limit * 1000)
        throw new CutoverFailedError(
          `Consumers first: ${behind.length} committed position(s) of the wave's groups are still not on the target ${limit} s after their consumers held: ${behind.slice(0, 5).join(', ')}. ` +
            'The replication has not copied their last records (or lags more than gates.maxLagRecords). The consumers go back to the source; check the replication, then cut over again.',
          { waitingForReplication: behind.slice(0, 20) },
        );
      return {
        ...base,
        complete: false,
        checkedAt: now.toISOString(),
        waitingForGroups: [],
        waitingForReplication: behind.slice(0, 20),
        partitionsCommitted: 0,
        committed: [],
      };
    }
    whileReplicating = translations;
  }

  const [sourceEnds, targetEnds, tails] = await Promise.all([
    readEndOffsets(deps.source, topics),
    readEndOffsets(deps.target, topics),
    // Consumers first: nothing was drained, so there is no tail shift to predict with.
    request.consumersFirst ? Promise.resolve([]) : loadDrainTails(deps.artifacts, request.drain.evidenceKey),
  ]);
  const sourceBy = new Map(sourceEnds.map((e) => [partitionKey(e), e]));
  const targetBy = new Map(targetEnds.map((e) => [partitionKey(e), e]));
  const deltaBy = new Map(tails.map((t) => [partitionKey(t), t.delta === null ? 0n : BigInt(t.delta)]));
  const tailBy = new Map(tails.map((t) => [partitionKey(t), t]));

  const early = whileReplicating
    ? whileReplicating
    : request.beforeFence
      ? reusableTranslations(
          await loadBeforeFence(deps.artifacts, request.beforeFence.evidenceKey),
          (topic, partition) => {
            const tail = tails.find((t) => t.topic === topic && t.partition === partition);
            return tail && tail.delta !== null ? BigInt(tail.delta) : undefined;
          },
        )
      : new Map<string, OffsetTranslation>();
  type GroupRecord = z.infer<typeof GroupCommitSchema>;
  type GroupEvidence = { groupId: string; translations: OffsetTranslation[]; notes: string[] };
  // A few groups at a time, in order in the record and the evidence: each group's reads and commit wait on the two
  // clusters, and the producers hold until the last group is committed.
  const perGroup = await mapBounded(
    groups,
    GROUP_CONCURRENCY,
    async (groupId): Promise<{ record: GroupRecord; evidence?: GroupEvidence; reused: number }> => {
      const committed = (await deps.source.fetchCommittedOffsets(groupId, topics)).filter(
        (c) => c.offset !== '-1' && sourceBy.has(partitionKey(c)),
      );
      if (committed.length === 0) return { record: { groupId, partitions: 0, status: 'NO_OFFSETS' }, reused: 0 };
      let reused = 0;
      const translations: OffsetTranslation[] = [];
      for (const c of committed) {
        const s = sourceBy.get(partitionKey(c)) as PartitionEnd;
        const t = targetBy.get(partitionKey(c));
        if (!t)
          throw new CutoverFailedError(
            `${c.topic}-${c.partition} does not exist on the target: group ${groupId}'s offset cannot be translated.`,
            { groupId },
          );
        const before = early.get(translationKey(groupId, c.topic, c.partition, c.offset));
        if (before) reused++;
        translations.push(
          before ??
            atDrainedEnd(c, s, t, tailBy.get(partitionKey(c))) ??
            (await translateOffset(deps, request, c, s, t, deltaBy.get(partitionKey(c)) ?? 0n, groupId)),
        );
      }
      checkReplayTolerance(request, groupId, translations);
      const translated: CommittedOffset[] = translations.map((x) => ({
        topic: x.topic,
        partition: x.partition,
        offset: x.targetOffset,
      }));
      await deps.target.setCommittedOffsets(groupId, translated);
      const notes = await verifyCommit(deps, request, groupId, committed, translations, sourceBy, targetBy, deltaBy);
      const redelivered = translations.reduce((n, x) => n + (x.redelivered ?? 0), 0);
      const withAhead = translations.map((x) => {
        const s = sourceBy.get(partitionKey(x)) as PartitionEnd;
        const t = targetBy.get(partitionKey(x)) as PartitionEnd;
        const ahead = BigInt(t.high) - BigInt(x.targetOffset) - (BigInt(s.high) - BigInt(x.sourceOffset));
        return ahead > 0n ? { ...x, replayAhead: Number(ahead) } : x;
      });
      translations.splice(0, translations.length, ...withAhead);
      const replayAhead = translations.reduce((n, x) => n + (x.replayAhead ?? 0), 0);
      return {
        record: {
          groupId,
          partitions: translated.length,
          committedAt: deps.now().toISOString(),
          status: 'COMMITTED',
          ...(redelivered > 0 ? { redelivered } : {}),
          ...(replayAhead > 0 ? { replayAhead } : {}),
        },
        evidence: { groupId, translations, notes },
        reused,
      };
    },
  );
  const reused = perGroup.reduce((n, g) => n + g.reused, 0);
  const records: GroupRecord[] = perGroup.map((g) => g.record);
  const evidence: GroupEvidence[] = perGroup.flatMap((g) => (g.evidence ? [g.evidence] : []));

  // Fresh groups: from a timestamp on every partition, with the replay their owners accepted counted.
  for (const freshGroup of freshGroups) {
    const at = Date.parse(freshGroup.startAt);
    const translations: OffsetTranslation[] = [];
    const fromSource = onSource.has(freshGroup.groupId)
      ? (await deps.source.fetchCommittedOffsets(freshGroup.groupId, topics)).filter(
          (c) => c.offset !== '-1' && sourceBy.has(partitionKey(c)),
        )
      : [];
    for (const t of targetEnds.filter((e) => request.topics.includes(e.topic))) {
      const start = await firstOffsetAtOrAfter(deps.target, t, at, request.readTimeoutMs);
      const c = fromSource.find((x) => x.topic === t.topic && x.partition === t.partition);
      let redelivered = 0;
      if (c) {
        const position = await translateOffset(
          deps,
          request,
          c,
          sourceBy.get(partitionKey(c)) as PartitionEnd,
          t,
          deltaBy.get(partitionKey(c)) ?? 0n,
          freshGroup.groupId,
        );
        const ahead = BigInt(position.targetOffset) - start;
        redelivered = ahead > 0n ? Number(ahead) : 0;
      }
      translations.push({
        topic: t.topic,
        partition: t.partition,
        sourceOffset: c?.offset ?? '-1',
        targetOffset: start.toString(),
        redelivered,
        proof: { relation: 'timestamp' },
      });
    }
    await deps.target.setCommittedOffsets(
      freshGroup.groupId,
      translations.map((x) => ({ topic: x.topic, partition: x.partition, offset: x.targetOffset })),
    );
    const redelivered = translations.reduce((n, x) => n + (x.redelivered ?? 0), 0);
    records.push({
      groupId: freshGroup.groupId,
      partitions: translations.length,
      committedAt: deps.now().toISOString(),
      status: 'FRESH',
      redelivered,
    });
    evidence.push({
      groupId: freshGroup.groupId,
      translations,
      notes: [
        `Started fresh from ${freshGroup.startAt} (recovery.freshGroups); ${redelivered} record(s) read again, accepted by ${freshGroup.acceptedBy}.`,
      ],
    });
  }

  const completedAt = deps.now().toISOString();
  const evidenceKey = cutoverKey(identity, 'consumer-offsets.json');
  await deps.artifacts.putJson(evidenceKey, {
    kind: 'cutover-consumer-offsets',
    startedAt: intent.startedAt,
    completedAt,
    ...(request.beforeFence ? { translatedBeforeFence: reused, beforeFenceKey: request.beforeFence.evidenceKey } : {}),
    groups: evidence,
    skipped: records.filter((r) => r.status === 'NO_OFFSETS').map((r) => r.groupId),
  });
  const progress: CommitProgress = {
    ...base,
    complete: true,
    checkedAt: completedAt,
    waitingForGroups: [],
    partitionsCommitted: records.reduce((n, r) => n + r.partitions, 0),
    committed: records.slice(0, 50),
    redeliveredRecords: records.reduce((n, r) => n + (r.redelivered ?? 0), 0),
    replayAheadRecords: records.reduce((n, r) => n + (r.replayAhead ?? 0), 0),
    ...(request.beforeFence ? { translatedBeforeFence: reused } : {}),
    completedAt,
    evidenceKey,
  };
  await writeDone(deps.artifacts, identity, 'offsets', intent, progress);
  return progress;
}

/**
 * A group that consumed up to the source's last record of a partition, when neither side moved since the drain's
 * passing look: that look compared the last records of both sides by content (digests), so the record before the
 * committed offset is the source's last one and its copy is the target's last one — the last copy, with nothing after
 * it on either side. The translation is the target's end, with the drain's comparison as its proof; the commit is
 * read back and checked by content as every other. `undefined` otherwise: the partition is translated by reading.
 */
function atDrainedEnd(
  committed: CommittedOffset,
  source: PartitionEnd,
  target: PartitionEnd,
  tail: PartitionTail | undefined,
): OffsetTranslation | undefined {
  if (!tail || tail.sourceEnd !== source.high || tail.targetEnd !== target.high) return undefined;
  return atComparedEnd(committed, tail);
}

/**
 * A committed offset right after the last record a drain look found on both sides, by content: the target offset
 * right after that record's copy, with the look's comparison as its proof. `undefined` when the look did not find the
 * partition drained or the offset is not right after its last record.
 */
export function atComparedEnd(
  committed: CommittedOffset,
  tail: PartitionTail | undefined,
): OffsetTranslation | undefined {
  const last = tail?.drained ? tail.last : undefined;
  if (!last || BigInt(committed.offset) !== BigInt(last.sourceOffset) + 1n) return undefined;
  return {
    topic: committed.topic,
    partition: committed.partition,
    sourceOffset: committed.offset,
    targetOffset: (BigInt(last.targetOffset) + 1n).toString(),
    proof: { relation: 'after', sourceRecord: last.sourceOffset, targetRecord: last.targetOffset, digest: last.digest },
  };
}

/**
 * Consumers first: each group's committed offsets translated by content while the producers still write to the source
 * (the groups left it: their offsets no longer move). The target's ends are read before the source's, so that a record
 * on the target was on the source at the second read. The shift is estimated from the two ends (off by the replication
 * lag, which the widened window covers), and no search goes further back: a record not found is one the replication has
 * not copied yet, and the group waits for it (`waiting`, `<group> <topic>-<partition>`).
 */
export async function translateWhileReplicating(
  request: Pick<Parsed, 'searchWindow' | 'ignoredHeaders' | 'readTimeoutMs'>,
  lagAllowance: number,
  groups: readonly string[],
  topics: readonly string[],
  deps: Pick<CommitOffsetsDeps, 'source' | 'target'>,
  /** Asked before each partition: true leaves the rest untranslated (`waiting`). */
  stop: () => boolean = () => false,
  /** A translation already proved (a drain look's comparison of the last records), taken without reading. */
  known: (groupId: string, committed: CommittedOffset) => OffsetTranslation | undefined = () => undefined,
): Promise<{
  translations: Map<string, OffsetTranslation>;
  waiting: string[];
  sourceBy: Map<string, PartitionEnd>;
  targetBy: Map<string, PartitionEnd>;
  committedBy: Map<string, CommittedOffset[]>;
}> {
  const targetBy = new Map((await readEndOffsets(deps.target, [...topics])).map((e) => [partitionKey(e), e]));
  const sourceBy = new Map((await readEndOffsets(deps.source, [...topics])).map((e) => [partitionKey(e), e]));
  const search: SearchSettings = {
    searchWindow: request.searchWindow + lagAllowance,
    ignoredHeaders: request.ignoredHeaders,
    readTimeoutMs: request.readTimeoutMs,
    backwardChunks: 0,
  };
  // A few groups at a time (in order in the result): one group's source reads overlap another's target reads.
  const perGroup = await mapBounded(groups, GROUP_CONCURRENCY, async (groupId) => {
    const committed = await deps.source.fetchCommittedOffsets(groupId, [...topics]);
    const translated: Array<[string, OffsetTranslation]> = [];
    const waiting: string[] = [];
    for (const c of committed) {
      const s = sourceBy.get(partitionKey(c));
      if (c.offset === '-1' || !s) continue;
      const t = targetBy.get(partitionKey(c));
      const where = `${groupId} ${c.topic}-${c.partition}`;
      if (stop()) {
        waiting.push(`${where} (stopped before it was translated)`);
        continue;
      }
      if (!t) {
        waiting.push(`${where} (the partition is not on the target yet)`);
        continue;
      }
      const proved = known(groupId, c);
      if (proved) {
        translated.push([translationKey(groupId, c.topic, c.partition, c.offset), proved]);
        continue;
      }
      const delta = BigInt(s.high) - BigInt(t.high) - BigInt(Math.floor(lagAllowance / 2));
      try {
        const x = await translateOffset(deps, search, c, s, t, delta, groupId);
        // At the end of an empty source partition: the target's end (read first) holds only what the source held.
        translated.push([translationKey(groupId, c.topic, c.partition, c.offset), x]);
      } catch (err) {
        if (!(err instanceof CutoverFailedError)) throw err;
        waiting.push(`${where} (source offset ${c.offset} not copied yet)`);
      }
    }
    return { groupId, committed, translated, waiting };
  });
  return {
    translations: new Map(perGroup.flatMap((g) => g.translated)),
    waiting: perGroup.flatMap((g) => g.waiting),
    sourceBy,
    targetBy,
    committedBy: new Map(perGroup.map((g) => [g.groupId, g.committed])),
  };
}

/**
 * The target offset that points at the same record as `committed` on the source. The reference record is the last
 * one before the committed offset (transaction markers are skipped by the reads); when there is none (retention
 * removed it, or the group starts at the log start), the first one at or after it.
 */
async function translateOffset(
  deps: Pick<CommitOffsetsDeps, 'source' | 'target'>,
  request: SearchSettings,
  committed: CommittedOffset,
  source: PartitionEnd,
  target: PartitionEnd,
  delta: bigint,
  groupId: string,
): Promise<OffsetTranslation> {
  const { topic, partition } = committed;
  const options = { ignoredHeaders: request.ignoredHeaders, readTimeoutMs: request.readTimeoutMs };
  const W = BigInt(request.searchWindow);
  const c = BigInt(committed.offset);
  const sLow = BigInt(source.low);
  const sHigh = BigInt(source.high);
  const base = { topic, partition, sourceOffset: committed.offset };
  const from = c - W > sLow ? c - W : sLow;
  const before = (
    await readDigests(deps.source, topic, partition, from, c < sHigh ? c : sHigh, request.searchWindow, options)
  ).at(-1);
  if (before) {
    const found = await lastContinuingCopy(
      deps,
      request,
      topic,
      partition,
      before,
      before.offset - delta,
      source,
      target,
    );
    if (found === undefined) throw notFound(groupId, topic, partition, before, delta);
    return {
      ...base,
      targetOffset: (found.offset + 1n).toString(),
      ...(found.copies > 1 ? { copies: found.copies } : {}),
      ...(found.redelivered > 0 ? { redelivered: found.redelivered } : {}),
      proof: {
        relation: 'after',
        sourceRecord: before.offset.toString(),
        targetRecord: found.offset.toString(),
        digest: before.digest,
      },
    };
  }
  const next =
    c < sHigh
      ? (
          await readDigests(
            deps.source,
            topic,
            partition,
            c > sLow ? c : sLow,
            sHigh,
            2 * request.searchWindow,
            options,
          )
        )[0]
      : undefined;
  if (next) {
    const found = await lastContinuingCopy(deps, request, topic, partition, next, next.offset - delta, source, target);
    if (found === undefined) throw notFound(groupId, topic, partition, next, delta);
    return {
      ...base,
      targetOffset: found.offset.toString(),
      ...(found.copies > 1 ? { copies: found.copies } : {}),
      ...(found.redelivered > 0 ? { redelivered: found.redelivered } : {}),
      proof: {
        relation: 'at',
        sourceRecord: next.offset.toString(),
        targetRecord: found.offset.toString(),
        digest: next.digest,
      },
    };
  }
  // No record to align on (an empty partition, or markers only): the group is at the end on both sides.
  return { ...base, targetOffset: target.high, proof: { relation: 'end' } };
}

function notFound(
  groupId: string,
  topic: string,
  partition: number,
  record: DigestedRecord,
  delta: bigint,
): CutoverFailedError {
  return new CutoverFailedError(
    `Group ${groupId}: the record at source offset ${record.offset} of ${topic}-${partition} (sha256 ${record.digest.slice(0, 12)}) is not on the target near offset ${record.offset - delta}: its committed offset cannot be translated. Check the target validation evidence.`,
    { groupId, topic, partition },
  );
}

/**
 * The copy of `record` on the target a group should resume after (or at): the last copy whose next record is the
 * source's next record (a replayed range's last copy continues in order; an earlier copy is followed by the replay).
 * `redelivered`: records between the chosen copy and the last one, read again when only an earlier copy continues.
 */
async function lastContinuingCopy(
  deps: Pick<CommitOffsetsDeps, 'source' | 'target'>,
  request: SearchSettings,
  topic: string,
  partition: number,
  record: DigestedRecord,
  expected: bigint,
  source: PartitionEnd,
  ends: PartitionEnd,
): Promise<{ offset: bigint; copies: number; redelivered: number } | undefined> {
  const options = { ignoredHeaders: request.ignoredHeaders, readTimeoutMs: request.readTimeoutMs };
  const copies = await copiesOnTarget(
    deps.target,
    topic,
    partition,
    record,
    expected,
    ends,
    BigInt(request.searchWindow),
    options,
    request.backwardChunks ?? MAX_BACKWARD_CHUNKS,
  );
  const last = copies.at(-1);
  if (last === undefined) return undefined;
  if (copies.length === 1) return { offset: last, copies: 1, redelivered: 0 };
  const [sourceNext] = await readDigests(
    deps.source,
    topic,
    partition,
    record.offset + 1n,
    BigInt(source.high),
    1,
    options,
  );
  for (const copy of [...copies].reverse()) {
    const [targetNext] = await readDigests(deps.target, topic, partition, copy + 1n, BigInt(ends.high), 1, options);
    const continues = sourceNext ? targetNext?.digest === sourceNext.digest : targetNext === undefined;
    if (continues) return { offset: copy, copies: copies.length, redelivered: Number(last - copy) };
  }
  const first = copies[0] as bigint;
  return { offset: first, copies: copies.length, redelivered: Number(last - first) };
}

/**
 * Every target offset holding a record with this digest within ± `window` of `expected`; none there, the nearest
 * chunk before it that holds any (a replayed range puts a record's first copy further back than the tail predicts).
 */
async function copiesOnTarget(
  target: KafkaDataPlane,
  topic: string,
  partition: number,
  record: DigestedRecord,
  expected: bigint,
  ends: PartitionEnd,
  window: bigint,
  options: { ignoredHeaders: readonly string[]; readTimeoutMs: number },
  backwardChunks: number,
): Promise<bigint[]> {
  const low = BigInt(ends.low);
  const high = BigInt(ends.high);
  const from = expected - window > low ? expected - window : low;
  const until = expected + window + 1n < high ? expected + window + 1n : high;
  const match = (records: DigestedRecord[]): bigint[] =>
    records.filter((r) => r.digest === record.digest).map((r) => r.offset);
  let found =
    from < until ? match(await readDigests(target, topic, partition, from, until, Number(until - from), options)) : [];
  const CHUNK = 2_000n;
  let before = from;
  for (let chunks = 0; found.length === 0 && before > low && chunks < backwardChunks; chunks++) {
    const start = before - CHUNK > low ? before - CHUNK : low;
    found = match(await readDigests(target, topic, partition, start, before, Number(before - start), options));
    before = start;
  }
  return found;
}

/** How far back (2,000 records each) a record is looked for on the target: 100 chunks, 200,000 records. */
const MAX_BACKWARD_CHUNKS = 100;

/** What a translation's search reads with: the window around the predicted offset, and how far back it may go. */
interface SearchSettings {
  readonly searchWindow: number;
  readonly ignoredHeaders: readonly string[];
  readonly readTimeoutMs: number;
  /** 2,000-record chunks searched back when the window holds no copy. @default MAX_BACKWARD_CHUNKS */
  readonly backwardChunks?: number;
}

/** The group's redelivered records per topic against the plan's recovery.replayTolerance. */
function checkReplayTolerance(request: Parsed, groupId: string, translations: readonly OffsetTranslation[]): void {
  for (const topic of new Set(translations.map((t) => t.topic))) {
    const ofTopic = translations.filter((t) => t.topic === topic && (t.redelivered ?? 0) > 0);
    const total = ofTopic.reduce((n, t) => n + (t.redelivered ?? 0), 0);
    const tolerance = tolerancesFor(request.recovery, topic);
    if (allows(tolerance.replay, total)) continue;
    throw new CutoverFailedError(
      `Group ${groupId} would read ${total} record(s) of ${topic} again on the target (${ofTopic
        .slice(0, 5)
        .map((t) => `${t.topic}-${t.partition}: ${t.redelivered}`)
        .join(
          ', ',
        )}): the replayed range there has no later copy that continues in order, and ${tolerance.source}.replayTolerance allows ${describeTolerance(tolerance.replay)}. Raise the tolerance for this topic if its consumers accept it, or start the group fresh (recovery.freshGroups).`,
      { groupId, topic, redelivered: total },
    );
  }
}

/**
 * The offset of the first record with a timestamp at or after `at` (ListOffsets by timestamp, done by bisection on
 * the records' own timestamps so that it needs nothing but reads); the partition's end when there is none.
 */
async function firstOffsetAtOrAfter(
  target: KafkaDataPlane,
  ends: PartitionEnd,
  at: number,
  readTimeoutMs: number,
): Promise<bigint> {
  let lo = BigInt(ends.low);
  let hi = BigInt(ends.high);
  while (lo < hi) {
    const mid = lo + (hi - lo) / 2n;
    const [r] = await target.readPartition({
      topic: ends.topic,
      partition: ends.partition,
      fromOffset: mid.toString(),
      untilOffset: hi.toString(),
      maxRecords: 1,
      timeoutMs: readTimeoutMs,
    });
    if (!r) hi = mid;
    else if (Number(r.timestamp) < at) lo = BigInt(r.offset) + 1n;
    else hi = mid;
  }
  return lo;
}

/** Reads the committed offsets back and checks them with the validation's group-offset check (content). */
export async function verifyCommit(
  deps: CommitOffsetsDeps,
  request: ReadSettings,
  groupId: string,
  sourceCommitted: readonly CommittedOffset[],
  translations: readonly OffsetTranslation[],
  sourceBy: ReadonlyMap<string, PartitionEnd>,
  targetBy: ReadonlyMap<string, PartitionEnd>,
  deltaBy: ReadonlyMap<string, bigint>,
): Promise<string[]> {
  const readBack = new Map(
    (await deps.target.fetchCommittedOffsets(groupId, [...new Set(translations.map((t) => t.topic))])).map((c) => [
      partitionKey(c),
      c.offset,
    ]),
  );
  const wrong = translations.filter((t) => readBack.get(partitionKey(t)) !== t.targetOffset);
  if (wrong.length > 0) {
    const w = wrong[0] as OffsetTranslation;
    throw new CutoverFailedError(
      `Group ${groupId}: the target holds offset ${readBack.get(partitionKey(w)) ?? 'none'} for ${w.topic}-${w.partition} after committing ${w.targetOffset}. Another writer (a replicator's offset sync?) changed it.`,
      {
        groupId,
      },
    );
  }
  // The group-offset check compares the records just before both offsets; where a transaction marker sits there
  // (relation other than a record right before the committed offset) the translation's own proof stands.
  const checkable = new Set(
    translations
      .filter((t) => t.proof.relation === 'after' && t.proof.sourceRecord === (BigInt(t.sourceOffset) - 1n).toString())
      .map((t) => partitionKey(t)),
  );
  const views = new Map<string, PartitionView>();
  for (const [k, s] of sourceBy) {
    const t = targetBy.get(k);
    views.set(k, { source: asOffsets(s), target: t ? asOffsets(t) : undefined, delta: deltaBy.get(k) ?? null });
  }
  const check = await checkGroupOffsets(
    deps.source,
    deps.target,
    groupId,
    sourceCommitted.filter((c) => checkable.has(partitionKey(c))),
    translations.map((t) => ({ topic: t.topic, partition: t.partition, offset: t.targetOffset })),
    views,
    {
      maxRewindRecords: 0,
      searchWindow: request.searchWindow,
      ignoredHeaders: request.ignoredHeaders,
      readTimeoutMs: request.readTimeoutMs,
    },
  );
  if (check.differences.length > 0) {
    const d = check.differences[0];
    throw new CutoverFailedError(
      `Group ${groupId}: the committed offsets on the target do not point at the source's records: ${d?.subject}: ${d?.detail}`,
      { groupId, differences: check.differences.slice(0, 10) },
    );
  }
  const notes: string[] = [];
  for (const t of translations) {
    if (checkable.has(partitionKey(t)) || t.proof.relation === 'timestamp') continue;
    const s = sourceBy.get(partitionKey(t));
    const tEnd = targetBy.get(partitionKey(t));
    if (!s || !tEnd) continue;
    notes.push(await checkNeighbours(deps, request, groupId, t, s, tEnd));
  }
  return notes;
}

/**
 * The read-back check of a commit whose proof is not the record right before it (a transaction marker sits there, or
 * the translation was reused from before the fence): read afresh, the last record before the committed offset on the
 * source and the last record before the translated offset on the target must be the same record (or, where the source
 * holds none before it within the search window, the first record at or after each). A translation one record short or
 * long fails here whatever its own proof says.
 */
async function checkNeighbours(
  deps: CommitOffsetsDeps,
  request: ReadSettings,
  groupId: string,
  t: OffsetTranslation,
  source: PartitionEnd,
  target: PartitionEnd,
): Promise<string> {
  const options = { ignoredHeaders: request.ignoredHeaders, readTimeoutMs: request.readTimeoutMs };
  const W = BigInt(request.searchWindow);
  const window = (at: bigint, end: PartitionEnd): { high: bigint; from: bigint; at: bigint } => {
    const low = BigInt(end.low);
    const high = BigInt(end.high);
    const clamped = at < high ? at : high;
    return { high, from: clamped - W > low ? clamped - W : low, at: clamped };
  };
  const s = window(BigInt(t.sourceOffset), source);
  const tw = window(BigInt(t.targetOffset), target);
  const read = (cluster: KafkaDataPlane, from: bigint, until: bigint): Promise<DigestedRecord[]> =>
    readDigests(cluster, t.topic, t.partition, from, until, request.searchWindow, options);
  const refuse = (detail: string): never => {
    throw new CutoverFailedError(
      `Group ${groupId}: the committed offset ${t.targetOffset} for ${t.topic}-${t.partition} on the target does not follow the source's offset ${t.sourceOffset}: ${detail}`,
      { groupId, topic: t.topic, partition: t.partition, sourceOffset: t.sourceOffset, targetOffset: t.targetOffset },
    );
  };
  const sBefore = (await read(deps.source, s.from, s.at)).at(-1);
  if (sBefore) {
    const tBefore = (await read(deps.target, tw.from, tw.at)).at(-1);
    if (tBefore?.digest !== sBefore.digest)
      refuse(
        tBefore
          ? `the record before it is target offset ${tBefore.offset}, not a copy of source offset ${sBefore.offset}`
          : `no record before it on the target, where source offset ${sBefore.offset} was consumed`,
      );
    return `${t.topic}-${t.partition}: read back after the record at source offset ${sBefore.offset} (target ${tBefore?.offset}).`;
  }
  const sNext = (await read(deps.source, s.at, s.high))[0];
  const tNext = (await read(deps.target, tw.at, tw.high))[0];
  if (sNext?.digest !== tNext?.digest)
    refuse(
      sNext
        ? `the next record on the target is ${tNext ? `offset ${tNext.offset}, not a copy of` : 'missing, not'} source offset ${sNext.offset}`
        : `the target holds record ${tNext?.offset} where the source has none`,
    );
  return sNext
    ? `${t.topic}-${t.partition}: read back at the record at source offset ${sNext.offset}.`
    : `${t.topic}-${t.partition}: read back at the partition end.`;
}

function asOffsets(e: PartitionEnd): PartitionOffsets {
  return { partition: e.partition, low: e.low, high: e.high };
}

export const TranslateBeforeFenceRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    consumerGroups: z.object({ include: z.array(z.string()), exclude: z.array(z.string()) }),
    /**
     * Records the target may still lag the source by (the catch-up gate's `gates.maxLagRecords`): before the fence the
     * offset shift is estimated from both ends, which differ by the lag too, so the search window is widened by it.
     */
    lagAllowance: z.number().int().nonnegative().default(0),
    searchWindow: z.number().int().positive().default(200),
    ignoredHeaders: z.array(z.string()).default([...DEFAULT_IGNORED_HEADERS]),
    readTimeoutMs: z.number().int().positive().default(5_000),
    recovery: RecoveryPolicySchema.optional(),
  }),
);
export type TranslateBeforeFenceRequest = z.input<typeof TranslateBeforeFenceRequestSchema>;

/** The pre-pass's evidence: every translation with its content proof, and the partitions it left for after the drain. */
interface BeforeFenceEvidence {
  readonly kind: 'cutover-consumer-offsets-before-fence';
  readonly translatedAt: string;
  readonly groups: ReadonlyArray<{ readonly groupId: string; readonly translations: readonly OffsetTranslation[] }>;
  readonly left: ReadonlyArray<{ groupId: string; topic: string; partition: number; offset: string; reason: string }>;
}

/**
 * The pre-pass (TranslateOffsetsBeforeFence): each group's committed offsets on the source translated by content, as
 * CommitConsumerOffsets does, while the clients still run; journaled as evidence, nothing committed anywhere. The
 * offset shift is estimated from the two ends (no drain yet), so the search is bounded: the window widened by the lag
 * allowance, no search further back. A partition it cannot place is left for after the drain, never an error: the
 * pre-pass only saves work, it decides nothing.
 */
export async function translateOffsetsBeforeFence(
  input: TranslateBeforeFenceRequest,
  deps: Pick<CommitOffsetsDeps, 'source' | 'target' | 'artifacts' | 'now'>,
): Promise<OffsetsBeforeFence> {
  const request = TranslateBeforeFenceRequestSchema.parse(input);
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const fresh = new Set((request.recovery?.freshGroups ?? []).map((g) => g.groupId));
  const groups = selectGroups(
    (await deps.source.listGroups()).map((g) => g.groupId),
    request.consumerGroups,
  ).filter((g) => !fresh.has(g));
  // The committed offsets first, the ends after: producers and consumers are still running, and a group that
  // committed past the ends read would be translated against a clamped window (one record short, read twice).
  const committedBy = new Map<string, CommittedOffset[]>();
  for (const groupId of groups) committedBy.set(groupId, await deps.source.fetchCommittedOffsets(groupId, topics));
  const [sourceEnds, targetEnds] = await Promise.all([
    readEndOffsets(deps.source, topics),
    readEndOffsets(deps.target, topics),
  ]);
  const targetBy = new Map(targetEnds.map((e) => [partitionKey(e), e]));
  const sourceBy = new Map(sourceEnds.map((e) => [partitionKey(e), e]));
  const search: SearchSettings = {
    searchWindow: request.searchWindow + request.lagAllowance,
    ignoredHeaders: request.ignoredHeaders,
    readTimeoutMs: request.readTimeoutMs,
    backwardChunks: 0,
  };
  const translated: Array<{ groupId: string; translations: OffsetTranslation[] }> = [];
  const left: Array<BeforeFenceEvidence['left'][number]> = [];
  for (const groupId of groups) {
    const translations: OffsetTranslation[] = [];
    for (const c of committedBy.get(groupId) ?? []) {
      const s = sourceBy.get(partitionKey(c));
      const t = targetBy.get(partitionKey(c));
      if (c.offset === '-1' || !s || !t) continue;
      // The shift the ends suggest, off by the replication lag at this moment (the widened window covers it).
      const delta = BigInt(s.high) - BigInt(t.high) - BigInt(Math.floor(request.lagAllowance / 2));
      const leave = (reason: string): void => {
        left.push({ groupId, topic: c.topic, partition: c.partition, offset: c.offset, reason });
      };
      if (BigInt(c.offset) > BigInt(s.high)) {
        leave('committed past the end offsets read');
        continue;
      }
      try {
        const x = await translateOffset(deps, search, c, s, t, delta, groupId);
        if (x.proof.relation === 'end') leave('no record to align on yet');
        else translations.push(x);
      } catch (err) {
        if (!(err instanceof CutoverFailedError)) throw err;
        leave('its record is not on the target within the search yet');
      }
    }
    if (translations.length > 0) translated.push({ groupId, translations });
  }
  const translatedAt = deps.now().toISOString();
  const evidenceKey = cutoverKey(request.identity, 'consumer-offsets-before-fence.json');
  const evidence: BeforeFenceEvidence = {
    kind: 'cutover-consumer-offsets-before-fence',
    translatedAt,
    groups: translated,
    left,
  };
  await deps.artifacts.putJson(evidenceKey, evidence);
  return {
    translatedAt,
    groups: groups.length,
    partitionsTranslated: translated.reduce((n, g) => n + g.translations.length, 0),
    partitionsLeft: left.length,
    evidenceKey,
  };
}

async function loadBeforeFence(
  artifacts: ArtifactStore,
  evidenceKey: string,
): Promise<BeforeFenceEvidence | undefined> {
  const evidence = await artifacts.getJson<BeforeFenceEvidence>(evidenceKey);
  return evidence?.kind === 'cutover-consumer-offsets-before-fence' ? evidence : undefined;
}

export function translationKey(groupId: string, topic: string, partition: number, sourceOffset: string): string {
  return [groupId, topic, partition, sourceOffset].join('\u0000');
}

/**
 * The translations from before the fence that still hold after the drain, by group, partition and source offset:
 * aligned on a record (after or at it), found once on the target, and shifted by exactly the drain's tail delta for
 * that partition (a replay or a gap since the pre-pass changes the shift, and the partition is translated again).
 */
function reusableTranslations(
  evidence: BeforeFenceEvidence | undefined,
  drainDelta: (topic: string, partition: number) => bigint | undefined,
): Map<string, OffsetTranslation> {
  const reusable = new Map<string, OffsetTranslation>();
  for (const { groupId, translations } of evidence?.groups ?? []) {
    for (const x of translations) {
      const { relation, sourceRecord, targetRecord } = x.proof;
      if ((relation !== 'after' && relation !== 'at') || sourceRecord === undefined || targetRecord === undefined)
        continue;
      if ((x.copies ?? 1) > 1 || (x.redelivered ?? 0) > 0) continue;
      const delta = drainDelta(x.topic, x.partition);
      if (delta === undefined || BigInt(sourceRecord) - BigInt(targetRecord) !== delta) continue;
      reusable.set(translationKey(groupId, x.topic, x.partition, x.sourceOffset), {
        topic: x.topic,
        partition: x.partition,
        sourceOffset: x.sourceOffset,
        targetOffset: x.targetOffset,
        proof: x.proof,
      });
    }
  }
  return reusable;
}
