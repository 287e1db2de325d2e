import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AWS_TIMINGS,
  REFERENCE_ROUND_TRIPS,
  REFERENCE_WORK_MS,
  describePauseAssumptions,
  describePauseModel,
  modelCutoverPause,
  pacedStates,
  planPauseModel,
  warmedFunctions,
  type PauseModel,
  type PauseModelInput,
  type StepRoundTrips,
} from '../../lambdas/core/cutover/pause-model';
import { pollCadence } from '../../lambdas/core/plan/history-budget';
import { settleSecondsOf, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { examplePlan } from './task-fixtures';

/** The deployed definition, as the construct reads it (substitutions unresolved). */
const definition: unknown = JSON.parse(
  readFileSync(path.join(__dirname, '../../statemachine/migration.asl.json'), 'utf8'),
);

/** A cutover shaped like the deployed one: fence, Wait/CheckDrain loop, offsets loop, switch. */
function loopAsl(options: { warm?: boolean; drainWaitSeconds?: number } = {}) {
  const task = (fn: string, next: string, extra: Record<string, unknown> = {}) => ({
    Type: 'Task',
    Resource: `\${${fn}FunctionArn}`,
    Parameters: { 'state.$': '$', ...extra },
    Next: next,
  });
  return {
    StartAt: options.warm ? 'Warm' : 'FenceProducers',
    States: {
      ...(options.warm
        ? {
            Warm: {
              Type: 'Parallel',
              Branches: ['FenceProducers', 'CheckDrain', 'CommitConsumerOffsets', 'SwitchToTarget'].map((fn) => ({
                StartAt: `Warm${fn}`,
                States: { [`Warm${fn}`]: { ...task(fn, 'x', { warm: true }), Next: undefined, End: true } },
              })),
              Next: 'FenceProducers',
            },
          }
        : {}),
      FenceProducers: task('FenceProducers', 'WaitForDrain'),
      WaitForDrain: {
        Type: 'Wait',
        ...(options.drainWaitSeconds !== undefined
          ? { Seconds: options.drainWaitSeconds }
          : { SecondsPath: '$.settings.drainPollSeconds' }),
        Next: 'CheckDrain',
      },
      CheckDrain: task('CheckDrain', 'Drained?'),
      'Drained?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.cutover.drain.drained', BooleanEquals: true, Next: 'CommitConsumerOffsets' }],
        Default: 'WaitForDrain',
      },
      CommitConsumerOffsets: task('CommitConsumerOffsets', 'SwitchToTarget'),
      SwitchToTarget: task('SwitchToTarget', 'Done'),
      Done: { Type: 'Succeed' },
    },
  };
}

const base = (over: Partial<PauseModelInput> = {}): PauseModelInput => ({
  asl: loopAsl(),
  settings: { drainPollSeconds: 10 },
  settleMs: 25_000,
  replicationP99Ms: 400,
  clientNoticeMs: 1_000,
  // the step-by-step states after the drain do their whole work: the FULL path's figures
  workMs: { FenceProducers: 100, CheckDrain: 50, 'CommitConsumerOffsets.full': 200, 'SwitchToTarget.full': 20 },
  functions: {
    FenceProducers: { importMs: 300, memoryMb: 1769 },
    CheckDrain: { importMs: 300, memoryMb: 1769 },
    CommitConsumerOffsets: { importMs: 300, memoryMb: 1769 },
    SwitchToTarget: { importMs: 300, memoryMb: 1769 },
  },
  ...over,
});

describe('the modeled AWS write pause', () => {
  it('waits the drain poll the settings give until the settle has elapsed', () => {
    // Prepare: a 25 s settle polled every 10 s: three Waits before a check can see it elapsed.
    // Act
    const model = modelCutoverPause(base());
    // Assess
    expect(model.shares.wait).toBe(30_000);
    expect(model.states.find((s) => s.state === 'CheckDrain')?.visits).toBe(3);
    expect(model.shares.notice).toBe(1_000);
  });

  it('takes the Wait seconds from the definition when they are fixed there', () => {
    const model = modelCutoverPause(base({ asl: loopAsl({ drainWaitSeconds: 2 }) }));
    expect(model.shares.wait % 2_000).toBe(0);
    expect(model.shares.wait).toBeLessThan(25_000);
    expect(model.totalMs).toBeGreaterThanOrEqual(25_000);
  });

  it('counts a cold start for each function that was not warmed before the fence, FenceProducers excepted', () => {
    const cold = modelCutoverPause(base());
    expect(cold.coldFunctions).toEqual(['FenceProducers', 'CheckDrain', 'CommitConsumerOffsets', 'SwitchToTarget']);
    expect(cold.shares['cold starts']).toBe(3 * (AWS_TIMINGS.runtimeInitMs + 300));
  });

  it('counts no cold start for the functions the definition warms with "warm": true', () => {
    const asl = loopAsl({ warm: true });
    expect([...warmedFunctions(asl)].sort()).toEqual([
      'CheckDrain',
      'CommitConsumerOffsets',
      'FenceProducers',
      'SwitchToTarget',
    ]);
    const model = modelCutoverPause(base({ asl }));
    expect(model.coldFunctions).toEqual([]);
    expect(model.shares['cold starts']).toBe(0);
  });

  it('scales a bundle import by the CPU share of the function memory', () => {
    const small = modelCutoverPause(
      base({
        functions: {
          FenceProducers: { importMs: 300, memoryMb: 1769 },
          CheckDrain: { importMs: 300, memoryMb: 1769 / 2 },
          CommitConsumerOffsets: { importMs: 300, memoryMb: 1769 },
          SwitchToTarget: { importMs: 300, memoryMb: 1769 },
        },
      }),
    );
    expect(small.shares['cold starts']).toBe(3 * AWS_TIMINGS.runtimeInitMs + 600 + 300 + 300);
  });

  it('polls within one invocation where the function does, instead of returning to the Wait state', () => {
    const model = modelCutoverPause(
      base({
        asl: loopAsl({ drainWaitSeconds: 0 }),
        settleMs: 2_000,
        inInvocationPoll: { CheckDrain: { everyMs: 100, budgetMs: 60_000 } },
      }),
    );
    expect(model.shares.wait).toBe(0);
    expect(model.shares.polling).toBeGreaterThan(0);
    expect(model.states.find((s) => s.state === 'CheckDrain')?.visits).toBe(1);
  });

  it("takes the drain's passing look at the settle's end, not at the next interval after it", () => {
    const work = { FenceProducers: 100, CheckDrain: 50, CommitConsumerOffsets: 200, SwitchToTarget: 20 };
    const model = modelCutoverPause(
      base({
        asl: loopAsl({ drainWaitSeconds: 0 }),
        settleMs: 2_000,
        workMs: work,
        roundTrips: {},
        inInvocationPoll: { CheckDrain: { everyMs: 300, budgetMs: 60_000 } },
      }),
    );
    // the pause starts at the fence: the drain passes one look's work after the settle (not up to 300 ms later)
    const upTo = model.states.findIndex((s) => s.state === 'CheckDrain');
    const drainedAt = model.states.slice(0, upTo + 1).reduce((n, s) => n + s.ms, 0);
    expect(drainedAt).toBe(2_000 + work.CheckDrain);
  });

  it('reads the deployed definition: the drain looks within its invocation, so the default plan waits no Wait state', () => {
    const plan: MigrationPlan = examplePlan('msk-to-serverless-replicator');
    const model = planPauseModel(plan, definition);
    // the definition starts the four cutover functions before the fence
    expect(model.coldFunctions).toEqual([]);
    expect(model.shares.wait).toBe(0);
    expect(model.shares.polling).toBeGreaterThan(0);
    expect(model.totalMs).toBeGreaterThan(settleSecondsOf(plan) * 1000 + plan.cutover.clientPollIntervalSeconds * 1000);
    expect(describePauseModel(model)).toMatch(/^≈ \d+\.\d+ s \(/);
  });

  it('models the deployed cutover as one invocation: one invoke, no transition from the fence to the switch', () => {
    const model = planPauseModel(examplePlan('msk-to-serverless-replicator'), definition);
    expect(model.states.map((s) => s.state)).toEqual(['Cutover']);
    // the invoke comes before the fence, the switch's notice after it: in between, the steps' work and looks only
    expect(model.shares.transitions).toBe(0);
    expect(model.shares.invokes).toBe(0);
    expect(model.coldFunctions).toEqual([]);
  });

  it('with a pointer fence, counts the settle from the fence but waits for the writes before the notice to reach the target', () => {
    const pointer = planPauseModel(examplePlan('msk-to-serverless-replicator'), definition);
    const broker = planPauseModel(
      examplePlan('msk-to-serverless-replicator', (raw) => {
        (raw.cutover as Record<string, unknown>).fence = { type: 'KAFKA_ACL' };
      }),
      definition,
    );
    // the settle runs from the fence (fenceNoticeSecondsOf), but a producer writes until it notices the fence (1.5 s
    // with the default 1 s poll): its last record is on the target a replication p99 later, after the 2 s settle
    expect(pointer.lateWritesMs).toBe(0);
    expect(pointer.lastWriteMs).toBe(1_500);
    expect(pointer.totalMs).toBeGreaterThanOrEqual(
      pointer.lastWriteMs + pointer.replicationP99Ms + pointer.clientNoticeMs,
    );
    expect(pointer.totalMs).toBeLessThan(
      pointer.lastWriteMs + pointer.replicationP99Ms + pointer.clientNoticeMs + 1_000,
    );
    // the broker refuses the next write: nothing late, no settle; the drain waits for the replicator's tail only
    expect(broker.lateWritesMs).toBe(0);
    expect(broker.lastWriteMs).toBe(0);
    expect(broker.totalMs).toBeLessThan(pointer.totalMs);
  });

  it('passes the drain once the last write before the fence was noticed reached the target, not at the settle', () => {
    // Prepare: a 2 s settle from the fence; producers write until 1.5 s after it; replication p99 1 s
    const drainedAt = (lastWriteMs: number): number => {
      const model = modelCutoverPause(
        base({
          asl: loopAsl({ drainWaitSeconds: 0 }),
          settleMs: 2_000,
          replicationP99Ms: 1_000,
          lastWriteMs,
          roundTrips: {},
          inInvocationPoll: { CheckDrain: { everyMs: 100, budgetMs: 60_000 } },
        }),
      );
      const upTo = model.states.findIndex((s) => s.state === 'CheckDrain');
      return model.states.slice(0, upTo + 1).reduce((n, s) => n + s.ms, 0);
    };
    // Act / Assess: the last record is on the target at 2.5 s, after the settle's end
    expect(drainedAt(1_500)).toBeGreaterThanOrEqual(2_500);
    expect(drainedAt(1_500)).toBeLessThan(2_500 + 100 + 50);
    // with nothing written after the fence the settle decides, as before
    expect(drainedAt(0)).toBe(2_000 + 50);
  });

  it('adds each step\u2019s round trips at AWS latency in place of their local time', () => {
    // Prepare: the same cutover with no calls; with the switch setting the pointer (two requests, 1 ms locally); and
    // with the drain's looks also storing twice (5 ms locally)
    const input = base({
      asl: loopAsl({ drainWaitSeconds: 0 }),
      settleMs: 2_000,
      inInvocationPoll: { CheckDrain: { everyMs: 100, budgetMs: 60_000 } },
    });
    const none = { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 };
    const quiet = { 'CommitConsumerOffsets.full': none, 'SwitchToTarget.full': none };
    const switchTrips = { ...quiet, 'SwitchToTarget.full': { artifacts: 0, pointer: 2, aborts: 0, localCallMs: 1 } };
    const trips = { ...switchTrips, CheckDrain: { artifacts: 2, pointer: 0, aborts: 0, localCallMs: 5 } };
    // Act
    const noCalls = modelCutoverPause({ ...input, roundTrips: quiet });
    const atSwitch = modelCutoverPause({ ...input, roundTrips: switchTrips });
    const both = modelCutoverPause({ ...input, roundTrips: trips });
    const slowS3 = modelCutoverPause({ ...input, roundTrips: trips, aws: { artifactRoundTripMs: 100 } });
    // Assess: the switch's two SSM requests replace its 1 ms of local calls, after the drain
    expect(atSwitch.totalMs - noCalls.totalMs).toBe(2 * AWS_TIMINGS.pointerRoundTripMs - 1);
    expect(atSwitch.shares['round trips']).toBe(2 * AWS_TIMINGS.pointerRoundTripMs);
    // each drain look pays its two S3 requests, at the latency the timings give
    expect(both.shares['round trips']).toBe(2 * AWS_TIMINGS.pointerRoundTripMs + 2 * AWS_TIMINGS.artifactRoundTripMs);
    expect(slowS3.shares['round trips']).toBe(2 * AWS_TIMINGS.pointerRoundTripMs + 2 * 100);
    expect(both.roundTrips).toEqual(trips);
  });

  it('counts the reference round trips of the code where none are measured, and names them', () => {
    const model = planPauseModel(examplePlan('msk-to-serverless-replicator'), definition);
    // FenceProducers, the drain's passing look, CommitConsumerOffsets and SwitchToTarget are on the path; the
    // offsets beside the drain end during the settle
    const onPath = ['FenceProducers', 'CheckDrain', 'CommitConsumerOffsets', 'SwitchToTarget'].map(
      (step) => REFERENCE_ROUND_TRIPS[step] as StepRoundTrips,
    );
    expect(model.shares['round trips']).toBe(
      onPath.reduce(
        (n, r) =>
          n +
          r.artifacts * AWS_TIMINGS.artifactRoundTripMs +
          r.pointer * AWS_TIMINGS.pointerRoundTripMs +
          r.aborts * AWS_TIMINGS.abortCheckRoundTripMs,
        0,
      ),
    );
    expect(describePauseAssumptions(model)).toMatch(
      /S3 request 30 ms, pointer request 30 ms \(a set is 1 at an expected revision, else 2\).*FenceProducers 2\/1\/0.*SwitchToTarget 0\/1\/0.*last write 1\.50 s \+ p99 1\.00 s/,
    );
  });

  it('takes the path after the drain the modeled plan gives, not the one the measured run took', () => {
    // Prepare: a run whose drain passed before the offsets beside it were committed (LEFT): its steps after the drain
    // did their whole work (300 ms, 7 S3 requests and the abort check), measured under the FULL path's names only
    const plan = examplePlan('msk-to-serverless-replicator');
    const fullRun = (fullMs: number): Partial<PauseModelInput> => ({
      workMs: {
        FenceProducers: 100,
        CheckDrain: 50,
        OffsetsDuringDrain: 300,
        'CommitConsumerOffsets.full': fullMs,
        'SwitchToTarget.full': 40,
      },
      roundTrips: {
        'CommitConsumerOffsets.full': { artifacts: 7, pointer: 0, aborts: 1, localCallMs: 2 },
        'SwitchToTarget.full': { artifacts: 2, pointer: 2, aborts: 0, localCallMs: 1 },
      },
    });
    // Act
    const model = planPauseModel(plan, definition, fullRun(300));
    const slower = planPauseModel(plan, definition, fullRun(900));
    // Assess: the default plan's 2 s settle leaves the offsets (groups gone at 1 s, 300 ms of committing) done before
    // the drain passes: the check alone after it, at the ACCEPT path's reference work and round trips
    expect(model.offsets).toEqual({
      path: 'ACCEPT',
      committedAtMs: expect.any(Number),
      drainPassedMs: expect.any(Number),
    });
    expect(model.offsets?.committedAtMs).toBeLessThanOrEqual(model.offsets?.drainPassedMs as number);
    expect(model.shares.work).toBe(
      100 +
        50 +
        (REFERENCE_WORK_MS['CommitConsumerOffsets'] as number) +
        (REFERENCE_WORK_MS['SwitchToTarget'] as number),
    );
    const trip = (r: StepRoundTrips | undefined): number =>
      r
        ? r.artifacts * AWS_TIMINGS.artifactRoundTripMs +
          r.pointer * AWS_TIMINGS.pointerRoundTripMs +
          r.aborts * AWS_TIMINGS.abortCheckRoundTripMs
        : 0;
    expect(model.shares['round trips']).toBe(
      trip(REFERENCE_ROUND_TRIPS['CommitConsumerOffsets']) + trip(REFERENCE_ROUND_TRIPS['SwitchToTarget']),
    );
    expect(slower.totalMs).toBe(model.totalMs);
  });

  it('charges the FULL path where the offsets beside the drain end after the drain passed', () => {
    // Prepare: the same measured run, its committing look beside the drain 300 ms or 3 s (longer than the settle);
    // and the broker fence, whose drain passes before the groups leave
    const pointerPlan = examplePlan('msk-to-serverless-replicator');
    const brokerPlan = examplePlan('msk-to-serverless-replicator', (raw) => {
      (raw.cutover as Record<string, unknown>).fence = { type: 'KAFKA_ACL' };
    });
    const zero = { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 };
    const run = (offsetsDuringDrain: number): Partial<PauseModelInput> => ({
      workMs: {
        FenceProducers: 100,
        CheckDrain: 50,
        OffsetsDuringDrain: offsetsDuringDrain,
        CommitConsumerOffsets: 20,
        SwitchToTarget: 10,
        'CommitConsumerOffsets.full': 300,
        'SwitchToTarget.full': 40,
      },
      roundTrips: Object.fromEntries(
        ['FenceProducers', 'CheckDrain', 'OffsetsDuringDrain', 'CommitConsumerOffsets', 'SwitchToTarget'].map((k) => [
          k,
          zero,
        ]),
      ),
    });
    // Act
    const quick = planPauseModel(pointerPlan, definition, run(300));
    const long = planPauseModel(pointerPlan, definition, run(3_000));
    const broker = [300, 3_000].map((ms) => planPauseModel(brokerPlan, definition, run(ms)));
    // Assess: the long pass is not waited for: the drain's end stops it and the whole step runs after the drain,
    // with its reference round trips (the run measured none for that path)
    expect(quick.offsets?.path).toBe('ACCEPT');
    expect(quick.shares.work).toBe(100 + 50 + 20 + 10);
    expect(long.offsets?.path).toBe('FULL');
    expect(long.offsets?.committedAtMs).toBeGreaterThan(long.offsets?.drainPassedMs as number);
    expect(long.shares.work).toBe(100 + 50 + 300 + 40);
    const fullTrips = ['CommitConsumerOffsets.full', 'SwitchToTarget.full'].map(
      (k) => REFERENCE_ROUND_TRIPS[k] as StepRoundTrips,
    );
    expect(fullTrips[0]).toMatchObject({ artifacts: 7, aborts: 0 });
    expect(long.shares['round trips']).toBe(
      fullTrips.reduce(
        (n, r) =>
          n +
          r.artifacts * AWS_TIMINGS.artifactRoundTripMs +
          r.pointer * AWS_TIMINGS.pointerRoundTripMs +
          r.aborts * AWS_TIMINGS.abortCheckRoundTripMs,
        0,
      ),
    );
    expect(broker.map((m) => m.offsets?.path)).toEqual(['FULL', 'FULL']);
    expect(broker[1]?.totalMs).toBe(broker[0]?.totalMs);
  });

  it('goes on through the step-by-step states and their Wait when the settle outlasts the one invocation\u2019s deadline', () => {
    const plan: MigrationPlan = examplePlan('msk-to-serverless-replicator', (raw) => {
      (raw.cutover as Record<string, unknown>).fenceSettleSeconds = 300;
    });
    const model = planPauseModel(plan, definition);
    const { drainPollSeconds } = pollCadence(plan);
    expect(model.shares.wait).toBeGreaterThan(0);
    expect(model.shares.wait % (drainPollSeconds * 1000)).toBe(0);
    expect(model.totalMs).toBeGreaterThan(300_000);
    expect(model.states.map((s) => s.state).slice(0, 3)).toEqual(['Cutover', 'CutoverReached?', 'WaitForDrain']);
  });

  it("walks a HOOK pointer's plan through the one invocation, each set a read and a write of the hook", () => {
    // Prepare: the AutoMQ example (HOOK) and the same plan with an SSM parameter
    const hook = examplePlan('msk-to-automq-mirrormaker2');
    const ssm = examplePlan('msk-to-automq-mirrormaker2', (raw) => {
      (raw.cutover as Record<string, unknown>).switch = {
        type: 'SSM_PARAMETER',
        parameterName: '/app/kafka/bootstrap',
      };
    });
    // Act
    const [withHook, withSsm] = [hook, ssm].map((plan) => planPauseModel(plan, definition));
    // Assess: no step-by-step state; the fence's and the switch's sets are two requests each with the hook, one with SSM
    expect(withHook?.stepByStep).toBeUndefined();
    expect(withHook?.states.map((s) => s.state)).toEqual(['Cutover']);
    expect(withHook?.roundTrips['FenceProducers']?.pointer).toBe(2);
    expect(withHook?.roundTrips['SwitchToTarget']?.pointer).toBe(2);
    expect(withSsm?.roundTrips['SwitchToTarget']?.pointer).toBe(1);
    // the switch's read before its write lengthens the pause; the fence's falls inside the settle
    expect((withHook?.totalMs ?? 0) - (withSsm?.totalMs ?? 0)).toBe(AWS_TIMINGS.pointerRoundTripMs);
  });

  describe('plans the one invocation declines (oneInvocationDeclined)', () => {
    const stepByStep = ['FenceProducers', 'CheckDrain', 'Drained?', 'CommitConsumerOffsets'];
    const declinedPlans: Array<[string, MigrationPlan]> = [
      [
        'cutover.singleInvocation false',
        examplePlan('msk-to-serverless-replicator', (raw) => {
          (raw.cutover as Record<string, unknown>).singleInvocation = false;
        }),
      ],
    ];

    it.each(declinedPlans)('walks %s through the step-by-step states to SwitchToTarget', (_, plan) => {
      const model = planPauseModel(plan, definition);
      const states = model.states.map((s) => s.state);
      // the Cutover returns NOT_RUN before the fence: CutoverReached? takes its Default, FenceProducers
      expect(states.slice(0, 3)).toEqual(['Cutover', 'CutoverReached?', 'FenceProducers']);
      expect(states).toEqual(expect.arrayContaining(stepByStep));
      expect(states[states.length - 1]).toBe('SwitchToTarget');
      // before the fence: no share of the pause
      expect(model.states.filter((s) => s.state.startsWith('Cutover')).map((s) => s.ms)).toEqual([0, 0]);
      expect(model.states.reduce((n, s) => n + s.ms, 0)).toBe(model.totalMs - model.clientNoticeMs);
      // each step is its own state: transitions and invokes inside the pause; the offsets take the FULL path
      expect(model.shares.transitions).toBeGreaterThan(0);
      expect(model.shares.invokes).toBeGreaterThan(0);
      expect(model.offsets).toBeUndefined();
      expect(model.stepByStep).toBeDefined();
      expect(describePauseModel(model)).toContain(`, step by step: ${model.stepByStep?.replace(/\.$/, '')}`);
      expect(Object.keys(model.roundTrips)).toEqual(
        expect.arrayContaining(['CommitConsumerOffsets.full', 'SwitchToTarget.full']),
      );
    });

    it.each(declinedPlans)('with %s, never ends the drain at its caught-up look, however short the p99', (_, plan) => {
      // the step-by-step CheckDrain passes at the settle's end: no early end, no confirming look
      const model = planPauseModel(plan, definition, { replicationP99Ms: 30 });
      expect(model.caughtUp).toBeUndefined();
      expect(model.shares.settle).toBe(0);
      expect(Object.keys(model.roundTrips)).not.toContain('ConfirmDrain');
      expect(Object.keys(model.roundTrips)).not.toContain('PrepareSwitch');
      expect(describePauseAssumptions(model)).toContain('drain ready at fence + max(settle 2.00 s');
    });

    it.each(declinedPlans)('with %s, waits the Wait states once the drain outlasts its invocation', (_, plan) => {
      const slow: MigrationPlan = { ...plan, cutover: { ...plan.cutover, fenceSettleSeconds: 90 } };
      const model = planPauseModel(slow, definition);
      const { drainPollSeconds } = pollCadence(slow);
      expect(model.shares.wait).toBeGreaterThan(0);
      expect(model.shares.wait % (drainPollSeconds * 1000)).toBe(0);
      const waits = model.states.find((s) => s.state === 'WaitForDrain');
      expect(waits?.ms).toBe(model.shares.wait + (waits?.visits ?? 0) * AWS_TIMINGS.transitionMs);
      expect(model.states.map((s) => s.state).slice(0, 3)).toEqual(['Cutover', 'CutoverReached?', 'FenceProducers']);
    });
  });

  describe('the caught-up drain (a clients\u2019 notice of the fence shorter than the settle)', () => {
    const plan = examplePlan('msk-to-serverless-replicator');
    const trip = (r: StepRoundTrips | undefined): number =>
      r
        ? r.artifacts * AWS_TIMINGS.artifactRoundTripMs +
          r.pointer * AWS_TIMINGS.pointerRoundTripMs +
          r.aborts * AWS_TIMINGS.abortCheckRoundTripMs
        : 0;
    /** ConfirmDrain, then SwitchToTarget's set alone: all that comes after the settle's end. */
    const afterSettle =
      (REFERENCE_WORK_MS['ConfirmDrain'] as number) +
      trip(REFERENCE_ROUND_TRIPS['ConfirmDrain']) +
      (REFERENCE_WORK_MS['SwitchToTarget'] as number) +
      trip(REFERENCE_ROUND_TRIPS['SwitchToTarget']);

    it('with a pointer fence, runs the steps after the drain inside the settle and only the confirmation and the set after it (ACCEPT)', () => {
      // Prepare: the default plan (1 s poll: notice 1.5 s, settle 2 s) and a 60 ms p99: caught up at 1.56 s
      // Act
      const model = planPauseModel(plan, definition, { replicationP99Ms: 60 });
      // Assess: the drain ended at a look before the settle's end; the offsets were committed by then
      expect(model.fenceNoticeMs).toBe(1_500);
      expect(model.caughtUp?.caughtUpMs).toBeGreaterThanOrEqual(1_560);
      // from the notice on, its looks follow each other as soon as the pacer allows: one look after the last record
      expect(model.caughtUp?.caughtUpMs).toBeLessThanOrEqual(1_560 + (REFERENCE_WORK_MS['CheckDrain'] as number));
      expect(model.caughtUp?.confirmedMs).toBe(2_000);
      expect(model.offsets).toMatchObject({ path: 'ACCEPT', drainPassedMs: model.caughtUp?.caughtUpMs });
      expect(model.shares.settle).toBeGreaterThan(0);
      // the pause: the settle, ConfirmDrain and the set, then the switch's notice; within 2 × p99 + settle + notice
      expect(model.totalMs).toBe(2_000 + afterSettle + 1_000);
      expect(model.totalMs).toBeLessThanOrEqual(2 * 60 + 2_000 + 1_000);
      expect(Object.keys(model.roundTrips)).toEqual([
        'FenceProducers',
        'CheckDrain',
        'OffsetsDuringDrain',
        'CommitConsumerOffsets',
        'ConfirmDrain',
        'SwitchToTarget',
      ]);
      expect(describePauseAssumptions(model)).toMatch(
        /drain caught up at fence \+ max\(notice 1\.50 s, last write 1\.50 s \+ p99 0\.06 s\), confirmed at the settle 2\.00 s$/,
      );
    });

    it('on the FULL path, prepares the switch inside the settle and sets the pointer alone after the confirmation', () => {
      // Prepare: a run whose committing look beside the drain takes 3 s (FULL), its whole offsets step 50 ms and no
      // round trips: with the switch's preparation it ends inside the settle
      const run = (fullMs: number): Partial<PauseModelInput> => ({
        replicationP99Ms: 60,
        workMs: { OffsetsDuringDrain: 3_000, 'CommitConsumerOffsets.full': fullMs },
        roundTrips: {
          ...REFERENCE_ROUND_TRIPS,
          'CommitConsumerOffsets.full': { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 },
        },
      });
      // Act
      const inside = planPauseModel(plan, definition, run(50));
      const outlasting = planPauseModel(plan, definition, run(600));
      // Assess: PrepareSwitch and the whole offsets step, then the set with the ACCEPT figures (not SwitchToTarget.full)
      expect(inside.offsets?.path).toBe('FULL');
      expect(Object.keys(inside.roundTrips)).toEqual(
        expect.arrayContaining(['CommitConsumerOffsets.full', 'PrepareSwitch', 'ConfirmDrain', 'SwitchToTarget']),
      );
      expect(Object.keys(inside.roundTrips)).not.toContain('SwitchToTarget.full');
      expect(inside.caughtUp?.confirmedMs).toBe(2_000);
      expect(inside.totalMs).toBe(2_000 + afterSettle + 1_000);
      // steps that outlast the settle are waited for: no settle share, the confirmation when they end
      const caughtUp = outlasting.caughtUp?.caughtUpMs as number;
      const prepare = (REFERENCE_WORK_MS['PrepareSwitch'] as number) + trip(REFERENCE_ROUND_TRIPS['PrepareSwitch']);
      expect(outlasting.shares.settle).toBe(0);
      expect(outlasting.caughtUp?.confirmedMs).toBe(caughtUp + 600 + prepare);
      expect(outlasting.totalMs).toBe(caughtUp + 600 + prepare + afterSettle + 1_000);
      expect(describePauseAssumptions(outlasting)).toMatch(
        /confirmed at \d\.\d\d s, when the steps in between ended \(the settle 2\.00 s\)$/,
      );
    });

    it('passes at the first look after the settle where the last write reaches the target only then: the steps after it as without a notice', () => {
      // Prepare: the deployed definition's walk with and without the declared notice, a p99 short and long
      const input = (replicationP99Ms: number, fenceNoticeMs?: number): PauseModelInput => ({
        asl: definition,
        settings: { ...pollCadence(plan) },
        settleMs: 2_000,
        lastWriteMs: 1_500,
        replicationP99Ms,
        clientNoticeMs: 1_000,
        inInvocationPoll: pacedStates(definition),
        ...(fenceNoticeMs !== undefined ? { fenceNoticeMs } : {}),
      });
      const afterDrain = (m: PauseModel): number => m.totalMs - (m.offsets?.drainPassedMs as number);
      // Act
      const [late, lateWithout] = [modelCutoverPause(input(600, 1_500)), modelCutoverPause(input(600))];
      const [early, earlyWithout] = [modelCutoverPause(input(60, 1_500)), modelCutoverPause(input(60))];
      // Assess: caught up at 2.1 s, after the settle: that look is the settled drain's passing one (its looks from
      // the notice on come as soon as the pacer allows, so it comes sooner), and the steps after it are the same
      expect(late.caughtUp).toBeUndefined();
      expect(late.shares.settle).toBe(0);
      expect(late.offsets?.drainPassedMs).toBeGreaterThanOrEqual(2_100);
      expect(late.offsets?.drainPassedMs).toBeLessThan(lateWithout.offsets?.drainPassedMs as number);
      expect(afterDrain(late)).toBe(afterDrain(lateWithout));
      expect(late.roundTrips).toEqual(lateWithout.roundTrips);
      expect(describePauseAssumptions(late)).toMatch(/no confirming look$/);
      // caught up at 1.56 s: the pause after the settle is the confirmation and the set alone
      expect(early.caughtUp).toBeDefined();
      expect(early.totalMs).toBeLessThan(earlyWithout.totalMs);
    });

    it('leaves a broker fence, which declares no notice, as it was', () => {
      const broker = planPauseModel(
        examplePlan('msk-to-serverless-replicator', (raw) => {
          (raw.cutover as Record<string, unknown>).fence = { type: 'KAFKA_ACL' };
        }),
        definition,
        { replicationP99Ms: 30 },
      );
      expect(broker.fenceNoticeMs).toBeNull();
      expect(broker.caughtUp).toBeUndefined();
      expect(broker.shares.settle).toBe(0);
      expect(Object.keys(broker.roundTrips)).toContain('SwitchToTarget.full');
      expect(Object.keys(broker.roundTrips)).not.toContain('ConfirmDrain');
    });
  });

  it('takes the FULL path where the offsets pass beside the drain declines the plan (recovery.freshGroups)', () => {
    const accepting = planPauseModel(examplePlan('msk-to-serverless-replicator'), definition);
    const fresh = planPauseModel(
      examplePlan('msk-to-serverless-replicator', (raw) => {
        raw.recovery = {
          freshGroups: [{ groupId: 'reporting', startAt: '2026-01-01T00:00:00.000Z', acceptedBy: 'owner@example.com' }],
        };
      }),
      definition,
    );
    expect(accepting.offsets?.path).toBe('ACCEPT');
    expect(fresh.offsets).toEqual(expect.objectContaining({ path: 'FULL', committedAtMs: null }));
    expect(Object.keys(fresh.roundTrips)).toContain('CommitConsumerOffsets.full');
    expect(Object.keys(fresh.roundTrips)).not.toContain('OffsetsDuringDrain');
    expect(fresh.states.map((s) => s.state)).toEqual(['Cutover']);
    expect(fresh.stepByStep).toBeUndefined();
    expect(describePauseModel(fresh)).not.toContain('step by step');
  });
});
