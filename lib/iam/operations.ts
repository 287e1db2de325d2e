/**
 * What each AWS adapter (lambdas/adapters/aws) and each Kafka data-plane operation asks of IAM: per adapter method,
 * the SDK operations it sends; per SDK operation, the IAM action it is authorized as, the resource type of the Service
 * Authorization Reference (none: only `*` works) and the dependent actions the service checks on the caller. The
 * task roles are generated from this (lib/iam/task-policy.ts), the offline IAM simulation evaluates the recorded
 * requests against the generated roles with it (test/iam), and docs/deploy.md's permission table is printed from it.
 *
 * Pure data: no CDK, no SDK imports.
 */

/**
 * The resource of an action, by what the construct can scope it to. `*` where the Service Authorization Reference
 * lists no resource type for the action (only `*` works there).
 */
export type ResourceKind =
  | '*'
  /** MSK cluster ARNs: the source and target patterns, or only the target's (provisioning). */
  | 'cluster'
  | 'configuration'
  | 'replicator'
  | 'connector'
  | 'alarm'
  | 'evidenceObject'
  | 'evidenceBucket'
  | 'secret'
  /** KMS keys of the secrets, through Secrets Manager only. */
  | 'secretKey'
  /** KMS keys of a new cluster, through MSK only. */
  | 'clusterKey'
  | 'parameter'
  | 'hostedZone'
  | 'hookFunction'
  /**
   * The producers' IAM roles an IAM_POLICY write fence puts its inline deny on (the construct's writeFenceRoleArns,
   * or every role of the account that carries the opt-in tag WRITE_FENCE_ROLE_TAG).
   */
  | 'fencedRole'
  /** Client switches (cutover.switches): Lambda event source mappings, ECS services and task definitions. */
  | 'eventSourceMapping'
  | 'ecsService'
  | 'ecsTaskDefinition'
  /** The task and execution roles an ECS service's task definition names (passed again with the new revision). */
  | 'ecsTaskRole'
  /** The service execution role the call passes (replicator or MSK Connect role of the task's direction). */
  | 'replicatorRole'
  | 'connectRole'
  | 'serviceLinkedRole'
  | 'networkInterface'
  | 'vpcEndpoint'
  /** VPCs of this account and Region (the target's network, named per execution). */
  | 'vpc'
  /** Kafka data plane (kafka-cluster:*) of a side: its cluster, topics, consumer groups, the canary topic. */
  | 'kafkaCluster'
  | 'kafkaTopic'
  | 'kafkaGroup'
  | 'kafkaCanaryTopic'
  /** The transactional ids of a side (ListTransactions / DescribeTransactions). */
  | 'kafkaTransactionalId'
  /** The migration lock table of the construct. */
  | 'lockTable'
  /** AWS Glue Schema Registry registries and their schemas, of this account in any Region (the plan names them). */
  | 'schemaRegistry'
  /** The client applications' roles whose Glue access the Inventory simulates (the client switches' roles). */
  | 'clientRole';

/** Conditions a statement carries; the simulation gives the request the matching context keys. */
export type Conditions = Record<string, Record<string, string | string[]>>;

export interface IamRequirement {
  readonly action: string;
  readonly resource: ResourceKind;
  /** Why the caller needs it (docs/deploy.md). */
  readonly why: string;
  readonly conditions?: Conditions;
}

export interface SdkOperation extends IamRequirement {
  /** Dependent actions: what the service checks on the caller besides `action` (Service Authorization Reference, service guides). */
  readonly dependent?: readonly IamRequirement[];
}

/** The execution tag every resource this tool creates carries (lambdas/core/replication/naming.ts TAG_EXECUTION). */
export const EXECUTION_TAG = 'msk-migration:execution';
const OWNED: Conditions = { Null: { [`aws:ResourceTag/${EXECUTION_TAG}`]: 'false' } };
const CREATED_OWNED: Conditions = { Null: { [`aws:RequestTag/${EXECUTION_TAG}`]: 'false' } };
const passedTo = (service: string): Conditions => ({ StringEquals: { 'iam:PassedToService': service } });

/** Region-dependent condition values are written with `${Region}` and resolved by the policy generator. */
export const REGION_PLACEHOLDER = '${Region}';

const NETWORK_DESCRIBE = (why: string): IamRequirement[] =>
  ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'].map((action) => ({
    action,
    resource: '*',
    why,
  }));

/**
 * Every SDK operation an adapter sends, by `<client>:<Command without the suffix>` (the client as in
 * `@aws-sdk/client-<client>`).
 */
export const SDK_OPERATIONS = {
  'kafka:DescribeClusterV2': { action: 'kafka:DescribeClusterV2', resource: 'cluster', why: 'describe the cluster' },
  'kafka:GetBootstrapBrokers': {
    action: 'kafka:GetBootstrapBrokers',
    resource: '*',
    why: 'the bootstrap brokers of the cluster (no resource type in the Service Authorization Reference)',
  },
  'kafka:DescribeConfigurationRevision': {
    action: 'kafka:DescribeConfigurationRevision',
    resource: 'configuration',
    why: "the source's custom MSK configuration",
  },
  'kafka:ListClustersV2': { action: 'kafka:ListClustersV2', resource: '*', why: 'find a cluster by name' },
  'kafka:CreateClusterV2': {
    action: 'kafka:CreateClusterV2',
    resource: 'cluster',
    why: "create the target cluster, only with this tool's execution tag",
    conditions: CREATED_OWNED,
    dependent: [
      { action: 'kafka:TagResource', resource: 'cluster', why: 'tags given at creation' },
      ...NETWORK_DESCRIBE("MSK checks the target's network as the caller"),
      { action: 'ec2:DescribeRouteTables', resource: '*', why: 'MSK Serverless checks the routes of the subnets' },
      { action: 'ec2:DescribeVpcAttribute', resource: 'vpc', why: 'MSK Serverless checks DNS support of the VPC' },
      { action: 'ec2:DescribeVpcEndpoints', resource: '*', why: 'MSK Serverless looks up its managed endpoints' },
      {
        action: 'ec2:CreateVpcEndpoint',
        resource: 'vpcEndpoint',
        why: 'MSK Serverless creates its managed VPC endpoints',
        conditions: { StringEquals: { 'aws:RequestTag/AWSMSKManaged': 'true' } },
      },
      {
        action: 'ec2:CreateTags',
        resource: 'vpcEndpoint',
        why: 'tags of the managed VPC endpoints, at creation only',
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVpcEndpoint' } },
      },
      {
        action: 'kms:DescribeKey',
        resource: 'clusterKey',
        why: 'the encryption key of the new cluster, through MSK only',
        conditions: { StringEquals: { 'kms:ViaService': `kafka.${REGION_PLACEHOLDER}.amazonaws.com` } },
      },
      {
        action: 'kms:CreateGrant',
        resource: 'clusterKey',
        why: 'the encryption key of the new cluster, through MSK only',
        conditions: { StringEquals: { 'kms:ViaService': `kafka.${REGION_PLACEHOLDER}.amazonaws.com` } },
      },
      {
        action: 'iam:CreateServiceLinkedRole',
        resource: 'serviceLinkedRole',
        why: 'the MSK service-linked role, created on first use',
        conditions: { StringLike: { 'iam:AWSServiceName': 'kafka.amazonaws.com' } },
      },
    ],
  },
  'kafka:DeleteCluster': {
    action: 'kafka:DeleteCluster',
    resource: 'cluster',
    why: 'delete a target this execution created (its execution tag)',
    conditions: OWNED,
    dependent: [
      // Deleting an MSK Serverless cluster removes its managed VPC endpoints as the caller.
      { action: 'ec2:DeleteVpcEndpoints', resource: 'vpcEndpoint', why: "MSK Serverless' managed VPC endpoints" },
      { action: 'ec2:DescribeVpcEndpoints', resource: '*', why: "MSK Serverless' managed VPC endpoints" },
      { action: 'ec2:DescribeVpcAttribute', resource: 'vpc', why: "MSK Serverless' managed VPC endpoints" },
    ],
  },
  'kafka:ListReplicators': { action: 'kafka:ListReplicators', resource: '*', why: 'find a replicator by name' },
  'kafka:DescribeReplicator': {
    action: 'kafka:DescribeReplicator',
    resource: 'replicator',
    why: 'state and ownership tags of the replicator',
  },
  'kafka:CreateReplicator': {
    action: 'kafka:CreateReplicator',
    resource: 'replicator',
    why: 'the MSK Replicator of this execution',
    dependent: [
      {
        action: 'kafka:TagResource',
        resource: '*',
        why: 'tags given at creation (the Service Authorization Reference lists no replicator resource for it)',
      },
      {
        action: 'iam:PassRole',
        resource: 'replicatorRole',
        why: 'the service execution role, to MSK only',
        conditions: passedTo('kafka.amazonaws.com'),
      },
      { action: 'kafka:DescribeClusterV2', resource: 'cluster', why: 'MSK describes both clusters as the caller' },
      {
        action: 'kafka:GetBootstrapBrokers',
        resource: '*',
        why: 'MSK reads the brokers of both clusters as the caller',
      },
      ...NETWORK_DESCRIBE("MSK checks the clusters' networks as the caller"),
      {
        action: 'ec2:CreateNetworkInterface',
        resource: 'networkInterface',
        why: "the replicator's interfaces in the clusters' subnets",
      },
      {
        action: 'iam:CreateServiceLinkedRole',
        resource: 'serviceLinkedRole',
        why: 'the MSK service-linked role, created on first use',
        conditions: { StringLike: { 'iam:AWSServiceName': 'kafka.amazonaws.com' } },
      },
    ],
  },
  'kafka:DeleteReplicator': {
    action: 'kafka:DeleteReplicator',
    resource: 'replicator',
    why: 'delete the replicator this execution created (its execution tag)',
    conditions: OWNED,
  },
  'kafkaconnect:ListConnectors': { action: 'kafkaconnect:ListConnectors', resource: '*', why: 'find connectors' },
  'kafkaconnect:ListTagsForResource': {
    action: 'kafkaconnect:ListTagsForResource',
    resource: 'connector',
    why: 'ownership tags of the connectors',
  },
  'iam:SimulatePrincipalPolicy': {
    action: 'iam:SimulatePrincipalPolicy',
    resource: 'clientRole',
    why: "whether a client's role may resolve the schemas its records use",
  },
  'glue:GetRegistry': { action: 'glue:GetRegistry', resource: 'schemaRegistry', why: 'status of a schema registry' },
  'glue:ListSchemas': { action: 'glue:ListSchemas', resource: 'schemaRegistry', why: "a registry's schemas" },
  'glue:GetSchema': {
    action: 'glue:GetSchema',
    resource: 'schemaRegistry',
    why: "a schema's compatibility mode, status and latest version",
  },
  'glue:ListSchemaVersions': {
    action: 'glue:ListSchemaVersions',
    resource: 'schemaRegistry',
    why: "a schema's versions and their status",
  },
  'glue:GetSchemaVersion': {
    action: 'glue:GetSchemaVersion',
    resource: 'schemaRegistry',
    why: "find the schema version a record's Glue header names",
  },
  'kafkaconnect:DescribeConnector': {
    action: 'kafkaconnect:DescribeConnector',
    resource: 'connector',
    why: 'state of the connectors',
  },
  'kafkaconnect:CreateConnector': {
    action: 'kafkaconnect:CreateConnector',
    resource: '*',
    why: 'the MirrorMaker 2 connectors of this execution (no resource type in the Service Authorization Reference)',
    dependent: [
      { action: 'kafkaconnect:TagResource', resource: 'connector', why: 'tags given at creation' },
      {
        action: 'iam:PassRole',
        resource: 'connectRole',
        why: 'the service execution role, to MSK Connect only',
        conditions: passedTo('kafkaconnect.amazonaws.com'),
      },
      ...NETWORK_DESCRIBE("MSK Connect checks the clusters' networks as the caller"),
      {
        action: 'ec2:CreateNetworkInterface',
        resource: 'networkInterface',
        why: "the workers' interfaces in the clusters' subnets",
      },
      ...['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:ListLogDeliveries'].map((action) => ({
        action,
        resource: '*' as const,
        why: 'vended log delivery of the workers',
      })),
      ...['logs:DescribeLogGroups', 'logs:DescribeResourcePolicies'].map((action) => ({
        action,
        resource: '*' as const,
        why: 'vended log delivery checks the log group and its resource policy',
      })),
      {
        action: 'iam:CreateServiceLinkedRole',
        resource: 'serviceLinkedRole',
        why: 'the MSK Connect and log delivery service-linked roles, created on first use',
        conditions: {
          StringLike: { 'iam:AWSServiceName': ['kafkaconnect.amazonaws.com', 'delivery.logs.amazonaws.com'] },
        },
      },
    ],
  },
  'kafkaconnect:DeleteConnector': {
    action: 'kafkaconnect:DeleteConnector',
    resource: 'connector',
    why: "delete this execution's connectors (their tags are checked first)",
    dependent: [
      // Connectors are created with worker log delivery on: deleting one removes its delivery as the caller.
      { action: 'logs:DeleteLogDelivery', resource: '*', why: "the connector's vended log delivery" },
      { action: 'logs:ListLogDeliveries', resource: '*', why: "the connector's vended log delivery" },
    ],
  },
  'cloudwatch:PutMetricAlarm': {
    action: 'cloudwatch:PutMetricAlarm',
    resource: 'alarm',
    why: "the lag alarms of this execution's replicator",
    dependent: [{ action: 'cloudwatch:TagResource', resource: 'alarm', why: 'tags given at creation' }],
  },
  'cloudwatch:DescribeAlarms': { action: 'cloudwatch:DescribeAlarms', resource: 'alarm', why: 'lag alarm states' },
  'cloudwatch:DeleteAlarms': { action: 'cloudwatch:DeleteAlarms', resource: 'alarm', why: 'delete the lag alarms' },
  'cloudwatch:GetMetricData': {
    action: 'cloudwatch:GetMetricData',
    resource: '*',
    why: 'AWS/Kafka and MskMigration metrics',
  },
  's3:GetObject': {
    action: 's3:GetObject',
    resource: 'evidenceObject',
    why: 'read evidence and journals',
    // Without ListBucket, S3 answers a missing key with 403 instead of NoSuchKey (a first journal read).
    dependent: [{ action: 's3:ListBucket', resource: 'evidenceBucket', why: 'a missing key reads as NoSuchKey' }],
  },
  's3:PutObject': { action: 's3:PutObject', resource: 'evidenceObject', why: 'write evidence and journals' },
  'dynamodb:PutItem': {
    action: 'dynamodb:PutItem',
    resource: 'lockTable',
    why: 'take a migration lock (conditional write)',
  },
  'dynamodb:UpdateItem': {
    action: 'dynamodb:UpdateItem',
    resource: 'lockTable',
    why: 'share a migration lock, or stop sharing it (migrations in waves; conditional set update)',
  },
  'dynamodb:GetItem': {
    action: 'dynamodb:GetItem',
    resource: 'lockTable',
    why: "read this execution's abort request (strongly consistent)",
  },
  'dynamodb:DeleteItem': {
    action: 'dynamodb:DeleteItem',
    resource: 'lockTable',
    why: "release this execution's migration lock (conditional delete)",
  },
  's3:ListObjectsV2': { action: 's3:ListBucket', resource: 'evidenceBucket', why: 'list evidence under a prefix' },
  'secrets-manager:GetSecretValue': {
    action: 'secretsmanager:GetSecretValue',
    resource: 'secret',
    why: 'SCRAM or PLAIN credentials, client certificates (mTLS) and private CA bundles of a cluster',
    dependent: [
      {
        action: 'kms:Decrypt',
        resource: 'secretKey',
        why: "the secret's customer managed key, through Secrets Manager only",
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION_PLACEHOLDER}.amazonaws.com` } },
      },
    ],
  },
  'ssm:GetParameter': { action: 'ssm:GetParameter', resource: 'parameter', why: 'read the cutover pointer' },
  'ssm:PutParameter': { action: 'ssm:PutParameter', resource: 'parameter', why: 'move the cutover pointer' },
  'ssm:DeleteParameter': {
    action: 'ssm:DeleteParameter',
    resource: 'parameter',
    why: 'remove a pointer this execution created',
  },
  'route-53:ListResourceRecordSets': {
    action: 'route53:ListResourceRecordSets',
    resource: 'hostedZone',
    why: 'read the pointer record',
  },
  'route-53:ChangeResourceRecordSets': {
    action: 'route53:ChangeResourceRecordSets',
    resource: 'hostedZone',
    why: 'move the pointer record',
  },
  'lambda:Invoke': { action: 'lambda:InvokeFunction', resource: 'hookFunction', why: 'the cutover hook' },
  'iam:GetRolePolicy': {
    action: 'iam:GetRolePolicy',
    resource: 'fencedRole',
    why: "the producer role's inline policy of the fence's name, journaled before the fence (IAM_POLICY)",
  },
  'iam:PutRolePolicy': {
    action: 'iam:PutRolePolicy',
    resource: 'fencedRole',
    why: "the IAM_POLICY write fence's deny on a producer role (and the policy it replaced, put back on rollback)",
  },
  'iam:DeleteRolePolicy': {
    action: 'iam:DeleteRolePolicy',
    resource: 'fencedRole',
    why: 'remove the IAM_POLICY write fence from a producer role on rollback',
  },
  'lambda:GetEventSourceMapping': {
    action: 'lambda:GetEventSourceMapping',
    resource: 'eventSourceMapping',
    why: 'the event source mapping a LAMBDA_EVENT_SOURCE_MAPPING switch moves (its configuration is journaled)',
  },
  'lambda:ListEventSourceMappings': {
    action: 'lambda:ListEventSourceMappings',
    resource: '*',
    why: "the function's mappings: is the one on the other cluster there yet (no resource type)",
  },
  'lambda:DeleteEventSourceMapping': {
    action: 'lambda:DeleteEventSourceMapping',
    resource: 'eventSourceMapping',
    why: 'the mapping on the cluster the function leaves (its consumer group ID must be unique)',
  },
  'lambda:UpdateEventSourceMapping': {
    action: 'lambda:UpdateEventSourceMapping',
    resource: 'eventSourceMapping',
    why: 'disable the source mapping at the fence (its consumers hold), enable it again on rollback',
  },
  'lambda:CreateEventSourceMapping': {
    action: 'lambda:CreateEventSourceMapping',
    resource: '*',
    why: 'the mapping on the cluster the function moves to, same group ID (no resource type)',
  },
  'ecs:DescribeServices': {
    action: 'ecs:DescribeServices',
    resource: 'ecsService',
    why: 'the revision, desired count and deployments of an ECS_SERVICE switch',
  },
  'ecs:DescribeTaskDefinition': {
    action: 'ecs:DescribeTaskDefinition',
    resource: '*',
    why: "the service's task definition, copied with the target's settings (no resource type)",
  },
  'ecs:RegisterTaskDefinition': {
    action: 'ecs:RegisterTaskDefinition',
    resource: 'ecsTaskDefinition',
    why: "the new revision with the target's bootstrap and auth settings",
    dependent: [
      {
        action: 'iam:PassRole',
        resource: 'ecsTaskRole',
        why: "the revision keeps the task and execution roles of the service's task definition, to ECS tasks only",
        conditions: passedTo('ecs-tasks.amazonaws.com'),
      },
    ],
  },
  'ecs:UpdateService': {
    action: 'ecs:UpdateService',
    resource: 'ecsService',
    why: 'deploy the new revision (or the recorded one on rollback) and the desired count',
  },
} as const satisfies Record<string, SdkOperation>;

/**
 * The tag a producer role carries to let the IAM_POLICY write fence change it, when the construct names no
 * writeFenceRoleArns: `msk-migration:write-fence` = `allowed`. Without either, a task could put an inline policy on any
 * role of the account (its own included): a privilege escalation, not a fence.
 */
export const WRITE_FENCE_ROLE_TAG = { key: 'msk-migration:write-fence', value: 'allowed' } as const;

export type SdkOperationId = keyof typeof SDK_OPERATIONS;

/**
 * Per AWS adapter (class in lambdas/adapters/aws, its file) and method: the SDK operations it may send. An infra
 * test holds each file's commands against this list.
 */
export const AWS_ADAPTERS = {
  AwsMskControlPlane: {
    file: 'msk-control-plane.ts',
    methods: {
      describeCluster: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers', 'kafka:DescribeConfigurationRevision'],
      findClusterArn: ['kafka:ListClustersV2'],
    },
  },
  MskTargetProvisioner: {
    file: 'msk-provisioner.ts',
    methods: {
      findClusters: ['kafka:ListClustersV2'],
      createCluster: ['kafka:CreateClusterV2'],
      describeCluster: ['kafka:DescribeClusterV2'],
      getIamBootstrapBrokers: ['kafka:GetBootstrapBrokers'],
      deleteCluster: ['kafka:DeleteCluster'],
    },
  },
  MskReplicator: {
    file: 'msk-replicator.ts',
    methods: {
      find: ['kafka:ListReplicators', 'kafka:DescribeReplicator'],
      countExisting: ['kafka:ListReplicators'],
      create: ['kafka:CreateReplicator'],
      describe: ['kafka:DescribeReplicator'],
      delete: ['kafka:DeleteReplicator'],
    },
  },
  MskConnectMirrorMaker2: {
    file: 'msk-connect-mm2.ts',
    methods: {
      find: ['kafkaconnect:ListConnectors', 'kafkaconnect:ListTagsForResource'],
      countExisting: [],
      create: ['kafkaconnect:ListConnectors', 'kafkaconnect:CreateConnector'],
      describe: ['kafkaconnect:DescribeConnector'],
      delete: ['kafkaconnect:DeleteConnector'],
    },
  },
  CloudWatchLagSignals: {
    file: 'cloudwatch-lag-signals.ts',
    methods: {
      putAlarms: ['cloudwatch:PutMetricAlarm'],
      deleteAlarms: ['cloudwatch:DeleteAlarms'],
      describeAlarms: ['cloudwatch:DescribeAlarms'],
      getMetricSeries: ['cloudwatch:GetMetricData'],
    },
  },
  CloudWatchThroughput: { file: 'cloudwatch-throughput.ts', methods: { read: ['cloudwatch:GetMetricData'] } },
  DynamoDbMigrationLocks: {
    file: 'dynamodb-migration-locks.ts',
    methods: {
      acquire: ['dynamodb:PutItem'],
      release: ['dynamodb:DeleteItem'],
      acquireShared: ['dynamodb:UpdateItem'],
      releaseShared: ['dynamodb:UpdateItem'],
    },
  },
  DynamoDbAbortRequests: {
    file: 'dynamodb-abort-requests.ts',
    methods: { requested: ['dynamodb:GetItem'], request: ['dynamodb:PutItem'] },
  },
  S3ArtifactStore: {
    file: 's3-artifact-store.ts',
    methods: {
      putText: ['s3:PutObject'],
      putJson: ['s3:PutObject'],
      getText: ['s3:GetObject'],
      getJson: ['s3:GetObject'],
      list: ['s3:ListObjectsV2'],
    },
  },
  CachedSecrets: { file: 'secrets.ts', methods: { read: ['secrets-manager:GetSecretValue'] } },
  SsmCutoverSwitch: {
    file: 'cutover-switch-ssm.ts',
    methods: {
      read: ['ssm:GetParameter'],
      set: ['ssm:GetParameter', 'ssm:PutParameter'],
      revert: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
    },
  },
  Route53CutoverSwitch: {
    file: 'cutover-switch-route53.ts',
    methods: {
      read: ['route-53:ListResourceRecordSets'],
      set: ['route-53:ListResourceRecordSets', 'route-53:ChangeResourceRecordSets'],
      revert: ['route-53:ListResourceRecordSets', 'route-53:ChangeResourceRecordSets'],
    },
  },
  HookCutoverSwitch: {
    file: 'cutover-switch-hook.ts',
    methods: { read: ['lambda:Invoke'], set: ['lambda:Invoke'], revert: ['lambda:Invoke'] },
  },
  LambdaEsmClientSwitch: {
    file: 'client-switch-lambda-esm.ts',
    methods: {
      record: ['lambda:GetEventSourceMapping'],
      stop: [],
      switchToTarget: [
        'lambda:GetEventSourceMapping',
        'lambda:DeleteEventSourceMapping',
        'lambda:ListEventSourceMappings',
        'lambda:CreateEventSourceMapping',
      ],
      revert: [
        'lambda:ListEventSourceMappings',
        'lambda:DeleteEventSourceMapping',
        'lambda:UpdateEventSourceMapping',
        'lambda:CreateEventSourceMapping',
      ],
      hold: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      holdOnTarget: ['lambda:ListEventSourceMappings', 'lambda:UpdateEventSourceMapping'],
      resumeOnTarget: [
        'lambda:ListEventSourceMappings',
        'lambda:UpdateEventSourceMapping',
        'lambda:GetEventSourceMapping',
        'lambda:DeleteEventSourceMapping',
        'lambda:CreateEventSourceMapping',
      ],
    },
  },
  EcsServiceClientSwitch: {
    file: 'client-switch-ecs.ts',
    methods: {
      record: ['ecs:DescribeServices'],
      stop: ['ecs:DescribeServices', 'ecs:UpdateService'],
      switchToTarget: [
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:RegisterTaskDefinition',
        'ecs:UpdateService',
      ],
      revert: ['ecs:DescribeServices', 'ecs:UpdateService'],
    },
  },
  GlueSchemaRegistry: {
    file: 'glue-schema-registry.ts',
    methods: {
      describeRegistry: ['glue:GetRegistry', 'glue:ListSchemas', 'glue:GetSchema', 'glue:ListSchemaVersions'],
      findSchemaVersion: ['glue:GetSchemaVersion'],
    },
  },
  IamPolicySimulator: {
    file: 'iam-policy-simulator.ts',
    methods: { simulate: ['iam:SimulatePrincipalPolicy'] },
  },
  MskConnectInventory: {
    file: 'msk-connect-inventory.ts',
    methods: { listConnectors: ['kafkaconnect:ListConnectors', 'kafkaconnect:DescribeConnector'] },
  },
  MskConnectClientSwitch: {
    file: 'client-switch-msk-connect.ts',
    methods: {
      record: ['kafkaconnect:DescribeConnector'],
      hold: ['kafkaconnect:ListConnectors', 'kafkaconnect:DescribeConnector', 'kafkaconnect:DeleteConnector'],
      holdOnTarget: ['kafkaconnect:ListConnectors', 'kafkaconnect:DescribeConnector', 'kafkaconnect:DeleteConnector'],
      resumeOnTarget: [
        'kafkaconnect:ListConnectors',
        'kafkaconnect:DescribeConnector',
        'kafkaconnect:DeleteConnector',
        'kafkaconnect:CreateConnector',
      ],
      stop: [],
      switchToTarget: [
        'kafkaconnect:ListConnectors',
        'kafkaconnect:DescribeConnector',
        'kafkaconnect:DeleteConnector',
        'kafkaconnect:CreateConnector',
      ],
      revert: [
        'kafkaconnect:ListConnectors',
        'kafkaconnect:DescribeConnector',
        'kafkaconnect:DeleteConnector',
        'kafkaconnect:CreateConnector',
      ],
    },
  },
  IamPolicyWriteFence: {
    file: 'iam-write-fence.ts',
    methods: {
      inspect: ['iam:GetRolePolicy'],
      apply: ['iam:PutRolePolicy'],
      undo: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
    },
  },
} as const satisfies Record<string, { file: string; methods: Record<string, readonly SdkOperationId[]> }>;

export type AwsAdapterName = keyof typeof AWS_ADAPTERS;
/** `AwsMskControlPlane.describeCluster`. */
export type AwsAdapterMethod = {
  [A in AwsAdapterName]: `${A}.${keyof (typeof AWS_ADAPTERS)[A]['methods'] & string}`;
}[AwsAdapterName];

/**
 * The Kafka data plane (ports/kafka.ts) on an IAM-auth MSK cluster: each operation and the kafka-cluster actions
 * MSK authorizes it as (MSK developer guide, "IAM access control": semantics of the actions). Every connection
 * also needs kafka-cluster:Connect. `canary.*` are the same operations restricted to this tool's canary topic.
 */
export const KAFKA_OPERATIONS = {
  describeCluster: [{ action: 'kafka-cluster:DescribeCluster', resource: 'kafkaCluster', why: 'cluster metadata' }],
  describeAcls: [{ action: 'kafka-cluster:DescribeCluster', resource: 'kafkaCluster', why: "the cluster's ACLs" }],
  describeClientQuotas: [
    {
      action: 'kafka-cluster:DescribeClusterDynamicConfiguration',
      resource: 'kafkaCluster',
      why: 'client quotas',
    },
  ],
  describeBrokerConfigs: [
    {
      action: 'kafka-cluster:DescribeClusterDynamicConfiguration',
      resource: 'kafkaCluster',
      why: 'broker configs',
    },
  ],
  listTopics: [{ action: 'kafka-cluster:DescribeTopic', resource: 'kafkaTopic', why: 'topic metadata' }],
  describeTopics: [{ action: 'kafka-cluster:DescribeTopic', resource: 'kafkaTopic', why: 'topic metadata' }],
  describeTopicConfigs: [
    { action: 'kafka-cluster:DescribeTopicDynamicConfiguration', resource: 'kafkaTopic', why: 'topic configs' },
  ],
  fetchTopicOffsets: [{ action: 'kafka-cluster:DescribeTopic', resource: 'kafkaTopic', why: 'end offsets' }],
  listGroups: [{ action: 'kafka-cluster:DescribeGroup', resource: 'kafkaGroup', why: 'consumer groups' }],
  describeGroups: [{ action: 'kafka-cluster:DescribeGroup', resource: 'kafkaGroup', why: 'consumer groups' }],
  fetchCommittedOffsets: [
    { action: 'kafka-cluster:DescribeGroup', resource: 'kafkaGroup', why: 'committed offsets' },
    { action: 'kafka-cluster:DescribeTopic', resource: 'kafkaTopic', why: 'committed offsets' },
  ],
  setCommittedOffsets: [
    { action: 'kafka-cluster:AlterGroup', resource: 'kafkaGroup', why: 'commit translated offsets' },
    { action: 'kafka-cluster:ReadData', resource: 'kafkaTopic', why: 'an offset commit reads the topic' },
  ],
  readPartition: [
    { action: 'kafka-cluster:ReadData', resource: 'kafkaTopic', why: 'records compared by content' },
    { action: 'kafka-cluster:DescribeTopic', resource: 'kafkaTopic', why: 'records compared by content' },
  ],
  /** The inventory's client-behaviour reads (adapters/kafka/platformatic-client-behaviour.ts). */
  describeProducers: [
    {
      action: 'kafka-cluster:DescribeTopic',
      resource: 'kafkaTopic',
      why: 'the producers with state on each partition',
    },
  ],
  listTransactions: [
    {
      action: 'kafka-cluster:DescribeTransactionalId',
      resource: 'kafkaTransactionalId',
      why: 'the transactional ids each coordinator knows',
    },
  ],
  describeTransactions: [
    {
      action: 'kafka-cluster:DescribeTransactionalId',
      resource: 'kafkaTransactionalId',
      why: 'the state and partitions of each transaction',
    },
  ],
  sampleRecordBatches: [
    {
      action: 'kafka-cluster:ReadData',
      resource: 'kafkaTopic',
      why: 'codecs and record sizes at the tail of each topic',
    },
    {
      action: 'kafka-cluster:DescribeTopic',
      resource: 'kafkaTopic',
      why: 'codecs and record sizes at the tail of each topic',
    },
  ],
  listGroupTypes: [
    { action: 'kafka-cluster:DescribeGroup', resource: 'kafkaGroup', why: "consumer groups' protocols" },
  ],
  'canary.createTopics': [
    { action: 'kafka-cluster:CreateTopic', resource: 'kafkaCanaryTopic', why: "this execution's canary topic" },
    { action: 'kafka-cluster:DescribeTopic', resource: 'kafkaCanaryTopic', why: "this execution's canary topic" },
  ],
  'canary.produce': [
    { action: 'kafka-cluster:WriteData', resource: 'kafkaCanaryTopic', why: 'canary records' },
    { action: 'kafka-cluster:DescribeTopic', resource: 'kafkaCanaryTopic', why: 'canary records' },
    // Both adapters' producers are idempotent (a resent batch is not written twice): InitProducerId.
    {
      action: 'kafka-cluster:WriteDataIdempotently',
      resource: 'kafkaCluster',
      why: "the idempotent producer's InitProducerId",
    },
  ],
  /**
   * KAFKA_ACL write fence on a source the orchestrator reaches with IAM (SCRAM / mTLS producers on a cluster that also
   * has IAM on): DescribeAcls is DESCRIBE CLUSTER, CreateAcls / DeleteAcls ALTER CLUSTER (MSK developer guide,
   * semantics of the kafka-cluster actions). Kafka ACLs bind the SCRAM / mTLS identities, never IAM ones.
   */
  writeFenceAcls: [
    { action: 'kafka-cluster:DescribeCluster', resource: 'kafkaCluster', why: 'the DENY WRITE bindings there already' },
    { action: 'kafka-cluster:AlterCluster', resource: 'kafkaCluster', why: 'add and remove the DENY WRITE bindings' },
  ],
  'canary.readPartition': [
    { action: 'kafka-cluster:ReadData', resource: 'kafkaCanaryTopic', why: 'the canary round trip' },
  ],
  'canary.deleteTopics': [
    { action: 'kafka-cluster:DeleteTopic', resource: 'kafkaCanaryTopic', why: "this execution's canary topic" },
  ],
} as const satisfies Record<string, readonly IamRequirement[]>;

export type KafkaOperation = keyof typeof KAFKA_OPERATIONS;

/** Every connection to an IAM-auth cluster. */
export const KAFKA_CONNECT: IamRequirement = {
  action: 'kafka-cluster:Connect',
  resource: 'kafkaCluster',
  why: 'connect with IAM authentication',
};

/** Lambda in a VPC manages the function's interfaces with its execution role (AWSLambdaVPCAccessExecutionRole's actions). */
export const VPC_ACCESS: readonly IamRequirement[] = [
  ...['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'].map((action) => ({
    action,
    resource: '*' as const,
    why: "Lambda manages the function's interfaces in the VPC",
  })),
  ...[
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ].map((action) => ({
    action,
    resource: 'networkInterface' as const,
    why: "Lambda manages the function's interfaces in the VPC",
  })),
];

/** The IAM requirements of an SDK operation: its action and its dependent actions. */
export function requirementsOf(op: SdkOperationId): IamRequirement[] {
  const spec: SdkOperation = SDK_OPERATIONS[op];
  return [spec, ...(spec.dependent ?? [])];
}

/** The SDK operations of an adapter method. */
export function sdkOperationsOf(method: AwsAdapterMethod): readonly SdkOperationId[] {
  const [adapter, name] = method.split('.') as [AwsAdapterName, string];
  const methods = AWS_ADAPTERS[adapter].methods as Record<string, readonly SdkOperationId[]>;
  const ops = methods[name];
  if (!ops) throw new Error(`No adapter method ${method} in lib/iam/operations.ts`);
  return ops;
}
