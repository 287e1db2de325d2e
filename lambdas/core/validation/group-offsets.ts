import type { CommittedOffset, KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';
import type { Difference } from './differences';
import { readDigests } from './record-continuity';
import type { DigestedRecord } from './record-digest';

/**
 * Consumer-group offsets translated to the target must point at the same records: the record just before the
 * committed offset (the last one the group consumed) must be the same on both sides, by content. A translated
 * offset that points earlier makes consumers re-read records (tolerated up to `maxRewindRecords`); one that points
 * later makes them skip records (never tolerated).
 */

export interface GroupOffsetOptions {
  readonly maxRewindRecords: number;
  /**
   * The group still consumes on the source: a commit newer than the replicator's last offset sync has no translation
   * yet (MirrorMaker 2 and MSK Replicator sync periodically). That is pending, not a difference: CommitConsumerOffsets
   * translates every group by content and commits it on the target at the cutover, after the consumers left.
   * @default false
   */
  readonly untranslatedIsPending?: boolean;
  readonly searchWindow: number;
  readonly ignoredHeaders: readonly string[];
  readonly readTimeoutMs: number;
}

export interface PartitionView {
  readonly source: PartitionOffsets;
  readonly target: PartitionOffsets | undefined;
  /** source offset − target offset of the same record, from the continuity check. */
  readonly delta: bigint | null;
}

export interface GroupCheck {
  readonly differences: Difference[];
  readonly partitionsChecked: number;
  /** Partitions where the target offset is behind by at most `maxRewindRecords` (accepted, reported in evidence). */
  readonly rewinds: Array<{ subject: string; records: number }>;
  /** Partitions of an active group with no translation yet (`untranslatedIsPending`), reported in evidence. */
  readonly pending: string[];
}

export async function checkGroupOffsets(
  source: KafkaDataPlane,
  target: KafkaDataPlane,
  groupId: string,
  sourceCommitted: readonly CommittedOffset[],
  targetCommitted: readonly CommittedOffset[],
  partitions: ReadonlyMap<string, PartitionView>,
  options: GroupOffsetOptions,
): Promise<GroupCheck> {
  const differences: Difference[] = [];
  const rewinds: GroupCheck['rewinds'] = [];
  const pending: string[] = [];
  const translated = new Map(targetCommitted.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
  let checked = 0;

  for (const committed of sourceCommitted) {
    const view = partitions.get(`${committed.topic}\u0000${committed.partition}`);
    if (!view || committed.offset === '-1') continue;
    const subject = `${groupId}@${committed.topic}-${committed.partition}`;
    const sC = BigInt(committed.offset);
    const sLow = BigInt(view.source.low);
    const sHigh = BigInt(view.source.high);
    // The last consumed record, or the next one when the log before the offset is gone (retention).
    let sRef: bigint;
    let shift: bigint;
    if (sC - 1n >= sLow && sC - 1n < sHigh) {
      sRef = sC - 1n;
      shift = 1n;
    } else if (sC >= sLow && sC < sHigh) {
      sRef = sC;
      shift = 0n;
    } else {
      continue; // nothing on the source to compare against (empty partition, or the offset is past retention)
    }
    checked++;
    const tOffset = translated.get(`${committed.topic}\u0000${committed.partition}`);
    if (tOffset === undefined || tOffset === '-1') {
      if (options.untranslatedIsPending) {
        pending.push(subject);
        continue;
      }
      differences.push({
        check: 'GROUP_OFFSET',
        subject,
        detail:
          'The committed offset was not translated to the target: the group would start from its auto.offset.reset position.',
        source: committed.offset,
        target: 'none',
      });
      continue;
    }
    if (!view.target) {
      differences.push({
        check: 'GROUP_OFFSET',
        subject,
        detail: 'The group has a committed offset on the target, but the partition does not exist there.',
        source: committed.offset,
        target: tOffset,
      });
      continue;
    }
    const tRefOffset = BigInt(tOffset) - shift;
    const tLow = BigInt(view.target.low);
    const tHigh = BigInt(view.target.high);
    if (tRefOffset < tLow || tRefOffset >= tHigh) {
      differences.push({
        check: 'GROUP_OFFSET',
        subject,
        detail: `The translated offset ${tOffset} points outside the target's log [${tLow}, ${tHigh}).`,
        source: committed.offset,
        target: tOffset,
      });
      continue;
    }
    const [sRec] = await readDigests(source, committed.topic, committed.partition, sRef, sRef + 1n, 1, options);
    const [tRec] = await readDigests(
      target,
      committed.topic,
      committed.partition,
      tRefOffset,
      tRefOffset + 1n,
      1,
      options,
    );
    if (!sRec || !tRec) {
      differences.push({
        check: 'GROUP_OFFSET',
        subject,
        detail: 'The records around the committed offsets could not be read.',
        source: committed.offset,
        target: tOffset,
      });
      continue;
    }
    if (sRec.digest === tRec.digest) continue;

    const found = await locate(
      source,
      committed.topic,
      committed.partition,
      tRec,
      view.delta === null ? sRef : tRefOffset + view.delta,
      sLow,
      sHigh,
      options,
    );
    if (found === undefined) {
      differences.push({
        check: 'GROUP_OFFSET',
        subject,
        detail: `The record before the translated offset (target offset ${tRefOffset}) is not found in the source near offset ${sRef}: the offset points at other records.`,
        source: committed.offset,
        target: tOffset,
      });
    } else if (found < sRef) {
      const records = Number(sRef - found);
      if (records <= options.maxRewindRecords) rewinds.push({ subject, records });
      else {
        differences.push({
          check: 'GROUP_OFFSET',
          subject,
          detail: `The translated offset is ${records} record(s) behind the source's: consumers would re-read them (more than the ${options.maxRewindRecords} allowed).`,
          source: committed.offset,
          target: tOffset,
        });
      }
    } else {
      differences.push({
        check: 'GROUP_OFFSET',
        subject,
        detail: `The translated offset is ${found - sRef} record(s) ahead of the source's: consumers would skip them.`,
        source: committed.offset,
        target: tOffset,
      });
    }
  }
  return { differences, partitionsChecked: checked, rewinds, pending };
}

/**
 * The source offset of the record with this digest, searched in a window around `around`, then backwards from it (a
 * replayed range on the target puts a record's source position further back than the head's delta predicts).
 */
async function locate(
  source: KafkaDataPlane,
  topic: string,
  partition: number,
  record: DigestedRecord,
  around: bigint,
  sLow: bigint,
  sHigh: bigint,
  options: GroupOffsetOptions,
): Promise<bigint | undefined> {
  const W = BigInt(options.searchWindow);
  const from = around - W > sLow ? around - W : sLow;
  const window = await readDigests(source, topic, partition, from, sHigh, 2 * options.searchWindow + 1, options);
  const near = window.find((r) => r.digest === record.digest)?.offset;
  if (near !== undefined) return near;
  let until = from;
  for (let chunk = 0; until > sLow && chunk < BACKWARD_CHUNKS; chunk++) {
    const start = until - 2_000n > sLow ? until - 2_000n : sLow;
    const found = (await readDigests(source, topic, partition, start, until, Number(until - start), options))
      .filter((r) => r.digest === record.digest)
      .at(-1);
    if (found) return found.offset;
    until = start;
  }
  return undefined;
}

/** How far back a record is looked for: 10 chunks of 2,000 records. */
const BACKWARD_CHUNKS = 10;
