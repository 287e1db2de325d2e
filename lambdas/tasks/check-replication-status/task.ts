import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import { ReplicationFailedError } from '../../core/errors';
import { runCheckReplicationStatus as checkReplicationPhase } from '../../core/replication/phases';
import type { Replicator } from '../../ports/replicator';
import { ExecutionStateSchema, ReplicationPhaseSchema } from '../shared/execution-state';
import { minutesBetween } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * CheckReplicationStatus: one Describe of the WaitForReplicator loop. RUNNING → `running`; FAILED, gone, or still
 * not running past the deadline (counted from StartReplication's `startedAt`) → Migration.ReplicationFailed, which
 * rolls back what this execution created.
 */

/** MSK Replicator creation takes about 30 minutes. Overridable by `$.settings.replicationStartTimeoutMinutes`. */
const DEFAULT_START_TIMEOUT_MINUTES = 120;

export const Input = lazySchema(() =>
  z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) }),
);
export type Input = z.infer<typeof Input>;

export const Output = ReplicationPhaseSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
  readonly replicator: Replicator;
  readonly now: () => Date;
}

export async function runCheckReplicationStatus(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  await assertNotAborted(state.execution.id, deps.aborts);
  const replication = state.replication;
  if (replication.running) return replication;
  const checked = Output.parse(await checkReplicationPhase(replication, deps.replicator));
  if (checked.running) return checked;
  const limit = state.settings?.replicationStartTimeoutMinutes ?? DEFAULT_START_TIMEOUT_MINUTES;
  const waited = minutesBetween(replication.startedAt, deps.now());
  if (waited > limit) {
    throw new ReplicationFailedError(
      `Replicator ${replication.handle.name} is still ${checked.state} ${Math.round(waited)} minutes after StartReplication (limit ${limit} minutes). Check its state and logs, the service execution role and the security groups; the rollback deletes it.`,
      {
        replicator: replication.handle.id,
        state: checked.state,
        waitedMinutes: Math.round(waited),
        limitMinutes: limit,
      },
    );
  }
  return checked;
}

/** CheckReplicationStatus as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CheckReplicationStatus',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    replicator: 'replicator',
    now: 'clock',
  },
  run: runCheckReplicationStatus,
});
