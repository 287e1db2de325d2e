import * as z from 'zod';
import { acquireMigrationLocks } from '../../core/lock/migration-lock';
import type { MigrationLocks } from '../../ports/migration-locks';
import { defineTask } from '../../workflow/define-task';
import { ExecutionStateSchema, LockStateSchema } from '../shared/execution-state';
import { lazySchema } from '../../core/lazy-schema';

/**
 * AcquireLock: right after ValidateInput, before anything is created. Locks the source cluster, the target and the
 * pointer of the plan for this execution (core/lock); another execution holding one of them fails this state with
 * Migration.Locked naming it, and the workflow ends in `MigrationLocked` having created nothing. Idempotent: a retry
 * of this execution finds its own locks.
 *
 * ASL Parameters `{ "state.$": "$" }`, ResultPath `$.lock` (Report and the compensator release what it lists).
 */

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = LockStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly locks: MigrationLocks;
  readonly now: () => Date;
}

export async function runAcquireLock(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const held = await acquireMigrationLocks(
    state.input,
    {
      executionArn: state.execution.id,
      executionName: state.execution.name,
      migrationId: state.input.migrationId,
      acquiredAt: deps.now().toISOString(),
    },
    deps.locks,
  );
  return Output.parse(held);
}

export const task = defineTask({
  function: 'AcquireLock',
  Input,
  Output,
  needs: { locks: 'locks', now: 'clock' },
  run: runAcquireLock,
});
