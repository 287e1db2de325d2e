import * as z from 'zod';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { Replicator } from '../../ports/replicator';
import {
  ExecutionStateSchema,
  ReplicationPhaseSchema,
  ReplicationTeardownStateSchema,
} from '../shared/execution-state';
import { undoReplication } from '../shared/replication-undo';
import { defineTask } from '../../workflow/define-task';

/**
 * Finalize (after FinalizeApproval): stops and deletes the forward replication this execution created, its alarms and
 * the canary topic. Keeps the target and everything on it. Idempotent: a retry finds them gone.
 */

export const Input = z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) });
export type Input = z.infer<typeof Input>;

export const Output = ReplicationTeardownStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly replicator: Replicator;
  readonly lagSignals?: LagSignals;
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly now: () => Date;
}

export async function runFinalize(input: Input, deps: Deps): Promise<Output> {
  const result = await undoReplication(input.state, deps);
  return Output.parse({ ...result, notes: [...result.notes, 'The target cluster and its data are kept.'] });
}

/** Finalize as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Finalize',
  Input,
  Output,
  needs: { replicator: 'replicator', lagSignals: 'lagSignals', source: 'source', target: 'target', now: 'clock' },
  run: runFinalize,
});
