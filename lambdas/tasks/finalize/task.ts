import * as z from 'zod';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { Replicator } from '../../ports/replicator';
import {
  ExecutionStateSchema,
  ReplicationPhaseSchema,
  ReplicationTeardownStateSchema,
} from '../shared/execution-state';
import { replicationKeptFor } from '../../core/plan/waves';
import { teardownReplication } from '../../core/replication/teardown';
import { undoReplication } from '../shared/replication-undo';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * Finalize (after FinalizeApproval): stops and deletes the forward replication this execution created, its alarms and
 * the canary topic. Keeps the target and everything on it. Idempotent: a retry finds them gone. A plan in waves whose
 * consumers-first readers depend on the replication for good (`waves[].producersStay`) keeps the replicator.
 */

export const Input = lazySchema(() =>
  z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) }),
);
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
  const { state } = input;
  const feeds = replicationKeptFor(state.input);
  if (feeds.length > 0) return keepReplication(state, feeds, deps);
  const result = await undoReplication(state, deps);
  return Output.parse({ ...result, notes: [...result.notes, 'The target cluster and its data are kept.'] });
}

/**
 * A plan whose consumers-first waves read topics whose producers stay on the source (`waves[].producersStay`): those
 * consumers read on the target what the replication copies, so the replicator and its alarms are kept; only the
 * canary topic goes. The notes tell the operator how to stop the replication once nothing depends on it.
 */
async function keepReplication(state: Input['state'], feeds: readonly string[], deps: Deps): Promise<Output> {
  const identity = { migrationId: state.identity.migrationId, executionName: state.identity.executionName };
  const { handle, canaryTopic } = state.replication;
  const result = await teardownReplication(
    { identity, handle, alarmNames: [], ...(canaryTopic ? { canaryTopic } : {}), keepReplicator: true },
    { replicator: deps.replicator, ...(deps.source ? { source: deps.source } : {}) },
  );
  const notes = [
    `Replicator ${handle.name} kept running: the consumers of wave${feeds.length === 1 ? '' : 's'} ${feeds.join(', ')} read on the target what it copies, and their topics' producers stay on the source (producersStay).`,
    ...(state.replication.alarmNames.length > 0
      ? [`Its alarms are kept too: ${state.replication.alarmNames.join(', ')}.`]
      : []),
    ...(result.canaryTopicDeleted ? [`Canary topic ${canaryTopic ?? ''} deleted from the source.`] : []),
    `Once those producers have moved to the target (or the readers are back on the source), stop it with \`msk-migrate finish-replication ${state.identity.executionName}\`.`,
    'The target cluster and its data are kept.',
  ];
  return Output.parse({
    outcome: 'DONE',
    replicator: 'KEPT',
    replicatorName: handle.name,
    alarmsDeleted: 0,
    canaryTopicDeleted: result.canaryTopicDeleted,
    notes,
    at: deps.now().toISOString(),
  });
}

/** Finalize as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Finalize',
  Input,
  Output,
  needs: { replicator: 'replicator', lagSignals: 'lagSignals', source: 'source', target: 'target', now: 'clock' },
  run: runFinalize,
});
