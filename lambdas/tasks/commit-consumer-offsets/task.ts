import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import {
  CommitProgressSchema,
  OffsetsBeforeFenceSchema,
  commitConsumerOffsets,
  translateOffsetsBeforeFence,
} from '../../core/cutover/commit-consumer-offsets';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { Pacer } from '../../ports/pacer';
import { lookPaced } from '../shared/paced';
import { CutoverExecutionStateSchema, cutoverScope, requireStep } from '../shared/cutover-state';
import { defineTask } from '../../workflow/define-task';

/**
 * CommitConsumerOffsets: after the drain, each consumer group in the plan's filter gets, on the target, committed
 * offsets that point at the same records as on the source (translated by content, read back and re-checked).
 * `complete: false` while groups still have members on the source (the Choice OffsetsCommitted? waits and calls again);
 * past the core's group deadline, or for a group already active on the target, Migration.CutoverFailed. Idempotent:
 * once complete, a retry returns the journaled result without committing again.
 *
 * TranslateOffsetsBeforeFence (`mode: BEFORE_FENCE`): the same translation while the clients still run, journaled, no
 * commit; CommitConsumerOffsets reuses what still holds after the drain and translates only the tail
 * (core/cutover/commit-consumer-offsets.ts).
 */

export const Input = z.object({ state: CutoverExecutionStateSchema, mode: z.enum(['BEFORE_FENCE']).optional() });
export type Input = z.infer<typeof Input>;

export const Output = z.union([CommitProgressSchema, OffsetsBeforeFenceSchema]);
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  /** Looks again within this invocation while groups are still leaving the source, instead of a Wait state's poll. */
  readonly pacer?: Pacer;
}

export async function runCommitConsumerOffsets(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const { consumerGroups } = state.input.replication;
  if (input.mode === 'BEFORE_FENCE')
    return Output.parse(
      await translateOffsetsBeforeFence(
        {
          ...(await cutoverScope(state, deps.artifacts)),
          consumerGroups: { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
          lagAllowance: state.input.gates.maxLagRecords,
          ...(state.input.recovery ? { recovery: state.input.recovery } : {}),
        },
        deps,
      ),
    );
  const beforeFence = state.cutover?.offsetsBeforeFence;
  const request = {
    ...(await cutoverScope(state, deps.artifacts)),
    consumerGroups: { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
    fence: requireStep(state, 'fence', 'FenceProducers'),
    drain: requireStep(state, 'drain', 'CheckDrain'),
    ...(state.input.recovery ? { recovery: state.input.recovery } : {}),
    ...(beforeFence ? { beforeFence } : {}),
  };
  const progress = await lookPaced({
    pacer: deps.pacer,
    now: deps.now,
    done: (p) => p.complete,
    look: () => commitConsumerOffsets(request, deps),
  });
  return Output.parse(progress);
}

/** CommitConsumerOffsets as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CommitConsumerOffsets',
  Input,
  Output,
  needs: { aborts: 'aborts', source: 'source', target: 'target', artifacts: 'artifacts', now: 'clock', pacer: 'pacer' },
  run: runCommitConsumerOffsets,
});
