import * as z from 'zod';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { Replicator } from '../../ports/replicator';
import { ExecutionStateSchema, ReplicationTeardownStateSchema } from '../shared/execution-state';
import { undoReplication } from '../shared/replication-undo';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * RollbackReplication: deletes the replicator, its alarms and the canary topic, only what this execution created
 * (ownership tags and execution-derived names), idempotent. A state where StartReplication never ran has nothing to
 * undo and says so. Never touches source data.
 */

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = ReplicationTeardownStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The engine the plan names; absent: the replicator is not looked at. */
  readonly replicator?: Replicator;
  readonly lagSignals?: LagSignals;
  /** Where the canary topic lives (and its copy on the target). */
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly now: () => Date;
}

export async function runRollbackReplication(input: Input, deps: Deps): Promise<Output> {
  return Output.parse(await undoReplication(input.state, deps));
}

/** Whether StartReplication may have run: it did, or the target was ready for it. */
const replicationMayExist = (input: Input): boolean =>
  Boolean(input.state.replication) || input.state.target?.ready === true;

/** RollbackReplication as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'RollbackReplication',
  Input,
  Output,
  // StartReplication runs only once the target is ready: before that there is nothing to look at or connect to.
  needs: {
    replicator: { oneOf: ['replicator'], pick: (input) => (replicationMayExist(input) ? 'replicator' : undefined) },
    lagSignals: { oneOf: ['lagSignals'], pick: (input) => (replicationMayExist(input) ? 'lagSignals' : undefined) },
    source: { oneOf: ['source'], pick: (input) => (replicationMayExist(input) ? 'source' : undefined) },
    target: { oneOf: ['target'], pick: (input) => (replicationMayExist(input) ? 'target' : undefined) },
    now: 'clock',
  },
  run: runRollbackReplication,
});
