/** Which phase of the runbook a state belongs to (the progress lines and the report's timeline). */
const PHASE_OF: Readonly<Record<string, string>> = {
  ValidateInput: 'Validate input',
  Inventory: 'Inventory',
  Assess: 'Assess',
  ProvisionTarget: 'Target',
  'TargetReady?': 'Target',
  WaitForTarget: 'Target',
  CheckTargetStatus: 'Target',
  StartReplication: 'Replication',
  'ReplicatorRunning?': 'Replication',
  WaitForReplicator: 'Replication',
  CheckReplicationStatus: 'Replication',
  WaitForCatchUp: 'Catch-up',
  EvaluateCatchUp: 'Catch-up',
  'CaughtUp?': 'Catch-up',
  ValidateTarget: 'Validation',
  CutoverApproval: 'Cutover approval',
  FenceProducers: 'Cutover',
  WaitForDrain: 'Cutover',
  CheckDrain: 'Cutover',
  'Drained?': 'Cutover',
  CommitConsumerOffsets: 'Cutover',
  'OffsetsCommitted?': 'Cutover',
  WaitForConsumerGroups: 'Cutover',
  SwitchToTarget: 'Cutover',
  WaitInRollbackWindow: 'Rollback window',
  CheckTargetHealth: 'Rollback window',
  'WindowClosed?': 'Rollback window',
  PointOfNoReturn: 'Finalize',
  FinalizeApproval: 'Finalize',
  Finalize: 'Finalize',
  RollbackCutover: 'Rollback',
  RollbackReplication: 'Rollback',
  RollbackTarget: 'Rollback',
};

/** The phase of `state`; the Report* states are 'Report'; `undefined` for a state of no phase (Fail, Succeed, …). */
export function phaseOf(state: string): string | undefined {
  return PHASE_OF[state] ?? (state.startsWith('Report') ? 'Report' : undefined);
}
