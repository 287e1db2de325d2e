/**
 * The rehearsal's scenarios: the fault each one injects, and the state the workflow must end in. A run "matches" when
 * the execution ended in the defined final state with the defined outcome and nothing was lost.
 */

export const SCENARIOS = [
  'happy-path',
  'replicator-crash',
  'lag-never-converges',
  'target-down-at-validation',
  'approval-timeout',
  'approval-rejected',
  'failure-in-rollback-window',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioDefinition {
  readonly name: ScenarioName;
  /** What is done to the rehearsal, and when. */
  readonly fault: string;
  /** The terminal ASL state the execution must reach. */
  readonly finalState: string;
  readonly outcome: 'SUCCEEDED' | 'ROLLED_BACK' | 'FAILED';
  /** The error the Catch must have seen (`$.error.Error`), when the scenario is a failure. */
  readonly error?: string;
}

export const SCENARIO_DEFINITIONS: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  'happy-path': {
    name: 'happy-path',
    fault: 'none',
    finalState: 'MigrationSucceeded',
    outcome: 'SUCCEEDED',
  },
  'replicator-crash': {
    name: 'replicator-crash',
    fault:
      'MirrorMaker 2 is killed (SIGKILL, by PID) after the first healthy catch-up evaluation; the gate must not pass while it is down. After two unhealthy evaluations it is restarted (as MSK Connect restarts a failed worker) and resumes from the offsets Connect stored; the gate has to count its healthy evaluations again from zero.',
    finalState: 'MigrationSucceeded',
    outcome: 'SUCCEEDED',
  },
  'lag-never-converges': {
    name: 'lag-never-converges',
    fault:
      'MirrorMaker 2 is paused (SIGSTOP, by PID) when catch-up starts, so the lag grows and the canary never arrives until gates.catchUpTimeoutMinutes (1) pass: Migration.LagTimeout rolls back. It is resumed (SIGCONT) when RollbackReplication starts, so that it can be stopped.',
    finalState: 'MigrationRolledBack',
    outcome: 'ROLLED_BACK',
    error: 'Migration.LagTimeout',
  },
  'target-down-at-validation': {
    name: 'target-down-at-validation',
    fault:
      "The target broker is frozen (SIGSTOP, by PID) when ValidateTarget starts: every client call to it times out. It comes back (SIGCONT) when RollbackReplication starts, as an outage ends, so that the rollback can remove the canary topic's copy.",
    finalState: 'MigrationRolledBack',
    outcome: 'ROLLED_BACK',
  },
  'approval-timeout': {
    name: 'approval-timeout',
    fault: 'Nobody decides; approval.timeoutMinutes is 1, the approval service expires it and fails the task.',
    finalState: 'MigrationRolledBack',
    outcome: 'ROLLED_BACK',
    error: 'Migration.ApprovalRejected',
  },
  'approval-rejected': {
    name: 'approval-rejected',
    fault: 'The listed approver rejects the cutover through the local approval service.',
    finalState: 'MigrationRolledBack',
    outcome: 'ROLLED_BACK',
    error: 'Migration.ApprovalRejected',
  },
  'failure-in-rollback-window': {
    name: 'failure-in-rollback-window',
    fault:
      "After the switch, the target's health alarm (a local stand-in for the CloudWatch alarm the window watches) goes to ALARM after the first healthy check: Migration.TargetUnhealthy runs RollbackCutover, the pointer goes back to the source and the target's writes since the switch are reported.",
    finalState: 'MigrationRolledBack',
    outcome: 'ROLLED_BACK',
    error: 'Migration.TargetUnhealthy',
  },
};

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}
