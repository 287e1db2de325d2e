import * as z from 'zod';
import { stopFailback } from '../../core/failback/failback';
import { FailbackStateSchema, FailbackStoppedSchema } from '../../core/failback/state';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { Replicator } from '../../ports/replicator';
import { ExecutionStateSchema } from '../shared/execution-state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * StopFailback (after FailbackCutover): deletes the reverse replicator only when its tags say it is this execution's
 * failback, and for MirrorMaker 2 the reverse flow's internal topics on the source that did not exist before. The
 * forward replicator, the target and all data are left. Idempotent: a retry finds it gone (ALREADY_GONE).
 */

export const Input = lazySchema(() =>
  z.object({ state: ExecutionStateSchema.extend({ failback: FailbackStateSchema }) }),
);
export type Input = z.infer<typeof Input>;

export const Output = FailbackStoppedSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly replicator: Replicator;
  /** MirrorMaker 2: the source, where the reverse flow's internal topics live (absent for MSK Replicator). */
  readonly source?: KafkaDataPlane;
  readonly now: () => Date;
}

export async function runStopFailback(input: Input, deps: Deps): Promise<Output> {
  const { failback } = input.state;
  // The core's stopFailback, not runStopFailback: the source is optional (MSK Replicator leaves nothing there).
  return Output.parse(
    await stopFailback(failback, {
      replicator: deps.replicator,
      now: deps.now,
      ...(deps.source ? { source: deps.source } : {}),
    }),
  );
}

/** StopFailback as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'StopFailback',
  Input,
  Output,
  needs: {
    replicator: 'replicator',
    // MirrorMaker 2 only: MSK Replicator leaves no topics of its own on the source
    source: {
      oneOf: ['source'],
      pick: (input) => (input.state.failback.engine === 'MIRROR_MAKER_2' ? 'source' : undefined),
    },
    now: 'clock',
  },
  run: runStopFailback,
});
