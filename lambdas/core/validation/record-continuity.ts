import type { KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';
import type { Difference } from './differences';
import { recordDigest } from './record-digest';

/**
 * Record continuity by content. Offsets differ across clusters (transaction markers, compaction, a LATEST start),
 * so the target's records are located in the source by their digest:
 * - head (when the replicator started from EARLIEST): the target's first records must be the source's first ones —
 *   records missing there were lost (or deleted on the target);
 * - tail: the target's last records must appear, in order, in the source near the same position (aligned by the
 *   head's offset delta, or searched at the source's tail when there is no head to align on).
 */

export interface ContinuityOptions {
  /** Records compared per range (head, tail). */
  readonly sampleRecords: number;
  /** How far around the expected position the source is searched for a target record. */
  readonly searchWindow: number;
  readonly ignoredHeaders: readonly string[];
  readonly startingPosition: 'EARLIEST' | 'LATEST';
  readonly readTimeoutMs: number;
}

export interface DigestedRecord {
  readonly offset: bigint;
  readonly digest: string;
}

export interface PartitionContinuity {
  readonly differences: Difference[];
  /** source offset − target offset of the same record, when the head aligned the two logs. */
  readonly delta: bigint | null;
  readonly sampledRecords: number;
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
  const W = options.searchWindow;
  const differences: Difference[] = [];
  const read = (cluster: KafkaDataPlane, from: bigint, until: bigint, max: number): Promise<DigestedRecord[]> =>
    readDigests(cluster, topic, partition, from, until, max, options);

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
    return { differences, delta: null, sampledRecords: 0 };
  }
  if (sHigh === sLow) {
    differences.push({
      check: 'RECORDS',
      subject,
      detail: 'The target holds records the source does not (any more): the source partition is empty.',
      source: 'empty',
      target: `[${tLow}, ${tHigh})`,
    });
    return { differences, delta: null, sampledRecords: 0 };
  }

  let sampled = 0;
  let delta: bigint | null = null;

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
      } else {
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
        const mismatch = firstMismatch(targetHead, sourceHead.slice(at));
        if (mismatch) differences.push(recordMismatch(subject, mismatch.target, mismatch.source));
      }
    }
  }

  const tailFrom = tHigh - BigInt(K) > tLow ? tHigh - BigInt(K) : tLow;
  const targetTail = await read(target, tailFrom, tHigh, K);
  sampled += targetTail.length;
  const tailFirst = targetTail[0];
  if (tailFirst) {
    let window: DigestedRecord[];
    if (delta !== null) {
      const expected = tailFirst.offset + delta;
      const from = expected - BigInt(W) > sLow ? expected - BigInt(W) : sLow;
      window = await read(source, from, sHigh, K + 2 * W);
    } else {
      const from = sHigh - BigInt(K + W) > sLow ? sHigh - BigInt(K + W) : sLow;
      window = await read(source, from, sHigh, K + W);
    }
    const at = window.findIndex((r) => r.digest === tailFirst.digest);
    if (at < 0) {
      differences.push({
        check: 'RECORDS',
        subject,
        detail: `The target's last records (offsets ${tailFirst.offset}–${tHigh - 1n}) are not found in the source${delta !== null ? ` near offset ${tailFirst.offset + delta}` : ' near its end'}.`,
        target: `[${tailFrom}, ${tHigh})`,
      });
    } else {
      const mismatch = firstMismatch(targetTail, window.slice(at));
      if (mismatch) differences.push(recordMismatch(subject, mismatch.target, mismatch.source));
      if (delta === null) {
        const found = window[at];
        if (found) delta = found.offset - tailFirst.offset;
      }
    }
  }
  return { differences, delta, sampledRecords: sampled };
}

function firstMismatch(
  target: readonly DigestedRecord[],
  source: readonly DigestedRecord[],
): { target: DigestedRecord; source: DigestedRecord | undefined } | undefined {
  for (let i = 0; i < target.length; i++) {
    const t = target[i] as DigestedRecord;
    const s = source[i];
    if (!s || s.digest !== t.digest) return { target: t, source: s };
  }
  return undefined;
}

function recordMismatch(subject: string, target: DigestedRecord, source: DigestedRecord | undefined): Difference {
  return {
    check: 'RECORDS',
    subject,
    detail: source
      ? `The record at target offset ${target.offset} differs from the source's record at offset ${source.offset} (a gap, a duplicate or altered content).`
      : `The record at target offset ${target.offset} has no counterpart in the source after the aligned position.`,
    source: source ? `offset ${source.offset} sha256 ${source.digest.slice(0, 12)}` : 'none',
    target: `offset ${target.offset} sha256 ${target.digest.slice(0, 12)}`,
  };
}
