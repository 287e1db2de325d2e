import type { KafkaDataPlane } from '../../lambdas/ports/kafka';

/**
 * Before a consumer leaves a cluster (on a fence, or when the pointer names another cluster) it reads what was written
 * there up to the end offsets (docs/cutover.md), and the cutover's CommitConsumerOffsets waits for its group to leave
 * the source. So the check is on the switch's path: it keeps one admin connection per consumer connection (opened by
 * `warm` or the first look, closed when the consumer leaves the cluster) instead of one per look, and between looks it
 * waits for the consumer's own positions to reach the end offsets of the last look rather than asking the cluster
 * again. A look that finds them reached looks once more: the consumer leaves only when the end offsets of its last
 * look, read after the fence was noticed, are at or below its positions.
 */

/** What a look reads: the topic's end offsets, and the group's committed offsets where the consumer has no position. */
export type EndOffsetReads = Pick<KafkaDataPlane, 'fetchTopicOffsets' | 'fetchCommittedOffsets' | 'close'>;

export interface DrainOptions {
  /** How long the drain may take; the consumer leaves anyway after it. */
  readonly timeoutMs: number;
  /** The longest wait between two evaluations of the consumer's positions (they also wake it as they advance). */
  readonly pollMs: number;
}

/**
 * The partitions of `topic` whose end offset is past the group's position, with that end offset: the consumer's own
 * position (the next offset it reads), or where it has read nothing of a partition the group's committed offset, or
 * the log start offset where the group has none. `positions` is read after the end offsets are.
 */
export async function partitionsBehind(
  reads: EndOffsetReads,
  group: { readonly groupId: string; readonly topic: string },
  positions: ReadonlyMap<number, bigint>,
): Promise<Map<number, bigint>> {
  const ends = await reads.fetchTopicOffsets(group.topic);
  // Asked only when the consumer has no position on some partition (nothing read of it on this cluster yet).
  const committed = ends.some((end) => !positions.has(end.partition))
    ? await reads.fetchCommittedOffsets(group.groupId, [group.topic])
    : [];
  const behind = new Map<number, bigint>();
  for (const end of ends) {
    const theirs = committed.find((c) => c.partition === end.partition)?.offset;
    const position =
      positions.get(end.partition) ?? (theirs !== undefined && theirs !== '-1' ? BigInt(theirs) : BigInt(end.low));
    if (position < BigInt(end.high)) behind.set(end.partition, BigInt(end.high));
  }
  return behind;
}

/** One consumer connection's drain check: one admin connection, the consumer's live positions. */
export class DrainCheck {
  /** Looks made (each one ListOffsets round, and an OffsetFetch where the consumer has no position). */
  looks = 0;
  private reads: EndOffsetReads | undefined;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly open: () => EndOffsetReads,
    private readonly group: { readonly groupId: string; readonly topic: string },
    /** The consumer's next offset per partition on this connection's cluster, updated as it reads. */
    private readonly positions: ReadonlyMap<number, bigint>,
  ) {}

  /** The consumer calls this after it moved a position: a drain waiting for its positions evaluates them again. */
  advanced(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Opens the admin connection and makes a first look now, without waiting for it: the look made on a notice then
   * finds the connection and the topic's leaders known. A failure here is left to that look.
   */
  warm(): void {
    this.look().catch(() => undefined);
  }

  /** Whether the group has read every partition up to the end offsets read now. */
  async caughtUp(): Promise<boolean> {
    return (await this.look()).size === 0;
  }

  /**
   * Looks until the consumer's positions are at or past the end offsets of a look: after a look that finds partitions
   * behind, it waits for the positions to reach those end offsets (no request meanwhile), then looks again. Bounded by
   * `timeoutMs` and by the count of rounds; true when drained, false at the bound.
   */
  async drain(options: DrainOptions): Promise<boolean> {
    const deadline = Date.now() + options.timeoutMs;
    const maxRounds = 2 * Math.ceil(options.timeoutMs / options.pollMs) + 2;
    let behind: Map<number, bigint> | undefined;
    for (let round = 0; round < maxRounds && Date.now() < deadline && !this.closed; round++) {
      if (behind === undefined || this.reached(behind)) {
        behind = await this.look().catch(() => undefined);
        if (behind?.size === 0) return true;
      }
      const wait = Math.max(0, Math.min(options.pollMs, deadline - Date.now()));
      const last = behind;
      await this.until(last === undefined ? () => false : () => this.reached(last), wait);
    }
    return false;
  }

  /** Closes the admin connection; a look after this fails. */
  async close(): Promise<void> {
    this.closed = true;
    this.advanced();
    const reads = this.reads;
    this.reads = undefined;
    await reads?.close();
  }

  private look(): Promise<Map<number, bigint>> {
    if (this.closed) return Promise.reject(new Error(`The drain check of group ${this.group.groupId} is closed.`));
    this.reads ??= this.open();
    this.looks++;
    return partitionsBehind(this.reads, this.group, this.positions);
  }

  private reached(behind: ReadonlyMap<number, bigint>): boolean {
    return [...behind].every(([partition, end]) => (this.positions.get(partition) ?? -1n) >= end);
  }

  /** Resolves when `condition` holds after an advance, on close, or after `ms`. */
  private until(condition: () => boolean, ms: number): Promise<void> {
    if (condition() || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const wake = (): void => {
        if (condition() || this.closed) done();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(wake);
    });
  }
}
