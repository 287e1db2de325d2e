import * as z from 'zod';
import type { AbortRequests } from '../../ports/abort-requests';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import { ONE_INVOCATION_DEADLINE_MARGIN_SECONDS, type Pacer } from '../../ports/pacer';
import type { ProducerActivity } from '../../ports/producer-activity';
import type { WriteFence } from '../../ports/write-fence';
import { FUNCTIONS } from '../../workflow/catalogue';
import { defineTask } from '../../workflow/define-task';
import { confirmDrain, runCheckDrain, settleEndsAt } from '../check-drain/task';
import { runCommitConsumerOffsets, runOffsetsDuringDrain } from '../commit-consumer-offsets/task';
import { runFenceProducers } from '../fence-producers/task';
import {
  CutoverExecutionStateSchema,
  CutoverStateSchema,
  SwitchStateSchema,
  cutoverScope,
  type CutoverExecutionState,
} from '../shared/cutover-state';
import { runSwitchToTarget, switchDepsOf, switchRequestOf } from '../switch-to-target/task';
import { allAnswered, readJournal } from '../../core/cutover/journal';
import {
  prepareSwitch,
  readSwitchStart,
  SwitchIntentSchema,
  type PreparedSwitch,
  type SwitchIntent,
  type SwitchRecord,
} from '../../core/cutover/switch-consumers';
import {
  DrainLookMemory,
  DrainProgressSchema,
  type DrainProgress,
  type PartitionTail,
} from '../../core/cutover/check-drain';
import { CutoverFailedError } from '../../core/errors';
import { loadEndOffsets, partitionKey } from '../../core/cutover/model';
import type { DrainLookTails, OffsetsDuringDrainLook } from '../../core/cutover/offsets-during-drain';
import { identityOf } from '../shared/plan-views';
import { CommitProgressSchema } from '../../core/cutover/commit-consumer-offsets';
import { FenceRecordSchema } from '../../core/cutover/fence-producers';
import { lazySchema } from '../../core/lazy-schema';
import { oneInvocationDeclined } from '../../core/cutover/declined';

/**
 * Cutover: FenceProducers → CheckDrain → CommitConsumerOffsets → SwitchToTarget in ONE invocation, so that the
 * producers' hold pays no Step Functions transition or Lambda invoke between the fence and the switch, and the drain
 * and the offsets look again within it every pacer interval (docs/cutover.md, "One invocation").
 *
 * Each step is the step's own task module (`run<State>`) with the same ports, journals, evidence and proofs as when
 * it runs as its own state; its record goes where that state's ResultPath puts it (`$.cutover.fence`, `.drain`,
 * `.offsets`, `.switch`: the result is the whole `$.cutover`), so the rollback branches and a later state read it as
 * if the steps had run one by one. `oneInvocation.reached` says where it got to, and the Choice CutoverReached?
 * continues the step-by-step states from there when it did not switch: its deadline (the function's timeout less
 * ONE_INVOCATION_DEADLINE_MARGIN_SECONDS) passed, or the drain or the offsets were not done within it (the Wait states take over).
 * Beside the drain's looks, runOffsetsDuringDrain translates, commits and reads back the consumer offsets once the
 * groups left the source (core/cutover/offsets-during-drain.ts); CommitConsumerOffsets then only checks them against
 * the drained tail, and does its whole work as before where they were not committed or anything they rest on
 * changed. The pass is awaited before the invocation goes on or ends, whatever the drain did: no commit runs on after
 * it. It never fails the cutover (a step-by-step CommitConsumerOffsets translates again).
 * Between the drain and the switch the steps overlap where nothing depends on each other, because the producers hold
 * until the pointer moves and each artifact-store call is an S3 round trip: the scope and the switch's journal are
 * read once beside the fence; after the drain's passing look (its end offsets) the abort check, the checks of the
 * offsets (their journal held in memory from the pass, the drained tails from the drain's looks) and the target's
 * ends are read at once, from the clusters and the abort requests only; then ONE round of writes: the passing look's
 * source-ends snapshot and evidence (CheckDrain hands them over instead of awaiting them), the offsets' evidence and
 * DONE, the switch's snapshot and intent; then the pointer set (test/unit/cutover-round-trips.test.ts).
 * Any error is the step's own and goes to the same Catch (RollbackCutover). A retried invocation runs the steps again:
 * the fence and the switch return their journaled records, the offsets their journaled result once complete.
 *
 * Plans this invocation leaves to the step-by-step states (`reached: NOT_RUN`): `cutover.singleInvocation: false`;
 * client switches (`cutover.switches`: their adapters and grants stay with FenceProducers, CommitConsumerOffsets and
 * SwitchToTarget, and an ECS or Lambda switch takes seconds to minutes anyway). A HOOK pointer runs here: its
 * idempotency key names this step for the fence's set and the switch's, and the value each writes, so they differ.
 */

/** The invocation's own deadline, s after it starts: the function's timeout less the margin the step under way needs. */
export const DEADLINE_SECONDS = FUNCTIONS.Cutover.timeoutSeconds - ONE_INVOCATION_DEADLINE_MARGIN_SECONDS;

export const REACHED = [
  'NOT_RUN',
  'FENCED',
  'DRAINING',
  'DRAINED',
  'COMMITTING',
  'OFFSETS_COMMITTED',
  'SWITCHED',
] as const;
export type Reached = (typeof REACHED)[number];

export const Input = lazySchema(() =>
  z.object({
    state: CutoverExecutionStateSchema,
    /** Overrides DEADLINE_SECONDS (the workflow tests'; the ASL passes none). */
    deadlineSeconds: z.number().positive().optional(),
  }),
);
export type Input = z.infer<typeof Input>;

const STEPS = [
  'FenceProducers',
  'CheckDrain',
  'OffsetsDuringDrain',
  'CommitConsumerOffsets',
  'PrepareSwitch',
  'ConfirmDrain',
  'SwitchToTarget',
] as const;

export const OneInvocationSchema = lazySchema(() =>
  z.object({
    /**
     * Where it got to; CutoverReached? continues there: NOT_RUN → FenceProducers, FENCED → CheckDrain, DRAINING (the
     * drain looked, not drained) → WaitForDrain, DRAINED → CommitConsumerOffsets, COMMITTING (groups still leaving) →
     * WaitForConsumerGroups, OFFSETS_COMMITTED → SwitchToTarget, SWITCHED → the rollback window.
     */
    reached: z.enum(REACHED),
    startedAt: z.string(),
    deadlineAt: z.string(),
    endedAt: z.string(),
    /** Each step run, with when it started and ended (the write pause's share of each). */
    steps: z.array(z.object({ step: z.enum(STEPS), startedAt: z.string(), endedAt: z.string() })),
    /** Why it stopped before the switch (NOT_RUN: why the plan takes the step-by-step states). */
    reason: z.string().optional(),
    /**
     * The consumer offsets beside the drain's looks: COMMITTED (CommitConsumerOffsets then checked them against the
     * drained tail: `offsets.committedDuringDrain`), WAITING (groups still on the source, records not copied yet when the
     * drain ended) or LEFT (to CommitConsumerOffsets after the drain), and why.
     */
    offsetsDuringDrain: z
      .object({
        status: z.enum(['COMMITTED', 'WAITING', 'LEFT']),
        reason: z.string().optional(),
        /** COMMITTED: when its committing look started and when it had committed and read back. */
        lookedAt: z.string().optional(),
        committedAt: z.string().optional(),
      })
      .optional(),
  }),
);
export type OneInvocation = z.infer<typeof OneInvocationSchema>;

/** `$.cutover` after it: what was there (the warm-ups, the offsets translated before the fence) and each step's record. */
export const Output = lazySchema(() =>
  CutoverStateSchema.extend({
    fence: FenceRecordSchema.optional(),
    drain: DrainProgressSchema.optional(),
    offsets: CommitProgressSchema.loose().optional(),
    switch: SwitchStateSchema.optional(),
    oneInvocation: OneInvocationSchema,
  }),
);
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly aborts?: AbortRequests;
  readonly pointer: CutoverSwitch;
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly writeFence?: WriteFence;
  readonly producerActivity?: ProducerActivity;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  /** The drain's and the offsets' looks within this invocation, up to its deadline. Without one, one look each. */
  readonly pacer?: Pacer;
}

/** Why this plan takes the step-by-step states, or undefined when one invocation can run its cutover. */
export function stepByStepReason(state: CutoverExecutionState): string | undefined {
  return oneInvocationDeclined(state.input.cutover);
}

export async function runCutover(input: Input, deps: Deps): Promise<Output> {
  const startedAt = deps.now();
  const deadline = startedAt.getTime() + (input.deadlineSeconds ?? DEADLINE_SECONDS) * 1000;
  let state = input.state;
  const steps: OneInvocation['steps'] = [];
  // What the offsets beside the drain came to, once known (the result reads it).
  const seen: { offsetsDuringDrain?: OneInvocation['offsetsDuringDrain'] } = {};
  const result = (reached: Reached, reason?: string): Output =>
    Output.parse({
      ...state.cutover,
      oneInvocation: {
        reached,
        startedAt: startedAt.toISOString(),
        deadlineAt: new Date(deadline).toISOString(),
        endedAt: deps.now().toISOString(),
        steps,
        ...(reason ? { reason } : {}),
        ...(seen.offsetsDuringDrain ? { offsetsDuringDrain: seen.offsetsDuringDrain } : {}),
      },
    });
  const declined = stepByStepReason(state);
  if (declined) return result('NOT_RUN', declined);
  const past = (): boolean => deps.now().getTime() >= deadline;
  const pastDeadline = (next: string): string =>
    `The invocation's deadline (${new Date(deadline).toISOString()}) passed before ${next}: the step-by-step states take over.`;
  // The looks of the drain and the offsets end at the deadline, not at the pacer's own budget (one step's minute).
  const pacer = (): Pacer | undefined =>
    deps.pacer ? { ...deps.pacer, budgetMs: Math.max(0, deadline - deps.now().getTime()) } : undefined;
  const step = async <T>(name: (typeof STEPS)[number], run: () => Promise<T>): Promise<T> => {
    const at = deps.now().toISOString();
    const out = await run();
    steps.push({ step: name, startedAt: at, endedAt: deps.now().toISOString() });
    return out;
  };
  const withCutover = (record: Record<string, unknown>): CutoverExecutionState => ({
    ...state,
    cutover: { ...state.cutover, ...record },
  });

  // The scope (the replicated topics) is read once, beside the fence: the steps after the drain take it from memory
  // instead of reading it again while the producers hold. It does not change during the cutover.
  // So is the switch's journal: only this invocation's switch writes it (a retried invocation runs after this one has
  // ended, and RollbackCutover after the Catch), so what it holds now is what it holds when the switch prepares.
  const [scope, fence, switchJournal] = await allAnswered([
    cutoverScope(state, deps.artifacts),
    step('FenceProducers', () => runFenceProducers({ state }, { ...deps, producersCluster: deps.source })),
    readJournal<SwitchIntent, SwitchRecord>(deps.artifacts, identityOf(state), 'switch'),
  ]);
  state = withCutover({ fence });
  // A retry after an attempt that journaled the switch: that attempt may have moved the pointer, and the producers
  // written to the target since. The drain then compares the target up to the ends the switch recorded before any
  // client pointed at it (no records past them where the pointer never moved), so that it passes as it did, and the
  // switch completes from its journal (its set finds the target value: nothing written).
  const targetEndsCap = switchJournal
    ? await loadEndOffsets(deps.artifacts, SwitchIntentSchema.parse(switchJournal.intent).targetEndsAtSwitch.key)
    : undefined;
  if (past()) return result('FENCED', pastDeadline('the drain'));

  // The consumer offsets beside the drain's looks: their groups leave the source and the replication copies the
  // records they point at during the settle, so the translation, commit and read-back need not wait for the drain.
  // Its looks stop when the drain ends (their sleep is cut short); it is awaited whatever the drain did, so that no
  // commit runs on after this invocation.
  let drainEnded = false;
  let wake = (): void => undefined;
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const offsetsPacer = pacer();
  const fenced = state;
  // The drain's latest look with its tails (DrainLookMemory's): the offsets beside the drain and their check after it
  // take the drained tails from here, not from the look's evidence in the store.
  let latestDrainLook: DrainLookTails | undefined;
  const duringDrain = step('OffsetsDuringDrain', () =>
    runOffsetsDuringDrain(
      { state: fenced },
      {
        ...deps,
        pacer: offsetsPacer && { ...offsetsPacer, sleep: (ms) => Promise.race([offsetsPacer.sleep(ms), woken]) },
        stopped: () => drainEnded,
        drainLook: () => latestDrainLook,
      },
    ),
  );
  // The drained look's records (its source-ends snapshot and evidence) are written with the offsets' and the
  // switch's journals, in the one round of writes before the pointer moves, instead of before the offsets' checks.
  // Every path after the drain has them answered before it returns or throws, and a failure of theirs fails the
  // invocation before the pointer moves.
  let drainRecords: () => Promise<unknown> = () => Promise.resolve();
  // The drain's looks keep their tails here, for the look at the settle's end (ConfirmDrain) after a caught-up drain.
  const memory = new DrainLookMemory();
  let drain: Awaited<ReturnType<typeof runCheckDrain>>;
  try {
    drain = await step('CheckDrain', () =>
      runCheckDrain(
        { state },
        {
          ...deps,
          pacer: pacer(),
          onLook: (look, tails) => {
            latestDrainLook = { evidenceKey: look.evidenceKey, ...(tails ? { tails } : {}) };
          },
          deferDrainedRecords: (write) => {
            drainRecords = write;
          },
          endWhenCaughtUp: true,
          memory,
          ...(targetEndsCap ? { targetEndsCap } : {}),
        },
      ),
    );
  } finally {
    drainEnded = true;
    wake();
    await duringDrain;
  }
  try {
    const out = await afterDrain(drain, await duringDrain);
    await drainRecords();
    return out;
  } catch (err) {
    await drainRecords().catch(() => undefined);
    throw err;
  }

  // Everything after the drain's passing look, up to the switch (runCutover has the drain's records answered after it).
  async function afterDrain(drain: DrainProgress, committedDuringDrain: OffsetsDuringDrainLook): Promise<Output> {
    seen.offsetsDuringDrain =
      committedDuringDrain.status === 'COMMITTED'
        ? {
            status: 'COMMITTED',
            lookedAt: committedDuringDrain.result.lookedAt,
            committedAt: committedDuringDrain.result.committedAt,
          }
        : { status: committedDuringDrain.status, reason: committedDuringDrain.reason };
    state = withCutover({ drain });
    // Caught up before the settle's end (POINTER fence: every client has held by its notice, every record is on the
    // target): the steps after the drain and the switch's intent run during the rest of the settle, and a look at its
    // end (ConfirmDrain) must find both clusters' ends unchanged before the pointer moves. Until it has, every stop
    // returns DRAINING: the step-by-step CheckDrain then passes only at the settle's end, before CommitConsumerOffsets.
    const caughtUp = !drain.drained && drain.caughtUp === true;
    const settledAt = caughtUp ? settleEndsAt(state, drain) : undefined;
    const unconfirmed = (reached: Reached): Reached => (caughtUp ? 'DRAINING' : reached);
    if (!drain.drained && !caughtUp)
      return result('DRAINING', `Not drained by ${drain.checkedAt}: ${drain.reasons.join(' ')}`);
    if (settledAt !== undefined && (!deps.pacer || settledAt > deadline))
      return result(
        'DRAINING',
        `Caught up at ${drain.checkedAt}, but ${deps.pacer ? "the settle's end comes after the invocation's deadline" : 'without a pacer this invocation cannot wait for the settle'}: the step-by-step drain confirms it.`,
      );
    if (past()) return result(unconfirmed('DRAINED'), pastDeadline('the consumer offsets'));

    // Where the offsets done during the drain are only checked, the switch goes with them: its reads (its journal, the
    // target's end offsets: read only, and the target takes no writes while the producers hold) at once with the
    // offsets' checks, and once those passed, its snapshot and intent at once with the offsets' evidence and DONE, all
    // answered before the pointer moves. A switch journaled as INTENT whose pointer never moved is what RollbackCutover
    // already handles (it puts back a pointer that holds the fence), and a retry reuses it (prepareSwitch). Where the
    // checks fail, nothing of the switch is written here, and SwitchToTarget reads again after the full translation.
    const switchStart =
      committedDuringDrain.status === 'COMMITTED'
        ? readSwitchStart(scope, switchDepsOf(deps), Promise.resolve(switchJournal))
        : undefined;
    switchStart?.catch(() => undefined); // awaited by the switch's writes or below; never left unhandled meanwhile
    let prepared: PreparedSwitch | undefined;
    let offsets: Awaited<ReturnType<typeof runCommitConsumerOffsets>>;
    try {
      offsets = await step('CommitConsumerOffsets', () =>
        runCommitConsumerOffsets(
          {
            state,
            ...(committedDuringDrain.status === 'COMMITTED' ? { duringDrain: committedDuringDrain.result } : {}),
          },
          { ...deps, pacer: pacer() },
          {
            scope,
            ...(committedDuringDrain.status === 'COMMITTED' ? { journal: committedDuringDrain.journal } : {}),
            ...(latestDrainLook ? { drainLook: latestDrainLook } : {}),
            drainRecords,
            ...(switchStart && {
              whileJournaling: async (progress) => {
                // The deadline: the switch is then left to SwitchToTarget, as when it passes after the offsets.
                if (past()) return;
                const request = switchRequestOf(withCutover({ offsets: progress }), scope);
                prepared = await prepareSwitch(request, switchDepsOf(deps), await switchStart);
              },
            }),
          },
        ),
      );
    } finally {
      await switchStart?.catch(() => undefined);
    }
    state = withCutover({ offsets });
    if (!('complete' in offsets) || !offsets.complete)
      return result(unconfirmed('COMMITTING'), 'Consumer groups were still leaving the source at the last look.');
    // Once the switch is journaled, the pointer set is the step under way that the deadline's margin covers.
    if (!prepared && past()) return result(unconfirmed('OFFSETS_COMMITTED'), pastDeadline('the switch'));

    await drainRecords();
    let confirmRecords: () => Promise<unknown> = () => Promise.resolve();
    if (settledAt !== undefined) {
      // Where the offsets took their whole work (FULL), the switch's journal, target-end snapshot and intent are
      // written now, within the settle, so that only the pointer set is left after its confirming look.
      if (!prepared) {
        const request = switchRequestOf(state, scope);
        prepared = await step('PrepareSwitch', async () =>
          prepareSwitch(
            request,
            switchDepsOf(deps),
            await readSwitchStart(scope, switchDepsOf(deps), Promise.resolve(switchJournal)),
          ),
        );
      }
      const waitMs = settledAt - deps.now().getTime();
      if (waitMs > 0) await deps.pacer?.sleep(waitMs);
      const caughtUpTails = memory.recall(drain)?.tails;
      const confirmed = await step('ConfirmDrain', () =>
        confirmDrain(
          { state, scope, caughtUp: drain },
          {
            ...deps,
            memory,
            ...(targetEndsCap ? { targetEndsCap } : {}),
            deferDrainedRecords: (write) => {
              confirmRecords = write;
            },
          },
        ),
      );
      state = withCutover({ drain: confirmed });
      if (!confirmed.drained)
        return result(
          'DRAINING',
          `Not drained at the settle's end (${confirmed.checkedAt}): ${confirmed.reasons.join(' ')}`,
        );
      const moved = movedPartitions(caughtUpTails, memory.recall(confirmed)?.tails);
      if (moved.length > 0)
        throw new CutoverFailedError(
          `The target's end offsets moved during the settle while the source's held (${moved.slice(0, 5).join(', ')}${moved.length > 5 ? ` and ${moved.length - 5} more` : ''}): ` +
            `the replication wrote records again after the drain had caught up at ${drain.checkedAt}, so the consumer offsets and the switch's target snapshot made since may not hold. ` +
            `The pointer has not moved; the rollback puts the fence back, and the cutover can run again. See ${confirmed.evidenceKey}.`,
          { evidenceKey: confirmed.evidenceKey, partitions: moved },
        );
    }
    // The confirming look's records are written beside the pointer set: the decision's evidence (the caught-up look,
    // the offsets, the switch's intent) is durable already, and the source, which the pointer leaves, cannot move
    // after the switch without a later look seeing it.
    const switched = await step('SwitchToTarget', async () => {
      const [out] = await allAnswered([
        runSwitchToTarget({ state }, deps, { scope, ...(prepared ? { prepared } : {}) }),
        confirmRecords(),
      ]);
      return out;
    });
    state = withCutover({ switch: switched });
    return result('SWITCHED');
  }
}

/**
 * The partitions whose end offsets on either cluster differ between the caught-up look and the look at the settle's
 * end (`topic-partition`); every partition when either look's tails are not in memory.
 */
function movedPartitions(
  before: readonly PartitionTail[] | undefined,
  after: readonly PartitionTail[] | undefined,
): string[] {
  if (!before || !after) return ["(the looks' tails were not in memory)"];
  const was = new Map(before.map((t) => [partitionKey(t), t]));
  return after
    .filter((t) => {
      const b = was.get(partitionKey(t));
      return !b || b.sourceEnd !== t.sourceEnd || b.targetEnd !== t.targetEnd;
    })
    .map((t) => `${t.topic}-${t.partition}`);
}

/** Cutover as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Cutover',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    pointer: 'pointer',
    source: 'source',
    target: 'target',
    writeFence: 'writeFence',
    producerActivity: 'producerActivity',
    artifacts: 'artifacts',
    now: 'clock',
    pacer: 'pacer',
  },
  run: runCutover,
});
