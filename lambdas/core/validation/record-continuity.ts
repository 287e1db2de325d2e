import type { KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';
import type { Difference } from './differences';
import { recordDigest, type DigestedRecord } from './record-digest';
import { ReplayLedger, alignBlock, type ReplayFindings } from './replay-ledger';

/**
 * Record continuity by content. Offsets differ across clusters (transaction markers, compaction, a LATEST start, and
 * ranges a restarted replicator copied twice), so the target's records are located in the source by their digest:
 * - head (when the replicator started from EARLIEST): the target's first records must be the source's first ones —
 *   records missing there were lost (or deleted on the target);
 * - tail: the target's last records must appear in the source (near the position the head predicts, else searched
 *   backwards: every replayed record pushes the target's offsets further ahead of the source's);
 * - between the two: a bisection on the offset delta (source offset − target offset of the same record). Where the
 *   delta does not change, the records in between are one run; where it does, the range is split until a block is
 *   small enough to align record by record (replay-ledger.ts), which tells a replayed range (duplicates, counted with
 *   their offsets) from records missing, out of order or different. Cost: the head and tail samples, plus about
 *   log2(records) probes and one block per place the delta changes.
 */

export interface ContinuityOptions {
  /** Records compared per range (head, tail). */
  readonly sampleRecords: number;
  /** How far around the expected position the source is searched for a target record. */
  readonly searchWindow: number;
  readonly ignoredHeaders: readonly string[];
  readonly startingPosition: 'EARLIEST' | 'LATEST';
  readonly readTimeoutMs: number;
  /** Records read per partition (both sides) before the alignment gives up. @default 200_000 */
  readonly maxScanRecords?: number;
}

export interface PartitionContinuity {
  readonly differences: Difference[];
  /** source offset − target offset of the same record, when the head aligned the two logs. */
  readonly delta: bigint | null;
  readonly sampledRecords: number;
  /** What the alignment found between head and tail: duplicates (replayed ranges), gaps; null when not walked. */
  readonly replay: ReplayFindings | null;
}

export async function readDigests(
  cluster: KafkaDataPlane,
  topic: string,
  partition: number,
  from: bigint,
  until: bigint,
  maxRecords: number,
  options: Pick<ContinuityOptions, 'ignoredHeaders' | 'readTimeoutMs'>,
): Promise<DigestedRecord[]> {
  if (from >= until || maxRecords <= 0) return [];
  const records = await cluster.readPartition({
    topic,
    partition,
    fromOffset: from.toString(),
    untilOffset: until.toString(),
    maxRecords,
    timeoutMs: options.readTimeoutMs,
  });
  return records
    .slice(0, maxRecords)
    .map((r) => ({ offset: BigInt(r.offset), digest: recordDigest(r, options.ignoredHeaders) }));
}

export async function checkPartitionContinuity(
  source: KafkaDataPlane,
  target: KafkaDataPlane,
  topic: string,
  sourceOffsets: PartitionOffsets,
  targetOffsets: PartitionOffsets,
  options: ContinuityOptions,
): Promise<PartitionContinuity> {
  const partition = sourceOffsets.partition;
  const subject = `${topic}-${partition}`;
  const [sLow, sHigh, tLow, tHigh] = [sourceOffsets.low, sourceOffsets.high, targetOffsets.low, targetOffsets.high].map(
    (o) => BigInt(o),
  ) as [bigint, bigint, bigint, bigint];
  const K = options.sampleRecords;
  const W = BigInt(options.searchWindow);
  const differences: Difference[] = [];
  const budget = { left: options.maxScanRecords ?? 200_000 };
  const read = async (cluster: KafkaDataPlane, from: bigint, until: bigint, max: number): Promise<DigestedRecord[]> => {
    const lo = from < (cluster === source ? sLow : tLow) ? (cluster === source ? sLow : tLow) : from;
    const hi = until > (cluster === source ? sHigh : tHigh) ? (cluster === source ? sHigh : tHigh) : until;
    const records = await readDigests(cluster, topic, partition, lo, hi, max, options);
    budget.left -= records.length;
    return records;
  };

  if (tHigh === tLow) {
    if (sHigh > sLow && options.startingPosition === 'EARLIEST') {
      differences.push({
        check: 'RECORDS',
        subject,
        detail: `The target partition is empty while the source holds ${sHigh - sLow} records.`,
        source: `[${sLow}, ${sHigh})`,
        target: 'empty',
      });
    }
    return { differences, delta: null, sampledRecords: 0, replay: null };
  }
  if (sHigh === sLow) {
    differences.push({
      check: 'RECORDS',
      subject,
      detail: 'The target holds records the source does not (any more): the source partition is empty.',
      source: 'empty',
      target: `[${tLow}, ${tHigh})`,
    });
    return { differences, delta: null, sampledRecords: 0, replay: null };
  }

  let sampled = 0;
  let delta: bigint | null = null;
  let head: { target: DigestedRecord[]; sourceStart: bigint } | undefined;

  if (options.startingPosition === 'EARLIEST') {
    const targetHead = await read(target, tLow, tHigh, K);
    const first = targetHead[0];
    sampled += targetHead.length;
    if (first) {
      let sourceHead = await read(source, sLow, sHigh, 2 * K);
      let at = sourceHead.findIndex((r) => r.digest === first.digest);
      if (at < 0 && tLow > sLow) {
        // The target may start much later than the source (records deleted at its head): look where offsets agree.
        sourceHead = await read(source, tLow, sHigh, 2 * K);
        at = sourceHead.findIndex((r) => r.digest === first.digest);
      }
      const match = at >= 0 ? sourceHead[at] : undefined;
      if (!match) {
        differences.push({
          check: 'RECORDS',
          subject,
          detail: `The target's first record (offset ${tLow}) is not among the source's first records: the heads of the two logs differ.`,
          source: `starts at ${sLow}`,
          target: `starts at ${tLow}`,
        });
        return { differences, delta: null, sampledRecords: sampled, replay: null };
      }
      delta = match.offset - first.offset;
      if (match.offset > sLow) {
        differences.push({
          check: 'RECORDS',
          subject,
          detail: `${match.offset - sLow} record(s) at the head of the source (offsets ${sLow}–${match.offset - 1n}) are missing on the target.`,
          source: `starts at ${sLow}`,
          target: `starts at the source's offset ${match.offset}`,
        });
      }
      head = { target: targetHead, sourceStart: match.offset };
    }
  }

  // The tail: the target's last records, located in the source.
  const tailFrom = tHigh - BigInt(K) > tLow ? tHigh - BigInt(K) : tLow;
  const targetTail = await read(target, tailFrom, tHigh, K);
  sampled += targetTail.length;
  const tailFirst = targetTail[0];
  if (!tailFirst) return { differences, delta, sampledRecords: sampled, replay: null };
  const expected = delta !== null ? tailFirst.offset + delta : sHigh - BigInt(K);
  const readSource: SourceRead = (from, until) => read(source, from, until, Number(until - from));
  const tailAt = await locateInSource(readSource, tailFirst, expected, W, sLow, sHigh, budget);
  if (tailAt === undefined) {
    differences.push({
      check: 'RECORDS',
      subject,
      detail: `The target's last records (offsets ${tailFirst.offset}–${tHigh - 1n}) are not found in the source${delta !== null ? ` at or before offset ${expected + W} (searched back to ${sLow})` : ' near its end'}.`,
      target: `[${tailFrom}, ${tHigh})`,
    });
    return { differences, delta, sampledRecords: sampled, replay: null };
  }

  const ledger = new ReplayLedger(head ? head.sourceStart : null);
  const block = async (targetRecords: DigestedRecord[], sFrom: bigint, sUntil: bigint): Promise<bigint | undefined> => {
    let slice = await read(source, sFrom, sUntil, Number(sUntil - sFrom));
    // A replay can restart further back than the slice reaches: find such records and widen the slice to them.
    const known = new Set(slice.map((r) => r.digest));
    for (const t of targetRecords) {
      if (known.has(t.digest) || budget.left <= 0) continue;
      const first = slice[0]?.offset ?? sFrom;
      const found = await locateInSource(readSource, t, first - 1n, 0n, sLow, first, budget);
      if (found === undefined) continue;
      const extra = await read(source, found, first, Number(first - found));
      slice = [...extra, ...slice];
      for (const r of extra) known.add(r.digest);
    }
    return alignBlock(ledger, slice, targetRecords);
  };

  if (!head) {
    // LATEST: nothing to align the head on; the tail sample is aligned by itself.
    await block(targetTail, tailAt, tailAt + BigInt(K) + W);
    return finish();
  }
  const headLast = head.target.at(-1) as DigestedRecord;
  if (tailFirst.offset <= headLast.offset) {
    // Head and tail samples overlap: the partition is small, align all of it.
    const all = await read(target, tLow, tHigh, Number(tHigh - tLow));
    await block(all, head.sourceStart, tailAt + BigInt(K) + W);
    return finish();
  }
  const sHeadLast = await block(head.target, head.sourceStart, head.sourceStart + 2n * BigInt(K) + W);
  if (sHeadLast === undefined) return finish();
  const unaligned = await bisect(
    { target, read, readSource, ledger, block, budget, W, blockSize: Math.max(4 * K, Number(W)), sLow, sHigh },
    { t: headLast.offset, s: sHeadLast },
    { t: tailFirst.offset, s: tailAt },
  );
  // What could not be aligned is reported as such, not again as records missing after it.
  if (unaligned) ledger.skipTo(tailAt);
  if (unaligned)
    differences.push({
      check: 'RECORDS',
      subject,
      detail: `The target's records at offsets ${unaligned.from}–${unaligned.to} could not be aligned with the source within ${options.maxScanRecords ?? 200_000} records read: ${unaligned.why}`,
      target: `[${unaligned.from}, ${unaligned.to}]`,
    });
  await block(targetTail, tailAt, tailAt + BigInt(K) + W);
  return finish();

  function finish(): PartitionContinuity {
    const replay = ledger.findings();
    for (const m of replay.missing)
      differences.push({
        check: 'RECORDS',
        subject,
        detail: `${m.records} record(s) of the source (offsets ${m.from}–${m.to}) are missing on the target.`,
        source: `[${m.from}, ${m.to}]`,
      });
    for (const o of replay.outOfOrder)
      differences.push({
        check: 'RECORDS',
        subject,
        detail: `${o.records} record(s) of the source (offsets ${o.from}–${o.to}) are on the target after records that follow them: out of order.`,
        source: `[${o.from}, ${o.to}]`,
      });
    for (const d of replay.different)
      differences.push({
        check: 'RECORDS',
        subject,
        detail: `${d.records} record(s) on the target (offsets ${d.targetFrom}–${d.targetTo}) differ from the source's records in their place (offsets ${d.sourceFrom}–${d.sourceTo}): altered content.`,
        source: `[${d.sourceFrom}, ${d.sourceTo}]`,
        target: `[${d.targetFrom}, ${d.targetTo}]`,
      });
    for (const u of replay.unmatched)
      differences.push({
        check: 'RECORDS',
        subject,
        detail: `${u.records} record(s) on the target (offsets ${u.from}–${u.to}) are not in the source: different content.`,
        target: `[${u.from}, ${u.to}]`,
      });
    return { differences, delta, sampledRecords: sampled, replay };
  }
}

type Reader = (cluster: KafkaDataPlane, from: bigint, until: bigint, max: number) => Promise<DigestedRecord[]>;
type SourceRead = (from: bigint, until: bigint) => Promise<DigestedRecord[]>;

interface BisectContext {
  readonly target: KafkaDataPlane;
  readonly read: Reader;
  readonly readSource: SourceRead;
  readonly ledger: ReplayLedger;
  readonly block: (records: DigestedRecord[], sFrom: bigint, sUntil: bigint) => Promise<bigint | undefined>;
  readonly budget: { left: number };
  readonly W: bigint;
  readonly blockSize: number;
  readonly sLow: bigint;
  readonly sHigh: bigint;
}

interface Probe {
  /** Target offset of a record and the source offset of the same record. */
  readonly t: bigint;
  readonly s: bigint;
}

interface Unaligned {
  readonly from: bigint;
  readonly to: bigint;
  readonly why: string;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Feeds the ledger the target records strictly between two probes, in offset order. Same delta at both ends: one run
 * (nothing read). Otherwise a probe in the middle, located in the source between what the left run and the right run
 * predict, splits the range; a range of at most `blockSize` records is read on both sides and aligned record by record.
 */
async function bisect(ctx: BisectContext, a: Probe, b: Probe): Promise<Unaligned | undefined> {
  const between = b.t - a.t - 1n;
  if (between <= 0n) return undefined;
  if (b.s - a.s === b.t - a.t) {
    ctx.ledger.run(a.t + 1n, a.s + 1n, Number(between));
    return undefined;
  }
  if (ctx.budget.left <= 0) return { from: a.t + 1n, to: b.t - 1n, why: 'the read budget ran out.' };
  const span = b.t - a.t;
  if (between <= BigInt(ctx.blockSize)) {
    const records = await ctx.read(ctx.target, a.t + 1n, b.t, Number(between));
    await ctx.block(records, min(a.s, b.s - span) - ctx.W, max(b.s, a.s + span) + ctx.W);
    return undefined;
  }
  // A record the source does not hold cannot be a probe: the next few are tried, the rest of the range stays aligned.
  // Transaction markers and aborted records (exactly-once replication) take offsets no read returns: a middle inside
  // them has no record after it before b; then the first records after a are the probe, and a range with none at all
  // holds nothing to align.
  let candidates = await ctx.read(ctx.target, a.t + span / 2n, b.t, 8);
  if (candidates.length === 0) candidates = await ctx.read(ctx.target, a.t + 1n, b.t, 8);
  if (candidates.length === 0) return undefined;
  const foreign: bigint[] = [];
  let m: DigestedRecord | undefined;
  let at: bigint | undefined;
  for (const candidate of candidates) {
    at = await locateBetween(ctx, candidate, a, b);
    if (at !== undefined) {
      m = candidate;
      break;
    }
    foreign.push(candidate.offset);
  }
  if (m === undefined || at === undefined) {
    const first = candidates[0];
    return {
      from: a.t + 1n,
      to: b.t - 1n,
      why: first
        ? `the records at target offsets ${first.offset}–${candidates.at(-1)?.offset} are not in the source.`
        : 'no record between the middle and the next aligned record.',
    };
  }
  const probe = { t: m.offset, s: at };
  const left = await bisect(ctx, a, { t: foreign[0] ?? probe.t, s: probe.s - (probe.t - (foreign[0] ?? probe.t)) });
  for (const offset of foreign) ctx.ledger.unmatchedRecord(offset);
  ctx.ledger.record(probe.t, probe.s);
  const right = await bisect(ctx, probe, b);
  return left ?? right;
}

/**
 * Where a probe's record is in the source. With replays only, the delta can only fall from left to right, so the
 * record lies between what the left run predicts and what the right run predicts; a gap moves it past the left
 * prediction (searched within the window). Read from the left prediction down, in chunks, within the budget.
 */
async function locateBetween(ctx: BisectContext, m: DigestedRecord, a: Probe, b: Probe): Promise<bigint | undefined> {
  const fromLeft = a.s + (m.offset - a.t);
  const fromRight = b.s - (b.t - m.offset);
  const hi = min(max(fromLeft, fromRight) + ctx.W + 1n, ctx.sHigh);
  const lo = max(min(fromLeft, fromRight) - ctx.W, ctx.sLow);
  const CHUNK = 2_000n;
  let until = hi;
  while (until > lo && ctx.budget.left > 0) {
    const from = max(until - CHUNK, lo);
    const found = (await ctx.readSource(from, until)).filter((r) => r.digest === m.digest).at(-1);
    if (found) return found.offset;
    until = from;
  }
  return locateInSource(ctx.readSource, m, lo - 1n, 0n, ctx.sLow, lo, ctx.budget);
}

/**
 * The source offset of the record with this digest: first ± `window` around `expected` (the nearest match), then
 * backwards from there in chunks (every replayed record puts the target one offset further ahead of the source),
 * within the read budget.
 */
async function locateInSource(
  readSource: SourceRead,
  record: DigestedRecord,
  expected: bigint,
  window: bigint,
  sLow: bigint,
  sHigh: bigint,
  budget: { left: number },
  scanBack = true,
): Promise<bigint | undefined> {
  const lo = max(expected - window, sLow);
  const hi = min(expected + window + 1n, sHigh);
  if (lo < hi) {
    const distance = (o: bigint): bigint => (o > expected ? o - expected : expected - o);
    const best = (await readSource(lo, hi))
      .filter((r) => r.digest === record.digest)
      .sort((x, y) => (distance(x.offset) < distance(y.offset) ? -1 : 1))[0];
    if (best) return best.offset;
  }
  const CHUNK = 2_000n;
  let until = min(lo, sHigh);
  while (scanBack && until > sLow && budget.left > 0) {
    const from = max(until - CHUNK, sLow);
    const found = (await readSource(from, until)).filter((r) => r.digest === record.digest).at(-1);
    if (found) return found.offset;
    until = from;
  }
  return undefined;
}
