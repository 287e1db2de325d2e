import { defineScenario } from './definition';

export const targetDownAtValidation = defineScenario({
  name: 'target-down-at-validation',
  fault:
    "The target broker is frozen (SIGSTOP, by PID) when ValidateTarget starts: every client call to it times out. It comes back (SIGCONT) when RollbackReplication starts, as an outage ends, so that the rollback can remove the canary topic's copy.",
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  inject: (ctx) => ({
    beforeState: (state) => {
      const { pid } = ctx.target;
      if (state === 'ValidateTarget' && !ctx.isFrozen(pid)) ctx.freeze(pid, 'target broker');
      if (state === 'RollbackReplication' || state === 'RollbackCutover') ctx.thaw(pid, 'target broker');
    },
  }),
});
