import { recordId, type RecordRef } from './records';

/**
 * Counting, not guessing: from the records the brokers acknowledged and the records the consumers saw (in the order
 * they saw them), how many were lost, consumed twice, or consumed after a later record of the same key. Pure
 * functions, unit-tested in test/unit/workload-tally.test.ts.
 *
 * Definitions (per topic):
 * - produced: records whose send the broker acknowledged.
 * - lost: acknowledged records never consumed. On a compacted topic only the newest value of a key has to survive,
 *   so there a key is lost when its newest acknowledged value was never consumed (nor a newer one).
 * - duplicatesConsumed: consumptions of a record already consumed before (redelivery after a switch or a rebalance).
 * - outOfOrder: first consumptions of a record whose sequence number is lower than one already consumed for its key.
 *   A redelivery is counted as a duplicate only, not also as out of order.
 * - unexpected: consumed records that no acknowledged send accounts for (a send that timed out but was written).
 */

export interface TopicTally {
  readonly topic: string;
  readonly compacted: boolean;
  readonly produced: number;
  /** Distinct records consumed. */
  readonly consumed: number;
  readonly lost: number;
  readonly duplicatesConsumed: number;
  readonly outOfOrder: number;
  readonly unexpected: number;
  /** Distinct keys acknowledged. */
  readonly keys: number;
  /** Up to 20 lost records as `key#seq`, for the evidence. */
  readonly lostSample: readonly string[];
}

export interface RecordsTally {
  readonly produced: number;
  readonly lost: number;
  readonly duplicatesConsumed: number;
  readonly outOfOrder: number;
  readonly perTopic: Readonly<Record<string, TopicTally>>;
}

const SAMPLE = 20;

export function tallyTopic(input: {
  readonly topic: string;
  readonly compacted?: boolean;
  readonly acked: readonly Pick<RecordRef, 'key' | 'seq'>[];
  /** In consumption order. */
  readonly consumed: readonly Pick<RecordRef, 'key' | 'seq'>[];
}): TopicTally {
  const compacted = input.compacted ?? false;
  const ackedIds = new Set<string>();
  const newestAcked = new Map<string, number>();
  for (const r of input.acked) {
    ackedIds.add(recordId(r.key, r.seq));
    newestAcked.set(r.key, Math.max(newestAcked.get(r.key) ?? 0, r.seq));
  }

  const seen = new Set<string>();
  const newestSeen = new Map<string, number>();
  let duplicatesConsumed = 0;
  let outOfOrder = 0;
  let unexpected = 0;
  for (const r of input.consumed) {
    const id = recordId(r.key, r.seq);
    if (seen.has(id)) {
      duplicatesConsumed++;
      continue;
    }
    seen.add(id);
    if (!ackedIds.has(id)) unexpected++;
    const newest = newestSeen.get(r.key) ?? 0;
    if (r.seq < newest) outOfOrder++;
    else newestSeen.set(r.key, r.seq);
  }

  const lostIds: string[] = [];
  if (compacted) {
    for (const [key, seq] of newestAcked) {
      if ((newestSeen.get(key) ?? 0) < seq) lostIds.push(recordId(key, seq));
    }
  } else {
    for (const id of ackedIds) if (!seen.has(id)) lostIds.push(id);
  }

  return {
    topic: input.topic,
    compacted,
    produced: ackedIds.size,
    consumed: seen.size,
    lost: lostIds.length,
    duplicatesConsumed,
    outOfOrder,
    unexpected,
    keys: newestAcked.size,
    lostSample: lostIds.slice(0, SAMPLE),
  };
}

/** Totals over the topics, in the shape of the rehearsal report's `records`. */
export function sumTallies(topics: readonly TopicTally[]): RecordsTally {
  const sum = (pick: (t: TopicTally) => number): number => topics.reduce((n, t) => n + pick(t), 0);
  return {
    produced: sum((t) => t.produced),
    lost: sum((t) => t.lost),
    duplicatesConsumed: sum((t) => t.duplicatesConsumed),
    outOfOrder: sum((t) => t.outOfOrder),
    perTopic: Object.fromEntries(topics.map((t) => [t.topic, t])),
  };
}

/** What a pointer value tells a client: hold writes, or which cluster to use. */
export type PointerTarget =
  | { readonly kind: 'fenced'; readonly value: string }
  | { readonly kind: 'cluster'; readonly value: string; readonly bootstrapServers: readonly string[] };

export const FENCED_PREFIX = 'fenced:';

export function parsePointerValue(value: string): PointerTarget {
  if (value.startsWith(FENCED_PREFIX)) return { kind: 'fenced', value };
  const bootstrapServers = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { kind: 'cluster', value, bootstrapServers };
}

/** One producer's write pause across one pointer move. */
export interface WritePause {
  /** The cluster value the producer wrote to before the move. */
  readonly from: string;
  /** The cluster value of the first acknowledged send after it. */
  readonly to: string;
  /** When the producer noticed the pointer leave `from` (epoch ms). */
  readonly noticedAt: number;
  /** Last acknowledged send before the move (epoch ms); the notice time when nothing had been acknowledged yet. */
  readonly lastAckBefore: number;
  /** First acknowledged send after it (epoch ms). */
  readonly firstAckAfter: number;
  readonly pauseMs: number;
}

/** Which pointer reading a send was started under (from `WritePauseMeter.sendStarted`). */
export interface SendTicket {
  /** How many pointer moves the meter had been told of when the send started. */
  readonly epoch: number;
}

/**
 * Measures the producer write pause: from the last acknowledged send before the pointer left a cluster (a fence or a
 * switch) to the first acknowledged send after, wherever it went. A move that is noticed while one is already open
 * (fenced, then switched) extends the open one.
 *
 * Before or after the move is decided by order, not by clock: each send takes a ticket (`sendStarted`) holding the
 * number of moves noticed so far, and only a send started after the move that opened the pause can close it. Comparing
 * millisecond timestamps could not tell a send started in the same millisecond as the notice, or one started after the
 * fence was written but before the producer read it, from a send started on the new cluster: such a send closed the
 * pause as if writes had resumed, and the real fence → switch pause was never measured.
 */
export class WritePauseMeter {
  private lastAckAt: number | undefined;
  private cluster: string | undefined;
  private epoch = 0;
  private open: { from: string; epoch: number; noticedAt: number; lastAckBefore: number } | undefined;
  private readonly closed: WritePause[] = [];

  /** The pointer as the producer now sees it (call on every change, and once at start). */
  pointerNoticed(at: number, target: PointerTarget): void {
    if (target.kind === 'cluster' && target.value === this.cluster) return;
    this.epoch++;
    if (this.cluster !== undefined && this.open === undefined) {
      this.open = { from: this.cluster, epoch: this.epoch, noticedAt: at, lastAckBefore: this.lastAckAt ?? at };
    }
    this.cluster = target.kind === 'cluster' ? target.value : undefined;
  }

  /** Call right before a send leaves, in the same synchronous step that chose its cluster. */
  sendStarted(): SendTicket {
    return { epoch: this.epoch };
  }

  /**
   * A send acknowledged by `cluster` at `at`. Only a send started after the pointer move closes the pause: one
   * already started when the move was noticed (in flight at the fence) still counts as before it.
   */
  acked(at: number, cluster: string, ticket: SendTicket): void {
    this.lastAckAt = Math.max(this.lastAckAt ?? at, at);
    if (!this.open) return;
    if (ticket.epoch < this.open.epoch) {
      this.open.lastAckBefore = Math.max(this.open.lastAckBefore, at);
      return;
    }
    this.closed.push({
      from: this.open.from,
      to: cluster,
      noticedAt: this.open.noticedAt,
      lastAckBefore: this.open.lastAckBefore,
      firstAckAfter: at,
      pauseMs: Math.max(0, at - this.open.lastAckBefore),
    });
    this.open = undefined;
  }

  pauses(): readonly WritePause[] {
    return [...this.closed];
  }

  /** True while writes are held (the pointer left a cluster and nothing was acknowledged since). */
  holding(): boolean {
    return this.open !== undefined;
  }
}

/** The longest pause, or `undefined` when the pointer never moved under a writing producer. */
export function longestWritePause(pauses: readonly WritePause[]): WritePause | undefined {
  return pauses.reduce<WritePause | undefined>(
    (max, p) => (max === undefined || p.pauseMs > max.pauseMs ? p : max),
    undefined,
  );
}
