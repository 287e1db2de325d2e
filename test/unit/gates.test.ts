import { advanceCatchUp, type CatchUpProgress } from '../../lambdas/core/gates/catch-up';
import { canaryRoundTrip } from '../../lambdas/core/gates/canary';
import { evaluateCatchUp, type CatchUpEvaluationRequest } from '../../lambdas/core/gates/evaluate-catch-up';
import { evaluateLagGate, type LagGateVerdict } from '../../lambdas/core/gates/lag-gate';
import { partitionLag, type PartitionLagSnapshot } from '../../lambdas/core/gates/partition-lag';
import { replicatorAlarms } from '../../lambdas/core/gates/replicator-alarms';
import type { AlarmStatus, LagSignals } from '../../lambdas/ports/lag-signals';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';

const healthy: LagGateVerdict = { healthy: true, reasons: [], figures: {} };
const unhealthy: LagGateVerdict = {
  healthy: false,
  reasons: ['MessageLag is 900 records, above gates.maxLagRecords (100).'],
  figures: {},
};
const policy = { consecutiveHealthyChecks: 3, catchUpTimeoutMinutes: 10 };
const t = (minutes: number): string => new Date(Date.UTC(2026, 10, 1, 12, 0, 0) + minutes * 60_000).toISOString();

function run(verdicts: readonly LagGateVerdict[]): Array<{ progress: CatchUpProgress; outcome: string }> {
  const out: Array<{ progress: CatchUpProgress; outcome: string }> = [];
  let previous: CatchUpProgress | undefined;
  verdicts.forEach((v, i) => {
    const step = advanceCatchUp(previous, v, t(i), policy);
    out.push(step);
    previous = step.progress;
  });
  return out;
}

const snapshot = (at: string, parts: Array<[string, number, number, number | null]>): PartitionLagSnapshot => ({
  at,
  partitions: parts.map(([topic, partition, sourceEnd, targetEnd]) => ({
    topic,
    partition,
    sourceEnd: String(sourceEnd),
    targetEnd: targetEnd === null ? null : String(targetEnd),
    lag: targetEnd === null ? sourceEnd : Math.max(0, sourceEnd - targetEnd),
  })),
});

const okAlarms: AlarmStatus[] = [
  { alarmName: 'a-MessageLag', state: 'OK' },
  { alarmName: 'a-ReplicationFailures', state: 'OK' },
];

describe('catch-up counting', () => {
  it('passes after the configured number of healthy evaluations in a row', () => {
    // Prepare / Act
    const steps = run([unhealthy, healthy, healthy, healthy]);
    // Assess
    expect(steps.map((s) => s.outcome)).toEqual(['WAITING', 'WAITING', 'WAITING', 'PASSED']);
    expect(steps[3]?.progress).toMatchObject({
      consecutiveHealthy: 3,
      passed: true,
      evaluations: 4,
      healthySince: t(1),
    });
  });

  it('resets the count when a flapping replicator turns unhealthy between healthy evaluations', () => {
    const steps = run([healthy, healthy, unhealthy, healthy, healthy]);
    expect(steps.map((s) => s.progress.consecutiveHealthy)).toEqual([1, 2, 0, 1, 2]);
    expect(steps.every((s) => s.outcome === 'WAITING')).toBe(true);
    expect(steps[4]?.progress.healthySince).toBe(t(3));
  });

  it('times out once the catch-up timeout has elapsed since the first evaluation without a pass', () => {
    const first = advanceCatchUp(undefined, unhealthy, t(0), policy);
    const late = advanceCatchUp(first.progress, healthy, t(10), policy);
    expect(late.outcome).toBe('TIMED_OUT');
    expect(late.progress.startedAt).toBe(t(0));
  });

  it('passes rather than times out when the last healthy evaluation completes the run at the deadline', () => {
    let previous: CatchUpProgress | undefined;
    for (const minute of [8, 9])
      previous = advanceCatchUp(
        previous ?? { ...advanceCatchUp(undefined, unhealthy, t(0), policy).progress },
        healthy,
        t(minute),
        policy,
      ).progress;
    const last = advanceCatchUp(previous, healthy, t(10), policy);
    expect(last.outcome).toBe('PASSED');
  });

  it('keeps only the first reasons of an unhealthy evaluation in the state', () => {
    const many: LagGateVerdict = { healthy: false, reasons: ['a', 'b', 'c', 'd', 'e'], figures: {} };
    expect(advanceCatchUp(undefined, many, t(0), policy).progress.lastReasons).toEqual(['a', 'b', 'c']);
  });
});

describe('lag gate evaluation', () => {
  const thresholds = { maxLagRecords: 100 };
  const msk = { replicatorMetrics: true, partitionLag: false };
  const mm2 = { replicatorMetrics: false, partitionLag: true };
  const at = t(0);
  const metrics = {
    MessageLag: { value: 10, timestamp: at },
    ReplicationFailures: { value: 0, timestamp: at },
    ConsumerGroupOffsetSyncFailure: { value: 0, timestamp: at },
  };

  it('is healthy when every alarm is OK and MessageLag is under the threshold', () => {
    const verdict = evaluateLagGate({ alarms: okAlarms, metrics }, thresholds, msk);
    expect(verdict).toEqual({
      healthy: true,
      reasons: [],
      figures: { messageLag: 10, replicationFailures: 0, offsetSyncFailures: 0 },
    });
  });

  it('treats an alarm in INSUFFICIENT_DATA as not healthy', () => {
    const verdict = evaluateLagGate(
      { alarms: [{ alarmName: 'a-MessageLag', state: 'INSUFFICIENT_DATA' }], metrics },
      thresholds,
      msk,
    );
    expect(verdict.healthy).toBe(false);
    expect(verdict.reasons).toEqual(['Alarm a-MessageLag is INSUFFICIENT_DATA: no datapoints to judge by yet.']);
  });

  it('treats a missing alarm and a MessageLag without datapoints as not healthy', () => {
    const verdict = evaluateLagGate(
      { alarms: [{ alarmName: 'a-MessageLag', state: 'MISSING' }], metrics: {} },
      thresholds,
      msk,
    );
    expect(verdict.reasons).toEqual([
      'Alarm a-MessageLag does not exist (deleted, or never created).',
      'MessageLag has no datapoint in the look-back window.',
    ]);
  });

  it('reports an alarm in ALARM with its reason, a lag above the threshold and failures', () => {
    const verdict = evaluateLagGate(
      {
        alarms: [{ alarmName: 'a-MessageLag', state: 'ALARM', reason: 'Threshold Crossed' }],
        metrics: {
          MessageLag: { value: 500, timestamp: at },
          ReplicationFailures: { value: 2, timestamp: at },
          ConsumerGroupOffsetSyncFailure: { value: 1, timestamp: at },
        },
      },
      thresholds,
      msk,
    );
    expect(verdict.reasons).toEqual([
      'Alarm a-MessageLag is in ALARM: Threshold Crossed.',
      'MessageLag is 500 records, above gates.maxLagRecords (100).',
      'ReplicationFailures is 2 in the last period.',
      'ConsumerGroupOffsetSyncFailure is 1 in the last period.',
    ]);
  });

  it('measures MirrorMaker 2 lag per partition and is healthy under the threshold', () => {
    const verdict = evaluateLagGate(
      {
        partitionLag: snapshot(at, [
          ['orders', 0, 100, 60],
          ['orders', 1, 50, 50],
        ]),
      },
      thresholds,
      mm2,
    );
    expect(verdict.healthy).toBe(true);
    expect(verdict.figures).toMatchObject({
      partitionLagTotal: 40,
      partitionLagMax: 40,
      laggingPartitions: 1,
      missingTargetPartitions: 0,
    });
  });

  it('names the worst partitions when the summed lag is above the threshold', () => {
    const verdict = evaluateLagGate(
      {
        partitionLag: snapshot(at, [
          ['orders', 0, 500, 400],
          ['orders', 1, 90, 0],
          ['audit', 0, 10, 10],
        ]),
      },
      thresholds,
      mm2,
    );
    expect(verdict.healthy).toBe(false);
    expect(verdict.reasons).toEqual([
      'The target trails the source by 190 records over 2 partition(s), above gates.maxLagRecords (100); worst: orders-0 (100), orders-1 (90).',
    ]);
  });

  it('is not healthy while a partition does not exist on the target', () => {
    const verdict = evaluateLagGate({ partitionLag: snapshot(at, [['orders', 0, 0, null]]) }, thresholds, mm2);
    expect(verdict.reasons).toEqual(['1 partition(s) do not exist on the target yet: orders-0.']);
  });

  it('is not healthy when a lagging partition made no progress since the previous evaluation', () => {
    const verdict = evaluateLagGate(
      {
        partitionLag: snapshot(t(1), [['orders', 0, 120, 100]]),
        previousPartitionLag: snapshot(t(0), [['orders', 0, 110, 100]]),
      },
      thresholds,
      mm2,
    );
    expect(verdict.healthy).toBe(false);
    expect(verdict.figures.stalledPartitions).toBe(1);
    expect(verdict.reasons[0]).toContain('made no progress on the target since');
  });

  it('is not healthy when a target end offset went backwards', () => {
    const verdict = evaluateLagGate(
      {
        partitionLag: snapshot(t(1), [['orders', 0, 120, 0]]),
        previousPartitionLag: snapshot(t(0), [['orders', 0, 110, 100]]),
      },
      { maxLagRecords: 1000 },
      mm2,
    );
    expect(verdict.reasons).toEqual([expect.stringContaining('have a lower end offset on the target')]);
  });

  it('is not healthy without data-plane offsets when the engine relies on them', () => {
    expect(evaluateLagGate({}, thresholds, mm2).reasons[0]).toBe(
      'No per-partition end offsets were read: the data-plane lag is unknown.',
    );
  });

  it('is not healthy when no signal at all was read', () => {
    const verdict = evaluateLagGate({ canary: { status: 'DISABLED', reason: 'none' } }, thresholds, {
      replicatorMetrics: false,
      partitionLag: false,
    });
    expect(verdict.healthy).toBe(false);
    expect(verdict.reasons[0]).toMatch(/^No lag signal was read/);
  });

  it('is not healthy when the canary was not seen, and reports its round trip when it was', () => {
    const lag = snapshot(at, [['orders', 0, 1, 1]]);
    expect(
      evaluateLagGate(
        { partitionLag: lag, canary: { status: 'NOT_SEEN', canaryId: 'x#1', waitedMs: 5000 } },
        thresholds,
        mm2,
      ).reasons,
    ).toEqual(['The canary record x#1 was not seen on the target within 5000 ms.']);
    const seen = evaluateLagGate(
      { partitionLag: lag, canary: { status: 'SEEN', canaryId: 'x#1', roundTripMs: 1200 } },
      { maxLagRecords: 100, maxCanaryRoundTripMs: 1000 },
      mm2,
    );
    expect(seen.figures.canaryRoundTripMs).toBe(1200);
    expect(seen.reasons).toEqual(['The canary took 1200 ms to reach the target, above 1000 ms.']);
  });
});

describe('per-partition lag', () => {
  it('counts the whole source log as lag for a partition the target lacks', () => {
    const lag = partitionLag(
      'orders',
      [
        { partition: 0, low: '5', high: '25' },
        { partition: 1, low: '0', high: '3' },
      ],
      [{ partition: 1, low: '0', high: '7' }],
    );
    expect(lag).toEqual([
      { topic: 'orders', partition: 0, sourceEnd: '25', targetEnd: null, lag: 20 },
      { topic: 'orders', partition: 1, sourceEnd: '3', targetEnd: '7', lag: 0 },
    ]);
  });
});

describe('replicator alarms', () => {
  it('defines one alarm per replicator metric on the replicator name, MessageLag without data kept INSUFFICIENT_DATA', () => {
    const alarms = replicatorAlarms(
      'mskmig-orders-1',
      'msk-migration-orders-x-',
      { maxLagRecords: 1000 },
      { owner: 'me' },
    );
    expect(alarms.map((a) => [a.alarmName, a.metric.metricName, a.threshold, a.treatMissingData])).toEqual([
      ['msk-migration-orders-x-MessageLag', 'MessageLag', 1000, 'missing'],
      ['msk-migration-orders-x-ReplicationLatency', 'ReplicationLatency', 60_000, 'notBreaching'],
      ['msk-migration-orders-x-ReplicationFailures', 'ReplicationFailures', 0, 'notBreaching'],
      ['msk-migration-orders-x-ConsumerGroupOffsetSyncFailure', 'ConsumerGroupOffsetSyncFailure', 0, 'notBreaching'],
    ]);
    expect(alarms[0]?.metric).toEqual({
      namespace: 'AWS/Kafka',
      metricName: 'MessageLag',
      dimensions: { ReplicatorName: 'mskmig-orders-1' },
      statistic: 'Maximum',
      periodSeconds: 60,
    });
  });

  it('leaves out the offset-sync alarm when offsets are not synchronised', () => {
    expect(
      replicatorAlarms('r', 'p-', { maxLagRecords: 1, syncGroupOffsets: false }, {}).map((a) => a.metric.metricName),
    ).not.toContain('ConsumerGroupOffsetSyncFailure');
  });
});

describe('canary round trip', () => {
  const clock = (): { nowMs: () => number; advance: (ms: number) => void } => {
    let now = 1_000_000;
    return { nowMs: () => now, advance: (ms) => (now += ms) };
  };

  it('sees the canary on the target once the replicator copies it and reports the measured round trip', async () => {
    // Prepare: the replicator copies on the second read of the target
    const source = new FakeKafka().addTopic('canary', 1).append('canary', 0, [{ key: 'earlier', value: 'x' }]);
    const target = new FakeKafka();
    replicate(source, target, ['canary']);
    const c = clock();
    let reads = 0;
    target.onRead = () => {
      c.advance(250);
      if (++reads === 2) replicate(source, target, ['canary']);
    };
    // Act
    const result = await canaryRoundTrip({
      source,
      target,
      topic: 'canary',
      canaryId: 'exec#1',
      timeoutMs: 5_000,
      nowMs: c.nowMs,
    });
    // Assess
    expect(result).toEqual({ status: 'SEEN', canaryId: 'exec#1', roundTripMs: 500 });
    expect(source.log('canary', 0).records[1]?.headers).toEqual({ 'msk-migration-canary': 'exec#1' });
  });

  it('reports NOT_SEEN when the record does not reach the target before the timeout', async () => {
    const source = new FakeKafka().addTopic('canary', 1);
    const target = new FakeKafka().addTopic('canary', 1);
    const c = clock();
    target.onRead = () => c.advance(400);
    const result = await canaryRoundTrip({
      source,
      target,
      topic: 'canary',
      canaryId: 'exec#2',
      timeoutMs: 2_000,
      nowMs: c.nowMs,
    });
    expect(result).toEqual({ status: 'NOT_SEEN', canaryId: 'exec#2', waitedMs: 2_000 });
  });

  it('reports ERROR instead of throwing when the source refuses the canary', async () => {
    const source = new FakeKafka(); // no canary topic: produce fails
    const target = new FakeKafka().addTopic('canary', 1);
    const result = await canaryRoundTrip({
      source,
      target,
      topic: 'canary',
      canaryId: 'exec#3',
      timeoutMs: 1_000,
      nowMs: clock().nowMs,
    });
    expect(result).toEqual({ status: 'ERROR', message: 'canary on canary: no canary-0' });
  });
});

describe('one catch-up evaluation', () => {
  const identity = { migrationId: 'orders', executionName: 'exec-1' };
  const base: CatchUpEvaluationRequest = {
    identity,
    engine: 'MIRROR_MAKER_2',
    startingPosition: 'EARLIEST',
    alarmNames: [],
    topics: ['orders'],
    thresholds: { maxLagRecords: 5 },
    policy: { consecutiveHealthyChecks: 2, catchUpTimeoutMinutes: 30 },
  };

  it('writes the evidence of each evaluation and passes after consecutive healthy ones on the MirrorMaker 2 path', async () => {
    // Prepare
    const source = new FakeKafka().addTopic('orders', 2).append('orders', 0, [{ value: 'a' }, { value: 'b' }]);
    const target = new FakeKafka();
    replicate(source, target, ['orders']);
    const artifacts = new MemoryArtifacts();
    let now = Date.parse(t(0));
    const deps = { artifacts, source, target, now: () => new Date((now += 1_000)) };
    // Act
    const first = await evaluateCatchUp(base, deps);
    const second = await evaluateCatchUp({ ...base, previous: first.progress }, deps);
    // Assess
    expect([first.outcome, second.outcome]).toEqual(['WAITING', 'PASSED']);
    expect(second.evidenceKey).toBe('migrations/orders/exec-1/catch-up/evaluation-0002.json');
    const evidence = await artifacts.getJson<{
      signals: { partitionLag: PartitionLagSnapshot; canary: unknown };
      verdict: LagGateVerdict;
      outcome: string;
    }>(second.evidenceKey);
    expect(evidence?.verdict.healthy).toBe(true);
    expect(evidence?.outcome).toBe('PASSED');
    expect(evidence?.signals.partitionLag.partitions).toHaveLength(2);
    expect(evidence?.signals.canary).toEqual({ status: 'DISABLED', reason: 'no canary topic for this execution' });
  });

  it('throws Migration.LagTimeout with the evidence key once the timeout has passed', async () => {
    const source = new FakeKafka().addTopic('orders', 1).append(
      'orders',
      0,
      Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })),
    );
    const target = new FakeKafka().addTopic('orders', 1);
    const artifacts = new MemoryArtifacts();
    const previous: CatchUpProgress = {
      startedAt: t(0),
      evaluations: 9,
      consecutiveHealthy: 0,
      passed: false,
      lastHealthy: false,
      lastEvaluatedAt: t(29),
      lastReasons: [],
    };
    const attempt = evaluateCatchUp({ ...base, previous }, { artifacts, source, target, now: () => new Date(t(31)) });
    await expect(attempt).rejects.toMatchObject({
      name: 'Migration.LagTimeout',
      details: { evidenceKey: 'migrations/orders/exec-1/catch-up/evaluation-0010.json', evaluations: 10 },
    });
    expect(artifacts.objects.has('migrations/orders/exec-1/catch-up/evaluation-0010.json')).toBe(true);
  });

  it('reads alarm states and the latest datapoints for MSK Replicator and stays closed on INSUFFICIENT_DATA', async () => {
    // Prepare
    const calls: string[] = [];
    const lagSignals: LagSignals = {
      putAlarms: async () => undefined,
      deleteAlarms: async () => undefined,
      describeAlarms: async (names) => {
        calls.push(`describe:${names.join(',')}`);
        return names.map((alarmName) => ({
          alarmName,
          state: alarmName.endsWith('MessageLag') ? 'INSUFFICIENT_DATA' : 'OK',
        }));
      },
      getMetricSeries: async (queries, window) => {
        calls.push(`series:${queries.map((q) => q.id).join(',')}:${window.start}`);
        return queries.map((q) => ({
          id: q.id,
          points: q.id === 'replicationFailures' ? [{ timestamp: t(0), value: 0 }] : [],
        }));
      },
    };
    const artifacts = new MemoryArtifacts();
    // Act
    const result = await evaluateCatchUp(
      {
        ...base,
        engine: 'MSK_REPLICATOR',
        startingPosition: 'LATEST',
        replicatorName: 'mskmig-orders-x',
        alarmNames: ['p-MessageLag', 'p-ReplicationFailures'],
      },
      { artifacts, lagSignals, now: () => new Date(t(10)) },
    );
    // Assess
    expect(calls).toEqual([
      'describe:p-MessageLag,p-ReplicationFailures',
      `series:messageLag,replicationLatency,replicationFailures,consumerGroupOffsetSyncFailure:${t(5)}`,
    ]);
    expect(result.outcome).toBe('WAITING');
    expect(result.verdict.reasons).toEqual([
      'Alarm p-MessageLag is INSUFFICIENT_DATA: no datapoints to judge by yet.',
      'MessageLag has no datapoint in the look-back window.',
    ]);
  });

  it('writes the evidence and rethrows when the target cannot be reached', async () => {
    const source = new FakeKafka().addTopic('orders', 1);
    const target = new FakeKafka();
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Migration.Unreachable' });
    target.listTopics = async () => {
      throw unreachable;
    };
    const artifacts = new MemoryArtifacts();
    await expect(evaluateCatchUp(base, { artifacts, source, target, now: () => new Date(t(0)) })).rejects.toBe(
      unreachable,
    );
    const evidence = await artifacts.getJson<{ signals: { errors: string[] } }>(
      'migrations/orders/exec-1/catch-up/evaluation-0001.json',
    );
    expect(evidence?.signals.errors).toEqual(['Migration.Unreachable: connect ECONNREFUSED 127.0.0.1:1']);
  });
});
