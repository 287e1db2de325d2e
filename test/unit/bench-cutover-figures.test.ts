import {
  AWS_TIMINGS,
  REFERENCE_ROUND_TRIPS,
  REFERENCE_WORK_MS,
  type StepRoundTrips,
} from '../../lambdas/core/cutover/pause-model';
import {
  byOffsetsPath,
  describeCaughtUpFigures,
  withConfirmFromPassingLook,
  describeOffsetsPaths,
  joinRoundTrips,
  modelPauses,
  modeledPlans,
  readDefinition,
  rehearsalOffsetsPath,
  stepRoundTrips,
  workOf,
} from '../../scripts/cutover-pause-figures';

describe("bench:cutover's per-look work", () => {
  it("divides a paced state's visit by its looks, less the pacer's sleeps, and other states by their visits", () => {
    // Prepare: one CheckDrain visit of 830 ms that looked 6 times, 100 ms apart; two CommitConsumerOffsets visits
    const timeline = {
      startedAt: 0,
      endedAt: 1_000,
      totalMs: 1_000,
      betweenStatesMs: 0,
      states: [
        { state: 'CheckDrain', visits: 1, ms: 830 },
        { state: 'CommitConsumerOffsets', visits: 2, ms: 300 },
        { state: 'Drained?', visits: 1, ms: 1 },
      ],
    };
    // Act
    const work = workOf(timeline, { CheckDrain: 6 }, 100);
    // Assess
    expect(work).toEqual({ CheckDrain: 55, CommitConsumerOffsets: 150 });
  });

  it("takes a paced state's last look where it is measured, whatever the sleeps were", () => {
    const timeline = {
      startedAt: 0,
      endedAt: 1_000,
      totalMs: 1_000,
      betweenStatesMs: 0,
      states: [{ state: 'CheckDrain', visits: 1, ms: 700 }],
    };
    expect(workOf(timeline, { CheckDrain: 6 }, 100, { CheckDrain: 42 })).toEqual({ CheckDrain: 42 });
  });
});

describe("bench:cutover's round trips per step", () => {
  const call = (port: 'artifacts' | 'pointer' | 'aborts', name: string, fromMs: number, toMs: number) => ({
    state: 'Cutover',
    port,
    call: name,
    fromMs,
    toMs,
  });

  it('counts overlapping calls once and a pointer set as its two requests, on each step\u2019s critical stretch', () => {
    // Prepare: the fence's journal read and intent before its pointer set (not in the pause), then the set and two
    // stores; the drain's passing look from 2000 ms with two overlapping stores; the switch's journal write, its set
    // and the DONE after it (nobody is held by that one)
    const steps = [
      { step: 'FenceProducers', fromMs: -20, toMs: 10 },
      { step: 'CheckDrain', fromMs: 10, toMs: 2_030 },
      { step: 'CommitConsumerOffsets', fromMs: 2_030, toMs: 2_050 },
      { step: 'SwitchToTarget', fromMs: 2_050, toMs: 2_080 },
    ];
    const calls = [
      call('artifacts', 'getJson', -19, -18.5),
      call('artifacts', 'putJson', -18, -17),
      call('artifacts', 'putJson', -2.8, -2.1), // the journal's INTENT, just before the set
      call('pointer', 'set', -2, -0.5),
      call('artifacts', 'putJson', 2, 3),
      call('artifacts', 'putJson', 4, 5),
      call('artifacts', 'putJson', 500, 501), // an earlier look of the drain
      call('artifacts', 'putJson', 2_010, 2_012),
      call('artifacts', 'putJson', 2_011, 2_013),
      call('aborts', 'requested', 2_031, 2_031.5),
      call('artifacts', 'getJson', 2_032, 2_033),
      call('artifacts', 'putJson', 2_055, 2_056),
      call('pointer', 'set', 2_060, 2_062),
      call('artifacts', 'putJson', 2_062.2, 2_062.9), // the journal's DONE, just after the set
      call('artifacts', 'putJson', 2_070, 2_071),
    ];
    // Act
    const stretches = stepRoundTrips({ steps, calls, drainPassedMs: 2_000, offsetsLookedAtMs: null });
    // Assess
    expect(stretches).toEqual([
      {
        step: 'FenceProducers',
        fromMs: -2,
        toMs: 10,
        artifacts: 2,
        pointer: 2,
        aborts: 0,
        localCallMs: 3.5,
        sequence: 'pointer.set putJson putJson',
      },
      {
        step: 'CheckDrain',
        fromMs: 2_000,
        toMs: 2_030,
        artifacts: 1,
        pointer: 0,
        aborts: 0,
        localCallMs: 3,
        sequence: 'putJson|putJson',
      },
      {
        step: 'CommitConsumerOffsets',
        fromMs: 2_030,
        toMs: 2_050,
        artifacts: 1,
        pointer: 0,
        aborts: 1,
        localCallMs: 1.5,
        sequence: 'aborts.requested getJson',
      },
      {
        step: 'SwitchToTarget',
        fromMs: 2_050,
        toMs: 2_062,
        artifacts: 1,
        pointer: 2,
        aborts: 0,
        localCallMs: 3,
        sequence: 'putJson pointer.set',
      },
    ]);
  });

  it('counts a call in the step that awaited it, not in another step running at the same time', () => {
    const steps = [
      { step: 'OffsetsDuringDrain', fromMs: 10, toMs: 2_100 },
      { step: 'CheckDrain', fromMs: 10, toMs: 2_030 },
    ];
    const calls = [
      { ...call('artifacts', 'putJson', 2_005, 2_006), step: 'OffsetsDuringDrain' },
      { ...call('artifacts', 'putJson', 2_010, 2_011), step: 'CheckDrain' },
      { ...call('aborts', 'requested', 2_020, 2_021), step: 'OffsetsDuringDrain' },
    ];
    const [offsets, drain] = stepRoundTrips({ steps, calls, drainPassedMs: 2_000, offsetsLookedAtMs: 2_000 });
    expect(drain).toMatchObject({ artifacts: 1, aborts: 0, sequence: 'putJson' });
    expect(offsets).toMatchObject({ artifacts: 1, aborts: 1, sequence: 'putJson aborts.requested' });
  });

  it('counts a pointer set as the requests it recorded: one for a write at an expected revision', () => {
    // Prepare: the fence's and the switch's sets, each recorded by the rehearsal's wrapper as one PutParameter
    const steps = [
      { step: 'FenceProducers', fromMs: -2, toMs: 10 },
      { step: 'SwitchToTarget', fromMs: 2_050, toMs: 2_080 },
    ];
    const calls = [
      { ...call('pointer', 'set', -2, -0.5), requests: 1 },
      call('artifacts', 'putJson', 1, 2),
      { ...call('pointer', 'set', 2_060, 2_062), requests: 1 },
    ];
    // Act
    const [fence, sw] = stepRoundTrips({ steps, calls });
    // Assess: one pointer round trip each, not the read-then-write's two
    expect(fence).toMatchObject({ artifacts: 1, pointer: 1, sequence: 'pointer.set putJson' });
    expect(sw).toMatchObject({ artifacts: 0, pointer: 1, sequence: 'pointer.set' });
  });

  it('leaves out the offsets beside the drain when they were not committed there', () => {
    const steps = [{ step: 'OffsetsDuringDrain', fromMs: 10, toMs: 900 }];
    const calls = [call('artifacts', 'putJson', 800, 801)];
    expect(stepRoundTrips({ steps, calls, offsetsLookedAtMs: null })).toEqual([]);
    expect(stepRoundTrips({ steps, calls, offsetsLookedAtMs: 700 })).toEqual([
      {
        step: 'OffsetsDuringDrain',
        fromMs: 700,
        toMs: 900,
        artifacts: 1,
        pointer: 0,
        aborts: 0,
        localCallMs: 1,
        sequence: 'putJson',
      },
    ]);
  });
});

describe("bench:cutover's figures of the caught-up drain's steps", () => {
  const call = (port: 'artifacts' | 'pointer' | 'aborts', name: string, fromMs: number, toMs: number) => ({
    state: 'Cutover',
    port,
    call: name,
    fromMs,
    toMs,
  });
  const add = (a: number, b: number): number => a + b;

  it("splits a FULL run's switch at its pointer set into its preparation and the set alone", () => {
    // Prepare: a FULL run before the caught-up drain: the switch reads its journal, writes its snapshot and INTENT
    // at once, then sets the pointer (one request) and journals DONE after it
    const steps = [
      { step: 'CommitConsumerOffsets', fromMs: 200, toMs: 250 },
      { step: 'SwitchToTarget', fromMs: 250, toMs: 262 },
    ];
    const calls = [
      call('artifacts', 'getJson', 251, 252),
      call('artifacts', 'putJson', 253, 254),
      call('artifacts', 'putJson', 253.2, 254.4),
      { ...call('pointer', 'set', 256, 258), requests: 1 },
      call('artifacts', 'putJson', 258.5, 259),
    ];
    // Act
    const whole = stepRoundTrips({ steps, calls });
    const split = stepRoundTrips({ steps, calls, splitSwitchAtSet: true });
    // Assess
    expect(whole[1]).toMatchObject({ step: 'SwitchToTarget', artifacts: 2, pointer: 1, fromMs: 250, toMs: 258 });
    expect(split.slice(1)).toEqual([
      {
        step: 'PrepareSwitch',
        fromMs: 250,
        toMs: 256,
        artifacts: 2,
        pointer: 0,
        aborts: 0,
        localCallMs: 2.4,
        sequence: 'getJson putJson|putJson',
      },
      {
        step: 'SwitchToTarget',
        fromMs: 256,
        toMs: 258,
        artifacts: 0,
        pointer: 1,
        aborts: 0,
        localCallMs: 2,
        sequence: 'pointer.set',
      },
    ]);
  });

  it('counts the caught-up drain\u2019s own steps whole, and no passing look where the drain record is ConfirmDrain\u2019s', () => {
    // Prepare: the drain ended caught up at 1,580 ms; its record is then the confirming look's at the settle's end
    const steps = [
      { step: 'CheckDrain', fromMs: 10, toMs: 1_580 },
      { step: 'CommitConsumerOffsets', fromMs: 1_580, toMs: 1_700 },
      { step: 'PrepareSwitch', fromMs: 1_700, toMs: 1_706 },
      { step: 'ConfirmDrain', fromMs: 2_001, toMs: 2_009 },
      { step: 'SwitchToTarget', fromMs: 2_009, toMs: 2_012 },
    ];
    const calls = [
      call('artifacts', 'getJson', 1_701, 1_702),
      call('artifacts', 'putJson', 1_703, 1_704),
      // the confirming look's records, beside the set
      call('artifacts', 'putJson', 2_009.4, 2_011.2),
      { ...call('pointer', 'set', 2_009.6, 2_011), requests: 1 },
    ];
    // Act
    const stretches = stepRoundTrips({ steps, calls, drainPassedMs: 2_001, splitSwitchAtSet: true });
    // Assess: the switch is not split again (PrepareSwitch ran apart); ConfirmDrain's look waits for no round trip
    expect(stretches.map((s) => s.step)).toEqual([
      'CommitConsumerOffsets',
      'PrepareSwitch',
      'ConfirmDrain',
      'SwitchToTarget',
    ]);
    expect(stretches[1]).toMatchObject({ artifacts: 2, pointer: 0, sequence: 'getJson putJson' });
    expect(stretches[2]).toMatchObject({ artifacts: 0, pointer: 0, aborts: 0, sequence: '' });
    // the switch is its set: the confirming look's records beside it, ending after it, hold nobody
    expect(stretches[3]).toMatchObject({ artifacts: 0, pointer: 1, sequence: 'pointer.set' });
  });

  it('names the set alone SwitchToTarget and joins it with its preparation for the FULL switch', () => {
    // Prepare: a FULL run's figures with the switch split at its set
    const work = { CommitConsumerOffsets: 120, PrepareSwitch: 6, SwitchToTarget: 2 };
    const trips = {
      CommitConsumerOffsets: { artifacts: 7, pointer: 0, aborts: 1, localCallMs: 5 },
      PrepareSwitch: { artifacts: 2, pointer: 0, aborts: 0, localCallMs: 2.4 },
      SwitchToTarget: { artifacts: 0, pointer: 1, aborts: 0, localCallMs: 2 },
    };
    // Act / Assess
    expect(byOffsetsPath(work, 'FULL', add)).toEqual({
      'CommitConsumerOffsets.full': 120,
      PrepareSwitch: 6,
      SwitchToTarget: 2,
      'SwitchToTarget.full': 8,
    });
    expect(byOffsetsPath(trips, 'FULL', joinRoundTrips)['SwitchToTarget.full']).toEqual({
      artifacts: 2,
      pointer: 1,
      aborts: 0,
      localCallMs: 4.4,
    });
  });

  it('models a run without the caught-up drain\u2019s steps at their reference figures, and says so', () => {
    // Prepare: an ACCEPT run measured before ConfirmDrain and PrepareSwitch existed, its round trips counted
    const none = { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 };
    const workMs = {
      FenceProducers: 20,
      CheckDrain: 10,
      OffsetsDuringDrain: 100,
      CommitConsumerOffsets: 5,
      SwitchToTarget: 2,
    };
    const roundTrips = {
      FenceProducers: { ...none, artifacts: 2, pointer: 1 },
      CheckDrain: none,
      OffsetsDuringDrain: { ...none, artifacts: 3 },
      CommitConsumerOffsets: { ...none, artifacts: 1, aborts: 1 },
      SwitchToTarget: { ...none, pointer: 1 },
    };
    const plans = modeledPlans().filter((p) => p.name === 'default plan, pointer fence');
    // Act
    const [pause] = modelPauses({
      definition: readDefinition(),
      plans,
      functions: {},
      workMs,
      replicationP99Ms: 40,
      roundTrips,
    });
    // Assess: ConfirmDrain's reference figures, the run's set
    expect(pause?.model.caughtUp).toBeDefined();
    expect(pause?.model.roundTrips['ConfirmDrain']).toEqual(REFERENCE_ROUND_TRIPS['ConfirmDrain']);
    expect(pause?.model.totalMs).toBe(
      2_000 + (REFERENCE_WORK_MS['ConfirmDrain'] as number) + 2 + AWS_TIMINGS.pointerRoundTripMs + 1_000,
    );
    expect(describeCaughtUpFigures(workMs, roundTrips)).toBe(
      "caught-up drain's steps as modeled (work, S3/pointer/DynamoDB): after the settle ConfirmDrain 10 ms 0/0/0 (reference), " +
        "SwitchToTarget's set 2 ms 0/1/0 (measured); inside it on FULL PrepareSwitch 20 ms 2/0/0 (reference)",
    );
  });
});

describe("ConfirmDrain's figures where the run's drain never ended caught up", () => {
  const none = { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 };

  it('takes them from the passing look, the same look, and says so', () => {
    // Prepare: a run whose drain passed at the settle's end (no ConfirmDrain step)
    const work = { CheckDrain: 14, SwitchToTarget: 3 };
    const trips = { CheckDrain: { ...none, localCallMs: 0.2 }, SwitchToTarget: { ...none, pointer: 1 } };
    // Act
    const taken = withConfirmFromPassingLook(work, trips);
    // Assess
    expect(taken).toMatchObject({ borrowed: true, workMs: { ConfirmDrain: 14, CheckDrain: 14 } });
    expect(taken.roundTrips?.['ConfirmDrain']).toEqual(trips.CheckDrain);
    expect(describeCaughtUpFigures(taken.workMs, taken.roundTrips, taken.borrowed)).toContain(
      "after the settle ConfirmDrain 14 ms 0/0/0 (this run's passing look: the same look)",
    );
  });

  it('keeps a measured ConfirmDrain, and the reference where the run measured neither', () => {
    expect(withConfirmFromPassingLook({ CheckDrain: 14, ConfirmDrain: 6 }, undefined)).toMatchObject({
      borrowed: false,
      workMs: { ConfirmDrain: 6 },
    });
    expect(withConfirmFromPassingLook({ SwitchToTarget: 3 }, undefined)).toMatchObject({
      borrowed: false,
      workMs: { SwitchToTarget: 3 },
    });
  });
});

describe("bench:cutover's path after the drain", () => {
  const add = (a: number, b: number): number => a + b;
  const measured = {
    FenceProducers: 100,
    CheckDrain: 50,
    OffsetsDuringDrain: 300,
    CommitConsumerOffsets: 300,
    SwitchToTarget: 40,
  };

  it("names a run's figures after the drain by the path the rehearsal took", () => {
    expect(['COMMITTED', 'WAITING', 'LEFT', null].map(rehearsalOffsetsPath)).toEqual([
      'ACCEPT',
      'FULL',
      'FULL',
      'FULL',
    ]);
    expect(byOffsetsPath(measured, 'ACCEPT', add)).toEqual(measured);
    // a FULL run's committing look beside the drain never ended: not a figure
    expect(byOffsetsPath(measured, 'FULL', add)).toEqual({
      FenceProducers: 100,
      CheckDrain: 50,
      'CommitConsumerOffsets.full': 300,
      'SwitchToTarget.full': 40,
    });
  });

  it('models the default plan on the ACCEPT path from a run that took the FULL one, at its reference work', () => {
    // Prepare: a run whose offsets beside the drain were LEFT: the step after the drain did its whole work, 300 ms
    const plans = modeledPlans().filter((p) => p.name === 'default plan, pointer fence');
    const model = (path: 'ACCEPT' | 'FULL') =>
      modelPauses({
        definition: readDefinition(),
        plans,
        functions: {},
        workMs: byOffsetsPath(measured, path, add),
        replicationP99Ms: 30,
      })[0];
    // Act
    const fromFull = model(rehearsalOffsetsPath('LEFT'));
    const fromAccept = model(rehearsalOffsetsPath('COMMITTED'));
    // Assess: its 2 s settle leaves the offsets committed before the drain passes: the check's reference work, not
    // the 300 ms measured on the other path; a run that took the ACCEPT path gives its own
    expect(fromFull?.model.offsets?.path).toBe('ACCEPT');
    // (with a 30 ms p99 the drain ends caught up: ConfirmDrain's reference work, which this run did not measure)
    const confirm = REFERENCE_WORK_MS['ConfirmDrain'] as number;
    expect(fromFull?.model.caughtUp).toBeDefined();
    expect(fromFull?.model.shares.work).toBe(
      100 +
        50 +
        (REFERENCE_WORK_MS['CommitConsumerOffsets'] as number) +
        confirm +
        (REFERENCE_WORK_MS['SwitchToTarget'] as number),
    );
    expect(fromAccept?.model.shares.work).toBe(100 + 50 + 300 + confirm + 40);
    // the pass's committing look: the reference one where the run never ended it (groups gone at the 1 s notice)
    const look = REFERENCE_ROUND_TRIPS['OffsetsDuringDrain'] as StepRoundTrips;
    const lookTrips =
      look.artifacts * AWS_TIMINGS.artifactRoundTripMs +
      look.pointer * AWS_TIMINGS.pointerRoundTripMs +
      look.aborts * AWS_TIMINGS.abortCheckRoundTripMs;
    expect(fromFull?.model.offsets?.committedAtMs).toBe(
      1_000 + (REFERENCE_WORK_MS['OffsetsDuringDrain'] as number) + lookTrips,
    );
    expect(fromAccept?.model.offsets?.committedAtMs).toBe(1_000 + 300 + lookTrips);
    expect(describeOffsetsPaths({ path: 'FULL', status: 'LEFT' }, fromFull ? [fromFull] : [])).toMatch(
      /^offsets after the drain: rehearsal FULL \(LEFT\); modeled: default plan, pointer fence ACCEPT \(committed \d\.\d\d s, drain caught up \d\.\d\d s\)$/,
    );
  });
});
