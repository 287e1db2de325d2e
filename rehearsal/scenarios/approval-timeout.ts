import { defineScenario } from './definition';

export const approvalTimeout = defineScenario({
  name: 'approval-timeout',
  fault: 'Nobody decides; approval.timeoutMinutes is 1, the approval service expires it and fails the task.',
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.ApprovalRejected',
  plan: (plan) => ({ ...plan, approval: { ...plan.approval, timeoutMinutes: 1 } }),
  inject: () => ({
    approval: (kind) =>
      kind === 'CUTOVER' ? { outcome: 'NONE', note: 'nobody decides: the approval expires in 1 minute' } : undefined,
  }),
});
