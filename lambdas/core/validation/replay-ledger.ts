import type { DigestedRecord } from './record-digest';

/**
 * What a replicator's restart leaves on the target, told apart by content. MirrorMaker 2 and MSK Replicator are
 * at-least-once: a restarted worker copies again from the last source position it stored, so the target may hold a
 * replayed range — records it already holds, written a second time, in the source's order. That is neither a lost
 * record nor a reordering, and it is counted as what it is.
 *
 * The ledger walks the target in offset order and keeps the source's high-water mark (the source offset after the
 * highest record copied so far):
 * - a record at or above the mark continues the copy; source records skipped on the way are MISSING (a gap);
 * - a record below the mark that was copied before is a DUPLICATE (a replayed range, counted with its offsets on
 *   both sides);
 * - a record below the mark that sits in an earlier gap arrived after later records: OUT OF ORDER (it is no longer
 *   missing);
 * - a record the source does not hold is UNMATCHED (different content).
 * Missing, out-of-order and unmatched records fail a validation; duplicates are decided by the plan's tolerance.
 */

export interface OffsetRange {
  /** First and last offset, inclusive (strings: they go into JSON evidence). */
  readonly from: string;
  readonly to: string;
  readonly records: number;
}

/** A replayed range: target offsets [targetFrom, targetTo] repeat the source's records [sourceFrom, sourceTo]. */
export interface ReplayedRange {
  readonly targetFrom: string;
  readonly targetTo: string;
  readonly sourceFrom: string;
  readonly sourceTo: string;
  readonly records: number;
}

export interface ReplayFindings {
  readonly duplicates: ReplayedRange[];
  readonly duplicateRecords: number;
  /** Source ranges never found on the target (before the target's last record). */
  readonly missing: OffsetRange[];
  readonly missingRecords: number;
  /** Source records found on the target only after records that follow them. */
  readonly outOfOrder: OffsetRange[];
  /** Target records with no counterpart in the source (target offsets). */
  readonly unmatched: OffsetRange[];
  /** Target records in the place of as many source records, with other content (altered). */
  readonly different: ReplayedRange[];
  /** The source offset after the highest record the target holds (null: nothing walked). */
  readonly sourceHighWater: string | null;
}

interface MutableRange {
  from: bigint;
  to: bigint;
  records: number;
}

/** Ranges kept in evidence per kind; the counts cover all of them. */
const RANGES_KEPT = 50;

export class ReplayLedger {
  private hw: bigint | null;
  private readonly duplicates: Array<{ t: MutableRange; s: MutableRange }> = [];
  private duplicateRecords = 0;
  private readonly missing: MutableRange[] = [];
  private readonly outOfOrder: MutableRange[] = [];
  private readonly unmatched: MutableRange[] = [];
  private readonly different: ReplayedRange[] = [];
  private lastDuplicate: { target: bigint; source: bigint } | undefined;
  /** Unmatched target records just walked, and the high-water mark before them. */
  private foreign: { from: bigint; count: number; hw: bigint | null } | undefined;

  /** @param start the source offset the copy must start at (EARLIEST: the source's first record), or null (LATEST). */
  constructor(start: bigint | null) {
    this.hw = start;
  }

  /**
   * One target record and its source offset. `recordsBetween(from, until)` counts the source records in [from, until)
   * (transaction markers and compacted offsets hold none); it defaults to the offset difference.
   */
  record(
    targetOffset: bigint,
    sourceOffset: bigint,
    recordsBetween: (from: bigint, until: bigint) => number = (f, u) => Number(u - f),
  ): void {
    this.runOf(targetOffset, sourceOffset, 1, recordsBetween);
  }

  /**
   * `length` records, target [targetFrom, …) matching source [sourceFrom, …) one to one with both sides' offsets
   * contiguous (what a bisection proved from its two ends).
   */
  run(
    targetFrom: bigint,
    sourceFrom: bigint,
    length: number,
    recordsBetween: (from: bigint, until: bigint) => number = (f, u) => Number(u - f),
  ): void {
    this.runOf(targetFrom, sourceFrom, length, recordsBetween);
  }

  /** The source offset after the highest record copied so far (null before the first one with a LATEST start). */
  highWater(): bigint | null {
    return this.hw;
  }

  /** Moves the high-water mark to `sourceOffset` without counting a gap (a range reported as not aligned). */
  skipTo(sourceOffset: bigint): void {
    if (this.hw === null || sourceOffset > this.hw) this.hw = sourceOffset;
    this.lastDuplicate = undefined;
    this.foreign = undefined;
  }

  /** A target record the source does not hold. */
  unmatchedRecord(targetOffset: bigint): void {
    this.lastDuplicate = undefined;
    if (this.foreign && this.foreign.from + BigInt(this.foreign.count) === targetOffset) this.foreign.count++;
    else this.foreign = { from: targetOffset, count: 1, hw: this.hw };
    appendRange(this.unmatched, targetOffset, 1);
  }

  findings(): ReplayFindings {
    const str = (r: MutableRange): OffsetRange => ({
      from: r.from.toString(),
      to: r.to.toString(),
      records: r.records,
    });
    return {
      duplicates: this.duplicates.slice(0, RANGES_KEPT).map((d) => ({
        targetFrom: d.t.from.toString(),
        targetTo: d.t.to.toString(),
        sourceFrom: d.s.from.toString(),
        sourceTo: d.s.to.toString(),
        records: d.t.records,
      })),
      duplicateRecords: this.duplicateRecords,
      missing: this.missing
        .filter((m) => m.records > 0)
        .slice(0, RANGES_KEPT)
        .map(str),
      missingRecords: this.missing.reduce((n, m) => n + m.records, 0),
      outOfOrder: this.outOfOrder.slice(0, RANGES_KEPT).map(str),
      unmatched: this.unmatched.slice(0, RANGES_KEPT).map(str),
      different: this.different.slice(0, RANGES_KEPT),
      sourceHighWater: this.hw === null ? null : this.hw.toString(),
    };
  }

  private runOf(
    targetFrom: bigint,
    sourceFrom: bigint,
    length: number,
    recordsBetween: (from: bigint, until: bigint) => number,
  ): void {
    if (length <= 0) return;
    const foreign = this.foreign;
    this.foreign = undefined;
    const n = BigInt(length);
    if (this.hw === null) this.hw = sourceFrom;
    // The part below the high-water mark: copied before (a duplicate) or filling an earlier gap (out of order).
    if (sourceFrom < this.hw) {
      const below = sourceFrom + n <= this.hw ? n : this.hw - sourceFrom;
      this.below(targetFrom, sourceFrom, below);
      if (below === n) return;
      targetFrom += below;
      sourceFrom += below;
      length -= Number(below);
    }
    this.lastDuplicate = undefined;
    if (sourceFrom > this.hw) {
      const skipped = recordsBetween(this.hw, sourceFrom);
      if (foreign && foreign.hw === this.hw && foreign.count === skipped) {
        // As many foreign records as source records skipped, in their place: those records were altered.
        this.unmatched.splice(this.unmatched.length - 1, 1);
        this.different.push({
          targetFrom: foreign.from.toString(),
          targetTo: (foreign.from + BigInt(foreign.count) - 1n).toString(),
          sourceFrom: this.hw.toString(),
          sourceTo: (sourceFrom - 1n).toString(),
          records: skipped,
        });
      } else if (skipped > 0) this.missing.push({ from: this.hw, to: sourceFrom - 1n, records: skipped });
    }
    this.hw = sourceFrom + BigInt(length);
  }

  /** `count` records at or after `sourceFrom`, all below the high-water mark. */
  private below(targetFrom: bigint, sourceFrom: bigint, count: bigint): void {
    let t = targetFrom;
    let s = sourceFrom;
    let left = count;
    while (left > 0n) {
      // The next gap that intersects [s, s + left): records there arrive late, the rest are duplicates.
      const gapIndex = this.missing.findIndex((m) => m.records > 0 && m.to >= s && m.from < s + left);
      const gap = gapIndex >= 0 ? this.missing[gapIndex] : undefined;
      const dupUntil = gap && gap.from > s ? gap.from : gap ? s : s + left;
      if (dupUntil > s) {
        this.duplicate(t, s, dupUntil - s);
        t += dupUntil - s;
        left -= dupUntil - s;
        s = dupUntil;
        continue;
      }
      if (!gap) break;
      const lateUntil = gap.to + 1n < s + left ? gap.to + 1n : s + left;
      const late = lateUntil - s;
      this.lastDuplicate = undefined;
      appendRange(this.outOfOrder, s, Number(late));
      // Split the gap around the records that arrived.
      const before: MutableRange | undefined =
        gap.from < s ? { from: gap.from, to: s - 1n, records: Number(s - gap.from) } : undefined;
      const after: MutableRange | undefined =
        gap.to >= lateUntil ? { from: lateUntil, to: gap.to, records: Number(gap.to - lateUntil + 1n) } : undefined;
      this.missing.splice(gapIndex, 1, ...[before, after].filter((g): g is MutableRange => g !== undefined));
      t += late;
      s += late;
      left -= late;
    }
  }

  private duplicate(targetFrom: bigint, sourceFrom: bigint, count: bigint): void {
    this.duplicateRecords += Number(count);
    const last = this.duplicates.at(-1);
    if (
      last &&
      this.lastDuplicate &&
      this.lastDuplicate.target + 1n === targetFrom &&
      this.lastDuplicate.source + 1n === sourceFrom
    ) {
      last.t.to += count;
      last.t.records += Number(count);
      last.s.to += count;
      last.s.records += Number(count);
    } else {
      this.duplicates.push({
        t: { from: targetFrom, to: targetFrom + count - 1n, records: Number(count) },
        s: { from: sourceFrom, to: sourceFrom + count - 1n, records: Number(count) },
      });
    }
    this.lastDuplicate = { target: targetFrom + count - 1n, source: sourceFrom + count - 1n };
  }
}

function appendRange(ranges: MutableRange[], from: bigint, records: number): void {
  const last = ranges.at(-1);
  if (last && last.to + 1n === from) {
    last.to += BigInt(records);
    last.records += records;
  } else ranges.push({ from, to: from + BigInt(records) - 1n, records });
}

/**
 * Aligns a target block with a source slice by content, record by record, feeding the ledger. A target record is
 * matched to the source record with its digest that continues the previous match (a run), else the one nearest the
 * high-water mark (a replay restarts at or below it, new records start at it).
 */
export function alignBlock(
  ledger: ReplayLedger,
  source: readonly DigestedRecord[],
  target: readonly DigestedRecord[],
): bigint | undefined {
  const byDigest = new Map<string, number[]>();
  source.forEach((r, i) => {
    const list = byDigest.get(r.digest);
    if (list) list.push(i);
    else byDigest.set(r.digest, [i]);
  });
  const offsets = source.map((r) => r.offset);
  const recordsBetween = (from: bigint, until: bigint): number => {
    const first = offsets[0];
    if (first === undefined || from >= until) return 0;
    // Offsets before the slice are counted as records (no reads there); inside it, only real records count.
    const outside = from < first ? Number((until < first ? until : first) - from) : 0;
    return outside + offsets.filter((o) => o >= from && o < until).length;
  };
  let previous: number | undefined;
  let last: bigint | undefined;
  for (const t of target) {
    const candidates = byDigest.get(t.digest);
    if (!candidates) {
      ledger.unmatchedRecord(t.offset);
      previous = undefined;
      last = undefined;
      continue;
    }
    let index = previous !== undefined && candidates.includes(previous + 1) ? previous + 1 : undefined;
    if (index === undefined) {
      const hw = ledger.highWater();
      const distance = (i: number): bigint => {
        const o = offsets[i] as bigint;
        const d = hw === null ? 0n : o - hw;
        return d < 0n ? -d : d;
      };
      index = [...candidates].sort((a, b) =>
        distance(a) < distance(b) ? -1 : distance(a) > distance(b) ? 1 : a - b,
      )[0];
    }
    const s = offsets[index as number] as bigint;
    ledger.record(t.offset, s, recordsBetween);
    previous = index;
    last = s;
  }
  return last;
}
