import {
  DescribeConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  ListConnectorsCommandInput,
} from '@aws-sdk/client-kafkaconnect';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MskConnectInventory } from '../../lambdas/adapters/aws/msk-connect-inventory';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { connectorRule } from '../../lambdas/core/assessment/rules/connectors';
import { TransientError } from '../../lambdas/core/errors';
import { describeConnector, readConnectors } from '../../lambdas/core/inventory/connectors';
import type { Inventory } from '../../lambdas/core/inventory/model';
import { resolveProfile } from '../../lambdas/core/profiles';
import type { ConnectorDescription } from '../../lambdas/ports/connectors';
import { inventory } from './inventory-fixtures';

const connect = mockClient(KafkaConnectClient);
const ARN = (name: string): string => `arn:aws:kafkaconnect:eu-west-1:111122223333:connector/${name}/1a2b`;
const SOURCE = ['b-1.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9098'];

describe('MSK Connect connectors in the inventory', () => {
  beforeEach(() => connect.reset());

  it('lists every page, describes each connector and keeps only the keys that name topics', async () => {
    // Prepare
    connect
      .on(ListConnectorsCommand, { nextToken: undefined } as ListConnectorsCommandInput)
      .resolves({ connectors: [{ connectorArn: ARN('s3-sink') }], nextToken: 'page-2' })
      .on(ListConnectorsCommand, { nextToken: 'page-2' })
      .resolves({ connectors: [{ connectorArn: ARN('cdc') }] });
    connect.on(DescribeConnectorCommand, { connectorArn: ARN('s3-sink') }).resolves({
      connectorName: 's3-sink',
      connectorState: 'RUNNING',
      kafkaCluster: {
        apacheKafkaCluster: {
          bootstrapServers: 'b-1.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9098',
          vpc: undefined,
        },
      },
      connectorConfiguration: {
        'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
        topics: 'orders,payments',
        'aws.secret.access.key': 'never-kept',
      },
    });
    connect.on(DescribeConnectorCommand, { connectorArn: ARN('cdc') }).resolves({
      connectorName: 'cdc',
      connectorState: 'RUNNING',
      kafkaCluster: { apacheKafkaCluster: { bootstrapServers: 'other-cluster:9092', vpc: undefined } },
      connectorConfiguration: {
        'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
        'topic.prefix': 'shop',
        'database.password': 'never-kept',
      },
    });
    // Act
    const listed = await new MskConnectInventory(new KafkaConnectClient({ region: 'eu-west-1' })).listConnectors();
    // Assess
    expect(connect).toHaveReceivedCommandTimes(ListConnectorsCommand, 2);
    expect(listed.map((c) => c.name)).toEqual(['cdc', 's3-sink']);
    expect(JSON.stringify(listed)).not.toContain('never-kept');
    expect(listed[1]?.config).toEqual({
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      topics: 'orders,payments',
    });
  });

  it('records a refusal as not collected with what to grant, and lets throttling be retried', async () => {
    const reads = new MskConnectInventory(new KafkaConnectClient({ region: 'eu-west-1' }));
    connect.on(ListConnectorsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    expect(await readConnectors(reads, SOURCE)).toEqual({
      status: 'NOT_COLLECTED',
      reason: expect.stringMatching(/kafkaconnect:ListConnectors and kafkaconnect:DescribeConnector/),
    });
    connect.reset();
    connect
      .on(ListConnectorsCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(readConnectors(reads, SOURCE)).rejects.toBeInstanceOf(TransientError);
  });
});

const described = (name: string, config: Record<string, string>, servers = SOURCE): ConnectorDescription => ({
  name,
  arn: ARN(name),
  state: 'RUNNING',
  bootstrapServers: servers,
  config,
});

describe('what each connector reads and writes', () => {
  it('tells sinks from source connectors and binds them to the source by broker host, whatever the listener port', () => {
    const sink = describeConnector(
      described('s3-sink', { 'connector.class': 'x.S3SinkConnector', 'topics.regex': 'orders\\..*' }, [
        'b-1.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9096',
      ]),
      SOURCE,
    );
    expect(sink).toMatchObject({ kind: 'SINK', readsPattern: 'orders\\..*', boundToSource: true });
    const cdc = describeConnector(
      described('cdc', {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'topic.prefix': 'shop',
      }),
      SOURCE,
    );
    // Debezium's class name says neither Sink nor Source: its package does; it writes under its topic prefix.
    expect(cdc).toMatchObject({ kind: 'SOURCE', writes: ['shop.*'] });
    const custom = describeConnector(described('custom', { 'connector.class': 'com.acme.Replicate' }), SOURCE);
    expect(custom).toMatchObject({ kind: 'UNKNOWN', reads: [], writes: [] });
    const jdbc = describeConnector(
      described('jdbc', { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'topic.prefix': 'db-' }, [
        'elsewhere:9092',
      ]),
      SOURCE,
    );
    expect(jdbc).toMatchObject({ kind: 'SOURCE', writes: ['db-.*'], boundToSource: false });
  });
});

describe('the connector plan in the assessment', () => {
  const inv = (connectors: ConnectorDescription[]): Inventory => ({
    ...inventory(),
    connectors: {
      status: 'COLLECTED',
      platform: 'MSK Connect',
      connectors: connectors.map((c) => describeConnector(c, SOURCE)),
    },
  });
  const profile = resolveProfile('msk-serverless');
  const sink = described('s3-sink', { 'connector.class': 'x.S3SinkConnector', topics: 'orders' });
  const source = described('jdbc', { 'connector.class': 'x.JdbcSourceConnector', topic: 'customers' });

  it('warns about each bound connector the plan does not switch, with the switch to add', () => {
    const findings = connectorRule(inv([sink, source]), profile, assessmentOptions());
    const notSwitched = findings.filter((f) => f.id === 'connectors.not-switched');
    expect(notSwitched.map((f) => f.subject)).toEqual(['s3-sink', 'jdbc']);
    expect(notSwitched[0]?.remediation).toMatch(/role CONSUMERS.*connect-s3-sink/);
    expect(notSwitched[1]?.remediation).toMatch(/role PRODUCERS.*offsets .* are not carried/);
    expect(findings.find((f) => f.id === 'connectors.inventory')?.items).toEqual([
      's3-sink (SINK): reads orders',
      'jdbc (SOURCE): writes customers',
    ]);
  });

  it('is satisfied by a switch with the right role and names a wrong one', () => {
    const options = assessmentOptions({
      connectorSwitches: [
        { connectorArn: ARN('s3-sink'), role: 'CONSUMERS' },
        { connectorArn: ARN('jdbc'), role: 'CONSUMERS' },
      ],
    });
    const ids = connectorRule(inv([sink, source]), profile, options).map((f) => `${f.id}:${f.subject}`);
    expect(ids).toEqual(['connectors.switch-role:jdbc', 'connectors.inventory:2 connectors']);
  });

  it('says nothing about connectors of other clusters', () => {
    expect(
      connectorRule(inv([{ ...sink, bootstrapServers: ['elsewhere:9092'] }]), profile, assessmentOptions()),
    ).toEqual([]);
  });
});
