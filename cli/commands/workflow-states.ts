import { STATES, type StateName, type WorkflowPhase } from '../../lambdas/workflow/catalogue';

/**
 * What `msk-migrate status` knows about each state of statemachine/migration.asl.json: the phase it belongs to, what
 * kind of state it is, what the execution waits for while it is there, and which poll loop (if any) it is part of.
 * One row per ASL state; test/unit/cli-workflow-states.test.ts fails when the ASL has a state this table does not know,
 * or a row whose kind differs from the ASL's type.
 */

/** The runbook's phases (the workflow catalogue's), and `Ended` for the terminal states. */
export type Phase = WorkflowPhase | 'Ended';

/** TASK: a Lambda runs; POLL: a Wait state of a loop; CHOICE/PASS: instantaneous; APPROVAL: a person decides; END: terminal. */
export type StateKind = 'TASK' | 'POLL' | 'CHOICE' | 'PASS' | 'APPROVAL' | 'END';

/** The poll loops whose last figures `status` shows (from the ResultPath the loop's task writes). */
export type PollLoop =
  'TARGET' | 'REPLICATOR' | 'CATCH_UP' | 'DRAIN' | 'CONSUMER_GROUPS' | 'WINDOW' | 'FAILBACK' | 'FAILBACK_DRAIN';

export type ApprovalKind = 'CUTOVER' | 'FINALIZE' | 'FAILBACK';

export interface StateGuide {
  readonly phase: Phase;
  readonly kind: StateKind;
  /** While the execution is in this state, it waits for … (a sentence fragment). */
  readonly waitsFor: string;
  readonly loop?: PollLoop;
  /** APPROVAL states: the kind the RequestApproval payload carries. */
  readonly approval?: ApprovalKind;
  /** END states: the outcome, as the report names it. */
  readonly outcome?:
    | 'SUCCEEDED'
    | 'ROLLED_BACK'
    | 'FAILED'
    | 'FAILED_BACK'
    | 'NEEDS_ATTENTION'
    | 'ROLLBACK_FAILED'
    | 'INPUT_INVALID'
    | 'LOCKED';
  /** A rollback or failback branch (not the forward path). */
  readonly branch?: 'ROLLBACK' | 'FAILBACK';
}

/** A Task state: its phase is the workflow catalogue's. */
const task = (state: StateName, waitsFor: string, extra: Partial<StateGuide> = {}): StateGuide => ({
  phase: STATES[state].phase,
  kind: 'TASK',
  waitsFor,
  ...extra,
});
const poll = (phase: Phase, waitsFor: string, loop: PollLoop, extra: Partial<StateGuide> = {}): StateGuide => ({
  phase,
  kind: 'POLL',
  waitsFor,
  loop,
  ...extra,
});
const choice = (phase: Phase, loop?: PollLoop, extra: Partial<StateGuide> = {}): StateGuide => ({
  phase,
  kind: 'CHOICE',
  waitsFor: 'nothing: a decision on the last result, instantaneous',
  ...(loop ? { loop } : {}),
  ...extra,
});
const end = (outcome: NonNullable<StateGuide['outcome']>, waitsFor: string): StateGuide => ({
  phase: 'Ended',
  kind: 'END',
  waitsFor,
  outcome,
});

export const STATE_GUIDE: Readonly<Record<string, StateGuide>> = {
  ValidateInput: task('ValidateInput', 'the input to be checked against the contract (seconds)'),
  InputRejected: end(
    'INPUT_INVALID',
    'nothing: the input was invalid, nothing was read or created; fix the named fields and start again',
  ),
  AcquireLock: task('AcquireLock', 'the locks on the source cluster, target and pointer (one migration per cluster)'),
  MigrationLocked: end(
    'LOCKED',
    'nothing: another execution holds the source cluster, target or pointer (the cause names it); nothing was created',
  ),
  Inventory: task('Inventory', 'the source inventory (control plane, topics, groups, ACLs, throughput)'),
  Assess: task('Assess', 'the assessment against the target profile'),
  ProvisionTarget: task('ProvisionTarget', 'the target cluster to be created or described'),
  'TargetReady?': choice('Provision target', 'TARGET'),
  WaitForTarget: poll(
    'Provision target',
    'the next look at the target cluster (creation takes tens of minutes)',
    'TARGET',
  ),
  CheckTargetStatus: task('CheckTargetStatus', 'the target cluster to be described', { loop: 'TARGET' }),
  StartReplication: task('StartReplication', 'the replicator to be created (MSK Replicator or MirrorMaker 2)'),
  'ReplicatorRunning?': choice('Start replication', 'REPLICATOR'),
  WaitForReplicator: poll(
    'Start replication',
    'the next look at the replicator (MSK Replicator creation takes about 30 minutes)',
    'REPLICATOR',
  ),
  CheckReplicationStatus: task('CheckReplicationStatus', 'the replicator to be described', { loop: 'REPLICATOR' }),
  WaitForCatchUp: poll(
    'Catch-up',
    'the next catch-up evaluation (lag alarms, canary round trip, per-partition progress)',
    'CATCH_UP',
  ),
  EvaluateCatchUp: task('EvaluateCatchUp', 'this catch-up evaluation', { loop: 'CATCH_UP' }),
  'CaughtUp?': choice('Catch-up', 'CATCH_UP'),
  ValidateTarget: task(
    'ValidateTarget',
    'the target validation (parity, record continuity by content, translated group offsets)',
  ),
  CutoverApproval: {
    phase: STATES.CutoverApproval.phase,
    kind: 'APPROVAL',
    waitsFor: "an approver's decision on the cutover",
    approval: 'CUTOVER',
  },
  WarmFenceProducers: task('WarmFenceProducers', 'the FenceProducers function to start (before the fence)'),
  WarmCheckDrain: task('WarmCheckDrain', 'the CheckDrain function to start (before the fence)'),
  WarmCommitConsumerOffsets: task(
    'WarmCommitConsumerOffsets',
    'the CommitConsumerOffsets function to start (before the fence)',
  ),
  WarmSwitchToTarget: task('WarmSwitchToTarget', 'the SwitchToTarget function to start (before the fence)'),
  WarmCutover: task('WarmCutover', 'the Cutover function to start (before the fence)'),
  TranslateOffsetsBeforeFence: task(
    'TranslateOffsetsBeforeFence',
    "the consumer groups' offsets to be translated before the fence",
  ),
  Cutover: task(
    'Cutover',
    'the fence, the drain, the consumer offsets and the switch, in one invocation (the producers hold meanwhile)',
  ),
  'CutoverReached?': choice('Cutover'),
  FenceProducers: task('FenceProducers', 'the producers to be fenced (their pointer set to hold writes)'),
  WaitForDrain: poll(
    'Cutover',
    'the next drain check (source end offsets stable, last records on the target)',
    'DRAIN',
  ),
  CheckDrain: task('CheckDrain', 'this drain check', { loop: 'DRAIN' }),
  'Drained?': choice('Cutover', 'DRAIN'),
  CommitConsumerOffsets: task(
    'CommitConsumerOffsets',
    'consumer offsets to be translated by content and committed on the target',
    {
      loop: 'CONSUMER_GROUPS',
    },
  ),
  'OffsetsCommitted?': choice('Cutover', 'CONSUMER_GROUPS'),
  WaitForConsumerGroups: poll('Cutover', 'consumers of the source to commit and leave their groups', 'CONSUMER_GROUPS'),
  SwitchToTarget: task('SwitchToTarget', 'the pointers to be switched to the target (the rollback window opens)'),
  WaitInRollbackWindow: poll('Rollback window', 'the next target health check of the rollback window', 'WINDOW'),
  CheckTargetHealth: task('CheckTargetHealth', 'this target health check', { loop: 'WINDOW' }),
  'WindowClosed?': choice('Rollback window', 'WINDOW'),
  PointOfNoReturn: {
    phase: 'Rollback window',
    kind: 'PASS',
    waitsFor: 'nothing: the window has closed, the point of no return is recorded',
  },
  'MoreWaves?': choice('Rollback window'),
  NextWave: {
    phase: 'Rollback window',
    kind: 'PASS',
    waitsFor: "nothing: the wave's window has closed, the next wave becomes current (its cutover approval follows)",
  },
  FinalizeApproval: {
    phase: STATES.FinalizeApproval.phase,
    kind: 'APPROVAL',
    waitsFor: "an approver's decision to finalize (stop the forward replication, keep the target)",
    approval: 'FINALIZE',
  },
  Finalize: task(
    'Finalize',
    'the forward replicator, its alarms and the canary topic to be removed (the target is kept)',
  ),
  ReportSuccess: task('ReportSuccess', 'the report to be written'),
  MigrationSucceeded: end('SUCCEEDED', 'nothing: the migration succeeded'),
  FailbackDecision: {
    phase: STATES.FailbackDecision.phase,
    kind: 'APPROVAL',
    waitsFor: "an approver's decision: fail back to the source (approve) or stay on the target (reject)",
    approval: 'FAILBACK',
    branch: 'FAILBACK',
  },
  StartFailback: task('StartFailback', 'the reverse replication (target → source) to be started', {
    branch: 'FAILBACK',
  }),
  WaitForFailback: poll('Failback', 'the next check of the reverse replication', 'FAILBACK', { branch: 'FAILBACK' }),
  CheckFailback: task('CheckFailback', 'this check of the reverse replication', {
    loop: 'FAILBACK',
    branch: 'FAILBACK',
  }),
  'FailbackCaughtUp?': choice('Failback', 'FAILBACK', { branch: 'FAILBACK' }),
  FenceForFailback: task('FenceForFailback', "the target's producers to be fenced for the way back", {
    branch: 'FAILBACK',
  }),
  'FenceEarlierWave?': choice('Failback', undefined, { branch: 'FAILBACK' }),
  PreviousWaveToFence: {
    phase: 'Failback',
    kind: 'PASS',
    waitsFor: 'nothing: the previous wave becomes current, for its failback fence',
    branch: 'FAILBACK',
  },
  WaitForFailbackDrain: poll(
    'Failback',
    'the next failback drain check (target end offsets stable, every record back on the source)',
    'FAILBACK_DRAIN',
    { branch: 'FAILBACK' },
  ),
  CheckFailbackDrain: task('CheckFailbackDrain', 'this failback drain check', {
    loop: 'FAILBACK_DRAIN',
    branch: 'FAILBACK',
  }),
  'FailbackDrained?': choice('Failback', 'FAILBACK_DRAIN', { branch: 'FAILBACK' }),
  FailbackCutover: task('FailbackCutover', 'offsets committed on the source and the pointers moved back to it', {
    branch: 'FAILBACK',
  }),
  'ReturnNextWave?': choice('Failback', undefined, { branch: 'FAILBACK' }),
  NextWaveToReturn: {
    phase: 'Failback',
    kind: 'PASS',
    waitsFor: 'nothing: the next wave becomes current, for its return to the source',
    branch: 'FAILBACK',
  },
  StopFailback: task('StopFailback', 'the reverse replication to be removed', { branch: 'FAILBACK' }),
  ReleaseFailbackFence: task(
    'ReleaseFailbackFence',
    "the failback fence to be lifted, so the target's producers write again",
    {
      branch: 'FAILBACK',
    },
  ),
  'ReleaseNextWave?': choice('Failback', undefined, { branch: 'FAILBACK' }),
  NextWaveToRelease: {
    phase: 'Failback',
    kind: 'PASS',
    waitsFor: 'nothing: the next wave becomes current, for the release of its failback fence',
    branch: 'FAILBACK',
  },
  ReportFailedBack: task('ReportFailedBack', 'the failback report to be written', { branch: 'FAILBACK' }),
  MigrationFailedBack: end('FAILED_BACK', 'nothing: the migration was failed back to the source; read the report'),
  ReportNeedsAttention: task(
    'ReportNeedsAttention',
    'the report to be written (after the point of no return nothing is switched back automatically)',
  ),
  MigrationNeedsAttention: end(
    'NEEDS_ATTENTION',
    'nothing: the migration stopped after the point of no return and needs a person; clients stay on the target; read the report',
  ),
  RollbackCutover: task('RollbackCutover', 'the pointers to be put back to their values before the cutover', {
    branch: 'ROLLBACK',
  }),
  RollbackReplication: task(
    'RollbackReplication',
    'the replicator, alarms and canary topic this execution created to be removed',
    { branch: 'ROLLBACK' },
  ),
  'ReplicationFeedsConsumers?': choice('Rollback', undefined, { branch: 'ROLLBACK' }),
  'EarlierWavesOnTarget?': choice('Rollback', undefined, { branch: 'ROLLBACK' }),
  RollbackTarget: task('RollbackTarget', 'the target cluster to be deleted if this execution created it', {
    branch: 'ROLLBACK',
  }),
  ReportRollback: task('ReportRollback', 'the rollback report to be written', { branch: 'ROLLBACK' }),
  MigrationRolledBack: end(
    'ROLLED_BACK',
    'nothing: the migration was rolled back, clients stay on the source; read the report and the error',
  ),
  ReportFailure: task('ReportFailure', 'the failure report to be written (nothing was created)'),
  MigrationFailed: end('FAILED', 'nothing: the migration failed before anything was created; read the error'),
  ReportRollbackFailure: task('ReportRollbackFailure', 'the report of the failed rollback to be written', {
    branch: 'ROLLBACK',
  }),
  MigrationRollbackFailed: end(
    'ROLLBACK_FAILED',
    'nothing: a rollback step failed; finish it by hand from the report (every resource carries the execution tags)',
  ),
};

/** The ASL Type each kind stands for (an APPROVAL is a Task with a `.waitForTaskToken` resource). */
export const ASL_TYPE_OF_KIND: Record<StateKind, readonly string[]> = {
  TASK: ['Task'],
  APPROVAL: ['Task'],
  POLL: ['Wait'],
  CHOICE: ['Choice'],
  PASS: ['Pass'],
  END: ['Succeed', 'Fail'],
};

/** A state the table does not know (a newer ASL than this CLI): still shown, phase unknown. */
export function guideFor(stateName: string): StateGuide | undefined {
  return Object.prototype.hasOwnProperty.call(STATE_GUIDE, stateName) ? STATE_GUIDE[stateName] : undefined;
}

/** What happens after a decision on each approval kind (the ASL's Next on approve, its Catch on reject or timeout). */
export const DECISION_EFFECT: Readonly<
  Record<
    ApprovalKind,
    {
      readonly state: string;
      readonly onApprove: string;
      readonly onReject: string;
      readonly approveMeans: string;
      readonly rejectMeans: string;
    }
  >
> = {
  CUTOVER: {
    state: 'CutoverApproval',
    onApprove: 'WarmFenceProducers',
    onReject: 'ReplicationFeedsConsumers?',
    approveMeans:
      'the cutover starts: producers are fenced, the source drains, consumers and producers move to the target',
    rejectMeans: 'nothing is switched; the rollback branch removes the replication this execution created',
  },
  FINALIZE: {
    state: 'FinalizeApproval',
    onApprove: 'Finalize',
    onReject: 'FailbackDecision',
    approveMeans: 'the forward replication is stopped and removed; clients stay on the target',
    rejectMeans: 'a failback decision is asked for (nothing is switched back automatically)',
  },
  FAILBACK: {
    state: 'FailbackDecision',
    onApprove: 'StartFailback',
    onReject: 'ReportNeedsAttention',
    approveMeans: 'the failback starts: reverse replication target → source, then the pointers back to the source',
    rejectMeans: 'clients stay on the target; the execution ends as NEEDS_ATTENTION with its report',
  },
};
