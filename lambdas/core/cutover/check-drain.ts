import * as z from 'zod';
import { CutoverFailedError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { PartitionProducers, ProducerActivity } from '../../ports/producer-activity';
import { lagOf } from '../gates/partition-lag';
import { mapBounded } from '../inventory/bounded-map';
import { readDigests } from '../validation/record-continuity';
import type { DigestedRecord } from '../validation/record-digest';
import { DEFAULT_IGNORED_HEADERS } from '../validation/record-digest';
import { FenceRecordSchema } from './fence-producers';
import {
  EndOffsetsSnapshotSchema,
  ExecutionIdentitySchema,
  cutoverKey,
  digestEnds,
  endOffsetsSnapshot,
  loadEndOffsets,
  readEndOffsets,
  storeEndOffsets,
  watchedTopics,
  type PartitionEnd,
  partitionKey,
} from './model';
import { lazySchema } from '../lazy-schema';
import { allAnswered } from './journal';

/**
 * CheckDrain: one poll of the Wait/CheckDrain/Choice loop after FenceProducers. The source is drained when
 * 1. the fence holds: the source's end offsets have not moved for `settleSeconds` (longer than the clients take to
 *    see a new pointer value — a producer that has not yet read the fence can still write, and those records must
 *    be copied too), and
 * 2. the replicator has copied the tail: for every partition, the source's last records are the target's last
 *    records, by content (record digests), not by offset (offsets differ across clusters; lag by offsets is reported
 *    as a figure only).
 * Past `drainTimeoutSeconds` after the fence an undrained source fails the cutover (Migration.CutoverFailed), and the
 * rollback puts the pointers back. Reads only; each poll's per-partition evidence goes to the artifact store.
 *
 * The look at the settle's end is inside the producers' pause, so a look reads only what may have changed: a
 * partition whose source and target end offsets are both those of the previous look keeps that look's comparison
 * (offsets are immutable: the same records end both partitions), named in its evidence by the poll that read them
 * (`comparedAt`); the previous tails come from memory within one invocation (DrainLookMemory), else from the previous
 * evidence. Once a look found every topic on the target, the next reads both clusters' ends at once without listing
 * topics, and the source's snapshot and the evidence are written at once.
 *
 * With `noticeSeconds` (a fence clients notice through the pointer: by when every client that honours it must have
 * held, plan.fenceNoticeSecondsOf), the settle counts from the fence, not from the last write: a late write before
 * then is copied and checked like any record, and the drain passes at the settle's end once a look finds the source
 * unchanged since the look before. Without it (IAM_POLICY: IAM's propagation, which no client declares) every move
 * restarts the settle.
 *
 * A writer that keeps writing is named and fails the cutover at once: when the source's end offsets moved between a
 * poll that came `noticeSeconds` (else `settleSeconds`) or more after the fence and this one, the records were written
 * after every client that honours the fence had held — by a producer no fence or switch covers. The partitions that moved, with the
 * producers DescribeProducers (KIP-664) reports a last write after the fence for, go into the error and the evidence
 * (Migration.CutoverFailed, `details.writers`), and the rollback puts everything back.
 */

export const DrainProgressSchema = lazySchema(() =>
  z.object({
    drained: z.boolean(),
    polls: z.number().int().positive(),
    checkedAt: z.string(),
    fencedAt: z.string(),
    sourceEnds: EndOffsetsSnapshotSchema,
    /** Since when the source's end offsets have been what they are now. */
    sourceStableSince: z.string(),
    sourceStable: z.boolean(),
    /** Records written to the source after the fence took effect (late producers), over all partitions. */
    recordsAfterFence: z.string(),
    partitions: z.number().int().nonnegative(),
    partitionsDrained: z.number().int().nonnegative(),
    /**
     * Partitions the target had (its topic and partition existed). Equal to `partitions`: every watched topic was on
     * the target, and the next look reads the ends without listing the target's topics first.
     */
    partitionsOnTarget: z.number().int().nonnegative().optional(),
    /** Σ source end − target end: a figure, the decision is by content. */
    offsetLag: z.number().int().nonnegative(),
    reasons: z.array(z.string()),
    /**
     * With the clients' notice (`noticeSeconds`): this look came at or after it, the source's end offsets had not
     * moved since the look before, and every partition's last records were on the target — only the settle's time
     * was left. The one-invocation Cutover ends its drain here, does the steps after the drain during the rest of the
     * settle, and moves the pointer only after a look at the settle's end (its ConfirmDrain) passes with both
     * clusters' end offsets those of this look (lambdas/tasks/cutover/task.ts). True on a drained look too.
     */
    caughtUp: z.boolean().optional(),
    drainedAt: z.string().optional(),
    /** This poll's evidence: per partition the tails compared and the source−target offset delta of the last record. */
    evidenceKey: z.string(),
  }),
);
export type DrainProgress = z.infer<typeof DrainProgressSchema>;

/**
 * Whether the steps after the drain may run on this look: drained, or caught up (only the settle's time left; the
 * one-invocation Cutover confirms it at the settle's end before the pointer moves, and every stop before that
 * returns to the drain's looks: lambdas/tasks/cutover/task.ts).
 */
export const drainedOrCaughtUp = (d: Pick<DrainProgress, 'drained' | 'caughtUp'>): boolean =>
  d.drained || d.caughtUp === true;
export const NOT_DRAINED = 'the source is not drained yet (nor caught up with only the settle left)';

export const CheckDrainRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    fence: FenceRecordSchema,
    /** The previous poll's result (`$.cutover.drain`), absent on the first poll. */
    previous: DrainProgressSchema.optional(),
    drainTimeoutSeconds: z.number().int().positive().default(900),
    /** How long the source's end offsets must stay unchanged: more than the clients' pointer refresh interval. */
    settleSeconds: z.number().nonnegative().default(15),
    /**
     * By when every client that honours the fence has held (s after it; ≤ settleSeconds): the settle then counts from
     * the fence, and a move after a look taken this late is a writer no fence covers. Absent: every move restarts the
     * settle, and only a move after a look `settleSeconds` after the fence is refused.
     */
    noticeSeconds: z.number().nonnegative().optional(),
    /** Records compared at the tail of each partition. */
    tailRecords: z.number().int().positive().default(3),
    ignoredHeaders: z.array(z.string()).default([...DEFAULT_IGNORED_HEADERS]),
    readTimeoutMs: z.number().int().positive().default(5_000),
    /**
     * The target's end offsets as an earlier attempt's switch recorded them before any client pointed at the target (a
     * retried Cutover invocation that finds the switch journaled: that attempt may have moved the pointer, and the
     * producers written to the target since). Each look compares the target up to them: records past them are the
     * producers' after that switch, not the replication's. Where the pointer never moved, the target has none past them.
     */
    targetEndsCap: z
      .array(z.object({ topic: z.string(), partition: z.number().int(), low: z.string(), high: z.string() }))
      .optional(),
  }),
);
export type CheckDrainRequest = z.input<typeof CheckDrainRequestSchema>;

export interface CheckDrainDeps {
  readonly source: KafkaDataPlane;
  /** DescribeProducers on the source, to name a writer that keeps writing; absent: named by partitions only. */
  readonly producerActivity?: ProducerActivity;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

/** One partition's drain evidence. */
export const PartitionTailSchema = lazySchema(() =>
  z.object({
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    sourceEnd: z.string(),
    targetEnd: z.string().nullable(),
    drained: z.boolean(),
    /** source offset − target offset of the last record (same content on both), when drained and not empty. */
    delta: z.string().nullable(),
    /** The last record both sides end with, when drained and not empty: its offset on each side and its digest. */
    last: z.object({ sourceOffset: z.string(), targetOffset: z.string(), digest: z.string() }).optional(),
    detail: z.string().optional(),
    /**
     * The poll (`poll-NNNN`) whose reads compared these tails, when this look carried the comparison over: both ends
     * were what they were then, and offsets are immutable, so the same records end both partitions.
     */
    comparedAt: z.string().optional(),
  }),
);
export type PartitionTail = z.infer<typeof PartitionTailSchema>;

/** What a look's evidence holds that the next look reuses: its tails and how they were compared. */
const DrainLookEvidenceSchema = lazySchema(() =>
  z.object({
    kind: z.literal('cutover-drain'),
    at: z.string(),
    compare: z.object({ tailRecords: z.number().int().positive(), ignoredHeaders: z.array(z.string()) }),
    partitions: z.array(PartitionTailSchema),
  }),
);

/** A look as the next one can reuse it. */
interface DrainLook {
  readonly evidenceKey: string;
  readonly at: string;
  readonly tailRecords: number;
  readonly ignoredHeaders: readonly string[];
  readonly tails: readonly PartitionTail[];
}

/**
 * The last look's tails within one invocation (runCheckDrain's paced looks): the next look reuses them without
 * reading its evidence back. Only the last look is kept; a look that failed before its evidence was written is not.
 */
export class DrainLookMemory {
  private last: DrainLook | undefined;

  remember(look: DrainLook): void {
    this.last = look;
  }

  /** The look `previous` reports, if it is the one remembered (same evidence, same time). */
  recall(previous: DrainProgress): DrainLook | undefined {
    const last = this.last;
    return last && last.evidenceKey === previous.evidenceKey && last.at === previous.checkedAt ? last : undefined;
  }
}

const REASONS_KEPT = 5;
/** A look's number as its artifacts' names carry it (`poll-0003.json`, `source-ends-0003.json`). */
const pollNumber = (polls: number): string => String(polls).padStart(4, '0');
/** Partitions whose tails one look compares at once. */
const TAIL_CONCURRENCY = 8;

/** A write started at the first call; later calls return the same promise. */
function once<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
}

export async function checkDrain(
  input: CheckDrainRequest,
  deps: CheckDrainDeps,
  memory?: DrainLookMemory,
  /**
   * Takes a drained look's records (its source-ends snapshot and evidence) instead of this look writing them: the
   * caller starts the writes (the function given; called again, the same writes) and has them answered before it acts
   * on the drain. Without it, every look's records are answered before it returns.
   */
  deferDrainedRecords?: (write: () => Promise<unknown>) => void,
): Promise<DrainProgress> {
  const request = CheckDrainRequestSchema.parse(input);
  const { identity, fence, previous } = request;
  const now = deps.now();
  const at = now.toISOString();
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const polls = (previous?.polls ?? 0) + 1;

  const ends = await readLookEnds(deps, topics, previous);
  const targetEnds = capEnds(ends.targetEnds, request.targetEndsCap);
  let { sourceEnds } = ends;
  const targetByPartition = new Map(targetEnds.map((e) => [partitionKey(e), e]));
  // The previous look's comparisons, where both ends of a partition are what they were then. Within one invocation
  // from memory; else from its evidence, read only when the source has not moved since (the look that can pass: a
  // look that sees the source move waits anyway).
  const earlier =
    previous === undefined
      ? undefined
      : (memory?.recall(previous) ??
        (digestEnds(sourceEnds) === previous.sourceEnds.digest
          ? await loadDrainLook(deps.artifacts, previous)
          : undefined));
  const carried = carriedTails(earlier, previous, request);
  const carriedFor = (s: PartitionEnd): PartitionTail | undefined => {
    const t = targetByPartition.get(partitionKey(s));
    if (!t || s.high === s.low) return undefined;
    const tail = carried.get(partitionKey(s));
    return tail && tail.sourceEnd === s.high && tail.targetEnd === t.high ? tail : undefined;
  };
  // Both ends read at once are enough where every partition's comparison is carried over: the target's records up to
  // an unchanged end are those it had at the previous look, whatever the order of the reads (and a partition the
  // target lacks, or an empty one on the source, is decided without reading records). A partition whose records are
  // compared afresh needs the target's ends before the source's (readOrderedEnds): the source's are read again.
  const readsRecords = (s: PartitionEnd): boolean =>
    s.high !== s.low && targetByPartition.has(partitionKey(s)) && carriedFor(s) === undefined;
  if (!ends.ordered && sourceEnds.some(readsRecords)) sourceEnds = await readEndOffsets(deps.source, topics);

  const sourceDigest = digestEnds(sourceEnds);
  // The source's ends go to the artifact store while the tails are compared (awaited with the evidence below), except
  // where the caller writes a drained look's records (deferDrainedRecords): then with the evidence, when it says.
  const sourceEndsName = `drain/source-ends-${pollNumber(polls)}.json`;
  const snapshotStored = once(() => storeEndOffsets(deps.artifacts, identity, sourceEndsName, at, sourceEnds));
  if (!deferDrainedRecords) snapshotStored().catch(() => undefined);

  const reference = previous?.sourceEnds ?? fence.sourceEndsAtFence;
  const moved = sourceDigest !== reference.digest;
  const fencedMs = Date.parse(fence.fencedAt);
  const settleMs = request.settleSeconds * 1000;
  const noticeMs = request.noticeSeconds === undefined ? undefined : Math.min(request.noticeSeconds * 1000, settleMs);
  if (previous && moved && Date.parse(previous.checkedAt) - fencedMs >= (noticeMs ?? settleMs)) {
    await snapshotStored();
    await refuseUncoveredWriters({ request, previous, sourceEnds, polls, at, deps });
  }
  const sourceStableSince = moved ? at : (previous?.sourceStableSince ?? fence.fencedAt);
  // With the clients' notice: still since the last look (or the fence) and the settle elapsed since the fence. A move
  // between a look before the notice and this one may be a late write: not still yet, and the next look decides.
  const sourceStable =
    noticeMs === undefined
      ? now.getTime() - Date.parse(sourceStableSince) >= settleMs
      : !moved && now.getTime() - fencedMs >= settleMs;
  const recordsAfterFence = (
    sourceEnds.reduce((n, e) => n + BigInt(e.high), 0n) - BigInt(fence.sourceEndsAtFence.totalEnd)
  ).toString();

  // A few partitions at a time (in order in the evidence): the look holds the producers, and its reads wait on the
  // network, not on the CPU; bounded so that thousands of partitions do not flood the leaders. A partition whose both
  // ends are unchanged since a look that compared it keeps that comparison (offsets are immutable): no reads.
  const earlierPoll = previous && `poll-${pollNumber(previous.polls)}`;
  const tails: PartitionTail[] = await mapBounded(sourceEnds, TAIL_CONCURRENCY, async (s) => {
    const tail = carriedFor(s);
    if (tail) return { ...tail, comparedAt: tail.comparedAt ?? (earlierPoll as string) };
    return compareTails(s, targetByPartition.get(partitionKey(s)), deps, request);
  });
  const carriedOver = tails.filter((t) => t.comparedAt !== undefined).length;

  const reasons: string[] = [];
  if (!sourceStable) {
    reasons.push(
      sourceStableSince === at
        ? `The source's end offsets moved since the last check (${recordsAfterFence} record(s) written after the fence): a producer has not seen the fence yet.`
        : noticeMs === undefined
          ? `The source's end offsets have been stable since ${sourceStableSince}, less than the ${request.settleSeconds} s the fence must hold.`
          : `The fence was taken at ${fence.fencedAt}, less than the ${request.settleSeconds} s settle ago.`,
    );
  }
  const undrained = tails.filter((t) => !t.drained);
  for (const t of undrained.slice(0, REASONS_KEPT - reasons.length))
    reasons.push(`${t.topic}-${t.partition}: ${t.detail ?? 'not copied yet'}`);
  if (undrained.length > REASONS_KEPT)
    reasons.push(`… and ${undrained.length - REASONS_KEPT} more partition(s) not drained.`);

  const drained = sourceStable && undrained.length === 0;
  // Every client that honours the fence has held (the notice), nothing was written since the look before, and every
  // record is on the target: a look at the settle's end that finds the same ends on both clusters passes.
  const caughtUp = noticeMs !== undefined && !moved && now.getTime() - fencedMs >= noticeMs && undrained.length === 0;
  const evidenceKey = cutoverKey(identity, `drain/poll-${pollNumber(polls)}.json`);
  const compare = { tailRecords: request.tailRecords, ignoredHeaders: request.ignoredHeaders };
  // The look's two artifacts are written at once: neither refers to the other.
  const sourceSnapshot = endOffsetsSnapshot(identity, sourceEndsName, at, sourceEnds);
  const writeRecords = (): Promise<unknown> =>
    allAnswered([
      snapshotStored(),
      deps.artifacts.putJson(evidenceKey, {
        kind: 'cutover-drain',
        at,
        drained,
        ...(caughtUp && !drained ? { caughtUp } : {}),
        sourceStableSince,
        settleSeconds: request.settleSeconds,
        ...(request.noticeSeconds !== undefined ? { noticeSeconds: request.noticeSeconds } : {}),
        recordsAfterFence,
        compare,
        ...(carriedOver > 0 && previous
          ? { tailsCarriedOver: { partitions: carriedOver, from: previous.evidenceKey } }
          : {}),
        partitions: tails,
        reasons,
      }),
    ]);
  // A drained (or caught-up) look's records, where the caller takes them (deferDrainedRecords), are written by the
  // caller at once with its own: the decision is made from what this look read, and the caller has them durable before it acts on it
  // (the one-invocation Cutover, before the pointer moves). Every other look has them answered before it returns.
  if ((drained || caughtUp) && deferDrainedRecords) deferDrainedRecords(once(writeRecords));
  else await writeRecords();
  memory?.remember({ evidenceKey, at, ...compare, tails });

  const progress: DrainProgress = {
    drained,
    polls,
    checkedAt: at,
    fencedAt: fence.fencedAt,
    sourceEnds: sourceSnapshot,
    sourceStableSince,
    sourceStable,
    recordsAfterFence,
    partitions: tails.length,
    partitionsDrained: tails.length - undrained.length,
    partitionsOnTarget: tails.filter((t) => t.targetEnd !== null).length,
    offsetLag: tails.reduce((n, t) => n + lagOf(t.sourceEnd, t.targetEnd), 0),
    reasons,
    ...(noticeMs !== undefined ? { caughtUp } : {}),
    ...(drained ? { drainedAt: previous?.drainedAt ?? at } : {}),
    evidenceKey,
  };
  if (!drained && now.getTime() - Date.parse(fence.fencedAt) >= request.drainTimeoutSeconds * 1000) {
    throw new CutoverFailedError(
      `The source did not drain within ${request.drainTimeoutSeconds} s of the fence (${progress.partitionsDrained}/${progress.partitions} partitions drained): ${reasons.slice(0, 2).join(' ')} ` +
        `The pointers are put back to the source; see ${evidenceKey}.`,
      { evidenceKey, reasons, partitionsDrained: progress.partitionsDrained, partitions: progress.partitions },
    );
  }
  return progress;
}

/**
 * CheckDrain for a consumers-first wave (`waves[].consumersFirst`): nothing is drained. The wave's producers keep
 * writing to the source and the replication keeps copying, so the source's end offsets never hold still and a tail
 * comparison would never pass. What the consumers need before they switch is that their own positions are on the
 * target, and CommitConsumerOffsets proves exactly that, record by record, once their groups left the source (it
 * waits while the replication has not copied a group's last record yet). This look records the replication's offset
 * lag for the wave's topics as evidence and passes at once.
 */
export async function passConsumersFirst(input: CheckDrainRequest, deps: CheckDrainDeps): Promise<DrainProgress> {
  const request = CheckDrainRequestSchema.parse(input);
  const { identity, fence, previous } = request;
  const at = deps.now().toISOString();
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const polls = (previous?.polls ?? 0) + 1;
  const { targetEnds, sourceEnds } = await readOrderedEnds(deps, topics);
  const sourceSnapshot = await storeEndOffsets(
    deps.artifacts,
    identity,
    `drain/source-ends-${pollNumber(polls)}.json`,
    at,
    sourceEnds,
  );
  const targetBy = new Map(targetEnds.map((e) => [partitionKey(e), e]));
  const partitions = sourceEnds.map((s) => {
    const t = targetBy.get(partitionKey(s));
    return {
      topic: s.topic,
      partition: s.partition,
      sourceEnd: s.high,
      targetEnd: t?.high ?? null,
      drained: true,
      delta: null,
      detail: 'consumers first: the producers still write to the source; not drained.',
    } satisfies PartitionTail;
  });
  const reasons = [
    'Consumers first: the producers of these topics keep writing to the source and the replication keeps copying them; CommitConsumerOffsets waits until each group’s last record is on the target.',
  ];
  const evidenceKey = cutoverKey(identity, `drain/poll-${pollNumber(polls)}.json`);
  await deps.artifacts.putJson(evidenceKey, {
    kind: 'cutover-drain',
    at,
    drained: true,
    consumersFirst: true,
    partitions,
    reasons,
  });
  return {
    drained: true,
    polls,
    checkedAt: at,
    fencedAt: fence.fencedAt,
    sourceEnds: sourceSnapshot,
    sourceStableSince: at,
    sourceStable: false,
    recordsAfterFence: (BigInt(sourceSnapshot.totalEnd) - BigInt(fence.sourceEndsAtFence.totalEnd)).toString(),
    partitions: partitions.length,
    partitionsDrained: partitions.length,
    offsetLag: partitions.reduce((n, t) => n + lagOf(t.sourceEnd, t.targetEnd), 0),
    reasons,
    drainedAt: at,
    evidenceKey,
  };
}

async function compareTails(
  source: PartitionEnd,
  target: PartitionEnd | undefined,
  deps: CheckDrainDeps,
  request: z.output<typeof CheckDrainRequestSchema>,
): Promise<PartitionTail> {
  const base = {
    topic: source.topic,
    partition: source.partition,
    sourceEnd: source.high,
    targetEnd: target?.high ?? null,
  };
  if (!target)
    return { ...base, drained: false, delta: null, detail: 'the partition does not exist on the target yet.' };
  if (source.high === source.low)
    return { ...base, drained: true, delta: null, detail: 'the source partition holds no records.' };
  const k = request.tailRecords;
  const options = { ignoredHeaders: request.ignoredHeaders, readTimeoutMs: request.readTimeoutMs };
  // Two clusters, two connections: both tails are read at once.
  const [sourceTail, targetTail] = await Promise.all([
    lastRecords(deps.source, source, k, options),
    lastRecords(deps.target, target, k, options),
  ]);
  const sourceLast = sourceTail[sourceTail.length - 1];
  const targetLast = targetTail[targetTail.length - 1];
  if (!sourceLast)
    return {
      ...base,
      drained: true,
      delta: null,
      detail: 'the source partition ends with no readable record (transaction markers only).',
    };
  if (!targetLast)
    return {
      ...base,
      drained: false,
      delta: null,
      detail: `the source's last record (offset ${sourceLast.offset}) is not on the target: the target partition is empty.`,
    };
  const compared = Math.min(sourceTail.length, targetTail.length);
  for (let i = 1; i <= compared; i++) {
    const s = sourceTail[sourceTail.length - i] as DigestedRecord;
    const t = targetTail[targetTail.length - i] as DigestedRecord;
    if (s.digest !== t.digest) {
      const copiedEarlier = targetTail.some((r) => r.digest === sourceLast.digest);
      return {
        ...base,
        drained: false,
        delta: null,
        detail: copiedEarlier
          ? `the target holds records after the source's last record (offset ${sourceLast.offset}): something wrote to the target during the fence.`
          : `the source's last record (offset ${sourceLast.offset}) is not at the target's tail (target end ${target.high}): not copied yet.`,
      };
    }
  }
  return {
    ...base,
    drained: true,
    delta: (sourceLast.offset - targetLast.offset).toString(),
    last: {
      sourceOffset: sourceLast.offset.toString(),
      targetOffset: targetLast.offset.toString(),
      digest: sourceLast.digest,
    },
  };
}

/** The last `k` records of a partition; the window read is wider than `k` for transaction markers, which are skipped. */
async function lastRecords(
  cluster: KafkaDataPlane,
  ends: PartitionEnd,
  k: number,
  options: { ignoredHeaders: readonly string[]; readTimeoutMs: number },
): Promise<DigestedRecord[]> {
  const low = BigInt(ends.low);
  const high = BigInt(ends.high);
  const span = BigInt(2 * k + 2);
  const from = high - span > low ? high - span : low;
  const records = await readDigests(cluster, ends.topic, ends.partition, from, high, Number(span), options);
  return records.slice(-k);
}

/** Reads the per-partition deltas of a drained poll's evidence (CommitConsumerOffsets translates with them). */
export async function loadDrainTails(artifacts: ArtifactStore, evidenceKey: string): Promise<PartitionTail[]> {
  return (await artifacts.getJson<{ partitions: PartitionTail[] }>(evidenceKey))?.partitions ?? [];
}

/** One partition a writer wrote to after the fence had settled, with the producers seen writing there since the fence. */
export interface UncoveredWrites {
  readonly topic: string;
  readonly partition: number;
  /** Records appended between the two polls. */
  readonly records: string;
  readonly producers: ReadonlyArray<{ producerId: string; producerEpoch: number; lastWriteAt: string }>;
}

async function refuseUncoveredWriters(args: {
  request: z.output<typeof CheckDrainRequestSchema>;
  previous: DrainProgress;
  sourceEnds: readonly PartitionEnd[];
  polls: number;
  at: string;
  deps: CheckDrainDeps;
}): Promise<never> {
  const { request, previous, sourceEnds, deps } = args;
  const fencedAt = Date.parse(request.fence.fencedAt);
  const before = new Map(
    ((await loadEndOffsets(deps.artifacts, previous.sourceEnds.key)) ?? []).map((e) => [
      partitionKey(e),
      BigInt(e.high),
    ]),
  );
  const moved = sourceEnds
    .map((e) => ({ e, from: before.get(partitionKey(e)) }))
    .filter(({ e, from }) => from !== undefined && BigInt(e.high) > from);
  let described: PartitionProducers[] = [];
  let describeError: string | undefined;
  if (deps.producerActivity && moved.length > 0) {
    try {
      described = await deps.producerActivity.describeProducers(
        moved.map(({ e }) => ({ topic: e.topic, partition: e.partition })),
      );
    } catch (err) {
      describeError = (err as Error).message;
    }
  }
  const writers: UncoveredWrites[] = moved.map(({ e, from }) => ({
    topic: e.topic,
    partition: e.partition,
    records: (BigInt(e.high) - (from ?? 0n)).toString(),
    producers: (described.find((d) => d.topic === e.topic && d.partition === e.partition)?.producers ?? [])
      .filter((p) => p.lastTimestamp > fencedAt)
      .map((p) => ({
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        lastWriteAt: new Date(p.lastTimestamp).toISOString(),
      })),
  }));
  const evidenceKey = cutoverKey(request.identity, `drain/uncovered-writers-${pollNumber(args.polls)}.json`);
  await deps.artifacts.putJson(evidenceKey, {
    kind: 'cutover-uncovered-writers',
    at: args.at,
    fencedAt: request.fence.fencedAt,
    settleSeconds: request.settleSeconds,
    ...(request.noticeSeconds !== undefined ? { noticeSeconds: request.noticeSeconds } : {}),
    previousCheckAt: previous.checkedAt,
    writers,
    ...(describeError ? { describeProducersError: describeError } : {}),
  });
  const named = writers
    .slice(0, REASONS_KEPT)
    .map(
      (w) =>
        `${w.topic}-${w.partition} (+${w.records} record(s)${w.producers.length > 0 ? `; ${w.producers.map((p) => `producer ID ${p.producerId} epoch ${p.producerEpoch}, last write ${p.lastWriteAt}`).join('; ')}` : '; no producer ID: a non-idempotent producer'})`,
    )
    .join(', ');
  throw new CutoverFailedError(
    `A writer no fence or switch covers kept writing to the source after the fence had settled (${request.noticeSeconds !== undefined ? `every client that reads the pointer had held by ${Math.min(request.noticeSeconds, request.settleSeconds)} s` : `${request.settleSeconds} s`} after ${request.fence.fencedAt}): ${named}${writers.length > REASONS_KEPT ? ` and ${writers.length - REASONS_KEPT} more partition(s)` : ''}. ` +
      `Find it (the inventory lists each topic's clients; DescribeProducers names its producer ID), stop it or add a switch or a write fence that covers it, then run the cutover again. The pointers and the write fence are put back; see ${evidenceKey}.`,
    { evidenceKey, writers: writers.slice(0, 20) },
  );
}

/**
 * This look's end offsets, the target's first: a record landing on the source between the two reads can only make the
 * source look ahead, never the target look caught up with a source it has not copied.
 */
async function readOrderedEnds(
  deps: Pick<CheckDrainDeps, 'source' | 'target'>,
  topics: readonly string[],
): Promise<{ targetEnds: PartitionEnd[]; sourceEnds: PartitionEnd[] }> {
  const targetTopics = new Set(await deps.target.listTopics());
  const targetEnds = await readEndOffsets(
    deps.target,
    topics.filter((t) => targetTopics.has(t)),
  );
  const sourceEnds = await readEndOffsets(deps.source, topics);
  return { targetEnds, sourceEnds };
}

/**
 * The look's ends. When the previous look found every watched topic on the target, both clusters' ends are read at
 * once, without listing the target's topics: `ordered: false`, and checkDrain reads the source's again, after these
 * target ends, before it compares any partition afresh. A target topic gone since (the read fails) falls back to the
 * ordered reads, which report it as not on the target.
 */
async function readLookEnds(
  deps: Pick<CheckDrainDeps, 'source' | 'target'>,
  topics: readonly string[],
  previous: DrainProgress | undefined,
): Promise<{ targetEnds: PartitionEnd[]; sourceEnds: PartitionEnd[]; ordered: boolean }> {
  if (previous?.partitionsOnTarget !== undefined && previous.partitionsOnTarget === previous.partitions) {
    const both = await Promise.allSettled([readEndOffsets(deps.target, topics), readEndOffsets(deps.source, topics)]);
    if (both[0].status === 'fulfilled' && both[1].status === 'fulfilled')
      return { targetEnds: both[0].value, sourceEnds: both[1].value, ordered: false };
  }
  return { ...(await readOrderedEnds(deps, topics)), ordered: true };
}

/** Each partition's end lowered to the cap's, where the cap has the partition and is lower. */
function capEnds(ends: PartitionEnd[], cap: readonly PartitionEnd[] | undefined): PartitionEnd[] {
  if (!cap) return ends;
  const capBy = new Map(cap.map((c) => [partitionKey(c), c]));
  return ends.map((e) => {
    const c = capBy.get(partitionKey(e));
    return c && BigInt(c.high) < BigInt(e.high) ? { ...e, high: c.high } : e;
  });
}

/** The previous look's evidence, if it is that look's (same time) and records how its tails were compared. */
async function loadDrainLook(artifacts: ArtifactStore, previous: DrainProgress): Promise<DrainLook | undefined> {
  const parsed = DrainLookEvidenceSchema.safeParse(await artifacts.getJson(previous.evidenceKey));
  if (!parsed.success || parsed.data.at !== previous.checkedAt) return undefined;
  const { at, compare, partitions } = parsed.data;
  return { evidenceKey: previous.evidenceKey, at, ...compare, tails: partitions };
}

/** The previous look's tails by partition, if it compared them as this look does (same records, same headers ignored). */
function carriedTails(
  earlier: DrainLook | undefined,
  previous: DrainProgress | undefined,
  request: z.output<typeof CheckDrainRequestSchema>,
): Map<string, PartitionTail> {
  const same =
    earlier !== undefined &&
    previous !== undefined &&
    earlier.evidenceKey === previous.evidenceKey &&
    earlier.tailRecords === request.tailRecords &&
    [...earlier.ignoredHeaders].sort().join('\u0000') === [...request.ignoredHeaders].sort().join('\u0000');
  return new Map(same ? earlier.tails.map((t) => [partitionKey(t), t]) : []);
}
