import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import { digestEnds, loadEndOffsets, readEndOffsets, type PartitionEnd } from '../../core/cutover/model';
import { unionOfFenceSnapshots, waveFailbackFences } from '../shared/failback-waves';
import { CutoverFailedError, InputInvalidError } from '../../core/errors';
import { settleSecondsOf } from '../../core/plan/migration-plan';
import type { FailbackDeps } from '../../core/failback/failback';
import { FailbackStateSchema } from '../../core/failback/state';
import { runCheckFailback as checkFailbackPhase } from '../../core/failback/tasks';
import { FailbackFenceSchema } from '../../core/failback/fence';
import { ExecutionStateSchema } from '../shared/execution-state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * CheckFailback (WaitForFailback ⇄ CheckFailback, the Choice reads `$.failback.caughtUp`) and CheckFailbackDrain
 * (`phase: DRAIN`, after FenceForFailback; the Choice reads `$.failback.drained`).
 *
 * Both run the failback core's check by content. DRAIN adds the single-writer condition of the way back: drained =
 * caught up, AND the check ran after the failback fence, AND the target's end offsets have not moved since the previous
 * drain poll (the fence's snapshot on the first) for cutover.fenceSettleSeconds — a producer that had not yet seen
 * the fence may still write, and those records must flow back too before the pointer moves. Past
 * cutover.drainTimeoutMinutes after the fence: Migration.CutoverFailed (the producers on the target still hold).
 */

export const FailbackDrainSchema = lazySchema(() =>
  z.object({
    checkedAt: z.string(),
    /** Digest of the target's end offsets at this poll (core/cutover/model digestEnds). */
    targetDigest: z.string(),
    /** Since when they have been what they are now. */
    stableSince: z.string(),
    /** Records written to the target after the failback fence (late producers), over all partitions. */
    recordsAfterFence: z.string(),
    polls: z.number().int().positive(),
  }),
);

export const Input = lazySchema(() =>
  z.object({
    state: ExecutionStateSchema.extend({
      failback: FailbackStateSchema.extend({ drain: FailbackDrainSchema.optional() }),
      failbackFence: FailbackFenceSchema.optional(),
    }),
    phase: z.enum(['CATCH_UP', 'DRAIN']).optional(),
  }),
);
export type Input = z.infer<typeof Input>;

export const Output = lazySchema(() =>
  FailbackStateSchema.extend({
    /** DRAIN only. */
    drained: z.boolean().optional(),
    drain: FailbackDrainSchema.optional(),
  }),
);
export type Output = z.infer<typeof Output>;

export type Deps = FailbackDeps & {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
};

export async function runCheckFailback(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const { drain: previous, ...failback } = state.failback;
  const checked = await checkFailbackPhase(failback, deps);
  if (input.phase !== 'DRAIN') return Output.parse(checked);

  const fence = await drainBaseline(state, deps);
  const ends = await readEndOffsets(deps.target, [...new Set(fence.ends.map((e) => e.topic))]);
  const now = deps.now();
  const at = now.toISOString();
  const digest = digestEnds(ends);
  const reference = previous?.targetDigest ?? fence.digest;
  const stableSince = digest === reference ? (previous?.stableSince ?? fence.fencedAt) : at;
  const settled = now.getTime() - Date.parse(stableSince) >= settleSecondsOf(state.input) * 1000;
  const checkedAfterFence =
    checked.lastCheck !== undefined && Date.parse(checked.lastCheck.at) > Date.parse(fence.fencedAt);
  const drained = checked.caughtUp && checkedAfterFence && digest === reference && settled;
  const drain = {
    checkedAt: at,
    targetDigest: digest,
    stableSince,
    recordsAfterFence: (ends.reduce((n, e) => n + BigInt(e.high), 0n) - fence.totalEnd).toString(),
    polls: (previous?.polls ?? 0) + 1,
  };
  const timeoutMinutes = state.input.cutover.drainTimeoutMinutes;
  if (!drained && now.getTime() - Date.parse(fence.fencedAt) >= timeoutMinutes * 60_000) {
    throw new CutoverFailedError(
      `The failback did not drain within ${timeoutMinutes} minutes of the failback fence: ${checked.lastCheck?.reasons.slice(0, 2).join(' ') || (digest === reference ? 'the target settled too recently.' : "the target's end offsets still move.")} ` +
        `Producers on the target still hold (${fence.held}): put back ${fence.release} to resume on the target, or check the reverse replication and retry.`,
      { evidenceKey: checked.lastCheck?.evidenceKey, recordsAfterFence: drain.recordsAfterFence },
    );
  }
  return Output.parse({ ...checked, drained, drain });
}

/**
 * What the failback drain compares against: the target's end offsets at the failback fence, and when it was taken.
 * A plan in waves: every wave's failback fence (each wave's pointer fenced in its own FenceForFailback, their
 * snapshots at different instants), their partitions together, fenced at the last fence; the first poll then finds
 * the ends of the waves fenced earlier moved and starts the settle from there.
 */
async function drainBaseline(
  state: Input['state'],
  deps: Deps,
): Promise<{
  ends: PartitionEnd[];
  digest: string;
  fencedAt: string;
  totalEnd: bigint;
  held: string;
  release: string;
}> {
  if (!state.waves) {
    const fence = state.failbackFence;
    if (!fence) throw new InputInvalidError('CheckFailbackDrain needs $.failbackFence: FenceForFailback has not run.');
    const ends = await loadEndOffsets(deps.artifacts, fence.targetEndsAtFence.key);
    if (!ends)
      throw new InputInvalidError(
        `The target's end offsets at the failback fence (${fence.targetEndsAtFence.key}) are missing.`,
      );
    return {
      ends,
      digest: fence.targetEndsAtFence.digest,
      fencedAt: fence.fencedAt,
      totalEnd: BigInt(fence.targetEndsAtFence.totalEnd),
      held: `${fence.pointer} = "${fence.fenceValue}"`,
      release: `"${fence.previous}"`,
    };
  }
  const fences = await waveFailbackFences(state.input, state.identity, deps.artifacts);
  if (fences.length === 0)
    throw new InputInvalidError(
      'CheckFailbackDrain found no failback fence of any wave (cutover/waves/<name>/journal/failback-fence.json): FenceForFailback has not run.',
    );
  const union = await unionOfFenceSnapshots(fences, deps.artifacts);
  return {
    ...union,
    digest: digestEnds(union.ends),
    held: fences.map((f) => `${f.fence.pointer} = "${f.fence.fenceValue}"`).join(', '),
    release: fences.map((f) => `"${f.fence.previous}" on ${f.fence.pointer}`).join(', '),
  };
}

/** CheckFailback as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CheckFailback',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    replicator: 'replicator',
    artifacts: 'artifacts',
    source: 'source',
    target: 'target',
    now: 'clock',
  },
  run: runCheckFailback,
});
