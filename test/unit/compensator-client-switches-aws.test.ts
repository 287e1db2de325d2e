import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeClusterV2Command,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  ListReplicatorsCommand,
} from '@aws-sdk/client-kafka';
import {
  CreateConnectorCommand,
  DeleteConnectorCommand,
  DescribeConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  type CreateConnectorRequest,
  type DescribeConnectorResponse,
} from '@aws-sdk/client-kafkaconnect';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  type CreateEventSourceMappingRequest,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { route53RecordValue } from '../../lambdas/adapters/aws/cutover-switch-route53';
import { COMPENSATOR_RESERVE_MS } from '../../lambdas/compensator/compensate';
import { CLIENT_SWITCH_POLL_MS } from '../../lambdas/core/cutover/client-switches';
import { journalKey } from '../../lambdas/core/cutover/journal';
import { cutoverKey, fenceValue } from '../../lambdas/core/cutover/model';
import { MigrationPlanSchema } from '../../lambdas/core/plan/migration-plan';
import { asLambdaEntry } from '../setup/lambda-entry';
import { examplePlan } from './task-fixtures';

/**
 * The compensator (lambdas/compensator/handler.ts) returning a Lambda event source mapping and an MSK Connect sink
 * connector that SwitchToTarget moved, driven through its handler with its ports built by the AWS composition root,
 * over mocked AWS clients that hold state as the services do (a mapping or a connector deleted is gone on the next
 * call; one created is being created, then running). The iam tier simulates these requests against the compensator's
 * role (test/iam/compensator-grants.test.ts). Between two steps the handler waits CLIENT_SWITCH_POLL_MS on a timer:
 * the test runs it on Jest's fake clock.
 */

const ENTRY = 'lambdas/compensator/handler.ts';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const plan = examplePlan('msk-to-msk-new-version');
const SOURCE_ARN = plan.source.clusterArn;
const TARGET_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-target/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:billing-consumer`;
const ESM_UUID = '6f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const SOURCE_SERVERS = 'b-1.source.example.com:9098,b-2.source.example.com:9098';
const TARGET_SERVERS = 'b-1.target.example.com:9098,b-2.target.example.com:9098';
const CONNECTOR_NAME = 'orders-s3-sink';
const connectorArn = (n: number) =>
  `arn:aws:kafkaconnect:${REGION}:${ACCOUNT}:connector/${CONNECTOR_NAME}/0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01-${n}`;

const withSwitches = MigrationPlanSchema.parse({
  ...plan,
  cutover: {
    ...plan.cutover,
    clientSwitchTimeoutMinutes: 12,
    switches: [
      { type: 'LAMBDA_EVENT_SOURCE_MAPPING', name: 'billing', uuid: ESM_UUID },
      { type: 'MSK_CONNECT_CONNECTOR', name: CONNECTOR_NAME, role: 'CONSUMERS', connectorArn: connectorArn(1) },
    ],
  },
});

const s3 = mockClient(S3Client);
const kafka = mockClient(KafkaClient);
const connect = mockClient(KafkaConnectClient);
const lambda = mockClient(LambdaClient);
const route53 = mockClient(Route53Client);
const cloudwatch = mockClient(CloudWatchClient);
const dynamodb = mockClient(DynamoDBClient);

/** S3 as the evidence store: what was put is there to get and list. */
const objects = new Map<string, string>();
/** Lambda's mappings of the consumer function, by UUID. */
const mappings = new Map<string, EventSourceMappingConfiguration>();
/** MSK Connect's connectors, by ARN. */
const connectors = new Map<string, DescribeConnectorResponse>();

const connectorOn = (n: number, servers: string, state: DescribeConnectorResponse['connectorState']) => {
  const request = recordedConnector(servers);
  connectors.set(connectorArn(n), {
    ...request,
    connectorArn: connectorArn(n),
    connectorState: state,
    kafkaCluster: { apacheKafkaCluster: request.kafkaCluster?.apacheKafkaCluster },
  } as DescribeConnectorResponse);
};
function recordedConnector(servers: string): CreateConnectorRequest {
  return {
    connectorName: CONNECTOR_NAME,
    connectorConfiguration: { 'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: 'orders.created' },
    capacity: { provisionedCapacity: { mcuCount: 1, workerCount: 1 } },
    kafkaCluster: {
      apacheKafkaCluster: {
        bootstrapServers: servers,
        vpc: { subnets: ['subnet-0123456789abcdef0'], securityGroups: ['sg-0123456789abcdef0'] },
      },
    },
    kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
    kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
    kafkaConnectVersion: '2.7.1',
    plugins: [
      {
        customPlugin: {
          customPluginArn: `arn:aws:kafkaconnect:${REGION}:${ACCOUNT}:custom-plugin/s3-sink/1a2b3c4d-1`,
          revision: 1,
        },
      },
    ],
    serviceExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/orders-s3-sink`,
  };
}
const esmRecord: EventSourceMappingConfiguration = {
  UUID: ESM_UUID,
  FunctionArn: FUNCTION_ARN,
  EventSourceArn: SOURCE_ARN,
  State: 'Enabled',
  Topics: ['orders.created'],
  StartingPosition: 'LATEST',
  BatchSize: 100,
  AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
};

/** A stopped execution that SwitchToTarget had moved: both switches journaled, the pointer fenced. */
function movedToTarget(executionName: string): void {
  const execution = { migrationId: plan.migrationId, executionName };
  const now = new Date().toISOString();
  objects.set(
    journalKey(execution, 'fence'),
    JSON.stringify({
      status: 'INTENT',
      intent: { producersPrevious: { value: 'b-1.source.example.com' }, requestedAt: now },
    }),
  );
  const journal = (name: string, kind: string, subject: string, recorded: unknown) =>
    objects.set(
      cutoverKey(execution, `journal/client-switch-${name}.json`),
      JSON.stringify({ name, kind, subject, recorded, recordedAt: now, switchedAt: now }),
    );
  journal('billing', 'LAMBDA_EVENT_SOURCE_MAPPING', `lambda-esm:${ESM_UUID}`, esmRecord);
  journal(CONNECTOR_NAME, 'MSK_CONNECT_CONNECTOR', `msk-connect:${CONNECTOR_NAME}`, {
    connectorArn: connectorArn(1),
    connectorName: CONNECTOR_NAME,
    request: recordedConnector(SOURCE_SERVERS),
  });
  // On the target now: the mapping recreated there (same group), the connector recreated there (same name).
  mappings.clear();
  mappings.set('a1b2c3d4-0000-4000-8000-000000000002', {
    ...esmRecord,
    UUID: 'a1b2c3d4-0000-4000-8000-000000000002',
    EventSourceArn: TARGET_ARN,
  });
  connectors.clear();
  connectorOn(2, TARGET_SERVERS, 'RUNNING');
  const switchConfig = withSwitches.cutover.switch as { recordName: string };
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
}

const statusChange = (executionName: string) => ({
  'detail-type': 'Step Functions Execution Status Change',
  detail: {
    executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:MskMigration:${executionName}`,
    name: executionName,
    status: 'ABORTED',
    startDate: Date.now() - 3_600_000,
    stopDate: Date.now() - 60_000,
    input: JSON.stringify(withSwitches),
  },
});

beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: REGION,
    ARTIFACT_BUCKET: 'compensator-evidence',
    MIGRATION_LOCK_TABLE: 'compensator-locks',
    REPLICATOR_SERVICE_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/replicator-role`,
    KAFKA_CLIENT: 'kafkajs',
  });
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string }) => {
    objects.set(input.Key, String(input.Body));
    return {};
  });
  s3.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (body === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => body } };
  });
  s3.on(ListObjectsV2Command).callsFake(async (input: { Prefix?: string }) => ({
    Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).map((Key) => ({ Key })),
  }));
  // Nothing of the replication is left, and the source's brokers cannot be reached here (no canary to look for).
  kafka.on(DescribeClusterV2Command).resolves({
    ClusterInfo: { ClusterArn: SOURCE_ARN, ClusterName: 'source', ClusterType: 'PROVISIONED' },
  });
  kafka.on(GetBootstrapBrokersCommand).rejects(new Error('no brokers in a unit test'));
  kafka.on(ListReplicatorsCommand).resolves({ Replicators: [] });
  kafka.on(ListClustersV2Command).resolves({ ClusterInfoList: [] });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  dynamodb.on(DeleteItemCommand).resolves({});
  route53.on(ChangeResourceRecordSetsCommand).resolves({
    ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() },
  });
  // Lambda: a deleted mapping is gone; a created one is Creating, then Enabled.
  lambda.on(ListEventSourceMappingsCommand).callsFake(async () => {
    const listed = [...mappings.values()].map((m) => ({ ...m }));
    for (const m of mappings.values()) if (m.State === 'Creating') m.State = 'Enabled';
    return { EventSourceMappings: listed };
  });
  lambda.on(DeleteEventSourceMappingCommand).callsFake(async (input: { UUID: string }) => {
    mappings.delete(input.UUID);
    return { UUID: input.UUID, State: 'Deleting' };
  });
  lambda.on(CreateEventSourceMappingCommand).callsFake(async (input: CreateEventSourceMappingRequest) => {
    const UUID = `a1b2c3d4-0000-4000-8000-00000000000${mappings.size + 3}`;
    mappings.set(UUID, { ...input, UUID, FunctionArn: input.FunctionName, State: 'Creating' });
    return { UUID, State: 'Creating' };
  });
  // MSK Connect: a deleted connector is gone; a created one is CREATING, then RUNNING.
  connect.on(ListConnectorsCommand).callsFake(async (input: { connectorNamePrefix?: string }) => ({
    connectors: [...connectors.values()]
      .filter((c) => c.connectorName?.startsWith(input.connectorNamePrefix ?? ''))
      .map((c) => ({ connectorName: c.connectorName, connectorArn: c.connectorArn })),
  }));
  connect.on(DescribeConnectorCommand).callsFake(async (input: { connectorArn: string }) => {
    const c = connectors.get(input.connectorArn);
    if (!c) throw Object.assign(new Error('connector not found'), { name: 'NotFoundException' });
    const seen = { ...c };
    if (c.connectorState === 'CREATING') connectors.set(input.connectorArn, { ...c, connectorState: 'RUNNING' });
    return seen;
  });
  connect.on(DeleteConnectorCommand).callsFake(async (input: { connectorArn: string }) => {
    connectors.delete(input.connectorArn);
    return { connectorArn: input.connectorArn, connectorState: 'DELETING' };
  });
  connect.on(CreateConnectorCommand).callsFake(async (input: CreateConnectorRequest) => {
    const n = connectors.size + 3;
    connectorOn(n, input.kafkaCluster?.apacheKafkaCluster?.bootstrapServers ?? '', 'CREATING');
    return { connectorArn: connectorArn(n), connectorName: input.connectorName, connectorState: 'CREATING' };
  });
});

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  lambda.resetHistory();
  connect.resetHistory();
});
afterEach(() => jest.useRealTimers());

/** Runs the handler with `remainingMs` left in the invocation, moving Jest's clock a poll interval at a time. */
async function invoke(executionName: string, remainingMs: number) {
  const { compensatorHandler } = await import('../../lambdas/compensator/handler');
  let settled = false;
  const run = asLambdaEntry(ENTRY, () =>
    compensatorHandler(statusChange(executionName), { getRemainingTimeInMillis: () => remainingMs }),
  ).finally(() => (settled = true));
  run.catch(() => undefined);
  for (let i = 0; i < 400 && !settled; i++) await jest.advanceTimersByTimeAsync(CLIENT_SWITCH_POLL_MS);
  return run;
}

it('returns the event source mapping and the sink connector to the source through the handler, the target ones deleted first', async () => {
  // Prepare
  movedToTarget('orders-stopped-esm');
  // Act
  const compensation = await invoke('orders-stopped-esm', 15 * 60_000);
  // Assess: the target mapping deleted, the recorded one recreated on the source with its group and settings; the
  // target connector deleted, the recorded one recreated on the source under its name with its configuration
  expect(compensation.outcome).toBe('ROLLED_BACK');
  expect(lambda.commandCalls(DeleteEventSourceMappingCommand).map((c) => c.args[0].input.UUID)).toEqual([
    'a1b2c3d4-0000-4000-8000-000000000002',
  ]);
  expect(lambda.commandCalls(CreateEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
    {
      FunctionName: FUNCTION_ARN,
      EventSourceArn: SOURCE_ARN,
      Enabled: true,
      Topics: ['orders.created'],
      StartingPosition: 'LATEST',
      BatchSize: 100,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
    },
  ]);
  expect([...mappings.values()].map((m) => [m.EventSourceArn, m.State])).toEqual([[SOURCE_ARN, 'Enabled']]);
  expect(connect.commandCalls(DeleteConnectorCommand).map((c) => c.args[0].input.connectorArn)).toEqual([
    connectorArn(2),
  ]);
  expect(connect.commandCalls(CreateConnectorCommand).map((c) => c.args[0].input)).toEqual([
    recordedConnector(SOURCE_SERVERS),
  ]);
  expect(
    [...connectors.values()].map((c) => [c.kafkaCluster?.apacheKafkaCluster?.bootstrapServers, c.connectorState]),
  ).toEqual([[SOURCE_SERVERS, 'RUNNING']]);
  expect(compensation.notes.join(' ')).toContain(`billing (lambda-esm:${ESM_UUID}) is back on the source`);
  expect(compensation.notes.join(' ')).toContain(
    `${CONNECTOR_NAME} (msk-connect:${CONNECTOR_NAME}) is back on the source`,
  );
  expect(JSON.stringify(route53.commandCalls(ChangeResourceRecordSetsCommand).at(-1)?.args[0].input)).toContain(
    'b-1.source.example.com',
  );
});

it("stops stepping at its own deadline (Lambda's remaining time less the reserve), and the retried delivery finishes", async () => {
  // Prepare: an invocation with only the reserve left: one step of the switches, then the rest
  movedToTarget('orders-stopped-late');
  // Act
  const first = invoke('orders-stopped-late', COMPENSATOR_RESERVE_MS);
  // Assess: the attempt fails after its first step, each switch on its way back, and the report says so
  await expect(first).rejects.toMatchObject({ name: 'Migration.RollbackFailed' });
  expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  expect(connect.commandCalls(CreateConnectorCommand)).toHaveLength(0);
  const reportKey = `migrations/${plan.migrationId}/orders-stopped-late/report/report.json`;
  expect(JSON.parse(objects.get(reportKey) ?? '{}')).toMatchObject({ outcome: 'ROLLBACK_FAILED' });
  // Act: Lambda's retry, with its full 15 minutes
  const retried = await invoke('orders-stopped-late', 15 * 60_000);
  // Assess
  expect(retried.outcome).toBe('ROLLED_BACK');
  expect([...mappings.values()].map((m) => [m.EventSourceArn, m.State])).toEqual([[SOURCE_ARN, 'Enabled']]);
  expect([...connectors.values()].map((c) => c.kafkaCluster?.apacheKafkaCluster?.bootstrapServers)).toEqual([
    SOURCE_SERVERS,
  ]);
  expect(JSON.parse(objects.get(reportKey) ?? '{}')).toMatchObject({ outcome: 'ROLLED_BACK' });
});
