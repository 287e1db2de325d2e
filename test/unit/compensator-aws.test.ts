import {
  DeleteClusterCommand,
  DeleteReplicatorCommand,
  DescribeClusterV2Command,
  DescribeReplicatorCommand,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  ListReplicatorsCommand,
} from '@aws-sdk/client-kafka';
import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import {
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
  type DescribeServicesCommandOutput,
} from '@aws-sdk/client-ecs';
import {
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { journalKey } from '../../lambdas/core/cutover/journal';
import { cutoverKey, fenceValue } from '../../lambdas/core/cutover/model';
import { MigrationPlanSchema } from '../../lambdas/core/plan/migration-plan';
import { route53RecordValue } from '../../lambdas/adapters/aws/cutover-switch-route53';
import { alarmNamePrefix, ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import { targetClusterName } from '../../lambdas/core/provisioning/target-cluster';
import { asLambdaEntry } from '../setup/lambda-entry';
import { examplePlan } from './task-fixtures';

/**
 * The compensator (lambdas/compensator/handler.ts) driven through its handler over mocked AWS clients, configured as
 * the orchestrator deploys it: an execution stopped during the catch-up leaves an MSK Replicator, its alarms and the
 * target cluster it created; the compensator finds each by this execution's names and ownership tags and removes
 * them, releases the locks and writes the report. The iam tier simulates these requests against the compensator's
 * role (test/iam/compensator-grants.test.ts).
 */

const ENTRY = 'lambdas/compensator/handler.ts';
const EXECUTION = 'orders-stopped-1';
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:MskMigration:${EXECUTION}`;
const plan = examplePlan('msk-to-msk-new-version');
const identity = { migrationId: plan.migrationId, executionName: EXECUTION };
const REPLICATOR_ARN = `arn:aws:kafka:us-east-1:123456789012:replicator/${replicatorName(identity)}/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`;
const TARGET_ARN = `arn:aws:kafka:us-east-1:123456789012:cluster/${targetClusterName(identity)}/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2`;

const kafka = mockClient(KafkaClient);
const cloudwatch = mockClient(CloudWatchClient);
const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const route53 = mockClient(Route53Client);
const ecs = mockClient(ECSClient);

beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    ARTIFACT_BUCKET: 'compensator-evidence',
    MIGRATION_LOCK_TABLE: 'compensator-locks',
    REPLICATOR_SERVICE_ROLE_ARN: 'arn:aws:iam::123456789012:role/replicator-role',
    MSK_CONNECT_SERVICE_ROLE_ARN: 'arn:aws:iam::123456789012:role/connect-role',
    MSK_CONNECT_LOG_GROUP: 'connect-workers',
    KAFKA_CLIENT: 'kafkajs',
  });
  // Nothing journaled (the cutover never started), no report yet.
  s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }));
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3.on(PutObjectCommand).resolves({});
  // The source's data plane cannot be opened (no brokers here): the canary is then looked for on no cluster.
  const target = {
    ClusterArn: TARGET_ARN,
    ClusterName: targetClusterName(identity),
    ClusterType: 'PROVISIONED' as const,
    State: 'ACTIVE' as const,
    Tags: ownershipTags(identity),
  };
  kafka.on(DescribeClusterV2Command).callsFake(async (input: { ClusterArn?: string }) => ({
    ClusterInfo:
      input.ClusterArn === TARGET_ARN
        ? target
        : { ClusterArn: plan.source.clusterArn, ClusterName: 'source', ClusterType: 'PROVISIONED' },
  }));
  kafka.on(GetBootstrapBrokersCommand).rejects(new Error('no brokers in a unit test'));
  kafka.on(ListReplicatorsCommand).resolves({
    Replicators: [{ ReplicatorName: replicatorName(identity), ReplicatorArn: REPLICATOR_ARN }],
  });
  kafka.on(DescribeReplicatorCommand).resolves({
    ReplicatorArn: REPLICATOR_ARN,
    ReplicatorName: replicatorName(identity),
    ReplicatorState: 'RUNNING',
    Tags: ownershipTags(identity),
  });
  kafka.on(DeleteReplicatorCommand).resolves({ ReplicatorArn: REPLICATOR_ARN, ReplicatorState: 'DELETING' });
  kafka.on(ListClustersV2Command).resolves({ ClusterInfoList: [target] });
  kafka.on(DeleteClusterCommand).resolves({ ClusterArn: TARGET_ARN, State: 'DELETING' });
  cloudwatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'OK' })),
  }));
  cloudwatch.on(DeleteAlarmsCommand).resolves({});
  dynamodb.on(DeleteItemCommand).resolves({});
});

const statusChange = (execution: string, input: unknown = plan) => ({
  'detail-type': 'Step Functions Execution Status Change',
  detail: {
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:MskMigration:${execution}`,
    name: execution,
    status: 'ABORTED',
    startDate: Date.now() - 3_600_000,
    stopDate: Date.now() - 60_000,
    input: JSON.stringify(input),
  },
});

/** The fence journaled for `execution` (the producers' pointer fenced), and the Route 53 record holding the fence. */
function fencedAt(execution: { migrationId: string; executionName: string }): { hostedZoneId: string } {
  s3.on(GetObjectCommand, { Key: journalKey(execution, 'fence') }).resolves({
    Body: {
      transformToString: async () =>
        JSON.stringify({
          status: 'INTENT',
          intent: { producersPrevious: { value: 'b-1.source.example.com' }, requestedAt: new Date().toISOString() },
        }),
    } as never,
  });
  const switchConfig = plan.cutover.switch as { hostedZoneId: string; recordName: string };
  route53.on(ListResourceRecordSetsCommand).resolves({
    ResourceRecordSets: [
      {
        Name: `${switchConfig.recordName}.`,
        Type: 'CNAME',
        TTL: 60,
        ResourceRecords: [{ Value: route53RecordValue(fenceValue(execution)) }],
      },
    ],
  });
  route53.on(ChangeResourceRecordSetsCommand).resolves({
    ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() },
  });
  return switchConfig;
}

it('removes the replicator, its alarms and the created target of a stopped execution, frees its locks, reports', async () => {
  // Prepare
  const { compensatorHandler } = await import('../../lambdas/compensator/handler');
  const event = {
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      executionArn: EXECUTION_ARN,
      name: EXECUTION,
      status: 'ABORTED',
      startDate: Date.parse('2026-11-01T10:00:00Z'),
      stopDate: Date.parse('2026-11-01T12:00:00Z'),
      input: JSON.stringify(plan),
    },
  };
  // Act
  const compensation = await asLambdaEntry(ENTRY, () => compensatorHandler(event));
  // Assess
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(kafka.commandCalls(DeleteReplicatorCommand).map((c) => c.args[0].input.ReplicatorArn)).toEqual([
    REPLICATOR_ARN,
  ]);
  expect(kafka.commandCalls(DeleteClusterCommand).map((c) => c.args[0].input.ClusterArn)).toEqual([TARGET_ARN]);
  const deletedAlarms = cloudwatch.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames ?? []);
  expect(deletedAlarms.length).toBeGreaterThan(0);
  expect(deletedAlarms.every((a) => a.startsWith(alarmNamePrefix(identity)))).toBe(true);
  expect(dynamodb.commandCalls(DeleteItemCommand).length).toBeGreaterThan(0);
  expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toContain(
    `migrations/${plan.migrationId}/${EXECUTION}/report/report.json`,
  );
});

it('puts the Route 53 pointer back from the fence journal of an execution stopped while producers were fenced', async () => {
  // Prepare: the fence journaled (the producers' pointer fenced), then the execution stopped
  const fenced = { migrationId: plan.migrationId, executionName: 'orders-stopped-2' };
  const switchConfig = fencedAt(fenced);
  const { compensatorHandler } = await import('../../lambdas/compensator/handler');
  // Act
  const compensation = await asLambdaEntry(ENTRY, () => compensatorHandler(statusChange('orders-stopped-2')));
  // Assess
  expect(compensation.outcome).toBe('ROLLED_BACK');
  const changes = route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input);
  expect(changes.map((c) => c.HostedZoneId)).toEqual([switchConfig.hostedZoneId]);
  expect(JSON.stringify(changes)).toContain('b-1.source.example.com');
});

it('returns the ECS service a stop left scaled to 0 at the fence to its journaled task definition and count', async () => {
  // Prepare: FenceProducers stopped the orders-writer service (stopAtFence) and journaled it, then the stop came
  const stopped = { migrationId: plan.migrationId, executionName: 'orders-stopped-3' };
  fencedAt(stopped);
  const withSwitch = MigrationPlanSchema.parse({
    ...plan,
    cutover: {
      ...plan.cutover,
      switches: [
        {
          type: 'ECS_SERVICE',
          name: 'orders-writer',
          role: 'PRODUCERS',
          cluster: 'apps',
          service: 'orders-writer',
          environment: { KAFKA_BOOTSTRAP_SERVERS: '{bootstrapServers}' },
          stopAtFence: true,
        },
      ],
    },
  });
  const TD1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders-writer:1';
  s3.on(GetObjectCommand, { Key: cutoverKey(stopped, 'journal/client-switch-orders-writer.json') }).resolves({
    Body: {
      transformToString: async () =>
        JSON.stringify({
          name: 'orders-writer',
          kind: 'ECS_SERVICE',
          subject: 'ecs:apps/orders-writer',
          recorded: { taskDefinitionArn: TD1, desiredCount: 2 },
          recordedAt: new Date().toISOString(),
          stoppedAt: new Date().toISOString(),
        }),
    } as never,
  });
  // The service as ECS holds it: scaled to 0 at the fence, then deployed at its count when UpdateService is called.
  let service = { taskDefinition: TD1, desiredCount: 0, runningCount: 0 };
  const described = (): DescribeServicesCommandOutput => ({
    $metadata: {},
    services: [
      {
        serviceName: 'orders-writer',
        status: 'ACTIVE',
        ...service,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', ...service }],
      },
    ],
  });
  ecs.on(DescribeServicesCommand).callsFake(async () => described());
  ecs.on(UpdateServiceCommand).callsFake(async (input: { taskDefinition?: string; desiredCount?: number }) => {
    service = {
      taskDefinition: input.taskDefinition ?? service.taskDefinition,
      desiredCount: input.desiredCount ?? service.desiredCount,
      runningCount: input.desiredCount ?? service.desiredCount,
    };
    return { service: described().services?.[0] };
  });
  const { compensatorHandler } = await import('../../lambdas/compensator/handler');
  // Act
  const compensation = await asLambdaEntry(ENTRY, () =>
    compensatorHandler(statusChange('orders-stopped-3', withSwitch)),
  );
  // Assess: one UpdateService back to the journaled revision and count; the pointer back too
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
    { cluster: 'apps', service: 'orders-writer', taskDefinition: TD1, desiredCount: 2 },
  ]);
  expect(compensation.notes.join(' ')).toContain('orders-writer (ecs:apps/orders-writer) is back on the source');
  expect(JSON.stringify(route53.commandCalls(ChangeResourceRecordSetsCommand).at(-1)?.args[0].input)).toContain(
    'b-1.source.example.com',
  );
}, 20_000);

it('enables again the event source mapping a stop left disabled at the source end (held by CommitConsumerOffsets)', async () => {
  // Prepare: CommitConsumerOffsets held the billing mapping (disabled, journaled), then the execution was stopped
  const stopped = { migrationId: plan.migrationId, executionName: 'orders-stopped-4' };
  fencedAt(stopped);
  const UUID = '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01';
  const recorded: EventSourceMappingConfiguration = {
    UUID,
    FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:billing-consumer',
    EventSourceArn: plan.source.clusterArn,
    State: 'Enabled',
    Topics: ['orders.created'],
    StartingPosition: 'LATEST',
    AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
  };
  const withSwitch = MigrationPlanSchema.parse({
    ...plan,
    cutover: { ...plan.cutover, switches: [{ type: 'LAMBDA_EVENT_SOURCE_MAPPING', name: 'billing', uuid: UUID }] },
  });
  s3.on(GetObjectCommand, { Key: cutoverKey(stopped, 'journal/client-switch-billing.json') }).resolves({
    Body: {
      transformToString: async () =>
        JSON.stringify({
          name: 'billing',
          kind: 'LAMBDA_EVENT_SOURCE_MAPPING',
          subject: `lambda-esm:${UUID}`,
          recorded,
          recordedAt: new Date().toISOString(),
          heldAt: new Date().toISOString(),
          heldBehind: 0,
        }),
    } as never,
  });
  // Lambda: the mapping Disabled until UpdateEventSourceMapping enables it
  let state = 'Disabled';
  const lambda = mockClient(LambdaClient);
  lambda.on(ListEventSourceMappingsCommand).callsFake(async () => {
    if (state === 'Enabling') state = 'Enabled';
    return { EventSourceMappings: [{ ...recorded, State: state }] };
  });
  lambda.on(UpdateEventSourceMappingCommand).callsFake(async (input: { Enabled?: boolean }) => {
    state = input.Enabled ? 'Enabling' : 'Disabling';
    return { ...recorded, State: state };
  });
  try {
    const { compensatorHandler } = await import('../../lambdas/compensator/handler');
    // Act
    const compensation = await asLambdaEntry(ENTRY, () =>
      compensatorHandler(statusChange('orders-stopped-4', withSwitch)),
    );
    // Assess: the same mapping enabled again, nothing created
    expect(compensation.outcome).toBe('ROLLED_BACK');
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
      { UUID, Enabled: true },
    ]);
    expect(state).toBe('Enabled');
  } finally {
    lambda.restore();
  }
}, 20_000);
