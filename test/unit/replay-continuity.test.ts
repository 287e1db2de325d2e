import { checkPartitionContinuity, type ContinuityOptions } from '../../lambdas/core/validation/record-continuity';
import { ReplayLedger } from '../../lambdas/core/validation/replay-ledger';
import { ValidationFailedError } from '../../lambdas/core/errors';
import { validateTarget } from '../../lambdas/core/validation/validate-target';
import { FakeKafka, MemoryArtifacts } from './validation-fake-kafka';

/**
 * Continuity by content across what a restarted replicator leaves on the target: replayed ranges (duplicates,
 * counted with their offsets) told apart from records missing, out of order or different.
 */

const options: ContinuityOptions = {
  sampleRecords: 5,
  searchWindow: 20,
  ignoredHeaders: [],
  startingPosition: 'EARLIEST',
  readTimeoutMs: 1_000,
};

const rec = (i: number): { key: string; value: string } => ({ key: `k${i}`, value: `v${i}` });

/** Source offsets 0..n-1; target = the given source offsets in that order (a replayed range appears twice). */
function logs(n: number, targetOrder: number[]): { source: FakeKafka; target: FakeKafka } {
  const source = new FakeKafka().addTopic('orders', 1);
  source.append(
    'orders',
    0,
    Array.from({ length: n }, (_, i) => rec(i)),
  );
  const target = new FakeKafka().addTopic('orders', 1);
  target.append(
    'orders',
    0,
    targetOrder.map((i) => (i < 0 ? { key: 'x', value: `foreign${i}` } : rec(i))),
  );
  return { source, target };
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function continuity(n: number, targetOrder: number[], overrides: Partial<ContinuityOptions> = {}) {
  const { source, target } = logs(n, targetOrder);
  const [s] = await source.fetchTopicOffsets('orders');
  const [t] = await target.fetchTopicOffsets('orders');
  return checkPartitionContinuity(source, target, 'orders', s!, t!, { ...options, ...overrides });
}

describe('record continuity across replayed ranges', () => {
  it('counts a replayed block in the middle as duplicates with their offsets on both sides, and passes', async () => {
    // Prepare: 1,000 records; the replicator restarted after copying 0–599 and copied 450–999 again (150 duplicates)
    const order = [...range(0, 599), ...range(450, 999)];
    // Act
    const result = await continuity(1000, order);
    // Assess
    expect(result.differences).toEqual([]);
    expect(result.replay).toMatchObject({
      duplicateRecords: 150,
      duplicates: [{ targetFrom: '600', targetTo: '749', sourceFrom: '450', sourceTo: '599', records: 150 }],
      missingRecords: 0,
    });
  });

  it('counts a replayed block at the tail', async () => {
    const order = [...range(0, 999), ...range(980, 999)];
    const result = await continuity(1000, order);
    expect(result.differences).toEqual([]);
    expect(result.replay?.duplicates).toEqual([
      { targetFrom: '1000', targetTo: '1019', sourceFrom: '980', sourceTo: '999', records: 20 },
    ]);
  });

  it('counts two restarts as two replayed ranges', async () => {
    const order = [...range(0, 299), ...range(250, 699), ...range(690, 1499)];
    const result = await continuity(1500, order);
    expect(result.differences).toEqual([]);
    expect(result.replay?.duplicates).toEqual([
      { targetFrom: '300', targetTo: '349', sourceFrom: '250', sourceTo: '299', records: 50 },
      { targetFrom: '750', targetTo: '759', sourceFrom: '690', sourceTo: '699', records: 10 },
    ]);
    expect(result.replay?.duplicateRecords).toBe(60);
  });

  it('counts overlapping replays (a restart during a replay) record by record', async () => {
    // 0–399, then a replay from 300 that is killed at 349, then a replay from 320 to the end
    const order = [...range(0, 399), ...range(300, 349), ...range(320, 999)];
    const result = await continuity(1000, order);
    expect(result.differences).toEqual([]);
    expect(result.replay?.duplicates).toEqual([
      { targetFrom: '400', targetTo: '449', sourceFrom: '300', sourceTo: '349', records: 50 },
      { targetFrom: '450', targetTo: '529', sourceFrom: '320', sourceTo: '399', records: 80 },
    ]);
  });

  it('finds a replay longer than the search window (a restart from the first record)', async () => {
    const order = [...range(0, 799), ...range(0, 1999)];
    const result = await continuity(2000, order);
    expect(result.differences).toEqual([]);
    expect(result.replay?.duplicateRecords).toBe(800);
  });

  it('reports records missing in the middle as missing, with their source offsets', async () => {
    const order = [...range(0, 499), ...range(520, 999)];
    const result = await continuity(1000, order);
    expect(result.differences.map((d) => d.detail)).toEqual([
      '20 record(s) of the source (offsets 500–519) are missing on the target.',
    ]);
    expect(result.replay?.duplicateRecords).toBe(0);
  });

  it('reports records that arrive after later ones as out of order, not missing and not duplicates', async () => {
    // A reordering keeps the record count, so the delta at both ends agrees: it is seen where records are read one by
    // one (the head and tail samples, and the blocks around a replay) — here at the tail.
    const order = [...range(0, 989), ...range(995, 999), ...range(990, 994)];
    const result = await continuity(1000, order);
    expect(result.differences.map((d) => d.detail)).toEqual([
      '5 record(s) of the source (offsets 990–994) are on the target after records that follow them: out of order.',
    ]);
    expect(result.replay?.duplicateRecords).toBe(0);
  });

  it('reports a record the source does not hold as different content', async () => {
    const order = [...range(0, 499), -1, ...range(500, 999)];
    const result = await continuity(1000, order);
    expect(result.differences.map((d) => d.detail)).toEqual([
      '1 record(s) on the target (offsets 500–500) are not in the source: different content.',
    ]);
  });

  it('reports a record altered in place as different, not as missing (seen where records are read: the tail)', async () => {
    const order = [...range(0, 996), -1, ...range(998, 999)];
    const result = await continuity(1000, order);
    expect(result.differences.map((d) => d.detail)).toEqual([
      "1 record(s) on the target (offsets 997–997) differ from the source's records in their place (offsets 997–997): altered content.",
    ]);
  });

  it('tells a replay and a gap apart when both happen', async () => {
    const order = [...range(0, 299), ...range(200, 599), ...range(610, 999)];
    const result = await continuity(1000, order);
    expect(result.replay?.duplicateRecords).toBe(100);
    expect(result.differences.map((d) => d.detail)).toEqual([
      '10 record(s) of the source (offsets 600–609) are missing on the target.',
    ]);
  });
});

describe('replay ledger', () => {
  it('counts a run below the high-water mark as duplicates and a run above it as new records', () => {
    const ledger = new ReplayLedger(0n);
    ledger.run(0n, 0n, 100);
    ledger.run(100n, 90n, 30);
    const findings = ledger.findings();
    expect(findings.duplicates).toEqual([
      { targetFrom: '100', targetTo: '109', sourceFrom: '90', sourceTo: '99', records: 10 },
    ]);
    expect(findings.sourceHighWater).toBe('120');
  });
});

describe('ValidateTarget and the plan duplicate tolerance', () => {
  const request = {
    identity: { migrationId: 'orders', executionName: 'exec-1' },
    topics: ['orders'],
    consumerGroups: { include: [], exclude: [] },
    startingPosition: 'EARLIEST' as const,
    configPolicy: { ignored: [] },
    sampleRecords: 5,
    searchWindow: 20,
  };
  const replayedCopy = (): { source: FakeKafka; target: FakeKafka } =>
    logs(1000, [...range(0, 599), ...range(450, 999)]);

  it('fails by default (NONE), naming the partition with its replayed range', async () => {
    const { source, target } = replayedCopy();
    const artifacts = new MemoryArtifacts();
    const error = await validateTarget(request, { source, target, artifacts, now: () => new Date(0) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).details?.differences).toEqual([
      {
        check: 'DUPLICATES',
        subject: 'orders-0',
        detail:
          '150 record(s) are present twice on the target (replayed ranges: target 600–749 = source 450–599); topic orders has 150 and recovery.duplicateTolerance allows none.',
        source: '[450, 599]',
        target: '[600, 749]',
      },
    ]);
  });

  it('passes within a bounded tolerance, with the figure in the summary, the notes and the evidence', async () => {
    const { source, target } = replayedCopy();
    const artifacts = new MemoryArtifacts();
    const summary = await validateTarget(
      { ...request, recovery: { topics: [{ include: ['ord.*'], duplicateTolerance: { maxRecords: 200 } }] } },
      { source, target, artifacts, now: () => new Date(0) },
    );
    expect(summary.duplicates).toEqual({
      records: 150,
      partitions: [{ subject: 'orders-0', records: 150, ranges: ['target 600–749 = source 450–599'] }],
    });
    expect(summary.notes).toContainEqual(
      'orders: 150 record(s) present twice on the target (replayed by a replicator restart: orders-0 150), within recovery.topics[0].duplicateTolerance (at most 200 records).',
    );
    const evidence = await artifacts.getJson<{ duplicates: { records: number } }>(summary.evidenceKey);
    expect(evidence?.duplicates.records).toBe(150);
  });

  it('fails beyond a bounded tolerance', async () => {
    const { source, target } = replayedCopy();
    const error = await validateTarget(
      { ...request, recovery: { duplicateTolerance: { maxRecords: 100 } } },
      { source, target, artifacts: new MemoryArtifacts(), now: () => new Date(0) },
    ).catch((e: unknown) => e);
    expect((error as ValidationFailedError).message).toMatch(/orders-0: 150 record\(s\) are present twice/);
  });
});

describe('record continuity on a target written in transactions (exactly-once replication)', () => {
  it('finds no duplicate and nothing missing when markers and an aborted transaction take offsets', async () => {
    // Prepare: 3,000 source records copied in transactions of 10 (a commit marker after each); a worker killed
    // mid-transaction left 7 aborted records and an abort marker, then copied the same records again, committed
    const source = new FakeKafka().addTopic('orders', 1).append('orders', 0, range(0, 2999).map(rec));
    const target = new FakeKafka().addTopic('orders', 1);
    const marker = { key: 'm', value: 'marker', hidden: true };
    for (let i = 0; i < 3000; i += 10) {
      if (i === 1500)
        target.append('orders', 0, [...range(1500, 1506).map((j) => ({ ...rec(j), hidden: true })), marker]);
      target.append('orders', 0, [...range(i, i + 9).map(rec), marker]);
    }
    const [s] = await source.fetchTopicOffsets('orders');
    const [t] = await target.fetchTopicOffsets('orders');
    // Act
    const result = await checkPartitionContinuity(source, target, 'orders', s!, t!, options);
    // Assess
    expect(result.differences).toEqual([]);
    expect(result.replay).toMatchObject({ duplicateRecords: 0, missingRecords: 0 });
  });

  it('aligns across a long aborted transaction with no record between it and the tail', async () => {
    // Prepare: a worker killed mid-transaction left 600 aborted records just before the last five committed ones
    const source = new FakeKafka().addTopic('orders', 1).append('orders', 0, range(0, 2999).map(rec));
    const target = new FakeKafka()
      .addTopic('orders', 1)
      .append('orders', 0, range(0, 2994).map(rec))
      .append(
        'orders',
        0,
        range(2000, 2599).map((j) => ({ ...rec(j), hidden: true })),
      )
      .append('orders', 0, range(2995, 2999).map(rec));
    const [s] = await source.fetchTopicOffsets('orders');
    const [t] = await target.fetchTopicOffsets('orders');
    // Act
    const result = await checkPartitionContinuity(source, target, 'orders', s!, t!, options);
    // Assess
    expect(result.differences).toEqual([]);
    expect(result.replay).toMatchObject({ duplicateRecords: 0, missingRecords: 0 });
  });
});
