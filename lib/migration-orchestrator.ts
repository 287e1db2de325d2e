import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  ALARM_NAME_PREFIX,
  CANARY_TOPIC_PREFIX,
  KAFKA_CLIENTS,
  REPLICATOR_NAME_PREFIX,
  STATE_MACHINE_ALIAS,
  TASK_ENV,
  type KafkaClientName,
} from '../lambdas/contract';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  handlerEntry,
  type FunctionEntry,
  type FunctionName,
  type TaskPermission,
} from '../lambdas/workflow/catalogue';
import { APPROVAL_API_ENTRIES, ApprovalApi, ApprovalEmailProps, ApprovalSlackProps } from './approval-api';
import { MigrationDashboard } from './dashboard';
import { MigrationNotifications, SLACK_NOTIFIER_ENTRY, SlackNotificationProps } from './notifications';
import { ReplicationAlarms } from './replication-alarms';
import { kafkaResources, nagResourceName, ReplicatorRole } from './replicator-role';
import { WRITE_FENCE_ROLE_TAG, type ResourceKind } from './iam/operations';
import { generateStatements, type PlacedRequirement } from './iam/task-policy';
import type { BundleTarget } from './handler-bundles';
import { REPO_ROOT, TaskFunction } from './task-function';

/** The workflow this construct deploys. Its `${<Task>FunctionArn}` placeholders must match `TASKS` exactly. */
export const DEFINITION_FILE = path.join(REPO_ROOT, 'statemachine/migration.asl.json');

export type { TaskPermission };

export interface TaskSpec {
  /** Shown in the Lambda console. */
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Talks to the Kafka data plane: placed in `vpc` when one is given. */
  readonly dataPlane: boolean;
  /** IAM: what the function may do (lambdas/workflow/catalogue.ts, `may`). */
  readonly may: readonly TaskPermission[];
  /** Which replication role a `replicationCreate` task passes: forward (source → target) or failback (target → source). */
  readonly replicationDirection?: 'FORWARD' | 'FAILBACK';
  /** The function is created by another construct of this orchestrator (not by the task factory here). */
  readonly providedBy?: 'ApprovalApi';
}

/**
 * One row per `${<Name>FunctionArn}` of the ASL, derived from the workflow catalogue (lambdas/workflow/catalogue.ts,
 * FUNCTIONS): the function's settings and what it may call. The construct creates exactly these functions and
 * substitutes exactly these names; a name missing on either side fails the synth.
 */
export const TASKS: Readonly<Record<TaskName, TaskSpec>> = Object.fromEntries(
  FUNCTION_NAMES.map((name) => {
    const fn: FunctionEntry = FUNCTIONS[name];
    const spec: TaskSpec = {
      description: fn.description,
      timeout: Duration.seconds(fn.timeoutSeconds),
      memorySize: fn.memoryMb,
      dataPlane: fn.dataPlane,
      may: fn.may,
      ...(fn.replicationDirection ? { replicationDirection: fn.replicationDirection } : {}),
      ...(fn.providedBy ? { providedBy: fn.providedBy } : {}),
    };
    return [name, spec];
  }),
) as Record<TaskName, TaskSpec>;

export type TaskName = FunctionName;
export const TASK_NAMES: TaskName[] = [...FUNCTION_NAMES];

/** `CheckTargetHealth` → `lambdas/tasks/check-target-health/handler.ts` (the catalogue's module). */
/** The compensator's handler (lambdas/compensator/handler.ts): not a Task state, the target of the status rule. */
/**
 * The Kafka client a task function runs, which its bundle is built for (lib/handler-bundles.ts, BundleTarget): the
 * deployment's `kafkaClient` for a data-plane function (the construct sets its KAFKA_CLIENT), kafkajs for the others
 * (no KAFKA_CLIENT: a Kafka port they open, StopFailback's source, is kafkajs).
 */
export function bundleTargetOf(spec: Pick<TaskSpec, 'dataPlane'>, kafkaClient: KafkaClientName): BundleTarget {
  return { kafkaClient: spec.dataPlane ? kafkaClient : 'kafkajs' };
}

export const COMPENSATOR_ENTRY = 'lambdas/compensator/handler.ts';

/** The execution statuses no Catch runs for: the compensator undoes what such an execution left. */
export const COMPENSATED_STATUSES = ['ABORTED', 'FAILED', 'TIMED_OUT'] as const;

/**
 * What the compensator's handler wires (lambdas/compensator/handler.ts) of the rollback tasks' and Report's
 * permissions: it runs their cores from the journals when the workflow could not (lambdas/compensator/compensate.ts),
 * but reaches no target data plane (no offsets read, none committed back on the source); it does return the client
 * switches (`cutover.switches`) this execution moved, as RollbackCutover does. Add the permission here when the
 * handler wires the port that needs it: test/iam/compensator-grants.test.ts simulates the requests its handler makes against this role.
 */
const COMPENSATOR_NOT_WIRED: readonly TaskPermission[] = ['kafkaReadData', 'kafkaCommitOffsetsOnSource'];

/** The compensator's function: the permissions of the three rollback tasks and Report that its handler wires. */
export const COMPENSATOR_SPEC: TaskSpec = {
  description: 'Undoes what a stopped, failed or timed-out execution left (fence, pointer, replicator, target, locks)',
  // Lambda's longest: the client switches may take cutover.clientSwitchTimeoutMinutes (at most 12), and the pointer,
  // the replication, the target, the locks and the report the rest (test/infra/compensator-timeout.test.ts).
  timeout: Duration.minutes(15),
  memorySize: 1024,
  dataPlane: true,
  may: [
    ...new Set([
      ...TASKS.RollbackCutover.may,
      ...TASKS.RollbackReplication.may,
      ...TASKS.RollbackTarget.may,
      ...TASKS.Report.may,
    ]),
  ].filter((p) => !COMPENSATOR_NOT_WIRED.includes(p)),
};

export function taskEntry(name: string): string {
  if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, name))
    throw new Error(
      `MigrationOrchestrator: ${name} is not a function of the workflow catalogue (lambdas/workflow/catalogue.ts)`,
    );
  return handlerEntry(name as FunctionName);
}

/** The ASL's placeholder for the stack's partition in service integration ARNs (`arn:${Partition}:states:::…`). */
export const ASL_PARTITION = 'Partition';

/** The task names the ASL refers to through `${<Name>FunctionArn}`; any other placeholder but the partition is an error. */
export function aslTaskPlaceholders(definition: string): { tasks: string[]; others: string[] } {
  const tasks = new Set<string>();
  const others = new Set<string>();
  for (const match of definition.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    const task = /^([A-Z][A-Za-z0-9]*)FunctionArn$/.exec(name);
    if (task?.[1]) tasks.add(task[1]);
    else if (name !== ASL_PARTITION) others.add(name);
  }
  return { tasks: [...tasks].sort(), others: [...others].sort() };
}

/** Names of what an execution creates (lambdas/contract/names.ts): the IAM patterns below rely on them. */
export { CANARY_TOPIC_PREFIX, REPLICATOR_NAME_PREFIX };

/**
 * Environment variables the construct sets, by permission: a handler reads the ones of its permissions. The names
 * are TASK_ENV's (lambdas/contract/env.ts, which the handlers read with `readTaskEnv`). `PHASE_EVENT_BUS_NAME`
 * (every function) comes from MigrationNotifications.grantPublishPhaseEvents; `AWS_REGION` is Lambda's own.
 */
export const TASK_ENVIRONMENT = {
  /** The evidence bucket (every task function). */
  bucket: TASK_ENV.ARTIFACT_BUCKET,
  /** MSK Replicator service execution role (replicationCreate: the forward role for StartReplication, the reverse one for StartFailback). */
  replicatorRole: TASK_ENV.REPLICATOR_SERVICE_ROLE_ARN,
  /** MirrorMaker 2 on MSK Connect service execution role (same split). */
  connectRole: TASK_ENV.MSK_CONNECT_SERVICE_ROLE_ARN,
  /** Log group of the MSK Connect workers (replicationCreate). */
  connectLogGroup: TASK_ENV.MSK_CONNECT_LOG_GROUP,
  /** The topic the lag alarms notify (alarmsManage): the notification topic. */
  alarmTopic: TASK_ENV.ALARM_TOPIC_ARN,
  /** The Kafka client of the data-plane functions (`kafkaClient` prop). */
  kafkaClient: TASK_ENV.KAFKA_CLIENT,
  /** The migration lock table (migrationLocks; abortRead: the poll tasks read abort requests there). */
  lockTable: TASK_ENV.MIGRATION_LOCK_TABLE,
} as const;

export interface MigrationApprovalProps {
  /**
   * E-mail through SES with personal signed links.
   * @default - no SES: a notice without links goes to the notification topic, approvers decide in Slack or with `msk-migrate approve`
   */
  readonly email?: ApprovalEmailProps;
  /**
   * Slack Block Kit message with Approve / Reject buttons (bot token and signing secret ARNs).
   * @default - no Slack
   */
  readonly slack?: ApprovalSlackProps;
}

export interface MigrationOrchestratorProps {
  /**
   * The VPC the data-plane tasks run in (they talk to Kafka: Inventory, StartReplication, EvaluateCatchUp,
   * ValidateTarget, the cutover tasks, failback, Finalize, RollbackReplication). It needs a route to the AWS APIs
   * (NAT or VPC endpoints).
   * @default - no VPC: the tasks reach public endpoints only (rehearsal, public MSK access)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` for the data-plane tasks.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the data-plane tasks; the clusters' security groups must admit them on the broker ports.
   * @default - one new security group with outbound access only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * How approvers are asked.
   * @default - a notice on the notification topic; decisions with `msk-migrate approve` (IAM)
   */
  readonly approval?: MigrationApprovalProps;
  /**
   * E-mail addresses subscribed to the notification topic (phase changes, execution status).
   * @default none
   */
  readonly notificationEmails?: string[];
  /**
   * Phase-change notifications to a Slack channel.
   * @default - no Slack notifications
   */
  readonly notificationSlack?: SlackNotificationProps;
  /**
   * ARN patterns of the source MSK clusters (`arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`, wildcards
   * allowed in name and UUID). Scopes kafka:* and kafka-cluster:* on the source side.
   * @default every MSK cluster of this account in this Region (`cluster/*\/*`)
   */
  readonly sourceClusterArns?: string[];
  /**
   * ARN patterns of the target MSK clusters (also the clusters ProvisionTarget may create and RollbackTarget delete).
   * @default every MSK cluster of this account in this Region
   */
  readonly targetClusterArns?: string[];
  /**
   * Secrets the tasks (and MirrorMaker 2 on MSK Connect) may read: SCRAM credentials (MSK requires the `AmazonMSK_`
   * prefix), PLAIN credentials, client certificates (mTLS) and private CA bundles the plans name (docs/identities.md).
   * @default secrets of this account and Region named `AmazonMSK_*`
   */
  readonly secretArns?: string[];
  /**
   * KMS keys of those secrets (MSK SCRAM secrets use a customer managed key); decrypt only through Secrets Manager.
   * @default every key of this account and Region, with kms:ViaService = Secrets Manager
   */
  readonly secretKeyArns?: string[];
  /**
   * AWS Glue Schema Registry registries the Inventory may read, with their schemas (the plans' `schemaRegistries.glue`
   * and the registries their records' schema versions belong to): `arn:aws:glue:<region>:<account>:registry/<name>`.
   * @default every registry of this account, in any Region
   */
  readonly schemaRegistryArns?: string[];
  /**
   * KMS keys MSK may encrypt the target clusters ProvisionTarget creates with, at rest: kms:DescribeKey and
   * kms:CreateGrant, through MSK only. The provisioner names no customer key, so MSK uses the account's AWS managed key
   * `aws/kafka`: its key ARN (`aws kms describe-key --key-id alias/aws/kafka`).
   * @default every key of this account and Region, with kms:ViaService = MSK
   */
  readonly targetClusterKeyArns?: string[];
  /**
   * Name prefix of the SSM parameters a SSM_PARAMETER cutover may move (`/orders/kafka/`).
   * @default '/' (every parameter of this account and Region)
   */
  readonly cutoverParameterPrefix?: string;
  /**
   * Route 53 hosted zones a ROUTE53 cutover may change.
   * @default every hosted zone of the account
   */
  readonly cutoverHostedZoneIds?: string[];
  /**
   * Lambda functions a HOOK cutover may invoke (ARNs or patterns).
   * @default every function of this account and Region
   */
  readonly cutoverHookFunctionArns?: string[];
  /**
   * The producers' IAM roles an `IAM_POLICY` write fence (plan `cutover.fence`) may put its inline deny on and remove it
   * from (ARNs or patterns, `arn:aws:iam::<account>:role/producers/*`). FenceProducers and RollbackCutover get
   * iam:GetRolePolicy / PutRolePolicy (and RollbackCutover DeleteRolePolicy) on these only.
   * @default every role of this account tagged `msk-migration:write-fence` = `allowed` (aws:ResourceTag condition): a
   * role is fenceable only once its owner tagged it
   */
  readonly writeFenceRoleArns?: string[];
  /**
   * The roles a `cutover.switches` entry passes again when it recreates an application: the task and execution roles
   * of an ECS_SERVICE's task definition (iam:PassRole to ecs-tasks.amazonaws.com only), the service execution role of
   * an MSK_CONNECT_CONNECTOR (to kafkaconnect.amazonaws.com only).
   * @default every role of this account, passed to those services only
   */
  readonly clientSwitchTaskRoleArns?: string[];
  /**
   * The ECS services an `ECS_SERVICE` entry of `cutover.switches` may describe and update (ARNs or patterns,
   * `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>`).
   * @default every ECS service of this account and Region
   */
  readonly clientSwitchEcsServiceArns?: string[];
  /**
   * Removal policy of the evidence bucket. Evidence outlives the stack unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly evidenceRemovalPolicy?: RemovalPolicy;
  /**
   * Retention of the state machine's execution log.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly executionLogRetention?: logs.RetentionDays;
  /**
   * Code per task instead of bundling its handler (tests; handlers still being written). Return undefined to bundle.
   * @default - every handler bundled with esbuild; a missing handler fails the synth, naming it
   */
  readonly codeFor?: (task: TaskName, entry: string) => lambda.Code | undefined;
  /**
   * The Kafka client of the data-plane tasks (`KAFKA_CLIENT`, docs/kafka-clients.md). Both clients' producers are
   * idempotent, so the IAM grants are the same. Inventory always reads with kafkajs.
   * @default 'kafkajs'
   */
  readonly kafkaClient?: KafkaClientName;
}

/**
 * The MSK migration orchestrator: a Standard Step Functions workflow (one execution = one migration) whose
 * definition is `statemachine/migration.asl.json`, one task function per `${<Task>FunctionArn}` of it (`TASKS`), the
 * evidence bucket, the approval API, notifications, the replication roles and the dashboard.
 */
export class MigrationOrchestrator extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly artifactBucket: s3.Bucket;
  public readonly approvalApi: ApprovalApi;
  public readonly notifications: MigrationNotifications;
  public readonly dashboard: MigrationDashboard;
  public readonly replicationAlarms: ReplicationAlarms;
  /** Service execution roles: MSK Replicator and MSK Connect, forward (source → target) and failback (target → source). */
  public readonly replicationRoles: {
    readonly [direction in 'FORWARD' | 'FAILBACK']: {
      readonly replicator: ReplicatorRole;
      readonly connect: ReplicatorRole;
    };
  };
  /** The log group of the MirrorMaker 2 workers on MSK Connect. */
  public readonly connectLogGroup: logs.LogGroup;
  /** The security group of the data-plane tasks, when this construct created one. */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The state machine version the last deploy published (every Task names published function versions). */
  public readonly stateMachineVersionArn: string;
  /** The `live` alias (STATE_MACHINE_ALIAS) on that version: start executions through it. */
  public readonly stateMachineAliasArn: string;
  /**
   * One item per resource a running migration holds (source cluster, target, pointer): AcquireLock takes them with a
   * conditional PutItem, Report and the compensator release them.
   */
  public readonly lockTable: dynamodb.Table;
  /** Every task function by ASL name (RequestApproval is the ApprovalApi's). */
  public readonly functions: Readonly<Record<TaskName, lambda.Function>>;
  /** The compensator: undoes what an ABORTED, FAILED or TIMED_OUT execution left (no Catch ran for it). */
  public readonly compensator: lambda.Function;
  /** The EventBridge rule that sends this state machine's ABORTED / FAILED / TIMED_OUT status changes to it. */
  public readonly compensatorRule: events.Rule;

  /** The Kafka client the data-plane tasks run (`kafkaClient`). */
  public readonly kafkaClient: KafkaClientName;

  private readonly scopes: PermissionScopes;
  /** The write fence's producer roles are named (writeFenceRoleArns): no opt-in tag condition then. */
  private readonly fencedRolesNamed: boolean;

  constructor(scope: Construct, id: string, props: MigrationOrchestratorProps = {}) {
    super(scope, id);
    assertConsistentProps(props);
    const stack = Stack.of(this);
    const definition = fs.readFileSync(DEFINITION_FILE, 'utf8');
    assertTasksMatchDefinition(definition);

    const accessLogs = new s3.Bucket(this, 'EvidenceAccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: props.evidenceRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.artifactBucket = new s3.Bucket(this, 'Evidence', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: props.evidenceRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the evidence bucket; logging it to itself would loop.',
    });

    const missing = TASK_NAMES.filter((name) => {
      const spec = TASKS[name];
      return (
        !spec.providedBy &&
        !props.codeFor?.(name, taskEntry(name)) &&
        !inlineForTests(this) &&
        !fs.existsSync(path.join(REPO_ROOT, taskEntry(name)))
      );
    });
    if (missing.length > 0) {
      throw new Error(
        `MigrationOrchestrator: the ASL calls ${missing.length} task(s) without a handler: ${missing.map((n) => `${n} (${taskEntry(n)})`).join(', ')}. Write each handler (export \`handler\`) or pass codeFor.`,
      );
    }

    // Every handler of the app bundled before the functions that use the bundles are created, each task function for
    // the Kafka client it runs (bundleTargetOf: its bundle leaves out the other client's adapter), one esbuild run
    // per client.
    const kafkaClient = props.kafkaClient ?? 'kafkajs';
    const taskBundles = [
      ...TASK_NAMES.filter((name) => !TASKS[name].providedBy && !props.codeFor?.(name, taskEntry(name))).map(
        (name) => ({ entry: taskEntry(name), target: bundleTargetOf(TASKS[name], kafkaClient) }),
      ),
      { entry: COMPENSATOR_ENTRY, target: bundleTargetOf(COMPENSATOR_SPEC, kafkaClient) },
    ];
    for (const client of KAFKA_CLIENTS) {
      const entries = taskBundles.filter((b) => b.target.kafkaClient === client).map((b) => b.entry);
      if (entries.length > 0) TaskFunction.prebuild(this, entries, { kafkaClient: client });
    }
    TaskFunction.prebuild(this, [
      ...Object.values(APPROVAL_API_ENTRIES),
      ...(props.notificationSlack ? [SLACK_NOTIFIER_ENTRY] : []),
    ]);

    this.notifications = new MigrationNotifications(this, 'Notifications', {
      ...(props.notificationEmails ? { emailSubscribers: props.notificationEmails } : {}),
      ...(props.notificationSlack ? { slack: props.notificationSlack } : {}),
    });
    this.approvalApi = new ApprovalApi(this, 'Approval', {
      artifactBucket: this.artifactBucket,
      ...(props.approval?.email ? { email: props.approval.email } : { snsFallbackTopic: this.notifications.topic }),
      ...(props.approval?.slack ? { slack: props.approval.slack } : {}),
    });
    this.replicationAlarms = new ReplicationAlarms(this, 'ReplicationAlarms', {
      notificationTopic: this.notifications.topic,
    });

    this.lockTable = new dynamodb.Table(this, 'MigrationLocks', {
      partitionKey: { name: 'lockKey', type: dynamodb.AttributeType.STRING },
      // Abort requests (`abort:<executionArn>`) expire 30 days after they were made; locks carry no expiry.
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.scopes = permissionScopes(stack, props);
    this.fencedRolesNamed = props.writeFenceRoleArns !== undefined;
    this.kafkaClient = props.kafkaClient ?? 'kafkajs';
    const connectSecrets = props.secretArns ?? [this.scopes.secrets[0] ?? ''];
    const role = (
      rid: string,
      engine: 'MSK_REPLICATOR' | 'MSK_CONNECT',
      sources: string[] | undefined,
      targets: string[] | undefined,
    ): ReplicatorRole =>
      new ReplicatorRole(this, rid, {
        engine,
        ...(sources ? { sourceClusterArns: sources } : {}),
        ...(targets ? { targetClusterArns: targets } : {}),
        ...(engine === 'MSK_CONNECT' ? { scramSecretArns: connectSecrets } : {}),
      });
    this.replicationRoles = {
      FORWARD: {
        replicator: role('ReplicatorRole', 'MSK_REPLICATOR', props.sourceClusterArns, props.targetClusterArns),
        connect: role('ConnectRole', 'MSK_CONNECT', props.sourceClusterArns, props.targetClusterArns),
      },
      // The reverse flow reads the target and writes the source: the same role shape with the sides swapped.
      FAILBACK: {
        replicator: role('FailbackReplicatorRole', 'MSK_REPLICATOR', props.targetClusterArns, props.sourceClusterArns),
        connect: role('FailbackConnectRole', 'MSK_CONNECT', props.targetClusterArns, props.sourceClusterArns),
      },
    };
    for (const { connect } of Object.values(this.replicationRoles)) {
      for (const secret of connectSecrets.filter((arn) => arn.includes('*') || Token.isUnresolved(arn))) {
        Validations.of(connect.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResourceName(stack, secret)}]`,
          reason:
            'MirrorMaker 2 reads SCRAM credentials only from secrets named AmazonMSK_* (the prefix MSK requires for SCRAM secrets), or the secret patterns given as secretArns.',
        });
      }
    }
    this.connectLogGroup = new logs.LogGroup(this, 'ConnectWorkerLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Vended log delivery (MSK Connect → CloudWatch Logs) needs this policy on the group; created here so that the
    // tasks need no logs:PutResourcePolicy.
    this.connectLogGroup.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.connectLogGroup.logGroupArn}`],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    let securityGroups = props.securityGroups;
    if (props.vpc && !securityGroups) {
      this.securityGroup = new ec2.SecurityGroup(this, 'DataPlaneTasks', {
        vpc: props.vpc,
        description: 'MSK migration data-plane tasks: outbound to the Kafka brokers and the AWS APIs; no inbound',
        allowAllOutbound: true,
      });
      securityGroups = [this.securityGroup];
    }

    const functions: Partial<Record<TaskName, lambda.Function>> = {
      RequestApproval: this.approvalApi.requestApprovalFunction,
    };
    for (const name of TASK_NAMES) {
      const spec = TASKS[name];
      if (spec.providedBy) continue;
      const code = props.codeFor?.(name, taskEntry(name));
      const fn = new TaskFunction(this, `${name}Fn`, {
        entry: taskEntry(name),
        description: `${name}: ${spec.description}`,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        environment: this.environmentFor(spec),
        ...(code ? { code } : {}),
        bundleTarget: bundleTargetOf(spec, this.kafkaClient),
        ...(spec.dataPlane && props.vpc
          ? {
              vpcConfig: {
                vpc: props.vpc,
                ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
                ...(securityGroups ? { securityGroups } : {}),
              },
            }
          : {}),
      });
      this.grantTaskPermissions(fn, spec, Boolean(spec.dataPlane && props.vpc));
      functions[name] = fn;
    }
    this.functions = functions as Record<TaskName, lambda.Function>;

    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: props.executionLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(DEFINITION_FILE),
      // Published versions, never the unqualified ARN: a running execution keeps calling the code it started with
      // when a deploy publishes new versions (docs/deploy.md, "Deploying during a migration").
      definitionSubstitutions: {
        ...Object.fromEntries(
          TASK_NAMES.map((name) => [`${name}FunctionArn`, this.functions[name].currentVersion.functionArn]),
        ),
        // Service integration ARNs name the stack's partition (aws, aws-cn, aws-us-gov: cdk.json's target partitions).
        [ASL_PARTITION]: stack.partition,
      },
      tracingEnabled: true,
      // ALL events, without the execution data: the state carries approval IDs, plan details and endpoints, and
      // the log group is read more widely than the execution history (which has the data, behind states:GetExecutionHistory).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    for (const name of TASK_NAMES) {
      if (name === 'RequestApproval') this.approvalApi.grantStateMachine(this.stateMachine);
      else grantInvokeVersions(this.functions[name], this.stateMachine);
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.functions[name].node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: `The published versions of the ${name} task function (\`<arn>:*\`): an execution calls the version it started with, which a later deploy replaces.`,
      });
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments and friends) and CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and friends) support no resource-level permissions.',
    });

    // Each deploy that changes the definition (or a task version it names) publishes a new state machine version and
    // moves the alias to it; `msk-migrate start` starts through the alias. Versions are retained: an execution keeps
    // its version's definition, and redriving it needs the version to exist.
    const version = new sfn.CfnStateMachineVersion(this, 'StateMachineVersion', {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: this.stateMachine.stateMachineRevisionId,
      description: 'Published by cdk deploy; the live alias routes every new execution here',
    });
    version.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const alias = new sfn.CfnStateMachineAlias(this, 'StateMachineAlias', {
      name: STATE_MACHINE_ALIAS,
      description: 'What `msk-migrate start` starts: the version the last deploy published',
      routingConfiguration: [{ stateMachineVersionArn: version.attrArn, weight: 100 }],
    });
    this.stateMachineVersionArn = version.attrArn;
    this.stateMachineAliasArn = alias.attrArn;

    // StopExecution runs no Catch, nor does a failure outside one (the history quota, a timeout): the compensator does
    // what the rollback branches would have done, from the journals (docs/runbook.md, "Stop and redrive").
    const compensator = new TaskFunction(this, 'CompensatorFn', {
      entry: COMPENSATOR_ENTRY,
      description: `Compensator: ${COMPENSATOR_SPEC.description}`,
      timeout: COMPENSATOR_SPEC.timeout,
      memorySize: COMPENSATOR_SPEC.memorySize,
      environment: this.environmentFor(COMPENSATOR_SPEC),
      bundleTarget: bundleTargetOf(COMPENSATOR_SPEC, this.kafkaClient),
      ...(props.vpc
        ? {
            vpcConfig: {
              vpc: props.vpc,
              ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
              ...(securityGroups ? { securityGroups } : {}),
            },
          }
        : {}),
    });
    this.grantTaskPermissions(compensator, COMPENSATOR_SPEC, Boolean(props.vpc));
    this.compensator = compensator;
    // Matched by the execution's ARN, not `detail.stateMachineArn`: `start` runs executions through the `live` alias,
    // and an execution's ARN is `…:execution:<state machine name>:<execution name>` whether it was started through the
    // state machine, a version or an alias (Step Functions reports the alias and version in separate fields), so the
    // prefix holds for every execution of this state machine whatever ARN started it (docs/deploy.md).
    this.compensatorRule = new events.Rule(this, 'CompensatorRule', {
      description:
        'Executions of the migration state machine that ended ABORTED, FAILED or TIMED_OUT → the compensator',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: [...COMPENSATED_STATUSES],
          executionArn: events.Match.prefix(this.executionArnPrefix()),
        },
      },
      targets: [new eventsTargets.LambdaFunction(compensator, { retryAttempts: 4, maxEventAge: Duration.hours(12) })],
    });

    this.notifications.watch(this.stateMachine);
    for (const fn of [...Object.values(this.functions), compensator]) this.notifications.grantPublishPhaseEvents(fn);

    this.dashboard = new MigrationDashboard(this, 'Dashboard', {
      stateMachine: this.stateMachine,
      taskFunctions: this.functions,
    });
  }

  /**
   * Start executions through the `live` alias (only there: an execution started on the unqualified state machine
   * would run its latest definition, not a published version) and describe them (`msk-migrate start`): ListExecutions
   * and DescribeStateMachine on the state machine and its alias, DescribeExecution on its executions. Not the execution
   * history: its TaskScheduled events carry each waiting approval's task token (see `grantReadExecutionHistory`).
   */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: [this.stateMachineAliasArn],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['states:DescribeStateMachine', 'states:ListExecutions'],
          resourceArns: [this.stateMachine.stateMachineArn, this.stateMachineAliasArn],
        }),
      )
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['states:DescribeExecution'],
          resourceArns: [this.executionArns()],
        }),
      );
  }

  /**
   * Follow executions state by state (`msk-migrate status`): states:GetExecutionHistory on this state machine's
   * executions. The history holds the execution state and, in the TaskScheduled event of a waiting approval, its
   * task token; a token decides nothing without states:SendTask* on the state machine, which no grant of this
   * construct hands out (only the approval functions hold it). Give it to the people who follow migrations.
   */
  public grantReadExecutionHistory(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:GetExecutionHistory', 'states:DescribeExecution'],
      resourceArns: [this.executionArns()],
    });
  }

  /** Read the evidence and reports (`msk-migrate report`, `status`). */
  public grantReadEvidence(grantee: iam.IGrantable): iam.Grant {
    return this.artifactBucket.grantRead(grantee, 'migrations/*');
  }

  /**
   * Decide approvals (`msk-migrate approve|reject`): `execute-api:Invoke` on the approval API's operator decision
   * route, nothing else. The approval service decides only if the caller's IAM principal is in the plan's
   * `approval.approvers`, before the deadline, once, and audits every attempt; it alone reads the task token and
   * calls states:SendTaskSuccess/Failure. Never grant a person states:SendTask* on this state machine: with a task
   * token (from the execution history) it bypasses every one of those rules.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this.approvalApi.grantOperatorDecision(grantee);
  }

  /**
   * Abort running migrations (`msk-migrate abort`): dynamodb:PutItem on the lock table, only for items whose key starts
   * with `abort:` (the operator can record an abort request, never take or free a lock), and states:DescribeExecution
   * on this state machine's executions (the CLI aborts only a RUNNING one), and execute-api:Invoke on the approval
   * API's abort route (the approval service ends a waiting approval with Migration.Aborted through its own path). No
   * states:StopExecution (a stop runs no Catch; the compensator cleans up after one) and no states:SendTask*.
   */
  public grantAbort(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem'],
      resourceArns: [this.lockTable.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['abort:*'] } },
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['states:DescribeExecution'],
        resourceArns: [this.executionArns()],
      }).combine(this.approvalApi.grantOperatorAbort(grantee)),
    );
  }

  /**
   * Stop the replication an ended migration kept for its consumers-first readers (`msk-migrate finish-replication`):
   * states:DescribeExecution on this state machine's executions (the plan and the execution's status); find and delete
   * replicators and MirrorMaker 2 connectors named with this tool's prefix (kafka:DescribeReplicator,
   * kafka:DeleteReplicator, kafkaconnect:ListTagsForResource, kafkaconnect:DeleteConnector), and list them
   * (kafka:ListReplicators, kafkaconnect:ListConnectors: no resource-level permissions); describe and delete the
   * migration's alarms. The CLI deletes only the replicator whose ownership tags name the execution. No create, no
   * states:SendTask*, no Kafka data-plane access.
   */
  public grantFinishReplication(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    if (principal instanceof Construct)
      Validations.of(principal).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'kafka:ListReplicators and kafkaconnect:ListConnectors support no resource-level permissions; the describe and delete actions are scoped to the replicator, connector and alarm name prefixes of this tool.',
      });
    const s = this.scopes;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:DescribeExecution'],
      resourceArns: [this.executionArns()],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['kafka:ListReplicators', 'kafkaconnect:ListConnectors'],
          resourceArns: ['*'],
        }),
      )
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['kafka:DescribeReplicator', 'kafka:DeleteReplicator'],
          resourceArns: [s.replicators],
        }),
      )
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['kafkaconnect:ListTagsForResource', 'kafkaconnect:DeleteConnector'],
          resourceArns: [s.connectors],
        }),
      )
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'],
          resourceArns: [s.alarms],
        }),
      );
  }

  /** `arn:…:states:…:execution:<state machine name>:`: every execution of this state machine, however started. */
  private executionArnPrefix(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** `arn:…:states:…:execution:<state machine name>:*`. */
  private executionArns(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private environmentFor(spec: TaskSpec): Record<string, string> {
    const env: Record<string, string> = { [TASK_ENVIRONMENT.bucket]: this.artifactBucket.bucketName };
    if (spec.dataPlane) env[TASK_ENVIRONMENT.kafkaClient] = this.kafkaClient;
    // The replicator adapters are built with the service roles even to find, describe or delete a replicator
    // (they compare a found one with what this execution would have created), so every task that touches one gets them.
    if (
      ['replicationCreate', 'replicationDescribe', 'replicationDelete'].some((p) =>
        (spec.may as readonly string[]).includes(p),
      )
    ) {
      const roles = this.replicationRoles[spec.replicationDirection ?? 'FORWARD'];
      env[TASK_ENVIRONMENT.replicatorRole] = roles.replicator.role.roleArn;
      env[TASK_ENVIRONMENT.connectRole] = roles.connect.role.roleArn;
      env[TASK_ENVIRONMENT.connectLogGroup] = this.connectLogGroup.logGroupName;
    }
    if (spec.may.includes('alarmsManage')) env[TASK_ENVIRONMENT.alarmTopic] = this.notifications.topic.topicArn;
    if ((spec.may as readonly TaskPermission[]).some((p) => p === 'migrationLocks' || p === 'abortRead'))
      env[TASK_ENVIRONMENT.lockTable] = this.lockTable.tableName;
    return env;
  }

  /** The role of a task function, generated from its permissions' operations (lib/iam). */
  private grantTaskPermissions(fn: TaskFunction, spec: TaskSpec, inVpc: boolean): void {
    const stack = Stack.of(this);
    const statements = generateStatements(
      { may: spec.may, inVpc },
      (kind, requirement) => this.resourcesFor(kind, requirement, spec),
      stack.region,
      // Without named producer roles, only the roles their owners tagged for the fence (never this task's own).
      (kind) =>
        kind === 'fencedRole' && !this.fencedRolesNamed
          ? { StringEquals: { [`aws:ResourceTag/${WRITE_FENCE_ROLE_TAG.key}`]: WRITE_FENCE_ROLE_TAG.value } }
          : undefined,
    );
    const principal = fn.role ?? fn;
    for (const s of statements) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: s.sid,
          actions: s.actions,
          resources: s.resources,
          ...(s.conditions ? { conditions: s.conditions } : {}),
        }),
      );
      const reason = Object.entries(s.why)
        .map(([action, why]) => `${action}: ${why}`)
        .join('; ');
      for (const resource of s.resources) {
        if (resource === '*') {
          Validations.of(principal).acknowledge({
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason: `No resource-level permissions (Service Authorization Reference) or resources named only at run time. ${reason}`,
          });
        } else if (resource.includes('*') || Token.isUnresolved(resource)) {
          const name = nagResourceName(stack, resource);
          if (name.includes('*'))
            Validations.of(principal).acknowledge({
              id: `AwsSolutions-IAM5[Resource::${name}]`,
              reason: `Names chosen per execution under this pattern. ${reason}`,
            });
        }
      }
    }
  }

  /** The narrowest ARNs the props allow for one resource kind of a requirement. */
  private resourcesFor(kind: ResourceKind, r: PlacedRequirement, spec: TaskSpec): readonly string[] {
    const s = this.scopes;
    const sides = r.side ? [r.side] : r.clusters === 'target' ? (['target'] as const) : (['source', 'target'] as const);
    const onSides = (pick: (c: ClusterScope) => string): string[] => unique(sides.flatMap((side) => s[side].map(pick)));
    const roles = this.replicationRoles[spec.replicationDirection ?? 'FORWARD'];
    switch (kind) {
      case '*':
        return ['*'];
      case 'cluster':
      case 'kafkaCluster':
        return onSides((c) => c.cluster);
      case 'kafkaTopic':
        return onSides((c) => c.topics);
      case 'kafkaGroup':
        return onSides((c) => c.groups);
      case 'kafkaCanaryTopic':
        return onSides((c) => c.canary);
      case 'kafkaTransactionalId':
        return onSides((c) => c.transactionalIds);
      case 'configuration':
        return [s.configurations];
      case 'replicator':
        return [s.replicators];
      case 'connector':
        // A client switch recreates the user's connectors (any name), the Inventory reads them; replication tasks only
        // the tool's own.
        return [
          spec.may.includes('clientSwitch') ||
          spec.may.includes('clientSwitchHold') ||
          spec.may.includes('connectorsRead')
            ? s.anyConnector
            : s.connectors,
        ];
      case 'alarm':
        return [s.alarms];
      case 'schemaRegistry':
        return s.schemaRegistries;
      case 'clientRole':
        return s.ecsTaskRoles;
      case 'evidenceObject':
        return [this.artifactBucket.arnForObjects('migrations/*')];
      case 'evidenceBucket':
        return [this.artifactBucket.bucketArn];
      case 'secret':
        return s.secrets;
      case 'secretKey':
        return s.secretKeys;
      case 'clusterKey':
        return s.keys;
      case 'parameter':
        return [s.parameters];
      case 'hostedZone':
        return s.hostedZones;
      case 'hookFunction':
        return s.hooks;
      case 'fencedRole':
        return s.fencedRoles;
      case 'lockTable':
        return [this.lockTable.tableArn];
      case 'eventSourceMapping':
        return [s.eventSourceMappings];
      case 'ecsService':
        return s.ecsServices;
      case 'ecsTaskDefinition':
        return [s.ecsTaskDefinitions];
      case 'ecsTaskRole':
        return s.ecsTaskRoles;
      case 'replicatorRole':
        return [roles.replicator.role.roleArn];
      case 'connectRole':
        // A client switch passes the recreated connector's own service execution role, to MSK Connect only.
        return spec.may.includes('clientSwitch') ? s.connectorRoles : [roles.connect.role.roleArn];
      case 'serviceLinkedRole':
        return s.serviceLinkedRoles;
      case 'networkInterface':
        return s.networkInterfaces;
      case 'vpc':
        return [s.vpcs];
      case 'vpcEndpoint':
        return r.action === 'ec2:CreateVpcEndpoint' ? s.vpcEndpointResources : [s.vpcEndpoints];
    }
  }
}

interface ClusterScope {
  readonly cluster: string;
  readonly topics: string;
  readonly groups: string;
  readonly canary: string;
  readonly transactionalIds: string;
}

interface PermissionScopes {
  readonly source: ClusterScope[];
  readonly target: ClusterScope[];
  readonly configurations: string;
  readonly replicators: string;
  readonly connectors: string;
  readonly alarms: string;
  readonly networkInterfaces: string[];
  readonly vpcEndpointResources: string[];
  readonly vpcEndpoints: string;
  readonly vpcs: string;
  readonly keys: string[];
  readonly serviceLinkedRoles: string[];
  readonly parameters: string;
  readonly hostedZones: string[];
  readonly hooks: string[];
  readonly fencedRoles: string[];
  readonly eventSourceMappings: string;
  readonly ecsServices: string[];
  readonly ecsTaskDefinitions: string;
  readonly ecsTaskRoles: string[];
  readonly anyConnector: string;
  /** Glue registries and schemas of this account, any Region (a registry may serve clients of several Regions). */
  readonly schemaRegistries: string[];
  readonly connectorRoles: string[];
  readonly secrets: string[];
  readonly secretKeys: string[];
}

function permissionScopes(stack: Stack, props: MigrationOrchestratorProps): PermissionScopes {
  const arn = (
    service: string,
    resource: string,
    resourceName: string,
    arnFormat = ArnFormat.SLASH_RESOURCE_NAME,
  ): string => stack.formatArn({ service, resource, resourceName, arnFormat });
  const anyCluster = arn('kafka', 'cluster', '*/*');
  const clusters = (arns: string[] | undefined): ClusterScope[] =>
    (arns ?? [anyCluster]).map((clusterArn) => {
      if (clusterArn === anyCluster) {
        return {
          cluster: anyCluster,
          topics: arn('kafka', 'topic', '*/*/*'),
          groups: arn('kafka', 'group', '*/*/*'),
          canary: arn('kafka', 'topic', `*/*/${CANARY_TOPIC_PREFIX}*`),
          transactionalIds: arn('kafka', 'transactional-id', '*/*/*'),
        };
      }
      const r = kafkaResources(clusterArn);
      return {
        cluster: r.cluster,
        topics: r.topics,
        groups: r.groups,
        canary: r.topics.replace(/\*$/, `${CANARY_TOPIC_PREFIX}*`),
        transactionalIds: r.topics.replace(':topic/', ':transactional-id/'),
      };
    });
  const prefix = (props.cutoverParameterPrefix ?? '/').replace(/^\//, '');
  return {
    source: clusters(props.sourceClusterArns),
    target: clusters(props.targetClusterArns),
    configurations: arn('kafka', 'configuration', '*/*'),
    replicators: arn('kafka', 'replicator', `${REPLICATOR_NAME_PREFIX}*/*`),
    connectors: arn('kafkaconnect', 'connector', `${REPLICATOR_NAME_PREFIX}*/*`),
    alarms: arn('cloudwatch', 'alarm', `${ALARM_NAME_PREFIX}*`, ArnFormat.COLON_RESOURCE_NAME),
    networkInterfaces: [
      arn('ec2', 'subnet', '*'),
      arn('ec2', 'security-group', '*'),
      arn('ec2', 'network-interface', '*'),
    ],
    vpcEndpointResources: [
      arn('ec2', 'vpc', '*'),
      arn('ec2', 'subnet', '*'),
      arn('ec2', 'security-group', '*'),
      arn('ec2', 'vpc-endpoint', '*'),
    ],
    vpcEndpoints: arn('ec2', 'vpc-endpoint', '*'),
    vpcs: arn('ec2', 'vpc', '*'),
    keys: props.targetClusterKeyArns ?? [arn('kms', 'key', '*')],
    serviceLinkedRoles: [
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka*',
      }),
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/kafkaconnect.amazonaws.com/AWSServiceRoleForKafkaConnect*',
      }),
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery*',
      }),
    ],
    parameters: arn('ssm', 'parameter', `${prefix}*`),
    hostedZones: (props.cutoverHostedZoneIds ?? ['*']).map((zone) =>
      stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: zone }),
    ),
    hooks: props.cutoverHookFunctionArns ?? [arn('lambda', 'function', '*', ArnFormat.COLON_RESOURCE_NAME)],
    eventSourceMappings: arn('lambda', 'event-source-mapping', '*', ArnFormat.COLON_RESOURCE_NAME),
    ecsServices: props.clientSwitchEcsServiceArns ?? [arn('ecs', 'service', '*/*')],
    ecsTaskDefinitions: arn('ecs', 'task-definition', '*'),
    anyConnector: arn('kafkaconnect', 'connector', '*/*'),
    schemaRegistries: props.schemaRegistryArns
      ? props.schemaRegistryArns.flatMap((registry) => [
          registry,
          registry.replace(/:registry\/([^/]+)$/, ':schema/$1/*'),
        ])
      : ['registry/*', 'schema/*'].map((resource) =>
          stack.formatArn({ service: 'glue', region: '*', resource, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
        ),
    connectorRoles: props.clientSwitchTaskRoleArns ?? [
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' }),
    ],
    ecsTaskRoles: props.clientSwitchTaskRoleArns ?? [
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' }),
    ],
    fencedRoles: props.writeFenceRoleArns ?? [
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' }),
    ],
    secrets: props.secretArns ?? [arn('secretsmanager', 'secret', 'AmazonMSK_*', ArnFormat.COLON_RESOURCE_NAME)],
    secretKeys: props.secretKeyArns ?? [arn('kms', 'key', '*')],
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function inlineForTests(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(TaskFunction.INLINE_CODE_CONTEXT);
  return value === true || value === 'true';
}

/** The ASL's `${<Name>FunctionArn}` placeholders and TASKS must name the same tasks. */
export function assertTasksMatchDefinition(definition: string, tasks: readonly string[] = TASK_NAMES): void {
  const { tasks: inAsl, others } = aslTaskPlaceholders(definition);
  const unknown = inAsl.filter((name) => !tasks.includes(name));
  const unused = tasks.filter((name) => !inAsl.includes(name));
  const problems = [
    ...(unknown.length
      ? [
          `the ASL calls ${unknown.map((n) => `\${${n}FunctionArn}`).join(', ')} but TASKS has no function for ${unknown.length === 1 ? 'it' : 'them'} (add it to FUNCTIONS and STATES in lambdas/workflow/catalogue.ts)`,
        ]
      : []),
    ...(unused.length
      ? [
          `TASKS defines ${unused.join(', ')} but the ASL never calls ${unused.length === 1 ? 'it' : 'them'} (remove it from lambdas/workflow/catalogue.ts, or use \${<Name>FunctionArn} in the ASL)`,
        ]
      : []),
    ...(others.length
      ? [`the ASL has placeholders that are not task ARNs: ${others.map((n) => `\${${n}}`).join(', ')}`]
      : []),
  ];
  if (problems.length)
    throw new Error(
      `MigrationOrchestrator: ${path.relative(REPO_ROOT, DEFINITION_FILE)} and TASKS disagree: ${problems.join('; ')}.`,
    );
}

function assertConsistentProps(props: MigrationOrchestratorProps): void {
  const problems: string[] = [];
  if (!props.vpc && props.vpcSubnets) problems.push('`vpcSubnets` without `vpc` (give the VPC the subnets belong to)');
  if (!props.vpc && props.securityGroups)
    problems.push('`securityGroups` without `vpc` (security groups only apply to tasks in a VPC)');
  if (props.securityGroups && props.securityGroups.length === 0)
    problems.push('`securityGroups` is empty (omit it to get a new outbound-only group)');
  for (const [name, arns] of [
    ['sourceClusterArns', props.sourceClusterArns],
    ['targetClusterArns', props.targetClusterArns],
  ] as const) {
    if (arns && arns.length === 0)
      problems.push(
        `\`${name}\` is empty: no cluster could be migrated (omit it for every cluster of the account in this Region)`,
      );
    for (const arn of arns ?? []) {
      if (Token.isUnresolved(arn))
        problems.push(
          `\`${name}\` holds a token; give literal ARN patterns (topic and group ARNs are derived from them)`,
        );
      else if (!/^arn:[^:]+:kafka:[^:]*:[^:]*:cluster\/[^/]+\/[^/]+$/.test(arn))
        problems.push(
          `\`${name}\`: ${arn} is not an MSK cluster ARN pattern (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)`,
        );
    }
  }
  for (const [name, list] of [
    ['secretArns', props.secretArns],
    ['cutoverHostedZoneIds', props.cutoverHostedZoneIds],
    ['cutoverHookFunctionArns', props.cutoverHookFunctionArns],
    ['writeFenceRoleArns', props.writeFenceRoleArns],
    ['clientSwitchTaskRoleArns', props.clientSwitchTaskRoleArns],
    ['secretKeyArns', props.secretKeyArns],
    ['schemaRegistryArns', props.schemaRegistryArns],
    ['targetClusterKeyArns', props.targetClusterKeyArns],
    ['clientSwitchEcsServiceArns', props.clientSwitchEcsServiceArns],
  ] as const) {
    if (list && list.length === 0) problems.push(`\`${name}\` is empty (omit it for the default pattern)`);
  }
  for (const arn of props.schemaRegistryArns ?? [])
    if (Token.isUnresolved(arn) || !/^arn:[^:]+:glue:[^:]+:[^:]+:registry\/[^/]+$/.test(arn))
      problems.push(
        `\`schemaRegistryArns\`: ${Token.isUnresolved(arn) ? 'a token' : arn} is not a Glue registry ARN (arn:aws:glue:<region>:<account>:registry/<name>)`,
      );
  if (
    props.cutoverParameterPrefix !== undefined &&
    !props.cutoverParameterPrefix.startsWith('/') &&
    props.cutoverParameterPrefix !== ''
  ) {
    problems.push(
      `\`cutoverParameterPrefix\` "${props.cutoverParameterPrefix}" must start with "/" (a parameter path such as /orders/kafka/)`,
    );
  }
  if (
    props.approval?.slack &&
    props.notificationSlack &&
    props.approval.slack.botTokenSecretArn !== props.notificationSlack.botTokenSecretArn
  ) {
    problems.push(
      '`approval.slack` and `notificationSlack` name different bot tokens; use one Slack app (one bot token secret) for both',
    );
  }
  if (props.kafkaClient !== undefined && !(KAFKA_CLIENTS as readonly string[]).includes(props.kafkaClient))
    problems.push(`\`kafkaClient\` "${String(props.kafkaClient)}" is not one of ${KAFKA_CLIENTS.join(', ')}`);
  if (problems.length) throw new Error(`MigrationOrchestrator: conflicting props: ${problems.join('; ')}.`);
}

/**
 * Lets `grantee` invoke the published versions of `fn` (`<arn>:*`), not the unqualified function: the definition
 * names only versions, and an execution keeps calling the versions it started with after a deploy publishes new ones.
 */
export function grantInvokeVersions(fn: lambda.IFunction, grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['lambda:InvokeFunction'],
    resourceArns: [`${fn.functionArn}:*`],
  });
}
