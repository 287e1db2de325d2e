import * as z from 'zod';
import { FUNCTIONS, type FunctionName } from '../../workflow/catalogue';
import { fenceNoticeSecondsOf, settleSecondsOf, type MigrationPlan } from '../plan/migration-plan';
import { pollCadence } from '../plan/history-budget';
import { LAMBDA_PACER_SETTINGS, ONE_INVOCATION_DEADLINE_MARGIN_SECONDS } from '../../ports/pacer';
import { lazySchema } from '../lazy-schema';
import { offsetsDuringDrainDeclined, oneInvocationDeclined } from './declined';

/**
 * THE WRITE PAUSE AS AWS WOULD RUN IT: a timing model of the deployed cutover, from the fence to the producers' first
 * send on the target.
 *
 * It walks the real state machine definition (statemachine/migration.asl.json, passed in: the core reads no file) from
 * the Cutover state (FenceProducers in a definition without it) to the switch, the way Step Functions runs it: each state entered costs a transition; a Wait
 * state waits its `Seconds`, or the `$.settings.<name>` its `SecondsPath` names (the plan's poll cadence, as
 * ValidateInput sets it); a Lambda Task costs an invoke, a cold start the first time its function runs unless the
 * definition warmed it before the fence (a Task whose Parameters carry `"warm": true`), then its work; a Choice takes
 * its first rule's branch once the Task before it passed and its Default otherwise. A Task passes when its condition
 * holds at the time it looks:
 * - CheckDrain: the settle has elapsed (from the fence, or from the source's last write where the settle restarts
 *   there: `lateWritesMs`) and the source's last records reached the target, one replication p99 after the last write
 *   (with a POINTER fence producers write until they notice the fence: `lastWriteMs` after it; else at the fence);
 * - CommitConsumerOffsets: the consumer groups left the source (the clients' notice of the fence).
 * A Task whose function polls within its invocation (`inInvocationPollMs`) looks again every that many ms until its
 * condition holds or its budget is spent, instead of returning to a Wait state; the drain takes its look at the
 * settle's end when that comes before the next interval, as CheckDrain does. The pause ends when the producers
 * notice the switch (the clients' notice) after SwitchToTarget.
 *
 * The Cutover state runs FenceProducers, CheckDrain, CommitConsumerOffsets and SwitchToTarget within ONE invocation
 * (ONE_INVOCATION_STEPS): one invoke, each step's work and in-invocation looks (the Cutover's pacer), and no transition
 * or invoke between them. Beside the drain's looks the consumer offsets are committed (OffsetsDuringDrain): its looks
 * at whether the groups left come a fifth of the pacer's interval apart, then its committing look's work. The steps
 * after the drain take the path THIS plan's timing gives them (OffsetsPath), whatever path a measured run took: where
 * that pass committed before the drain passed, CommitConsumerOffsets only checks it and SwitchToTarget is left its
 * pointer set (ACCEPT); else the drain's end stops the pass and both do their whole work after the drain (FULL), each
 * with that path's figures (PATH_STEPS, fullPathKey). Where its looks run out undrained (or with groups still
 * leaving), the walk goes on through CutoverReached? to the step-by-step state it names, as the workflow does; those
 * states always take the FULL path. A plan the Cutover task declines (declined.ts oneInvocationDeclined) costs the
 * Cutover its invoke before the fence and returns NOT_RUN: the walk goes through CutoverReached? to FenceProducers and
 * the step-by-step states; a plan for which no pass runs beside the drain (offsetsDuringDrainDeclined) takes FULL.
 *
 * THE CAUGHT-UP DRAIN. Where the drain's request declares a clients' notice of the fence shorter than the settle
 * (`fenceNoticeMs`, fenceNoticeSecondsOf: with a POINTER fence 1.5 poll intervals, against a settle of two), the one
 * invocation's drain ends at its caught-up look: the first look, at or after the notice, whose source end offsets did
 * not move since the look before and whose every partition's last records are on the target — at fence + max(notice,
 * last write + p99) — though the settle has not elapsed. Its looks come every pacer interval up to one at the notice,
 * then each as soon as the pacer allows (a fifth of its interval after the last one started: soonestGapMs). Right after it the steps after the drain run as above
 * (CommitConsumerOffsets on the path decided at that look's end; on FULL, PrepareSwitch: the switch's journal read,
 * its snapshot and INTENT, which on ACCEPT go in CommitConsumerOffsets' write round), then the invocation waits for
 * the settle's end if it is still ahead (the `settle` share), then ConfirmDrain (one look at both clusters' end
 * offsets, every tail carried over), then SwitchToTarget: its pointer set alone (the ACCEPT figures), whatever the
 * path. Only ConfirmDrain and the set come after the settle. A caught-up look at or after the settle's end is the
 * settled drain's passing look: the steps run as without a notice. The step-by-step states never end the drain early.
 *
 * Figures of the AWS side the model cannot measure here are named constants (AWS_TIMINGS), printed with every model;
 * the work of each Task is the rehearsal's measured figure when one is given, else a reference figure.
 *
 * The rehearsal's artifact store is a folder and its pointer a file: a call takes a fraction of a millisecond there,
 * a network round trip on AWS (S3, SSM Parameter Store or Route 53, DynamoDB for the abort check). Each step's work
 * is therefore taken as its local work less the local time of those calls, plus the round trips it waits for one
 * after the other (`roundTrips`: counted by the rehearsal where it ran, overlapping calls once; else
 * REFERENCE_ROUND_TRIPS, counted from the code) at AWS latency: their share is `round trips`.
 */

/** What the model assumes of AWS. Overridable per call; every printed model names them. */
export const AWS_TIMINGS = {
  /** One Standard-workflow state transition (entered → the next state starts), ms. Not documented; observed tens of ms. */
  transitionMs: 50,
  /** Step Functions → Lambda Invoke and its response for a warm function, ms. */
  invokeMs: 30,
  /** Lambda's Node.js runtime start before the handler module is loaded (INIT), ms. */
  runtimeInitMs: 150,
  /**
   * Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB (AWS Lambda developer guide,
   * "Configure Lambda function memory"): a bundle's import time measured on one core is scaled by 1769 / memoryMb.
   */
  fullVcpuMemoryMb: 1769,
  /**
   * One S3 GET or PUT of a small JSON document (the artifact store, adapters/aws/s3-artifact-store.ts), ms. AWS's S3
   * performance whitepaper ("Timeouts and Retries for Latency-Sensitive Applications"): small requests' median
   * latencies are often in the tens of milliseconds.
   */
  artifactRoundTripMs: 30,
  /**
   * One SSM Parameter Store request (GetParameter or PutParameter: the pointer, adapters/aws/cutover-switch-ssm.ts),
   * ms. AWS documents no latency for it; assumed one regional API request like S3's. The fence's and the switch's
   * `set` are one PutParameter at the revision this execution's last write made, other sets two (POINTER_REQUESTS_PER_CALL);
   * Route 53's is two (ListResourceRecordSets, then ChangeResourceRecordSets), before clients' resolvers see the change.
   */
  pointerRoundTripMs: 30,
  /**
   * The abort check, one strongly consistent DynamoDB GetItem (adapters/aws/dynamodb-abort-requests.ts), ms:
   * DynamoDB's documented single-digit-millisecond latency, and the request's way from Lambda.
   */
  abortCheckRoundTripMs: 10,
} as const;
export type AwsTimings = { -readonly [K in keyof typeof AWS_TIMINGS]: number };

/**
 * Reference figures when nothing is measured: the import time of a task bundle (ms on one developer core; `npm run
 * bench:bundles` prints the current ones) and the work of one invocation of each cutover Task (the rehearsal's).
 */
export const REFERENCE_IMPORT_MS = 250;

/**
 * The network requests one call of the pointer port makes on AWS, one after the other: `set` and `revert` read the
 * pointer before they write it (SSM GetParameter + PutParameter; Route 53 ListResourceRecordSets +
 * ChangeResourceRecordSets), `read` is one request. A `set` at an expected revision (SSM: the fence's and the
 * switch's first attempts) is one PutParameter (ports/cutover-switch.ts setRequests).
 */
export const POINTER_REQUESTS_PER_CALL: Readonly<Record<string, number>> = { read: 1, set: 2, revert: 2 };

/**
 * The round trips a step waits for one after the other on its critical stretch (overlapping calls count once), and
 * the local time those calls took where they were measured (ms; subtracted from the step's local work so that they
 * are not counted twice).
 */
export interface StepRoundTrips {
  readonly artifacts: number;
  /** Pointer requests (a `set` is one at an expected revision, else POINTER_REQUESTS_PER_CALL.set). */
  readonly pointer: number;
  readonly aborts: number;
  readonly localCallMs: number;
}

/**
 * The steps after the drain whose work depends on the consumer offsets beside it (the one-invocation Cutover). ACCEPT:
 * the pass committed them before the drain passed, CommitConsumerOffsets only checks them (acceptOffsetsDuringDrain)
 * with the switch's reads and intent beside that check, and SwitchToTarget is left its pointer set. FULL: the drain
 * passed first (its end stops the pass), or the step-by-step states run: CommitConsumerOffsets does its whole work
 * (lambdas/core/cutover/commit-consumer-offsets.ts commitConsumerOffsets) and SwitchToTarget its reads and intent
 * before the set. A FULL path's figures (work, round trips, measured or reference) go by fullPathKey.
 */
export const PATH_STEPS = ['CommitConsumerOffsets', 'SwitchToTarget'] as const;
/**
 * The steps only the caught-up drain runs (see above): PrepareSwitch on the FULL path, ConfirmDrain on both.
 */
export const CAUGHT_UP_STEPS = ['PrepareSwitch', 'ConfirmDrain'] as const;
/**
 * The figures a run measures on some paths only: PATH_STEPS', the offsets' committing look beside the drain, which a
 * FULL run never finished, and CAUGHT_UP_STEPS', which only a run whose drain ended caught up has (PrepareSwitch: on
 * FULL). Where a run's record lacks them, they were not measured: the reference ones are taken.
 */
const ONE_PATH_FIGURES: readonly string[] = [...PATH_STEPS, 'OffsetsDuringDrain', ...CAUGHT_UP_STEPS];
export type OffsetsPath = 'ACCEPT' | 'FULL';

/** The name a step's figures of a path go by: `CommitConsumerOffsets.full` for FULL, the step's own for ACCEPT. */
export function fullPathKey(step: string, path: OffsetsPath = 'FULL'): string {
  return path === 'FULL' && (PATH_STEPS as readonly string[]).includes(step) ? `${step}.full` : step;
}

/**
 * Round trips per step when nothing is measured (`msk-migrate validate`, the assessment), counted from the code of a
 * plan with an SSM pointer and no client switches, on each step's critical stretch:
 * - FenceProducers from its pointer set (the fence): the set (one PutParameter at the version read before the
 *   intent), the source's end offsets stored, the journal's DONE;
 * - CheckDrain's passing look: none (its end offsets are Kafka's; its snapshot and evidence are written in
 *   CommitConsumerOffsets' round of writes, lambdas/tasks/cutover/task.ts; a step-by-step look writes them itself,
 *   one round more, which this reference leaves out);
 * - OffsetsDuringDrain's committing look: the topics and the translations before the fence read, its evidence stored;
 * - CommitConsumerOffsets: the abort check (beside the clusters' reads: the offsets' journal and the drained tails are
 *   in memory, the switch's journal read beside the fence), then ONE round of writes: its evidence and DONE, the
 *   switch's target-end snapshot and INTENT, the drained look's snapshot and evidence;
 * - SwitchToTarget up to its pointer set (the switch): the set alone (one PutParameter at the fence's version), the
 *   rest being journaled beside the offsets (ACCEPT) or by PrepareSwitch (the caught-up drain's FULL path);
 * - the caught-up drain's (CAUGHT_UP_STEPS) PrepareSwitch: the switch's journal read, then its target-end snapshot and
 *   INTENT at once (SwitchToTarget.full less its set), inside the settle; ConfirmDrain: none (both clusters' end
 *   offsets are Kafka's; its snapshot and evidence are written beside the pointer set, not before it).
 * bench:cutover prints the counts the rehearsal measures (which follow the code as it changes).
 */
export const REFERENCE_ROUND_TRIPS: Readonly<Record<string, StepRoundTrips>> = {
  FenceProducers: { artifacts: 2, pointer: 1, aborts: 0, localCallMs: 0 },
  CheckDrain: { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 },
  OffsetsDuringDrain: { artifacts: 3, pointer: 0, aborts: 0, localCallMs: 0 },
  CommitConsumerOffsets: { artifacts: 1, pointer: 0, aborts: 1, localCallMs: 0 },
  SwitchToTarget: { artifacts: 0, pointer: 1, aborts: 0, localCallMs: 0 },
  /**
   * The FULL path (PATH_STEPS), the one invocation holding the scope in memory: the abort check beside the drained
   * look's snapshot and evidence; the offsets' journal read, their INTENT, the drained tails (beside the end
   * offsets), the translations before the fence, the evidence, the DONE, one after the other.
   */
  'CommitConsumerOffsets.full': { artifacts: 7, pointer: 0, aborts: 0, localCallMs: 0 },
  /** The FULL path: the switch's journal (beside the target's ends), its snapshot and INTENT at once, the set. */
  'SwitchToTarget.full': { artifacts: 2, pointer: 1, aborts: 0, localCallMs: 0 },
  /** The caught-up drain's FULL path, inside the settle: the switch's journal read, then its snapshot and INTENT. */
  PrepareSwitch: { artifacts: 2, pointer: 0, aborts: 0, localCallMs: 0 },
  /** After the settle, before the set: end offsets from Kafka only; its records go beside the set. */
  ConfirmDrain: { artifacts: 0, pointer: 0, aborts: 0, localCallMs: 0 },
};
export const REFERENCE_WORK_MS: Readonly<Record<string, number>> = {
  FenceProducers: 150,
  CheckDrain: 80,
  /** The consumer offsets' committing look beside the drain (the one invocation's OffsetsDuringDrain). */
  OffsetsDuringDrain: 200,
  /** After the offsets beside the drain: only their check (acceptOffsetsDuringDrain). */
  CommitConsumerOffsets: 30,
  SwitchToTarget: 20,
  /** The whole step: translated, committed, read back and checked by content. */
  'CommitConsumerOffsets.full': 200,
  'SwitchToTarget.full': 20,
  /** The switch's preparation alone (its journal read, target-end snapshot and INTENT): SwitchToTarget.full less its set. */
  PrepareSwitch: 20,
  /** One drain look at both clusters' end offsets at once, every partition's tail carried over from the caught-up look. */
  ConfirmDrain: 10,
};

const AslState = lazySchema(() =>
  z
    .object({
      Type: z.string(),
      Next: z.string().optional(),
      End: z.boolean().optional(),
      Seconds: z.number().optional(),
      SecondsPath: z.string().optional(),
      Resource: z.string().optional(),
      Parameters: z.record(z.string(), z.unknown()).optional(),
      Choices: z.array(z.object({ Next: z.string() }).passthrough()).optional(),
      Default: z.string().optional(),
      Branches: z.array(z.object({ States: z.record(z.string(), z.unknown()) }).passthrough()).optional(),
    })
    .passthrough(),
);
type AslState = z.infer<typeof AslState>;
const Asl = lazySchema(() => z.object({ States: z.record(z.string(), AslState) }).passthrough());

/** The function a Task state invokes: `${<Name>FunctionArn}` in its Resource or its Parameters' FunctionName. */
export function functionOfTask(state: Pick<AslState, 'Resource' | 'Parameters'>): string | undefined {
  const ref = [state.Resource, state.Parameters?.['FunctionName']].find(
    (v): v is string => typeof v === 'string' && /\$\{\w+FunctionArn\}/.test(v),
  );
  return ref?.match(/\$\{(\w+)FunctionArn\}/)?.[1];
}

/** The functions a definition invokes with `"warm": true` anywhere (Parallel branches included). */
export function warmedFunctions(asl: unknown): Set<string> {
  const warmed = new Set<string>();
  const visit = (states: Record<string, unknown>): void => {
    for (const raw of Object.values(states)) {
      const state = AslState.safeParse(raw);
      if (!state.success) continue;
      const fn = state.data.Type === 'Task' ? functionOfTask(state.data) : undefined;
      const payload = state.data.Parameters?.['Payload'] as Record<string, unknown> | undefined;
      if (fn && (state.data.Parameters?.['warm'] === true || payload?.['warm'] === true)) warmed.add(fn);
      for (const branch of state.data.Branches ?? []) visit(branch.States);
    }
  };
  visit(Asl.parse(asl).States);
  return warmed;
}

export interface FunctionProfile {
  /** Import time of the function's bundle on one developer core (ms). */
  readonly importMs: number;
  readonly memoryMb: number;
}

export interface PauseModelInput {
  /** The state machine definition (statemachine/migration.asl.json, parsed). */
  readonly asl: unknown;
  /** What `$.settings` holds (ValidateInput's settingsFor(plan)): the Wait states' SecondsPath values. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The plan's settle (cutover.fenceSettleSeconds as the drain applies it), ms. */
  readonly settleMs: number;
  /**
   * How long after the fence producers may still write to the source (ms): with a POINTER fence, until they notice it
   * (their poll interval); the drain's settle restarts from the last such write. 0 when the source refuses writes.
   */
  readonly lateWritesMs?: number;
  /** Replication latency p99, ms: the source's last records are on the target this long after the fence. */
  readonly replicationP99Ms: number;
  /** How long clients take to notice a pointer change (their declared poll interval), ms. */
  readonly clientNoticeMs: number;
  /** Per function: bundle import time and memory. Default: the catalogue's memory and REFERENCE_IMPORT_MS. */
  readonly functions?: Readonly<Record<string, FunctionProfile>>;
  /** Work of one invocation per Task state (ms), e.g. the rehearsal's measured mean. Default REFERENCE_WORK_MS. */
  readonly workMs?: Readonly<Record<string, number>>;
  /**
   * Per step, the artifact-store, pointer and abort-check round trips it waits for (the rehearsal's count), added at
   * AWS latency in place of their local time. Default REFERENCE_ROUND_TRIPS; a step absent from a given record has
   * none.
   */
  readonly roundTrips?: Readonly<Record<string, StepRoundTrips>>;
  /**
   * How long after the fence producers may still write a record the drain must see on the target (ms): with a
   * POINTER fence, until they notice it (their declared notice, fenceNoticeSecondsOf), even where the settle counts
   * from the fence. The drain is ready no sooner than this plus the replication p99. @default lateWritesMs
   */
  readonly lastWriteMs?: number;
  /**
   * The clients' notice of the fence the drain's request declares (fenceNoticeSecondsOf), ms after the fence. Shorter
   * than the settle, the one invocation's drain ends at its caught-up look and confirms at the settle's end (see
   * above). @default none: the drain passes at the settle's end
   */
  readonly fenceNoticeMs?: number;
  /** Task states whose function polls within one invocation: every this many ms, up to `budgetMs`. */
  readonly inInvocationPoll?: Readonly<Record<string, { readonly everyMs: number; readonly budgetMs: number }>>;
  /** Every function already ran recently (warm) at the fence, whatever the definition warms. */
  readonly allWarm?: boolean;
  /**
   * Why the Cutover state leaves this plan to the step-by-step states (declined.ts oneInvocationDeclined): it costs its
   * invoke, runs no step and returns NOT_RUN, and CutoverReached? goes on from FenceProducers.
   */
  readonly oneInvocationDeclined?: string;
  /**
   * Why no pass beside the drain commits this plan's consumer offsets (declined.ts offsetsDuringDrainDeclined): the
   * steps after the drain take the FULL path.
   */
  readonly offsetsDuringDrainDeclined?: string;
  /**
   * The requests one pointer set makes where the pointer has no revision to write at (ROUTE53, HOOK: a read, then the
   * write; pointerSetRequestsOf). A step's pointer round trips, counted for the SSM pointer (one at the fence's
   * version) or in the rehearsal (its file has revisions), are that many per set. Absent: as counted.
   */
  readonly pointerSetRequests?: number;
  readonly from?: string;
  readonly to?: string;
  readonly aws?: Partial<AwsTimings>;
}

/** `settle`: the one invocation's wait, after the steps the caught-up drain let run early, for the settle's end. */
export type PauseShare =
  'wait' | 'transitions' | 'cold starts' | 'invokes' | 'work' | 'round trips' | 'polling' | 'settle' | 'notice';

export interface PauseModel {
  readonly totalMs: number;
  /** Where the time goes, by kind. */
  readonly shares: Readonly<Record<PauseShare, number>>;
  /** Per state, in the order first entered. */
  readonly states: ReadonlyArray<{ readonly state: string; readonly visits: number; readonly ms: number }>;
  /** The functions that started cold inside the pause. */
  readonly coldFunctions: readonly string[];
  readonly settleMs: number;
  readonly lateWritesMs: number;
  readonly lastWriteMs: number;
  readonly replicationP99Ms: number;
  readonly clientNoticeMs: number;
  readonly aws: AwsTimings;
  /**
   * The round trips charged per step (measured or REFERENCE_ROUND_TRIPS), by the figures' name on the path taken
   * (`CommitConsumerOffsets.full`, …), in the order first charged: for the printed assumptions.
   */
  readonly roundTrips: Readonly<Record<string, StepRoundTrips>>;
  /** The path the steps after the drain took in the one invocation; absent where it stopped before them. */
  readonly offsets?: OffsetsPathTaken;
  /** The clients' notice of the fence the drain declares (fenceNoticeMs), ms; null where it declares none. */
  readonly fenceNoticeMs: number | null;
  /**
   * Where the one invocation's drain ended at its caught-up look before the settle's end: when that look ended and
   * when ConfirmDrain started (the settle's end, or later where the steps in between outlasted it), ms after the fence.
   */
  readonly caughtUp?: { readonly caughtUpMs: number; readonly confirmedMs: number };
  /** Why the one invocation declined the plan (oneInvocationDeclined): the step-by-step states ran every step. */
  readonly stepByStep?: string;
}

/** Which path the steps after the drain took (PATH_STEPS), and why: when the pass beside the drain would commit. */
export interface OffsetsPathTaken {
  readonly path: OffsetsPath;
  /** When the offsets beside the drain would be committed, ms after the fence; null where no pass runs (no pacer). */
  readonly committedAtMs: number | null;
  /** When the drain's passing look (or its caught-up look: PauseModel.caughtUp) ended, ms after the fence. */
  readonly drainPassedMs: number;
}

const MAX_STEPS = 10_000;

/** The function that runs the cutover's steps in one invocation, and those steps in order. */
export const ONE_INVOCATION_FUNCTION = 'Cutover';
/** With a caught-up drain, PrepareSwitch (FULL) and ConfirmDrain come before SwitchToTarget (CAUGHT_UP_STEPS). */
export const ONE_INVOCATION_STEPS = [
  'FenceProducers',
  'CheckDrain',
  'CommitConsumerOffsets',
  'SwitchToTarget',
] as const;
/** Where the one invocation stops when a paced step's looks run out (its `oneInvocation.reached`). */
const STOPPED_AT: Readonly<Record<string, string>> = { CheckDrain: 'DRAINING', CommitConsumerOffsets: 'COMMITTING' };

/**
 * When each polling Task's condition holds, ms after the fence. The drain: the settle has elapsed (from the last write
 * that restarts it, `lateWritesMs`, else from the fence) and the last record written reached the target — written up
 * to `lastWriteMs` after the fence (with a pointer fence, producers write until they notice it), there one
 * replication p99 later.
 */
function readyAt(state: string, input: PauseModelInput): number {
  if (state === 'CheckDrain') {
    const late = input.lateWritesMs ?? 0;
    return Math.max(late + input.settleMs, Math.max(late, input.lastWriteMs ?? late) + input.replicationP99Ms);
  }
  if (state === 'CommitConsumerOffsets') return input.clientNoticeMs;
  return 0;
}

/**
 * When the one invocation's drain is caught up, ms after the fence: at or after the clients' notice of the fence,
 * with the last record written (up to `lastWriteMs` after the fence) on the target one replication p99 later.
 * Undefined where the drain declares no notice shorter than the settle (or the settle restarts at late writes): it
 * ends only once the settle has elapsed.
 */
function caughtUpAt(input: PauseModelInput): number | undefined {
  const notice = input.fenceNoticeMs;
  if (notice === undefined || notice >= input.settleMs || (input.lateWritesMs ?? 0) > 0) return undefined;
  return Math.max(notice, (input.lastWriteMs ?? 0) + input.replicationP99Ms);
}

/**
 * When the consumer offsets beside the drain are committed, ms after the fence: at the first of their looks (a fifth
 * of the pacer's interval apart) after the groups left (the clients' notice), plus their committing look's work.
 */
function offsetsCommittedAt(
  input: PauseModelInput,
  aws: AwsTimings,
  everyMs: number,
  charged: Record<string, StepRoundTrips>,
): number {
  const gap = everyMs / 5;
  const look = awsWork('OffsetsDuringDrain', input, aws, 'FULL', charged);
  return Math.ceil(readyAt('CommitConsumerOffsets', input) / gap) * gap + look.localMs + look.roundTripMs;
}

/**
 * A step's work on AWS: its local work less its calls' local time, and its round trips at AWS latency. A step of
 * PATH_STEPS takes the figures of the path given (fullPathKey): measured where the run took that path, else that
 * path's reference figures, never none for want of a measured record (ONE_PATH_FIGURES).
 */
function awsWork(
  task: string,
  input: PauseModelInput,
  aws: AwsTimings,
  path: OffsetsPath = 'FULL',
  /** The round trips charged so far, by the name of the figures taken (the model's `roundTrips`). */
  charged: Record<string, StepRoundTrips> = {},
): { readonly localMs: number; readonly roundTripMs: number } {
  const key = fullPathKey(task, path);
  const work = input.workMs?.[key] ?? REFERENCE_WORK_MS[key] ?? 50;
  const counted = ONE_PATH_FIGURES.includes(task)
    ? (input.roundTrips?.[key] ?? REFERENCE_ROUND_TRIPS[key])
    : (input.roundTrips ?? REFERENCE_ROUND_TRIPS)[key];
  if (!counted) return { localMs: work, roundTripMs: 0 };
  // A set is one request at an expected revision (what the counts assume), else a read and the write.
  const sets = input.pointerSetRequests;
  const trips = sets
    ? { ...counted, pointer: Math.max(counted.pointer, Math.min(counted.pointer, 1) * sets) }
    : counted;
  charged[key] = trips;
  return {
    localMs: Math.max(0, work - trips.localCallMs),
    roundTripMs:
      trips.artifacts * aws.artifactRoundTripMs +
      trips.pointer * aws.pointerRoundTripMs +
      trips.aborts * aws.abortCheckRoundTripMs,
  };
}

export function modelCutoverPause(input: PauseModelInput): PauseModel {
  const aws: AwsTimings = { ...AWS_TIMINGS, ...input.aws };
  const { States } = Asl.parse(input.asl);
  const from = input.from ?? (States[ONE_INVOCATION_FUNCTION] ? ONE_INVOCATION_FUNCTION : 'FenceProducers');
  const to = input.to ?? 'SwitchToTarget';
  const warm = input.allWarm ? new Set(Object.keys(FUNCTIONS)) : warmedFunctions(input.asl);
  const shares: Record<PauseShare, number> = {
    wait: 0,
    transitions: 0,
    'cold starts': 0,
    invokes: 0,
    work: 0,
    'round trips': 0,
    polling: 0,
    settle: 0,
    notice: 0,
  };
  const perState = new Map<string, { visits: number; ms: number }>();
  const cold: string[] = [];
  let t = 0;
  let fencedAt: number | undefined;
  let lastPassed = true;
  /** What the one invocation reached (CutoverReached? branches on it). */
  let reached: string | undefined;
  let offsets: OffsetsPathTaken | undefined;
  let caughtUp: PauseModel['caughtUp'];
  /** When the last step run started its last look (the drain: whether it came before the settle's end). */
  let lastLookAt = 0;
  const charged: Record<string, StepRoundTrips> = {};
  let name: string | undefined = from;
  for (let step = 0; name !== undefined; step++) {
    if (step > MAX_STEPS) throw new Error(`pause model: no path from ${from} to ${to} within ${MAX_STEPS} states`);
    const state: AslState | undefined = States[name];
    if (!state) throw new Error(`pause model: the definition has no state ${name}`);
    const startedAt = t;
    const fencedBefore = fencedAt !== undefined;
    const add = (share: PauseShare, ms: number): void => {
      shares[share] += ms;
      t += ms;
    };
    if (name !== from) add('transitions', aws.transitionMs);
    let next: string | undefined = state.Next;
    if (state.Type === 'Task') {
      const fn = functionOfTask(state);
      if (!fn) throw new Error(`pause model: the Task state ${name} invokes no \${…FunctionArn}`);
      add('invokes', aws.invokeMs);
      if (!warm.has(fn)) {
        warm.add(fn);
        cold.push(fn);
        const profile = input.functions?.[fn] ?? {
          importMs: REFERENCE_IMPORT_MS,
          memoryMb: FUNCTIONS[fn as FunctionName]?.memoryMb ?? 512,
        };
        const cpu = Math.max(1, aws.fullVcpuMemoryMb / profile.memoryMb);
        // Before the fence is taken, FenceProducers' own start holds nobody.
        if (fencedAt !== undefined) add('cold starts', aws.runtimeInitMs + profile.importMs * cpu);
      }
      // One step's work and looks: `task` is the step's own Task state name (its work and readiness), `poll` the
      // pacer of the function running it.
      const runStep = (
        task: string,
        poll: { everyMs: number; budgetMs: number } | undefined,
        path: OffsetsPath = 'FULL',
        ready = readyAt(task, input),
        /** The caught-up drain's looks: one at the notice, then each as soon as the pacer allows (a fifth of its interval). */
        noticeAt?: number,
      ): boolean => {
        const { localMs, roundTripMs } = awsWork(task, input, aws, path, charged);
        const work = localMs + roundTripMs;
        add('work', localMs);
        add('round trips', roundTripMs);
        if (fencedAt === undefined) {
          fencedAt = 0;
          // The pause starts when the fence is taken: count FenceProducers' work, nothing before it.
          t = work;
          for (const k of Object.keys(shares) as PauseShare[])
            shares[k] = k === 'work' ? localMs : k === 'round trips' ? roundTripMs : 0;
        }
        if (poll && t - fencedAt < ready) {
          const deadline = t + poll.budgetMs;
          // The drain takes its look at the settle's end when that comes before the next interval (lookPaced's dueAt).
          const due = task === 'CheckDrain' ? fencedAt + (input.lateWritesMs ?? 0) + input.settleMs : undefined;
          // The caught-up drain's: no sooner than a fifth of the interval after the last look started (soonestGapMs).
          const soonest = Math.max(0, poll.everyMs / 5 - work);
          while (t - fencedAt < ready && t + poll.everyMs <= deadline) {
            const gap =
              noticeAt !== undefined
                ? Math.min(poll.everyMs, Math.max(noticeAt - t, soonest))
                : due !== undefined && due > t && due - t < poll.everyMs
                  ? due - t
                  : poll.everyMs;
            add('polling', gap + work);
          }
        }
        lastLookAt = t - work;
        return t - fencedAt >= ready;
      };
      if (fn === ONE_INVOCATION_FUNCTION && input.oneInvocationDeclined !== undefined) {
        // The task declines the plan before any step (stepByStepReason): the step-by-step states run them all.
        reached = 'NOT_RUN';
        lastPassed = false;
      } else if (fn === ONE_INVOCATION_FUNCTION) {
        const poll = input.inInvocationPoll?.[name];
        reached = 'SWITCHED';
        // The path after the drain (PATH_STEPS): ACCEPT where the offsets beside the drain were committed by the time
        // the drain passed; else the drain's end stopped them and the steps after it do their whole work.
        let path: OffsetsPath = 'FULL';
        // The drain ends at its caught-up look where it declares a notice shorter than the settle (caughtUpAt) and the
        // invocation can wait for the settle's end within its deadline (with a pacer: else the step-by-step drain).
        const caughtUpReadyAt = poll && input.settleMs <= poll.budgetMs ? caughtUpAt(input) : undefined;
        for (const task of ONE_INVOCATION_STEPS) {
          if (task === 'CommitConsumerOffsets' && fencedAt !== undefined) {
            const committedAt =
              poll && input.offsetsDuringDrainDeclined === undefined
                ? offsetsCommittedAt(input, aws, poll.everyMs, charged)
                : null;
            path = committedAt !== null && fencedAt + committedAt <= t ? 'ACCEPT' : 'FULL';
            offsets = { path, committedAtMs: committedAt, drainPassedMs: t - fencedAt };
          }
          if (task === 'SwitchToTarget' && caughtUp) {
            // After the caught-up drain's steps: the settle's end, then one confirming look, then the set alone.
            const settleEnd = (fencedAt ?? 0) + input.settleMs;
            if (t < settleEnd) add('settle', settleEnd - t);
            caughtUp = { ...caughtUp, confirmedMs: t - (fencedAt ?? 0) };
            runStep('ConfirmDrain', undefined);
            path = 'ACCEPT';
          }
          const drainReady = task === 'CheckDrain' ? caughtUpReadyAt : undefined;
          const noticeAt = drainReady !== undefined ? (fencedAt ?? 0) + (input.fenceNoticeMs ?? 0) : undefined;
          if (!runStep(task, poll, path, drainReady ?? readyAt(task, input), noticeAt)) {
            reached = STOPPED_AT[task] ?? 'NOT_RUN';
            break;
          }
          // A caught-up look that started at or after the settle's end is the settled drain's passing look.
          if (drainReady !== undefined && lastLookAt - (fencedAt ?? 0) < input.settleMs)
            caughtUp = { caughtUpMs: t - (fencedAt ?? 0), confirmedMs: input.settleMs };
          // On FULL the switch's journal read, snapshot and INTENT run inside the settle (on ACCEPT: in the offsets').
          if (task === 'CommitConsumerOffsets' && caughtUp && path === 'FULL') runStep('PrepareSwitch', undefined);
        }
        lastPassed = reached === 'SWITCHED';
      } else {
        lastPassed = runStep(name, input.inInvocationPoll?.[name]);
      }
      if (name === to || reached === 'SWITCHED') next = undefined;
    } else if (state.Type === 'Wait') {
      const path = state.SecondsPath?.match(/^\$\.settings\.(\w+)$/)?.[1];
      const seconds = state.Seconds ?? (path ? input.settings[path] : undefined);
      if (typeof seconds !== 'number')
        throw new Error(`pause model: the Wait state ${name} waits ${state.SecondsPath ?? '?'}, which settings lack`);
      add('wait', seconds * 1000);
    } else if (state.Type === 'Choice') {
      const onReached = state.Choices?.filter((c) => String(c['Variable']).endsWith('.oneInvocation.reached'));
      next =
        onReached && onReached.length > 0
          ? (onReached.find((c) => c['StringEquals'] === reached)?.Next ?? state.Default)
          : lastPassed
            ? state.Choices?.[0]?.Next
            : state.Default;
    } else if (state.Type !== 'Pass') {
      throw new Error(`pause model: ${name} is a ${state.Type} state between ${from} and ${to}`);
    }
    const entry = perState.get(name) ?? { visits: 0, ms: 0 };
    entry.visits++;
    // Before the fence nobody waits (a declined Cutover, CutoverReached?); the state that takes it counts from it.
    entry.ms += fencedAt === undefined ? 0 : fencedBefore ? t - startedAt : t;
    perState.set(name, entry);
    if (name === to || (reached === 'SWITCHED' && next === undefined)) break;
    name = next;
    if (name === undefined) throw new Error(`pause model: the path from ${from} ends before ${to}`);
  }
  shares.notice += input.clientNoticeMs;
  t += input.clientNoticeMs;
  return {
    totalMs: Math.round(t),
    shares: Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, Math.round(v)])) as Record<
      PauseShare,
      number
    >,
    states: [...perState].map(([state, v]) => ({ state, visits: v.visits, ms: Math.round(v.ms) })),
    coldFunctions: cold,
    settleMs: input.settleMs,
    lateWritesMs: input.lateWritesMs ?? 0,
    lastWriteMs: Math.max(input.lateWritesMs ?? 0, input.lastWriteMs ?? 0),
    replicationP99Ms: input.replicationP99Ms,
    clientNoticeMs: input.clientNoticeMs,
    aws,
    roundTrips: charged,
    ...(offsets ? { offsets } : {}),
    fenceNoticeMs: input.fenceNoticeMs ?? null,
    ...(caughtUp ? { caughtUp } : {}),
    ...(input.oneInvocationDeclined !== undefined ? { stepByStep: input.oneInvocationDeclined } : {}),
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/**
 * `≈ 61.4 s: wait 60.0 s, cold starts 3.1 s, …; WaitForDrain ×2 60.0 s, …` (shares over 0 only, largest first), and
 * why the steps ran step by step where the one invocation declined the plan.
 */
export function describePauseModel(model: PauseModel): string {
  const shares = Object.entries(model.shares)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${k} ${seconds(ms)}`);
  const states = [...model.states]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((s) => `${s.state}${s.visits > 1 ? ` ×${s.visits}` : ''} ${seconds(s.ms)}`);
  return `≈ ${seconds(model.totalMs)} (${shares.join(', ')}; ${states.join(', ')}${model.coldFunctions.length > 0 ? `; cold: ${model.coldFunctions.join(', ')}` : ''})${model.stepByStep ? `, step by step: ${model.stepByStep.replace(/\.$/, '')}` : ''}`;
}

/**
 * What a model assumed, in one line: the AWS figures it added, the round trips it counted per step and the drain's
 * readiness (`AWS: transition 50 ms, …; round trips (S3/pointer/DynamoDB) FenceProducers 2/1/0, …; drain ready at
 * fence + max(settle 2.00 s, last write 1.50 s + p99 1.00 s)`; with a caught-up drain `drain caught up at fence +
 * max(notice 1.50 s, last write 1.50 s + p99 0.06 s), confirmed at the settle 2.00 s`).
 */
export function describePauseAssumptions(model: PauseModel): string {
  const a = model.aws;
  const trips = Object.entries(model.roundTrips)
    .map(([step, r]) => `${step} ${r.artifacts}/${r.pointer}/${r.aborts}`)
    .join(', ');
  const settleFrom = model.lateWritesMs > 0 ? `last write ${seconds(model.lateWritesMs)} + ` : '';
  const lastWrite = `last write ${seconds(model.lastWriteMs)} + p99 ${seconds(model.replicationP99Ms)}`;
  const notice = model.fenceNoticeMs;
  const drain = model.caughtUp
    ? `drain caught up at fence + max(notice ${seconds(notice ?? 0)}, ${lastWrite}), confirmed ` +
      (model.caughtUp.confirmedMs > model.settleMs
        ? `at ${seconds(model.caughtUp.confirmedMs)}, when the steps in between ended (the settle ${seconds(model.settleMs)})`
        : `at the settle ${seconds(model.settleMs)}`)
    : `drain ready at fence + max(${settleFrom}settle ${seconds(model.settleMs)}, ${lastWrite})` +
      (notice !== null && notice < model.settleMs && model.offsets
        ? `, its looks from the notice ${seconds(notice)} on as soon as the pacer allows: caught up only after the settle's end, no confirming look`
        : '');
  return (
    `AWS: transition ${a.transitionMs} ms, invoke ${a.invokeMs} ms, runtime init ${a.runtimeInitMs} ms, ` +
    `import × ${a.fullVcpuMemoryMb} MB / memory, S3 request ${a.artifactRoundTripMs} ms, pointer request ${a.pointerRoundTripMs} ms ` +
    `(a set is 1 at an expected revision, else ${POINTER_REQUESTS_PER_CALL['set']}), DynamoDB abort check ${a.abortCheckRoundTripMs} ms; ` +
    `round trips (S3/pointer/DynamoDB, in place of their local time) ${trips}; ` +
    drain
  );
}

/** Replication latency p99 the expected pause assumes where none is measured (ms). */
export const REFERENCE_REPLICATION_P99_MS = 1000;

/**
 * The requests one pointer set makes on AWS where the pointer has no revision to write at: a Route 53 record and a HOOK
 * function are read, then written (POINTER_REQUESTS_PER_CALL.set; the hook's own time is not modeled). Undefined for
 * an SSM parameter, set at the fence's version in one PutParameter (as REFERENCE_ROUND_TRIPS counts it).
 */
export function pointerSetRequestsOf(plan: Pick<MigrationPlan, 'cutover'>): number | undefined {
  return plan.cutover.switch.type === 'SSM_PARAMETER' ? undefined : POINTER_REQUESTS_PER_CALL['set'];
}

/** The plan fields the expected pause depends on. */
export type PausePlan = Pick<MigrationPlan, 'gates' | 'cutover'> & Partial<Pick<MigrationPlan, 'recovery' | 'waves'>>;

/** How long the plan says clients take to notice a pointer change (s): their declared poll interval. */
export function clientNoticeSecondsOf(plan: PausePlan): number {
  return plan.cutover.clientPollIntervalSeconds;
}

/**
 * The Task states of a definition whose function looks again within its invocation as deployed (the catalogue gives
 * it the `pacer` port): every LAMBDA_PACER_SETTINGS.everyMs for up to its budget.
 */
export function pacedStates(asl: unknown): Record<string, { everyMs: number; budgetMs: number }> {
  const paced: Record<string, { everyMs: number; budgetMs: number }> = {};
  for (const [name, state] of Object.entries(Asl.parse(asl).States)) {
    const fn = state.Type === 'Task' ? functionOfTask(state) : undefined;
    const entry = fn ? FUNCTIONS[fn as FunctionName] : undefined;
    if (!entry || !(entry.ports as readonly string[]).includes('pacer')) continue;
    // The one-invocation Cutover looks until its own deadline, the other paced functions for the pacer's budget.
    paced[name] =
      fn === ONE_INVOCATION_FUNCTION
        ? {
            everyMs: LAMBDA_PACER_SETTINGS.everyMs,
            budgetMs: (entry.timeoutSeconds - ONE_INVOCATION_DEADLINE_MARGIN_SECONDS) * 1000,
          }
        : { ...LAMBDA_PACER_SETTINGS };
  }
  return paced;
}

/** The modeled AWS pause of a plan: its poll cadence, settle and clients' notice on the given definition. */
export function planPauseModel(
  plan: PausePlan,
  asl: unknown,
  measured: Omit<
    Partial<PauseModelInput>,
    'asl' | 'settings' | 'settleMs' | 'clientNoticeMs' | 'lateWritesMs' | 'lastWriteMs'
  > = {},
): PauseModel {
  const pointerFence = plan.cutover.fence.type === 'POINTER';
  const notice = fenceNoticeSecondsOf(plan);
  const oneInvocation = oneInvocationDeclined(plan.cutover);
  // The wave the plan's first execution cuts over (none: the whole plan); a consumers-first wave has no drain to model.
  const offsetsDeclined = offsetsDuringDrainDeclined(plan, undefined);
  return modelCutoverPause({
    replicationP99Ms: REFERENCE_REPLICATION_P99_MS,
    inInvocationPoll: pacedStates(asl),
    ...measured,
    asl,
    settings: { ...pollCadence(plan) },
    settleMs: settleSecondsOf(plan) * 1000,
    // Producers write until they notice the pointer's fence; the settle runs from their last write only where no
    // clients' notice is declared for it (fenceNoticeSecondsOf: else from the fence, whatever they wrote before).
    lateWritesMs: pointerFence && notice === undefined ? clientNoticeSecondsOf(plan) * 1000 : 0,
    // Even where the settle counts from the fence, a producer writes until it notices the fence (the declared notice),
    // and the drain waits for that last record on the target.
    lastWriteMs: pointerFence ? (notice ?? clientNoticeSecondsOf(plan)) * 1000 : 0,
    // The drain's request declares this notice whatever the fence (check-drain/task.ts): shorter than the settle, the
    // one invocation's drain ends at its caught-up look.
    ...(notice !== undefined ? { fenceNoticeMs: notice * 1000 } : {}),
    clientNoticeMs: clientNoticeSecondsOf(plan) * 1000,
    ...(pointerSetRequestsOf(plan) !== undefined ? { pointerSetRequests: pointerSetRequestsOf(plan) } : {}),
    ...(oneInvocation !== undefined ? { oneInvocationDeclined: oneInvocation } : {}),
    ...(offsetsDeclined !== undefined ? { offsetsDuringDrainDeclined: offsetsDeclined } : {}),
  });
}
