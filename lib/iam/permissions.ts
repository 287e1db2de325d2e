import type { TaskPermission } from '../../lambdas/workflow/catalogue';
import type { AwsAdapterMethod, KafkaOperation } from './operations';

export type { TaskPermission };

/**
 * What a task function may do, in the words of TASKS' `may` (lib/migration-orchestrator.ts): each permission is the
 * adapter methods and Kafka operations it serves, on which side. The IAM statements are generated from the
 * operations these name (lib/iam/operations.ts), never written by hand.
 */
export interface PermissionSpec {
  readonly summary: string;
  /** AWS adapter methods (lambdas/adapters/aws). */
  readonly aws?: readonly AwsAdapterMethod[];
  /** Kafka data-plane operations, by side (IAM-auth clusters: kafka-cluster:*). */
  readonly kafka?: { readonly source?: readonly KafkaOperation[]; readonly target?: readonly KafkaOperation[] };
  /** The MSK clusters `cluster` resources resolve to. @default 'both' */
  readonly clusters?: 'both' | 'target';
}

const CUTOVER_SWITCHES = ['SsmCutoverSwitch', 'Route53CutoverSwitch', 'HookCutoverSwitch'] as const;
const REPLICATORS = ['MskReplicator', 'MskConnectMirrorMaker2'] as const;
const DESCRIBE: readonly KafkaOperation[] = [
  'listTopics',
  'describeTopics',
  'describeTopicConfigs',
  'fetchTopicOffsets',
  'listGroups',
  'describeGroups',
  'fetchCommittedOffsets',
];

export const PERMISSIONS = {
  migrationLocks: {
    summary: "take and release this execution's migration locks",
    aws: [
      'DynamoDbMigrationLocks.acquire',
      'DynamoDbMigrationLocks.release',
      'DynamoDbMigrationLocks.acquireShared',
      'DynamoDbMigrationLocks.releaseShared',
    ],
  },
  abortRead: {
    summary: "read this execution's abort request (msk-migrate abort)",
    aws: ['DynamoDbAbortRequests.requested'],
  },
  evidenceRead: {
    summary: 'read and list the evidence under migrations/',
    aws: ['S3ArtifactStore.getText', 'S3ArtifactStore.getJson', 'S3ArtifactStore.list'],
  },
  evidenceWrite: {
    summary: 'write evidence under migrations/',
    aws: ['S3ArtifactStore.putText', 'S3ArtifactStore.putJson'],
  },
  mskDescribe: {
    summary: "describe the clusters (endpoints, auth modes, the source's configuration)",
    aws: ['AwsMskControlPlane.describeCluster'],
  },
  metricsRead: {
    summary: 'read CloudWatch metrics (throughput, replicator and target metrics)',
    aws: ['CloudWatchThroughput.read', 'CloudWatchLagSignals.getMetricSeries'],
  },
  kafkaInventory: {
    summary:
      "read the source cluster, its ACLs, client quotas, broker configs, producers, transactions, group types and the tail of each topic's records",
    kafka: {
      source: [
        'describeCluster',
        'describeAcls',
        'describeClientQuotas',
        'describeBrokerConfigs',
        ...DESCRIBE,
        'describeProducers',
        'listTransactions',
        'describeTransactions',
        'sampleRecordBatches',
        'listGroupTypes',
      ],
    },
  },
  kafkaDescribe: {
    summary: 'connect and describe topics, configs, offsets and groups on both sides (no data, no writes)',
    kafka: { source: DESCRIBE, target: DESCRIBE },
  },
  kafkaTargetConnectivity: {
    summary: 'connect to the target and list its topics (the connectivity preflight, before anything is created)',
    kafka: { target: ['listTopics'] },
  },
  kafkaTargetAcls: {
    summary: "read the target's ACLs (access check)",
    kafka: { target: ['describeAcls'] },
  },
  kafkaReadData: {
    summary: 'read records on both sides (validation and offset translation by content)',
    kafka: { source: ['readPartition'], target: ['readPartition'] },
  },
  kafkaCanary: {
    summary: "create, write and read this tool's canary topic, the only topic it ever writes",
    kafka: {
      source: ['canary.createTopics', 'canary.produce', 'canary.readPartition'],
      target: ['canary.createTopics', 'canary.produce', 'canary.readPartition'],
    },
  },
  kafkaCanaryDelete: {
    summary: 'delete the canary topic',
    kafka: { source: ['canary.deleteTopics'], target: ['canary.deleteTopics'] },
  },
  kafkaCommitOffsetsOnTarget: {
    summary: 'commit translated offsets on the target',
    kafka: { target: ['setCommittedOffsets'] },
  },
  kafkaCommitOffsetsOnSource: {
    summary: 'commit the offsets translated back on the source (failback)',
    kafka: { source: ['setCommittedOffsets'] },
  },
  replicationCreate: {
    summary: "create this execution's MSK Replicator or MirrorMaker 2 connectors, passing only its service role",
    aws: REPLICATORS.flatMap((r) => [`${r}.create`, `${r}.countExisting`] as const),
  },
  replicationDescribe: {
    summary: "find and describe this execution's replicator or connectors",
    aws: REPLICATORS.flatMap((r) => [`${r}.find`, `${r}.describe`] as const),
  },
  replicationDelete: {
    summary: "delete this execution's replicator or connectors",
    aws: REPLICATORS.map((r) => `${r}.delete` as const),
  },
  alarmsManage: {
    summary: "put, describe and delete this execution's lag alarms",
    aws: ['CloudWatchLagSignals.putAlarms', 'CloudWatchLagSignals.describeAlarms', 'CloudWatchLagSignals.deleteAlarms'],
  },
  alarmsRead: {
    summary: 'lag alarm states and datapoints',
    aws: ['CloudWatchLagSignals.describeAlarms', 'CloudWatchLagSignals.getMetricSeries'],
  },
  alarmsDelete: {
    summary: "describe and delete this execution's lag alarms",
    aws: ['CloudWatchLagSignals.describeAlarms', 'CloudWatchLagSignals.deleteAlarms'],
  },
  clusterCreate: {
    summary: "create the target cluster with this tool's execution tag",
    aws: [
      'MskTargetProvisioner.findClusters',
      'MskTargetProvisioner.createCluster',
      'MskTargetProvisioner.describeCluster',
      'MskTargetProvisioner.getIamBootstrapBrokers',
    ],
    clusters: 'target',
  },
  clusterDescribe: {
    summary: 'describe the target cluster being created',
    aws: ['MskTargetProvisioner.describeCluster', 'MskTargetProvisioner.getIamBootstrapBrokers'],
    clusters: 'target',
  },
  clusterDelete: {
    summary: "find and delete a target carrying this execution's tag",
    aws: [
      'MskTargetProvisioner.findClusters',
      'MskTargetProvisioner.describeCluster',
      'MskTargetProvisioner.deleteCluster',
    ],
    clusters: 'target',
  },
  cutoverSwitch: {
    summary: 'move the cutover pointer (SSM parameter, Route 53 record or hook function) and put it back',
    aws: CUTOVER_SWITCHES.flatMap((s) => [`${s}.read`, `${s}.set`, `${s}.revert`] as const),
  },
  writeFenceTake: {
    summary:
      "take the plan's write fence on the source: the IAM_POLICY deny on the producers' roles, or the KAFKA_ACL DENY WRITE bindings",
    aws: ['IamPolicyWriteFence.inspect', 'IamPolicyWriteFence.apply'],
    kafka: { source: ['writeFenceAcls'] },
  },
  writeFenceUndo: {
    summary: 'remove the write fence this execution took, put back what it replaced',
    aws: ['IamPolicyWriteFence.undo'],
    kafka: { source: ['writeFenceAcls'] },
  },
  clientSwitch: {
    summary: "move the plan's client switches (cutover.switches) and back: Lambda event source mappings, ECS services",
    aws: [
      ...(['LambdaEsmClientSwitch', 'EcsServiceClientSwitch', 'MskConnectClientSwitch'] as const).flatMap(
        (a) => [`${a}.record`, `${a}.stop`, `${a}.switchToTarget`, `${a}.revert`] as const,
      ),
      ...(['LambdaEsmClientSwitch', 'MskConnectClientSwitch'] as const).flatMap(
        (a) => [`${a}.holdOnTarget`, `${a}.resumeOnTarget`] as const,
      ),
    ],
  },
  clientSwitchHold: {
    summary:
      'hold the consumers no fence stops at the fence: disable an event source mapping, delete a sink connector on the source',
    aws: (['LambdaEsmClientSwitch', 'MskConnectClientSwitch'] as const).flatMap(
      (a) => [`${a}.record`, `${a}.hold`] as const,
    ),
  },
  connectorsRead: {
    summary: "list MSK Connect's connectors and read what each connects to and which topics it names",
    aws: ['MskConnectInventory.listConnectors'],
  },
  schemaRegistryRead: {
    summary:
      "read the AWS Glue Schema Registry registries the plan names, their schemas and versions, find the records' schema versions, and simulate the clients' roles on them",
    aws: ['GlueSchemaRegistry.describeRegistry', 'GlueSchemaRegistry.findSchemaVersion', 'IamPolicySimulator.simulate'],
  },
  secretsRead: {
    summary:
      'read cluster secrets: SCRAM or PLAIN credentials, client certificates, CA bundles (decrypted through Secrets Manager)',
    aws: ['CachedSecrets.read'],
  },
} as const satisfies Record<TaskPermission, PermissionSpec>;
