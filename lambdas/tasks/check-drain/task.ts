import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import {
  DrainLookMemory,
  DrainProgressSchema,
  checkDrain,
  passConsumersFirst,
  type CheckDrainRequest,
  type PartitionTail,
} from '../../core/cutover/check-drain';
import { fenceNoticeSecondsOf, settleSecondsOf } from '../../core/plan/migration-plan';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { PartitionEnd } from '../../core/cutover/model';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { Pacer } from '../../ports/pacer';
import type { ProducerActivity } from '../../ports/producer-activity';
import { lookPaced, soonestGapMs } from '../shared/paced';
import {
  CutoverExecutionStateSchema,
  consumersFirst,
  cutoverScope,
  requireStep,
  type CutoverScope,
} from '../shared/cutover-state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * CheckDrain: one poll of WaitForDrain ⇄ CheckDrain. Drained (`$.cutover.drain.drained`, read by the Choice Drained?)
 * when the source's end offsets have held still for cutover.fenceSettleSeconds since the fence and every partition's
 * last records are on the target, by content. Past cutover.drainTimeoutMinutes after the fence an undrained source is
 * Migration.CutoverFailed (the Catch runs RollbackCutover). Reads only; a retry with the same `$.cutover.drain` gives
 * the same poll number and overwrites the same evidence. A consumers-first wave passes at once: its producers keep
 * writing, and CommitConsumerOffsets proves the consumers' positions are copied.
 */

export const Input = lazySchema(() => z.object({ state: CutoverExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = DrainProgressSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  /** DescribeProducers on the source: names a writer that keeps writing after the fence. */
  readonly producerActivity?: ProducerActivity;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  /** Looks again within this invocation until drained (sub-second), instead of one look per Wait state. */
  readonly pacer?: Pacer;
  /**
   * Told each look's result and the tails its evidence holds (the one-invocation Cutover's offsets beside the drain
   * translate from them, and its check after the drain reads them from here instead of the artifact store).
   */
  readonly onLook?: (progress: Output, tails: readonly PartitionTail[] | undefined) => void;
  /**
   * Takes the drained look's records (its source-ends snapshot and evidence: core checkDrain's deferDrainedRecords),
   * for the one-invocation Cutover to write at once with the offsets' and the switch's journals before the pointer
   * moves. Without it (the step-by-step state: nothing to write them with), the look writes them before it returns.
   */
  readonly deferDrainedRecords?: (write: () => Promise<unknown>) => void;
  /**
   * The looks end at a caught-up look too (`caughtUp`: at or after the clients' notice, nothing written since the look
   * before, every record on the target), before the settle has elapsed, and look again as soon as the pacer allows
   * from the notice until then. Only the one-invocation Cutover, which confirms the drain at the settle's end before
   * the pointer moves (confirmDrain), asks for it; the step-by-step state's looks end drained.
   */
  readonly endWhenCaughtUp?: boolean;
  /** The looks' tails, kept for the caller's confirming look (confirmDrain). @default one for these looks */
  readonly memory?: DrainLookMemory;
  /** The target's ends an earlier attempt's switch recorded (core CheckDrainRequest `targetEndsCap`): a retried Cutover. */
  readonly targetEndsCap?: readonly PartitionEnd[];
}

/** A look due at the settle's end is taken this much after it: a timer may fire a millisecond early by the clock. */
const SETTLE_DUE_MARGIN_MS = 2;
/** The look before the settle's end is timed to end this long before it (the last look's duration ahead of it). */
const PRE_SETTLE_MARGIN_MS = 5;

export async function runCheckDrain(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const { cutover } = state.input;
  const fence = requireStep(state, 'fence', 'FenceProducers');
  const scope = await cutoverScope(state, deps.artifacts);
  // A consumers-first wave drains nothing: its producers keep writing to the source (core/cutover/check-drain.ts).
  if (consumersFirst(state))
    return Output.parse(
      await passConsumersFirst({ ...scope, fence, drainTimeoutSeconds: cutover.drainTimeoutMinutes * 60 }, deps),
    );
  const settleSeconds = settleSecondsOf(state.input);
  const noticeSeconds = fenceNoticeSecondsOf(state.input);
  // The looks of this invocation pass their tails on in memory: a look whose partitions have not moved reads no records.
  const memory = deps.memory ?? new DrainLookMemory();
  const endWhenCaughtUp = deps.endWhenCaughtUp === true && noticeSeconds !== undefined;
  const progress = await lookPaced<Output>({
    pacer: deps.pacer,
    now: deps.now,
    done: (p) => p.drained || (endWhenCaughtUp && p.caughtUp === true),
    dueAt: (p) => {
      if (p.sourceStable) return undefined;
      if (noticeSeconds !== undefined) {
        // The settle counts from the fence: one look once every client must have held (a move after it is refused),
        // and the look that can pass when the settle elapses.
        const fencedAt = Date.parse(p.fencedAt);
        const checkedAt = Date.parse(p.checkedAt);
        const noticeAt = fencedAt + Math.min(noticeSeconds, settleSeconds) * 1000;
        // Ending at the caught-up look: from the notice on, each look follows the last as soon as the pacer allows
        // (a fifth of its interval), so that the drain ends a look after the last record reached the target.
        if (endWhenCaughtUp && checkedAt >= noticeAt) return checkedAt;
        const settledAt = fencedAt + settleSeconds * 1000;
        // The look at the settle's end passes only if the source has not moved since the look before it. When that
        // look came before the late writes (the producers that had not read the fence yet), the one at the settle's
        // end sees them and the drain passes a look later. So one more look is timed to end just before the settle
        // does, while there is room for it: the look at the settle's end then compares with the source after them.
        const now = deps.now().getTime();
        const lookMs = Math.max(0, now - checkedAt);
        const beforeSettle =
          settledAt + SETTLE_DUE_MARGIN_MS - Math.max(lookMs + PRE_SETTLE_MARGIN_MS, soonestGapMs(deps.pacer));
        const due = [
          ...(beforeSettle > now ? [beforeSettle] : []),
          ...(checkedAt < noticeAt ? [noticeAt + SETTLE_DUE_MARGIN_MS] : []),
          ...(checkedAt < settledAt ? [settledAt + SETTLE_DUE_MARGIN_MS] : []),
        ];
        return due.length > 0 ? Math.min(...due) : checkedAt;
      }
      // The source moved in this look (a producer had not seen the fence yet): look again soon, so that the settle
      // restarts from close to the last write, not from a look up to one pacer interval after it.
      if (p.sourceStableSince === p.checkedAt && p.sourceStableSince !== p.fencedAt) return Date.parse(p.checkedAt);
      // The look that sees the settle elapsed is taken when it elapses, not up to one pacer interval later.
      return Date.parse(p.sourceStableSince) + settleSeconds * 1000 + SETTLE_DUE_MARGIN_MS;
    },
    look: async (last) => {
      const previous = last ?? state.cutover?.drain;
      const progress = await checkDrain(
        drainRequest(state, scope, previous, deps.targetEndsCap),
        deps,
        memory,
        deps.deferDrainedRecords,
      );
      deps.onLook?.(progress, memory.recall(progress)?.tails);
      return progress;
    },
  });
  return Output.parse(progress);
}

/** The core's request for one look: the scope, the fence, the previous look and the plan's settle and notice. */
function drainRequest(
  state: Input['state'],
  scope: CutoverScope,
  previous: Output | undefined,
  targetEndsCap: readonly PartitionEnd[] | undefined,
): CheckDrainRequest {
  const noticeSeconds = fenceNoticeSecondsOf(state.input);
  return {
    ...scope,
    ...(targetEndsCap ? { targetEndsCap: [...targetEndsCap] } : {}),
    fence: requireStep(state, 'fence', 'FenceProducers'),
    ...(previous ? { previous } : {}),
    drainTimeoutSeconds: state.input.cutover.drainTimeoutMinutes * 60,
    settleSeconds: settleSecondsOf(state.input),
    ...(noticeSeconds !== undefined ? { noticeSeconds } : {}),
  };
}

/** When a look at the settle's end may pass, epoch ms: the fence's time plus the settle, and the timer's margin. */
export function settleEndsAt(state: Input['state'], caughtUp: Pick<Output, 'fencedAt'>): number {
  return Date.parse(caughtUp.fencedAt) + settleSecondsOf(state.input) * 1000 + SETTLE_DUE_MARGIN_MS;
}

/**
 * The one-invocation Cutover's look at the settle's end after its drain ended caught up (runCheckDrain's
 * `endWhenCaughtUp`): one look with the caught-up look as the previous one and its tails in `memory`, so that a
 * partition whose ends on both clusters are unchanged keeps that look's comparison and only the ends are read. It
 * passes (drained) only if the source has not moved since; a move is a writer no fence covers (Migration.CutoverFailed,
 * as for any look after the notice). No abort check and no scope read: the invocation made both before the settle's
 * end. Its records go to `deferDrainedRecords` when drained (the Cutover writes them beside the pointer set).
 */
export async function confirmDrain(
  args: { readonly state: Input['state']; readonly scope: CutoverScope; readonly caughtUp: Output },
  deps: Pick<
    Deps,
    'source' | 'target' | 'producerActivity' | 'artifacts' | 'now' | 'deferDrainedRecords' | 'targetEndsCap'
  > & {
    readonly memory: DrainLookMemory;
  },
): Promise<Output> {
  const request = drainRequest(args.state, args.scope, args.caughtUp, deps.targetEndsCap);
  return Output.parse(await checkDrain(request, deps, deps.memory, deps.deferDrainedRecords));
}

/** CheckDrain as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CheckDrain',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    source: 'source',
    target: 'target',
    producerActivity: 'producerActivity',
    artifacts: 'artifacts',
    now: 'clock',
    pacer: 'pacer',
  },
  run: runCheckDrain,
});
