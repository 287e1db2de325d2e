import { defineScenario } from './definition';

export const failureInRollbackWindow = defineScenario({
  name: 'failure-in-rollback-window',
  fault:
    "After the switch, the target's health alarm (a local stand-in for the CloudWatch alarm the window watches) goes to ALARM after the first healthy check: Migration.TargetUnhealthy runs RollbackCutover, the pointer goes back to the source and the target's writes since the switch are reported.",
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.TargetUnhealthy',
  // A window of 0 minutes closes at the first healthy check, before the alarm could be seen.
  plan: (plan) => ({
    ...plan,
    cutover: { ...plan.cutover, rollbackWindowMinutes: Math.max(1, plan.cutover.rollbackWindowMinutes) },
  }),
  inject: (ctx) => ({
    afterState: (state, output) => {
      if (state === 'CheckTargetHealth' && output['healthy'] === true) {
        ctx.setTargetAlarm('ALARM');
        ctx.log(`FAULT: target health alarm ${ctx.targetAlarmName} set to ALARM`);
      }
    },
  }),
});
