import { defineScenario } from './definition';

export const approvalRejected = defineScenario({
  name: 'approval-rejected',
  fault: 'The listed approver rejects the cutover through the local approval service.',
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.ApprovalRejected',
  inject: () => ({
    approval: (kind) => (kind === 'CUTOVER' ? { outcome: 'REJECT' } : undefined),
  }),
});
