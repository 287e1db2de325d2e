/**
 * THE WORKFLOW CATALOGUE: every Task state of statemachine/migration.asl.json, declared once.
 *
 * For each Task state: the Lambda function it invokes, the phase of the runbook it belongs to, where its result goes
 * in the execution state (its ASL ResultPath) and the evidence key that result is under. For each function: its task
 * module (`<module>/task.ts` exports `task = defineTask(...)`, `<module>/handler.ts` the Lambda handler), the ports it
 * needs, and the settings of the deployed function (description, timeout, memory, data plane, IAM `may`).
 *
 * Everything else derives from here: the construct's functions and their permissions (lib/migration-orchestrator.ts),
 * the handlers' names, the ports each runtime's composition root builds for a function (lambdas/runtime/aws.ts for
 * Lambda, lambdas/runtime/local.ts for the rehearsal and the workflow tests), the CLI's phases (cli/commands/workflow-states.ts), the evidence `msk-migrate status`
 * shows, the rehearsal's phase timeline and the report's "phases reached". test/unit/workflow-catalogue.test.ts holds
 * it against the ASL both ways (every Task state here, every entry there, the same function and ResultPath).
 *
 * No imports: lib/ reads it at synth without loading any runtime code (see docs/architecture.md, layer rules).
 *
 * Several states share one function: the function's logs and metrics still carry the STATE's name (the ASL passes
 * `"stateName.$": "$$.State.Name"`, lambdas/middleware/observability.ts reads it).
 */

/** The phases of the runbook, in workflow order. `msk-migrate status`, the rehearsal timeline and the report use these. */
export const PHASES = [
  'Validate input',
  'Inventory',
  'Assess',
  'Provision target',
  'Start replication',
  'Catch-up',
  'Validate target',
  'Cutover approval',
  'Cutover',
  'Rollback window',
  'Finalize approval',
  'Finalize',
  'Failback decision',
  'Failback',
  'Rollback',
  'Report',
] as const;
export type WorkflowPhase = (typeof PHASES)[number];

/**
 * The ports a task module may need, by the name the local wirings and the AWS handlers provide them under.
 * - source / target: the Kafka data plane of each cluster (KafkaDataPlane and, for the inventory, its reads)
 * - artifacts: the evidence store (S3 / files); replicator: MSK Replicator, MSK Connect or MirrorMaker 2
 * - pointer: the cutover switch of the plan; provisioner: target cluster creation; msk: MSK's control plane
 * - metrics: throughput metrics (CloudWatch); lagSignals: alarms and datapoints of the lag gates
 * - approvals: the approval store, mailer and callback; locks: the migration locks (DynamoDB / memory); clock: `now()`
 * - aborts: the operator's abort requests (`msk-migrate abort`; the lock table / memory), read by every poll task
 * - targetAcls: the target's ACL reads (validation of the principals' access); healthAlarmNames: the target health
 *   alarms the rollback window watches, where the runtime names them (the rehearsal's local alarms)
 * - producerActivity: DescribeProducers on the source (CheckDrain names a writer that keeps writing after the fence)
 * - clientBehaviour: the source's producers, transactions, sampled record batches and group types (Inventory; the
 *   second Kafka client, which has these requests)
 * - connectors: MSK Connect's connectors of the Region (Inventory: those bound to the source)
 * - schemaRegistries: the schema registries the plan names (Inventory: AWS Glue Schema Registry, Confluent-compatible
 *   REST registries)
 * - connectClusters: the Kafka Connect clusters the plan names, over their REST API (Inventory)
 * - runtime: which runtime serves the execution (AWS / LOCAL): ValidateInput refuses what it has no adapter for
 * - pacer: looks again within one invocation, sub-second (the drain and the offset commit hold producers)
 * - clientSwitches: the adapters of the plan's cutover.switches (Lambda event source mappings, ECS services; local
 *   processes in the rehearsal)
 * - writeFence: the plan's write fence on the source (cutover.fence KAFKA_ACL / IAM_POLICY; none for POINTER)
 * - region: the Region the orchestrator runs in (AWS; ValidateInput checks the MSK Replicator's Region against it)
 */
export const PORTS = [
  'source',
  'target',
  'artifacts',
  'replicator',
  'pointer',
  'provisioner',
  'msk',
  'metrics',
  'lagSignals',
  'approvals',
  'locks',
  'aborts',
  'clock',
  'targetAcls',
  'healthAlarmNames',
  'producerActivity',
  'clientBehaviour',
  'connectors',
  'schemaRegistries',
  'connectClusters',
  'runtime',
  'pacer',
  'clientSwitches',
  'writeFence',
  'region',
] as const;
export type PortName = (typeof PORTS)[number];

/**
 * What a task function may do in AWS. lib/iam/permissions.ts defines each permission by the adapter methods and Kafka
 * operations it serves; the function's role is generated from their IAM actions (lib/iam/operations.ts).
 */
export type TaskPermission =
  /** s3:GetObject / ListBucket under `migrations/` of the evidence bucket. */
  | 'evidenceRead'
  /** s3:PutObject under `migrations/`. */
  | 'evidenceWrite'
  /** kafka:DescribeClusterV2, GetBootstrapBrokers, DescribeConfigurationRevision: every task that opens a data plane. */
  | 'mskDescribe'
  /** cloudwatch:GetMetricData (throughput, replicator and target metrics). */
  | 'metricsRead'
  /** kafka-cluster: Connect and the Describe* actions on both sides (no data, no writes). */
  | 'kafkaDescribe'
  /** The source's cluster, ACLs, client quotas and broker configs (Inventory). */
  | 'kafkaInventory'
  /** The target's ACLs (ValidateTarget's access check). */
  | 'kafkaTargetAcls'
  /** kafka-cluster:Connect and a topic listing on the target (the connectivity preflight of an existing target). */
  | 'kafkaTargetConnectivity'
  /** kafka-cluster:ReadData on both sides' topics (validation and offset translation by content). */
  | 'kafkaReadData'
  /** Create, write and read this tool's canary topic (`msk-migration.canary.*`), the only topic it ever writes. */
  | 'kafkaCanary'
  /** Delete the canary topic. */
  | 'kafkaCanaryDelete'
  /** kafka-cluster:AlterGroup on the target's consumer groups (commit translated offsets). */
  | 'kafkaCommitOffsetsOnTarget'
  /** kafka-cluster:AlterGroup on the source's consumer groups (failback: offsets translated back). */
  | 'kafkaCommitOffsetsOnSource'
  /** Create MSK Replicators / MSK Connect connectors named `mskmig-*`, passing only the replication role. */
  | 'replicationCreate'
  /** Describe and list them. */
  | 'replicationDescribe'
  /** Delete them (replicators only with this tool's ownership tag). */
  | 'replicationDelete'
  /** Put, describe and delete alarms named `msk-migration-*`. */
  | 'alarmsManage'
  /** Describe those alarms and read their datapoints. */
  | 'alarmsRead'
  /** Describe and delete those alarms. */
  | 'alarmsDelete'
  /** kafka:CreateClusterV2 with this tool's ownership tag, and what MSK needs of the caller for it. */
  | 'clusterCreate'
  /** Describe the target being created (CheckTargetStatus). */
  | 'clusterDescribe'
  /** kafka:DeleteCluster of a target carrying this tool's ownership tag. */
  | 'clusterDelete'
  /** Move the cutover pointer: SSM parameters under the prefix, records in the hosted zones, the hook functions. */
  | 'cutoverSwitch'
  /** secretsmanager:GetSecretValue on the SCRAM secrets (and kms:Decrypt through Secrets Manager). */
  | 'secretsRead'
  /** Take the plan's write fence: iam:GetRolePolicy / PutRolePolicy on the producers' roles, ALTER CLUSTER (ACLs). */
  | 'writeFenceTake'
  /** Undo it: iam:GetRolePolicy / PutRolePolicy / DeleteRolePolicy on those roles, ALTER CLUSTER (ACLs). */
  | 'writeFenceUndo'
  /** dynamodb:PutItem / DeleteItem on the migration lock table (take and release this execution's locks). */
  | 'migrationLocks'
  /** dynamodb:GetItem on the migration lock table: the poll tasks read this execution's abort request. */
  | 'abortRead'
  /** Move the plan's client switches: Lambda event source mappings, ECS services (and pass their task roles). */
  | 'clientSwitch'
  /**
   * Hold the consumers no fence stops at the source's end (CommitConsumerOffsets): disable an event source mapping,
   * delete a sink connector on the source (its configuration journaled first).
   */
  | 'clientSwitchHold'
  /** kafkaconnect:ListConnectors / DescribeConnector: the connectors bound to the source (Inventory). */
  | 'connectorsRead'
  /** glue:GetRegistry / ListSchemas / GetSchema / ListSchemaVersions / GetSchemaVersion (Inventory). */
  | 'schemaRegistryRead';

/** What Finalize and RollbackReplication may do alike: delete what this execution created for the copy. */
const TEARDOWN_MAY: readonly TaskPermission[] = [
  'mskDescribe',
  'replicationDescribe',
  'replicationDelete',
  'alarmsDelete',
  'kafkaDescribe',
  'kafkaCanaryDelete',
  'secretsRead',
];

export interface FunctionEntry {
  /** The task module's folder: `<module>/task.ts` (defineTask) and `<module>/handler.ts` (the Lambda handler). */
  readonly module: string;
  /** The ports its task module needs (`defineTask({ needs })` maps its deps onto exactly these). */
  readonly ports: readonly PortName[];
  /** Shown in the Lambda console. */
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Talks to the Kafka data plane: placed in the construct's VPC when one is given. */
  readonly dataPlane: boolean;
  /** IAM: what the deployed function may do (one TaskPermission = one set of statements). */
  readonly may: readonly TaskPermission[];
  /** Which replication role a `replicationCreate` task passes: forward (source → target) or failback (target → source). */
  readonly replicationDirection?: 'FORWARD' | 'FAILBACK';
  /** The function is created by another construct of this orchestrator (not by the task factory). */
  readonly providedBy?: 'ApprovalApi';
}

const MIN = 60;

/** One entry per Lambda function the ASL invokes (`${<Name>FunctionArn}`). */
export const FUNCTIONS = {
  ValidateInput: {
    module: 'lambdas/tasks/validate-input',
    ports: ['clock', 'runtime', 'region'],
    description: 'Checks the execution input against the migration plan schema',
    timeoutSeconds: 30,
    memoryMb: 512,
    dataPlane: false,
    may: [],
  },
  AcquireLock: {
    module: 'lambdas/tasks/acquire-lock',
    ports: ['locks', 'clock'],
    description: 'Locks the source cluster, target and pointer for this execution (one migration per cluster)',
    timeoutSeconds: 30,
    memoryMb: 256,
    dataPlane: false,
    may: ['migrationLocks'],
  },
  Inventory: {
    module: 'lambdas/tasks/inventory',
    ports: [
      'source',
      'target',
      'clientBehaviour',
      'connectors',
      'schemaRegistries',
      'connectClusters',
      'msk',
      'metrics',
      'artifacts',
      'clock',
    ],
    description:
      'Connectivity preflight of both clusters; source control plane, data plane (topics, configs, groups, ACLs, quotas), client behaviour (producers, transactions, codecs, record sizes) and throughput, to the evidence store',
    timeoutSeconds: 10 * MIN,
    memoryMb: 1024,
    dataPlane: true,
    may: [
      'mskDescribe',
      'metricsRead',
      'kafkaInventory',
      'kafkaTargetConnectivity',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'connectorsRead',
      'schemaRegistryRead',
    ],
  },
  Assess: {
    module: 'lambdas/tasks/assess',
    ports: ['artifacts', 'clock'],
    description: 'Rules of the target profile against the inventory (BLOCKER / WARNING / INFO)',
    timeoutSeconds: 2 * MIN,
    memoryMb: 512,
    dataPlane: false,
    may: ['evidenceRead', 'evidenceWrite'],
  },
  ProvisionTarget: {
    module: 'lambdas/tasks/provision-target',
    ports: ['provisioner', 'msk', 'clock'],
    description: 'Creates the target MSK cluster when the plan asks (idempotent by name and tags)',
    timeoutSeconds: 2 * MIN,
    memoryMb: 256,
    dataPlane: false,
    may: ['mskDescribe', 'clusterCreate'],
  },
  CheckTargetStatus: {
    module: 'lambdas/tasks/check-target-status',
    ports: ['provisioner', 'msk', 'clock', 'aborts'],
    description: 'Describes the target cluster until ACTIVE',
    timeoutSeconds: 1 * MIN,
    memoryMb: 256,
    dataPlane: false,
    may: ['mskDescribe', 'clusterDescribe', 'abortRead'],
  },
  StartReplication: {
    module: 'lambdas/tasks/start-replication',
    ports: ['replicator', 'artifacts', 'source', 'target', 'lagSignals', 'msk', 'clock'],
    description:
      'Connectivity preflight of a target this execution created; starts MSK Replicator or MirrorMaker 2 on MSK Connect, the lag alarms and the canary',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'replicationCreate',
      'replicationDescribe',
      'alarmsManage',
      'kafkaDescribe',
      'kafkaCanary',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
    ],
    replicationDirection: 'FORWARD',
  },
  CheckReplicationStatus: {
    module: 'lambdas/tasks/check-replication-status',
    ports: ['replicator', 'clock', 'aborts'],
    description: 'Describes the replicator / connectors until RUNNING',
    timeoutSeconds: 1 * MIN,
    memoryMb: 256,
    dataPlane: false,
    may: ['replicationDescribe', 'abortRead'],
  },
  EvaluateCatchUp: {
    module: 'lambdas/tasks/evaluate-catch-up',
    ports: ['artifacts', 'lagSignals', 'source', 'target', 'clock', 'aborts'],
    description: 'One catch-up gate evaluation: lag alarms and datapoints, canary round trip, per-partition progress',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'alarmsRead',
      'metricsRead',
      'kafkaDescribe',
      'kafkaCanary',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'abortRead',
    ],
  },
  ValidateTarget: {
    module: 'lambdas/tasks/validate-target',
    ports: ['source', 'target', 'artifacts', 'targetAcls', 'clock'],
    description: 'Topic, partition and config parity, record continuity by content, translated group offsets',
    timeoutSeconds: 14 * MIN,
    memoryMb: 1536,
    dataPlane: true,
    may: [
      'mskDescribe',
      'kafkaDescribe',
      'kafkaReadData',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'kafkaTargetAcls',
    ],
  },
  FenceProducers: {
    module: 'lambdas/tasks/fence-producers',
    ports: ['pointer', 'source', 'target', 'artifacts', 'clientSwitches', 'writeFence', 'clock'],
    description: 'Single writer: points producers at "hold writes" and records the values before',
    timeoutSeconds: 2 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'cutoverSwitch',
      'writeFenceTake',
      'clientSwitch',
      'kafkaDescribe',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
    ],
  },
  CheckDrain: {
    module: 'lambdas/tasks/check-drain',
    ports: ['source', 'target', 'artifacts', 'producerActivity', 'clock', 'pacer', 'aborts'],
    description: 'Source end offsets stable since the fence and present on the target',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: ['mskDescribe', 'kafkaDescribe', 'kafkaReadData', 'secretsRead', 'evidenceRead', 'evidenceWrite', 'abortRead'],
  },
  CommitConsumerOffsets: {
    module: 'lambdas/tasks/commit-consumer-offsets',
    ports: ['source', 'target', 'artifacts', 'clock', 'pacer', 'aborts', 'clientSwitches'],
    description:
      "Translates each consumer group's committed offsets by content, commits them on the target, reads them back",
    timeoutSeconds: 10 * MIN,
    memoryMb: 1024,
    dataPlane: true,
    may: [
      'mskDescribe',
      'kafkaDescribe',
      'kafkaReadData',
      'kafkaCommitOffsetsOnTarget',
      'clientSwitchHold',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'abortRead',
    ],
  },
  SwitchToTarget: {
    module: 'lambdas/tasks/switch-to-target',
    ports: ['pointer', 'target', 'artifacts', 'clientSwitches', 'clock'],
    description:
      "Points producers and consumers at the target; moves the plan's client switches; the rollback window opens",
    timeoutSeconds: 14 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'cutoverSwitch',
      'clientSwitch',
      'kafkaDescribe',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
    ],
  },
  Cutover: {
    module: 'lambdas/tasks/cutover',
    ports: ['pointer', 'source', 'target', 'artifacts', 'writeFence', 'producerActivity', 'clock', 'pacer', 'aborts'],
    description:
      'Fence, drain, consumer offsets and switch in one invocation with its own deadline; the step-by-step states take over where it stops',
    timeoutSeconds: 5 * MIN,
    memoryMb: 1024,
    dataPlane: true,
    // What FenceProducers, CheckDrain, CommitConsumerOffsets and SwitchToTarget may do, less the client switches':
    // a plan that names some takes the step-by-step states (lambdas/tasks/cutover/task.ts).
    may: [
      'mskDescribe',
      'cutoverSwitch',
      'writeFenceTake',
      'kafkaDescribe',
      'kafkaReadData',
      'kafkaCommitOffsetsOnTarget',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'abortRead',
    ],
  },
  CheckTargetHealth: {
    module: 'lambdas/tasks/check-target-health',
    ports: ['target', 'artifacts', 'lagSignals', 'healthAlarmNames', 'clock', 'aborts'],
    description: 'Target health in the rollback window (alarms, metrics, data plane)',
    timeoutSeconds: 2 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'metricsRead',
      'alarmsRead',
      'kafkaDescribe',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'abortRead',
    ],
  },
  Finalize: {
    module: 'lambdas/tasks/finalize',
    ports: ['replicator', 'lagSignals', 'source', 'target', 'clock'],
    description: 'Deletes what this execution created for the copy (replicator, alarms, canary); keeps the target',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: TEARDOWN_MAY,
  },
  Report: {
    module: 'lambdas/tasks/report',
    ports: ['artifacts', 'locks', 'clock'],
    description: 'The migration report (Markdown + JSON) in the evidence store; releases the migration locks',
    timeoutSeconds: 2 * MIN,
    memoryMb: 512,
    dataPlane: false,
    may: ['evidenceRead', 'evidenceWrite', 'migrationLocks'],
  },
  RollbackCutover: {
    module: 'lambdas/tasks/rollback-cutover',
    ports: ['pointer', 'target', 'source', 'artifacts', 'clientSwitches', 'writeFence', 'clock'],
    description: 'Pointers this execution moved go back to the recorded values (rollback and failback)',
    timeoutSeconds: 14 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'cutoverSwitch',
      'writeFenceUndo',
      'clientSwitch',
      'kafkaDescribe',
      'kafkaReadData',
      'kafkaCommitOffsetsOnSource',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
    ],
  },
  RollbackReplication: {
    module: 'lambdas/tasks/rollback-replication',
    ports: ['replicator', 'lagSignals', 'source', 'target', 'clock'],
    description: 'Deletes the replicator, alarms and canary topic this execution created; never touches source data',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: TEARDOWN_MAY,
  },
  RollbackTarget: {
    module: 'lambdas/tasks/rollback-target',
    ports: ['provisioner', 'clock'],
    description: 'Deletes the target cluster only when this execution created it (ownership tags)',
    timeoutSeconds: 2 * MIN,
    memoryMb: 256,
    dataPlane: false,
    may: ['clusterDelete'],
  },
  StartFailback: {
    module: 'lambdas/tasks/start-failback',
    ports: ['replicator', 'artifacts', 'source', 'target', 'msk', 'clock'],
    description: 'Reverse replication target → source of the records written since the switch',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'replicationCreate',
      'replicationDescribe',
      'kafkaDescribe',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
    ],
    replicationDirection: 'FAILBACK',
  },
  CheckFailback: {
    module: 'lambdas/tasks/check-failback',
    ports: ['replicator', 'artifacts', 'source', 'target', 'clock', 'aborts'],
    description: 'Lag of the reverse replication, by content',
    timeoutSeconds: 5 * MIN,
    memoryMb: 512,
    dataPlane: true,
    may: [
      'mskDescribe',
      'replicationDescribe',
      'kafkaDescribe',
      'kafkaReadData',
      'secretsRead',
      'evidenceRead',
      'evidenceWrite',
      'abortRead',
    ],
    replicationDirection: 'FAILBACK',
  },
  StopFailback: {
    module: 'lambdas/tasks/stop-failback',
    ports: ['replicator', 'source', 'clock'],
    description: 'Deletes the reverse replication this execution created',
    timeoutSeconds: 2 * MIN,
    memoryMb: 256,
    dataPlane: false,
    may: ['mskDescribe', 'replicationDescribe', 'replicationDelete', 'secretsRead'],
    replicationDirection: 'FAILBACK',
  },
  RequestApproval: {
    module: 'lambdas/tasks/request-approval',
    ports: ['approvals'],
    description: 'CutoverApproval / FinalizeApproval / FailbackDecision (created by ApprovalApi)',
    timeoutSeconds: 30,
    memoryMb: 512,
    dataPlane: false,
    may: [],
    providedBy: 'ApprovalApi',
  },
} as const satisfies Record<string, FunctionEntry>;

export type FunctionName = keyof typeof FUNCTIONS;
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

export interface StateEntry {
  /** The Lambda function the state invokes (`${<function>FunctionArn}`). */
  readonly function: FunctionName;
  readonly phase: WorkflowPhase;
  /** The state's ResultPath in the ASL. */
  readonly resultPath: string;
  /** `.waitForTaskToken`: the state waits for a person (RequestApproval stores the token). */
  readonly waitsForToken?: true;
}

const state = (fn: FunctionName, phase: WorkflowPhase, resultPath: string): StateEntry => ({
  function: fn,
  phase,
  resultPath,
});
const approval = (phase: WorkflowPhase, resultPath: string): StateEntry => ({
  function: 'RequestApproval',
  phase,
  resultPath,
  waitsForToken: true,
});

/** Every Task state of the ASL, in workflow order (forward path, failback, rollback, reports). */
export const STATES = {
  ValidateInput: state('ValidateInput', 'Validate input', '$'),
  AcquireLock: state('AcquireLock', 'Validate input', '$.lock'),
  Inventory: state('Inventory', 'Inventory', '$.inventory'),
  Assess: state('Assess', 'Assess', '$.assessment'),
  ProvisionTarget: state('ProvisionTarget', 'Provision target', '$.target'),
  CheckTargetStatus: state('CheckTargetStatus', 'Provision target', '$.target'),
  StartReplication: state('StartReplication', 'Start replication', '$.replication'),
  CheckReplicationStatus: state('CheckReplicationStatus', 'Start replication', '$.replication'),
  EvaluateCatchUp: state('EvaluateCatchUp', 'Catch-up', '$.catchUp'),
  ValidateTarget: state('ValidateTarget', 'Validate target', '$.validation'),
  CutoverApproval: approval('Cutover approval', '$.approvals.cutover'),
  // Before the fence, each cutover function is started once (`"warm": true`, answered before any work: define-task's
  // WARM_EVENT), so that the producers' hold pays no cold start (docs/cutover.md).
  WarmFenceProducers: state('FenceProducers', 'Cutover', '$.cutover.warm'),
  WarmCheckDrain: state('CheckDrain', 'Cutover', '$.cutover.warm'),
  WarmCommitConsumerOffsets: state('CommitConsumerOffsets', 'Cutover', '$.cutover.warm'),
  WarmSwitchToTarget: state('SwitchToTarget', 'Cutover', '$.cutover.warm'),
  WarmCutover: state('Cutover', 'Cutover', '$.cutover.warm'),
  // The bulk of the consumer-group offsets translated before the fence; CommitConsumerOffsets does the tail.
  TranslateOffsetsBeforeFence: state('CommitConsumerOffsets', 'Cutover', '$.cutover.offsetsBeforeFence'),
  // Fence → switch in one invocation; where it stops, the step-by-step states below take over (CutoverReached?).
  Cutover: state('Cutover', 'Cutover', '$.cutover'),
  FenceProducers: state('FenceProducers', 'Cutover', '$.cutover.fence'),
  CheckDrain: state('CheckDrain', 'Cutover', '$.cutover.drain'),
  CommitConsumerOffsets: state('CommitConsumerOffsets', 'Cutover', '$.cutover.offsets'),
  SwitchToTarget: state('SwitchToTarget', 'Cutover', '$.cutover.switch'),
  CheckTargetHealth: state('CheckTargetHealth', 'Rollback window', '$.window'),
  FinalizeApproval: approval('Finalize approval', '$.approvals.finalize'),
  Finalize: state('Finalize', 'Finalize', '$.finalize'),
  FailbackDecision: approval('Failback decision', '$.approvals.failback'),
  StartFailback: state('StartFailback', 'Failback', '$.failback'),
  CheckFailback: state('CheckFailback', 'Failback', '$.failback'),
  FenceForFailback: state('FenceProducers', 'Failback', '$.failbackFence'),
  CheckFailbackDrain: state('CheckFailback', 'Failback', '$.failback'),
  FailbackCutover: state('RollbackCutover', 'Failback', '$.failbackCutover'),
  ReleaseFailbackFence: state('FenceProducers', 'Failback', '$.failbackRelease'),
  StopFailback: state('StopFailback', 'Failback', '$.failbackStopped'),
  RollbackCutover: state('RollbackCutover', 'Rollback', '$.rollback.cutover'),
  RollbackReplication: state('RollbackReplication', 'Rollback', '$.rollback.replication'),
  RollbackTarget: state('RollbackTarget', 'Rollback', '$.rollback.target'),
  ReportSuccess: state('Report', 'Report', '$.report'),
  ReportFailedBack: state('Report', 'Report', '$.report'),
  ReportNeedsAttention: state('Report', 'Report', '$.report'),
  ReportRollback: state('Report', 'Report', '$.report'),
  ReportFailure: state('Report', 'Report', '$.report'),
  ReportRollbackFailure: state('Report', 'Report', '$.report'),
} as const satisfies Record<string, StateEntry>;

export type StateName = keyof typeof STATES;
export const STATE_NAMES = Object.keys(STATES) as StateName[];

/**
 * What the execution state holds besides the Task states' results: the PointOfNoReturn Pass state's record and the
 * errors the Catches keep (`$.error` on the way to a rollback or report, `$.rollbackError` when a rollback step
 * failed, `$.releaseError` when the failback fence could not be lifted, `$.reportError` when writing the report failed). Held against the ASL by the catalogue test.
 */
export const OTHER_STATE_KEYS = {
  waves: {
    writtenBy: 'ValidateInput, then NextWave (Pass): a plan in waves, every wave and the current one',
    after: 'validation',
  },
  pointOfNoReturn: { writtenBy: 'PointOfNoReturn (Pass)', after: 'window' },
  error: { writtenBy: 'the Catches of the forward path', after: 'rollback' },
  rollbackError: { writtenBy: 'the Catches of the rollback branch', after: 'error' },
  releaseError: { writtenBy: 'the Catch of ReleaseFailbackFence', after: 'rollbackError' },
  reportError: { writtenBy: 'the Catches of the Report states', after: 'releaseError' },
} as const;

/** `$.cutover.fence` → `cutover`: the key of the execution state a result lives under (`$` → none). */
export function evidenceKeyOf(resultPath: string): string | undefined {
  return /^\$\.([A-Za-z0-9_]+)/.exec(resultPath)?.[1];
}

/**
 * The keys of the execution state that hold evidence, in workflow order: the Task states' result keys, then those
 * of OTHER_STATE_KEYS placed after the key they follow. `msk-migrate status` shows these.
 */
export function evidenceKeys(): string[] {
  const keys: string[] = [];
  for (const entry of Object.values(STATES) as StateEntry[]) {
    const key = evidenceKeyOf(entry.resultPath);
    if (key && !keys.includes(key)) keys.push(key);
  }
  const report = keys.indexOf('report');
  if (report >= 0) keys.splice(report, 1);
  for (const [key, { after }] of Object.entries(OTHER_STATE_KEYS)) {
    const at = keys.indexOf(after);
    keys.splice(at >= 0 ? at + 1 : keys.length, 0, key);
  }
  keys.push('report');
  return keys;
}

/** The Task states that invoke `fn`. */
export function statesOf(fn: FunctionName): StateName[] {
  return STATE_NAMES.filter((name) => STATES[name].function === fn);
}

/** `lambdas/tasks/check-drain` → `lambdas/tasks/check-drain/handler.ts`: the handler the construct bundles. */
export function handlerEntry(fn: FunctionName): string {
  return `${FUNCTIONS[fn].module}/handler.ts`;
}

/** The parts of an ASL definition the catalogue is held against. */
export interface AslDefinitionLike {
  readonly States: Readonly<Record<string, Readonly<Record<string, unknown>> & { readonly Type: string }>>;
}

/** `${CheckDrainFunctionArn}` (direct) or `Parameters.FunctionName` (`lambda:invoke`) → `CheckDrain`. */
export function functionOfAslTask(state: Readonly<Record<string, unknown>>): string | undefined {
  const resource = typeof state['Resource'] === 'string' ? state['Resource'] : '';
  const parameters = (state['Parameters'] ?? {}) as Record<string, unknown>;
  // `arn:${Partition}:states:::lambda:invoke…`: the partition is substituted at deploy.
  const arn = /^arn:[^:]+:states:::lambda:invoke/.test(resource) ? String(parameters['FunctionName'] ?? '') : resource;
  return /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(arn)?.[1];
}

/**
 * Where the ASL and the catalogue disagree, one sentence each (empty when they agree): a Task state missing on either
 * side, another function, another ResultPath, a `.waitForTaskToken` the catalogue does not say, a Task state that does
 * not pass its name (`"stateName.$": "$$.State.Name"`), a catalogue function no state invokes.
 */
export function catalogueMismatches(definition: AslDefinitionLike): string[] {
  const problems: string[] = [];
  const states = STATES as Record<string, StateEntry>;
  const aslTasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
  for (const [name, s] of aslTasks) {
    const entry = states[name];
    if (!entry) {
      problems.push(
        `the ASL's Task state ${name} is not in the catalogue (add it to STATES in lambdas/workflow/catalogue.ts)`,
      );
      continue;
    }
    const fn = functionOfAslTask(s);
    if (fn !== entry.function)
      problems.push(`${name} invokes ${fn ?? 'no catalogue function'} in the ASL, ${entry.function} in the catalogue`);
    const resultPath = typeof s['ResultPath'] === 'string' ? s['ResultPath'] : '$';
    if (resultPath !== entry.resultPath)
      problems.push(`${name} has ResultPath ${resultPath} in the ASL, ${entry.resultPath} in the catalogue`);
    const token = String(s['Resource'] ?? '').endsWith('.waitForTaskToken');
    if (token !== (entry.waitsForToken === true))
      problems.push(
        `${name} ${token ? 'waits' : 'does not wait'} for a task token in the ASL; the catalogue says otherwise`,
      );
    const parameters = (s['Parameters'] ?? {}) as Record<string, unknown>;
    const payload = (token ? parameters['Payload'] : parameters) as Record<string, unknown> | undefined;
    if (payload?.['stateName.$'] !== '$$.State.Name')
      problems.push(
        `${name} does not pass "stateName.$": "$$.State.Name" (its logs and metrics would carry its function's name)`,
      );
  }
  const inAsl = new Set(aslTasks.map(([name]) => name));
  for (const name of STATE_NAMES)
    if (!inAsl.has(name))
      problems.push(`the catalogue's state ${name} is not a Task state of the ASL (remove it or add the state)`);
  for (const fn of FUNCTION_NAMES)
    if (statesOf(fn).length === 0) problems.push(`the catalogue's function ${fn} is invoked by no state`);
  return problems;
}
