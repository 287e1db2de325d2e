import { decodeRecord, encodeRecord } from '../../rehearsal/workload/records';
import {
  longestWritePause,
  parsePointerValue,
  sumTallies,
  tallyTopic,
  WritePauseMeter,
} from '../../rehearsal/workload/tally';

const r = (key: string, seq: number): { key: string; seq: number } => ({ key, seq });
const A = parsePointerValue('127.0.0.1:9092');
const B = parsePointerValue('127.0.0.1:9093');
const FENCED = parsePointerValue('fenced:cutover-1');

describe('tallying a topic', () => {
  it('counts nothing lost, duplicated or out of order when every acknowledged record is consumed once in order', () => {
    // Act
    const tally = tallyTopic({
      topic: 'orders',
      acked: [r('a', 1), r('b', 1), r('a', 2)],
      consumed: [r('b', 1), r('a', 1), r('a', 2)],
    });

    // Assess
    expect(tally).toMatchObject({
      produced: 3,
      consumed: 3,
      lost: 0,
      duplicatesConsumed: 0,
      outOfOrder: 0,
      unexpected: 0,
      keys: 2,
    });
  });

  it('names exactly the acknowledged records that were never consumed as lost', () => {
    // Act
    const tally = tallyTopic({
      topic: 'orders',
      acked: [r('a', 1), r('a', 2), r('a', 3), r('b', 1)],
      consumed: [r('a', 1), r('a', 3)],
    });

    // Assess
    expect(tally.lost).toBe(2);
    expect([...tally.lostSample].sort()).toEqual(['a#2', 'b#1']);
  });

  it('counts a redelivered record as a duplicate and not also as out of order', () => {
    // Act: a switch redelivers a#2 after a#3 was consumed.
    const tally = tallyTopic({
      topic: 'orders',
      acked: [r('a', 1), r('a', 2), r('a', 3)],
      consumed: [r('a', 1), r('a', 2), r('a', 3), r('a', 2), r('a', 3)],
    });

    // Assess
    expect(tally).toMatchObject({ consumed: 3, duplicatesConsumed: 2, outOfOrder: 0, lost: 0 });
  });

  it('counts a first consumption below a key’s newest consumed sequence number as out of order', () => {
    // Act
    const tally = tallyTopic({
      topic: 'ledger',
      acked: [r('k', 1), r('k', 2), r('k', 3), r('j', 1)],
      consumed: [r('k', 1), r('k', 3), r('j', 1), r('k', 2)],
    });

    // Assess: j has its own order; only k#2 came after k#3.
    expect(tally).toMatchObject({ outOfOrder: 1, duplicatesConsumed: 0, lost: 0 });
  });

  it('counts a consumed record no acknowledged send accounts for as unexpected, not as lost', () => {
    // Act: a#2's send timed out but was written.
    const tally = tallyTopic({ topic: 'orders', acked: [r('a', 1)], consumed: [r('a', 1), r('a', 2)] });

    // Assess
    expect(tally).toMatchObject({ produced: 1, consumed: 2, unexpected: 1, lost: 0 });
  });

  it('on a compacted topic, loses a key only when its newest acknowledged value was never consumed', () => {
    // Act: a's older values were compacted away before the consumer read them; b's newest value is missing.
    const tally = tallyTopic({
      topic: 'customer-profiles',
      compacted: true,
      acked: [r('a', 1), r('a', 2), r('a', 3), r('b', 1), r('b', 2)],
      consumed: [r('a', 3), r('b', 1)],
    });

    // Assess
    expect(tally).toMatchObject({ compacted: true, produced: 5, keys: 2, lost: 1, outOfOrder: 0 });
    expect(tally.lostSample).toEqual(['b#2']);
  });

  it('sums the topics into the report’s records, keeping each topic’s tally', () => {
    // Prepare
    const orders = tallyTopic({ topic: 'orders', acked: [r('a', 1), r('a', 2)], consumed: [r('a', 1), r('a', 1)] });
    const ledger = tallyTopic({ topic: 'ledger', acked: [r('k', 1), r('k', 2)], consumed: [r('k', 2), r('k', 1)] });

    // Act
    const records = sumTallies([orders, ledger]);

    // Assess
    expect(records).toMatchObject({ produced: 4, lost: 1, duplicatesConsumed: 1, outOfOrder: 1 });
    expect(Object.keys(records.perTopic)).toEqual(['orders', 'ledger']);
  });
});

describe('reading a pointer value', () => {
  it('holds writes on a fenced value and splits bootstrap servers otherwise', () => {
    expect(parsePointerValue('fenced:cutover-1')).toEqual({ kind: 'fenced', value: 'fenced:cutover-1' });
    expect(parsePointerValue('127.0.0.1:1, 127.0.0.1:2')).toMatchObject({
      kind: 'cluster',
      bootstrapServers: ['127.0.0.1:1', '127.0.0.1:2'],
    });
  });
});

describe('measuring the producer write pause', () => {
  /** One send: started now (its ticket), acknowledged at `at`. */
  const send = (meter: WritePauseMeter): ((at: number, cluster: string) => void) => {
    const ticket = meter.sendStarted();
    return (at, cluster) => meter.acked(at, cluster, ticket);
  };

  it('measures from the last acknowledged send before the fence to the first one on the new cluster', () => {
    // Prepare
    const meter = new WritePauseMeter();
    meter.pointerNoticed(0, A);
    send(meter)(100, A.value);
    send(meter)(200, A.value);

    // Act
    meter.pointerNoticed(250, FENCED);
    meter.pointerNoticed(900, B);
    send(meter)(1_000, B.value);

    // Assess
    expect(meter.pauses()).toEqual([
      { from: A.value, to: B.value, noticedAt: 250, lastAckBefore: 200, firstAckAfter: 1_000, pauseMs: 800 },
    ]);
    expect(meter.holding()).toBe(false);
  });

  it('counts a send that was in flight when the fence was noticed as before the pause, not as its end', () => {
    // Prepare
    const meter = new WritePauseMeter();
    meter.pointerNoticed(0, A);
    send(meter)(100, A.value);
    const inFlight = send(meter);
    meter.pointerNoticed(150, FENCED);

    // Act: the send started before the notice is acknowledged after it.
    inFlight(180, A.value);

    // Assess
    expect(meter.holding()).toBe(true);
    meter.pointerNoticed(400, B);
    send(meter)(500, B.value);
    expect(meter.pauses()[0]).toMatchObject({ lastAckBefore: 180, firstAckAfter: 500, pauseMs: 320 });
  });

  it('measures the whole fence when a send started in the same millisecond as the notice is acknowledged inside it', () => {
    // Prepare: the send leaves at 1_000 (clock ms), the producer reads the fence in that same millisecond.
    const meter = new WritePauseMeter();
    meter.pointerNoticed(0, A);
    send(meter)(980, A.value);
    const sameMillisecond = send(meter);
    meter.pointerNoticed(1_000, FENCED);

    // Act: acknowledged 26 ms later, while writes are held; the switch comes 1.7 s after the fence.
    sameMillisecond(1_026, A.value);
    meter.pointerNoticed(2_700, B);
    send(meter)(2_720, B.value);

    // Assess: one pause, fence → switch, not a 26 ms one closed by the in-flight send.
    expect(meter.pauses()).toEqual([
      { from: A.value, to: B.value, noticedAt: 1_000, lastAckBefore: 1_026, firstAckAfter: 2_720, pauseMs: 1_694 },
    ]);
  });

  it('measures a fence lifted back to the same cluster as a pause too, and reports the longest of several', () => {
    // Prepare
    const meter = new WritePauseMeter();
    meter.pointerNoticed(0, A);
    send(meter)(10, A.value);
    meter.pointerNoticed(20, FENCED);
    meter.pointerNoticed(60, A);
    send(meter)(70, A.value);
    meter.pointerNoticed(100, B);
    send(meter)(400, B.value);

    // Act
    const longest = longestWritePause(meter.pauses());

    // Assess
    expect(meter.pauses().map((p) => [p.from, p.to, p.pauseMs])).toEqual([
      [A.value, A.value, 60],
      [A.value, B.value, 330],
    ]);
    expect(longest?.pauseMs).toBe(330);
  });

  it('reports no pause when the pointer never moved', () => {
    const meter = new WritePauseMeter();
    meter.pointerNoticed(0, A);
    send(meter)(10, A.value);
    expect(longestWritePause(meter.pauses())).toBeUndefined();
  });
});

describe('the record format', () => {
  it('reads back what it writes and ignores values the workload did not write', () => {
    const record = { key: 'orders-k1', seq: 7, producerId: 'p1', sentAt: '2026-11-02T10:00:00.000Z' };
    expect(decodeRecord(Buffer.from(encodeRecord(record)))).toEqual(record);
    expect(decodeRecord('canary')).toBeUndefined();
    expect(decodeRecord(JSON.stringify({ key: 'k', seq: 0 }))).toBeUndefined();
    expect(decodeRecord(null)).toBeUndefined();
  });
});
