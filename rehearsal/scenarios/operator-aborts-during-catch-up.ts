import { defineScenario } from './definition';

const REASON = 'Rehearsal: change freeze for the payments release.';

/**
 * The operator runs `msk-migrate abort` while the replicator catches up: the request is recorded where every poll
 * task reads it (the lock table in AWS; the same AbortRequests port here), the next EvaluateCatchUp raises
 * Migration.Aborted before it evaluates anything, and its Catch takes the workflow's own rollback path: the replicator
 * and the canary topic are removed, the report is written, the producers never stopped writing to the source.
 */
export const operatorAbortsDuringCatchUp = defineScenario({
  name: 'operator-aborts-during-catch-up',
  fault:
    'After the first catch-up evaluation the operator asks the execution to abort (msk-migrate abort, recorded where the poll tasks read it): the next EvaluateCatchUp must raise Migration.Aborted naming who asked and why, and its Catch roll back (replicator and canary removed).',
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.Aborted',
  errorMessage: new RegExp(
    `asked to abort execution arn:aws:states:[^ ]+:rehearsal-[^ ]+ at .*${REASON.replace(/[.]/g, '\\.')}`,
  ),
  inject: (ctx) => {
    let evaluations = 0;
    let requestedAt: number | undefined;
    return {
      afterState: async (state) => {
        if (state !== 'EvaluateCatchUp') return;
        evaluations++;
        if (evaluations === 1) {
          requestedAt = Date.now();
          await ctx.requestAbort(REASON);
          ctx.log(`FAULT: the operator asked the execution to abort during catch-up ("${REASON}")`);
        } else ctx.mismatch(`EvaluateCatchUp returned ${evaluations} times: the abort request was not seen`);
      },
      beforeState: (state) => {
        if (state === 'RollbackReplication' && requestedAt !== undefined)
          ctx.figure('abortToRollbackMs', Date.now() - requestedAt);
        if (['ValidateTarget', 'CutoverApproval', 'Cutover', 'FenceProducers'].includes(state))
          ctx.mismatch(`${state} ran after the abort request`);
      },
    };
  },
});
