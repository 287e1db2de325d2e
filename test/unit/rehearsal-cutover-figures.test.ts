import {
  cutoverTimeline,
  describeTimeline,
  lastLookMs,
  observedPropagation,
  writePauseBound,
} from '../../rehearsal/cutover-figures';

const entered = (name: string, timestamp: number) => ({ type: 'StateEntered', timestamp, state: { name } });
const exited = (name: string, timestamp: number) => ({ type: 'StateExited', timestamp, state: { name } });

describe('the cutover timeline from the execution event log', () => {
  it('spans the one-invocation Cutover that switched: entered to exited, the Choice after it left out', () => {
    const timeline = cutoverTimeline([
      entered('TranslateOffsetsBeforeFence', 0),
      exited('TranslateOffsetsBeforeFence', 100),
      entered('Cutover', 101),
      exited('Cutover', 2_501),
      entered('CutoverReached?', 2_502),
      exited('CutoverReached?', 2_503),
      entered('WaitInRollbackWindow', 2_504),
    ]);

    expect(timeline).toMatchObject({
      startedAt: 101,
      endedAt: 2_501,
      totalMs: 2_400,
      states: [{ state: 'Cutover', visits: 1, ms: 2_400 }],
    });
  });

  it('spans the Cutover and the step-by-step states it handed over to, up to SwitchToTarget', () => {
    const timeline = cutoverTimeline([
      entered('Cutover', 0),
      exited('Cutover', 1_000),
      entered('CutoverReached?', 1_001),
      exited('CutoverReached?', 1_002),
      entered('WaitForDrain', 1_003),
      exited('WaitForDrain', 2_003),
      entered('CheckDrain', 2_004),
      exited('CheckDrain', 2_100),
      entered('CommitConsumerOffsets', 2_101),
      exited('CommitConsumerOffsets', 2_200),
      entered('SwitchToTarget', 2_201),
      exited('SwitchToTarget', 2_300),
      entered('WaitInRollbackWindow', 2_301),
    ]);

    expect(timeline).toMatchObject({ startedAt: 0, endedAt: 2_300, totalMs: 2_300 });
  });

  it('has no span when the Cutover was followed by a rollback, not the switch', () => {
    expect(
      cutoverTimeline([entered('Cutover', 0), exited('Cutover', 500), entered('RollbackCutover', 501)]),
    ).toBeUndefined();
  });

  it('sums each state’s time from the fence to the switch, visits counted, and what the interpreter took between them', () => {
    // Prepare
    const events = [
      entered('CutoverApproval', 0),
      exited('CutoverApproval', 500),
      entered('FenceProducers', 1_000),
      exited('FenceProducers', 1_040),
      entered('WaitForDrain', 1_041),
      exited('WaitForDrain', 1_291),
      entered('CheckDrain', 1_292),
      exited('CheckDrain', 1_392),
      entered('WaitForDrain', 1_393),
      exited('WaitForDrain', 1_643),
      entered('CheckDrain', 1_644),
      exited('CheckDrain', 1_744),
      entered('CommitConsumerOffsets', 1_750),
      exited('CommitConsumerOffsets', 1_900),
      entered('SwitchToTarget', 1_901),
      exited('SwitchToTarget', 1_950),
      entered('WaitInRollbackWindow', 1_951),
    ];

    // Act
    const timeline = cutoverTimeline(events);

    // Assess
    expect(timeline).toEqual({
      startedAt: 1_000,
      endedAt: 1_950,
      totalMs: 950,
      states: [
        { state: 'FenceProducers', visits: 1, ms: 40 },
        { state: 'WaitForDrain', visits: 2, ms: 500 },
        { state: 'CheckDrain', visits: 2, ms: 200 },
        { state: 'CommitConsumerOffsets', visits: 1, ms: 150 },
        { state: 'SwitchToTarget', visits: 1, ms: 49 },
      ],
      betweenStatesMs: 11,
    });
    expect(describeTimeline(timeline as NonNullable<typeof timeline>)).toBe(
      'fence → switch 950 ms: WaitForDrain ×2 500 ms, CheckDrain ×2 200 ms, CommitConsumerOffsets 150 ms, SwitchToTarget 49 ms, FenceProducers 40 ms, between states 11 ms',
    );
  });

  it('has no timeline when the cutover never reached the switch', () => {
    // Act
    const timeline = cutoverTimeline([
      entered('FenceProducers', 0),
      exited('FenceProducers', 10),
      entered('CheckDrain', 20),
      { type: 'StateFailed', timestamp: 30, state: { name: 'CheckDrain' } },
      entered('RollbackCutover', 40),
      exited('RollbackCutover', 50),
    ]);

    // Assess
    expect(timeline).toBeUndefined();
    expect(cutoverTimeline([entered('Inventory', 0), exited('Inventory', 5)])).toBeUndefined();
  });
});

describe("a paced state's last look", () => {
  it("runs from the look's start to the state's last exit, and is unknown without either", () => {
    const events = [entered('CheckDrain', 1_000), exited('CheckDrain', 1_100), exited('CheckDrain', 1_500)];
    expect(lastLookMs(events, 'CheckDrain', new Date(1_430).toISOString())).toBe(70);
    expect(lastLookMs(events, 'CheckDrain', undefined)).toBeNull();
    expect(lastLookMs(events, 'CommitConsumerOffsets', new Date(1_430).toISOString())).toBeNull();
    expect(lastLookMs(events, 'CheckDrain', new Date(1_600).toISOString())).toBeNull();
  });
});

describe('observed pointer propagation', () => {
  it('takes the slowest client’s notice of the fence and of the switch apart', () => {
    // Act
    const propagation = observedPropagation([
      { client: 'producer', value: 'fenced:m/e', ms: 40 },
      { client: 'orders-group', value: 'fenced:m/e', ms: 95 },
      { client: 'producer', value: '127.0.0.1:9093', ms: 60 },
      { client: 'orders-group', value: '127.0.0.1:9093', ms: undefined },
    ]);

    // Assess
    expect(propagation).toEqual({ fenceMs: 95, switchMs: 60, maxMs: 95 });
    expect(observedPropagation([])).toEqual({ fenceMs: null, switchMs: null, maxMs: null });
  });
});

describe('the write-pause bound', () => {
  it('is twice the replication p99 plus the configured settle and the switch notice, with the observed fence notice beside it', () => {
    // Act
    const bound = writePauseBound({
      writePauseMs: 500,
      latencyP99Ms: 60,
      settleSeconds: 0.5,
      switchNoticeSeconds: 0.1,
      fenceNoticeMs: 95,
    });

    // Assess
    expect(bound).toEqual({
      writePauseMs: 500,
      latencyP99Ms: 60,
      settleMs: 500,
      switchNoticeMs: 100,
      boundMs: 720,
      ratio: 500 / 720,
      fenceNoticeMs: 95,
    });
  });

  it('is not computed without a write pause or without a latency sample', () => {
    expect(
      writePauseBound({
        writePauseMs: null,
        latencyP99Ms: 60,
        settleSeconds: 1,
        switchNoticeSeconds: 1,
        fenceNoticeMs: 10,
      }),
    ).toBeUndefined();
    expect(
      writePauseBound({
        writePauseMs: 900,
        latencyP99Ms: null,
        settleSeconds: 1,
        switchNoticeSeconds: 1,
        fenceNoticeMs: 10,
      }),
    ).toBeUndefined();
  });
});
