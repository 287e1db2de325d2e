import { defineScenario } from './definition';

export const lagNeverConverges = defineScenario({
  name: 'lag-never-converges',
  fault:
    'MirrorMaker 2 is paused (SIGSTOP, by PID) when catch-up starts, so the lag grows and the canary never arrives until gates.catchUpTimeoutMinutes (1) pass: Migration.LagTimeout rolls back. It is resumed (SIGCONT) when RollbackReplication starts, so that it can be stopped.',
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.LagTimeout',
  plan: (plan) => ({ ...plan, gates: { ...plan.gates, catchUpTimeoutMinutes: 1 } }),
  inject: (ctx) => ({
    beforeState: (state) => {
      const m = ctx.mirrorMaker();
      if (!m) return;
      if (state === 'EvaluateCatchUp' && !ctx.isFrozen(m.pid())) ctx.freeze(m.pid(), 'MirrorMaker 2');
      if (state === 'RollbackReplication' || state === 'RollbackCutover') ctx.thaw(m.pid(), 'MirrorMaker 2');
    },
  }),
});
