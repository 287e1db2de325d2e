import {
  DeleteClusterCommand,
  DescribeClusterV2Command,
  GetBootstrapBrokersCommand,
  KafkaClient,
} from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticDataPlane } from '../../lambdas/adapters/kafka/platformatic-data-plane';
import { ownershipTags } from '../../lambdas/core/replication/naming';
import { readTaskEnv } from '../../lambdas/contract/env';
import { AwsClusters } from '../../lambdas/runtime/aws-clusters';
import { envNamesOf } from '../../lambdas/runtime/aws';
import { FUNCTIONS } from '../../lambdas/workflow/catalogue';
import { bootstrapServersFor } from '../../lambdas/tasks/shared/cluster-endpoints';
import { examplePlan, identity, scramTargetPlan, stateOf } from './task-fixtures';

const kafka = mockClient(KafkaClient);
const secrets = mockClient(SecretsManagerClient);
const SOURCE_ARN = 'arn:aws:kafka:eu-central-1:123456789012:cluster/clickstream/9e8d7c6b-5a4f-3e2d-1c0b-9a8f7e6d5c4b-3';

beforeEach(() => {
  kafka.reset();
  secrets.reset();
});

describe('task wiring from the environment and the plan', () => {
  it('fails at start-up naming every required variable that is missing', () => {
    expect(() =>
      readTaskEnv({ AWS_REGION: 'eu-west-1' }, ['AWS_REGION', 'ARTIFACT_BUCKET', 'REPLICATOR_SERVICE_ROLE_ARN']),
    ).toThrow('environment variables ARTIFACT_BUCKET, REPLICATOR_SERVICE_ROLE_ARN not set');
  });

  it("picks the bootstrap servers of the listener that matches the plan's auth mechanism, and names the offered ones otherwise", () => {
    const brokers = { saslIam: 'b-1:9098,b-2:9098', tls: 'b-1:9094' };
    expect(bootstrapServersFor(SOURCE_ARN, { mechanism: 'IAM' }, brokers)).toEqual(['b-1:9098', 'b-2:9098']);
    expect(() =>
      bootstrapServersFor(SOURCE_ARN, { mechanism: 'SCRAM-SHA-512', secretArn: 'arn:s', tls: true }, brokers),
    ).toThrow(/no SCRAM-SHA-512 listener \(bootstrap brokers offered: saslIam, tls\)/);
  });

  it('connects to a SCRAM target with the credentials read from Secrets Manager, never from the state', async () => {
    const plan = scramTargetPlan();
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ username: 'migrator', password: 's3cret' }) });
    const ports = new AwsClusters({ AWS_REGION: 'eu-central-1' });
    const plane = await ports.targetDataPlane(plan, undefined);
    expect(plane.connection).toMatchObject({
      name: 'target',
      bootstrapServers: plan.target.bootstrapServers,
      auth: { mechanism: 'SCRAM-SHA-512', username: 'migrator', tls: true },
    });
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: plan.target.auth?.mechanism === 'SCRAM-SHA-512' ? plan.target.auth.secretArn : '',
    });
  });

  it("reaches the source at the IAM bootstrap brokers MSK reports, signing for the cluster's Region", async () => {
    kafka.on(DescribeClusterV2Command).resolves({
      ClusterInfo: {
        ClusterArn: SOURCE_ARN,
        ClusterName: 'clickstream',
        ClusterType: 'PROVISIONED',
        State: 'ACTIVE',
      },
    });
    kafka
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslIam: 'b-1.clickstream:9098,b-2.clickstream:9098' });
    const plane = await new AwsClusters({ AWS_REGION: 'us-east-1' }).sourceDataPlane(
      examplePlan('msk-to-automq-mirrormaker2'),
    );
    expect(plane.connection).toMatchObject({
      bootstrapServers: ['b-1.clickstream:9098', 'b-2.clickstream:9098'],
      auth: { mechanism: 'IAM', region: 'eu-central-1' },
    });
    expect(kafka.commandCalls(GetBootstrapBrokersCommand)[0]?.args[0].input).toEqual({ ClusterArn: SOURCE_ARN });
  });

  it('the RollbackTarget handler deletes, through MSK, only the cluster whose tags name this execution', async () => {
    // Prepare
    process.env.AWS_REGION = 'us-east-1';
    const { rollbackTargetHandler } =
      (await import('../../lambdas/tasks/rollback-target/handler')) as typeof import('../../lambdas/tasks/rollback-target/handler');
    const clusterArn = 'arn:aws:kafka:us-east-1:123456789012:cluster/payments-kafka-4-target/1';
    kafka.on(DescribeClusterV2Command).resolves({
      ClusterInfo: {
        ClusterArn: clusterArn,
        ClusterName: 'payments-kafka-4-target',
        State: 'ACTIVE',
        ClusterType: 'PROVISIONED',
        Tags: ownershipTags(identity),
      },
    });
    kafka.on(DeleteClusterCommand).resolves({ ClusterArn: clusterArn, State: 'DELETING' });
    const state = stateOf(examplePlan('msk-to-msk-new-version'), {
      target: {
        type: 'MSK_PROVISIONED',
        source: 'CREATE',
        clusterArn,
        clusterName: 'payments-kafka-4-target',
        created: true,
        state: 'ACTIVE',
        ready: true,
        startedAt: '2026-11-01T10:00:00.000Z',
      },
    });
    // Act
    const output = await rollbackTargetHandler(JSON.parse(JSON.stringify({ state })));
    // Assess
    expect(output).toMatchObject({ outcome: 'DONE', deletion: 'DELETED', clusterArn });
    expect(kafka.commandCalls(DeleteClusterCommand).map((c) => c.args[0].input.ClusterArn)).toEqual([clusterArn]);
  });

  it('a handler rejects a payload without the execution state as Migration.InputInvalid, naming the field', async () => {
    process.env.AWS_REGION = 'us-east-1';
    const { rollbackTargetHandler } =
      (await import('../../lambdas/tasks/rollback-target/handler')) as typeof import('../../lambdas/tasks/rollback-target/handler');
    await expect(rollbackTargetHandler({ state: { identity } })).rejects.toMatchObject({
      name: 'Migration.InputInvalid',
      message: expect.stringContaining('state.input'),
    });
  });
});

describe('the Kafka client of the task functions (KAFKA_CLIENT)', () => {
  const SECRET = { SecretString: JSON.stringify({ username: 'migrator', password: 's3cret' }) };
  const mskSource = (): void => {
    kafka.on(DescribeClusterV2Command).resolves({
      ClusterInfo: { ClusterArn: SOURCE_ARN, ClusterName: 'clickstream', ClusterType: 'PROVISIONED', State: 'ACTIVE' },
    });
    kafka.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: 'b-1.clickstream:9098' });
  };

  it('gives the data-plane tasks @platformatic/kafka on both clusters when KAFKA_CLIENT is platformatic', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves(SECRET);
    mskSource();
    const plan = scramTargetPlan();
    const ports = new AwsClusters(
      readTaskEnv({ AWS_REGION: 'eu-central-1', KAFKA_CLIENT: 'platformatic' }, ['AWS_REGION'], ['KAFKA_CLIENT']),
    );

    // Act
    const source = await ports.sourceDataPlane(plan);
    const target = await ports.targetDataPlane(plan, undefined);

    // Assess
    expect(source).toBeInstanceOf(PlatformaticDataPlane);
    expect(target).toBeInstanceOf(PlatformaticDataPlane);
    expect(target.connection).toMatchObject({
      bootstrapServers: plan.target.bootstrapServers,
      auth: { username: 'migrator' },
    });
    await Promise.all([source.close(), target.close()]);
  });

  it('keeps kafkajs when KAFKA_CLIENT is unset', async () => {
    secrets.on(GetSecretValueCommand).resolves(SECRET);
    const target = await new AwsClusters({ AWS_REGION: 'eu-central-1' }).targetDataPlane(scramTargetPlan(), undefined);
    expect(target).toBeInstanceOf(KafkajsDataPlane);
  });

  it('keeps Inventory on kafkajs under KAFKA_CLIENT=platformatic, since only kafkajs reads ACLs, quotas and broker configs', async () => {
    // Prepare
    mskSource();
    const ports = new AwsClusters({ AWS_REGION: 'eu-central-1', KAFKA_CLIENT: 'platformatic' });

    // Act
    const reader = await ports.sourceInventoryReader(examplePlan('msk-to-automq-mirrormaker2'));

    // Assess
    expect(reader).toBeInstanceOf(KafkajsDataPlane);
    // and its handler does not read KAFKA_CLIENT at all: its target's preflight runs on kafkajs too
    expect(envNamesOf(FUNCTIONS.Inventory.ports, 'Inventory').optional).not.toContain('KAFKA_CLIENT');
    expect(envNamesOf(FUNCTIONS.ValidateTarget.ports, 'ValidateTarget').optional).toContain('KAFKA_CLIENT');
  });

  it("reads the target's ACLs through kafkajs: the target's own plane under kafkajs, a connection of its own, opened on first read, under platformatic", async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves(SECRET);
    const plan = scramTargetPlan();
    const kafkajsPorts = new AwsClusters({ AWS_REGION: 'eu-central-1' });
    const platformaticPorts = new AwsClusters({ AWS_REGION: 'eu-central-1', KAFKA_CLIENT: 'platformatic' });
    const kafkajsTarget = await kafkajsPorts.targetDataPlane(plan, undefined);
    const platformaticTarget = await platformaticPorts.targetDataPlane(plan, undefined);
    const secretReads = secrets.commandCalls(GetSecretValueCommand).length;

    // Act
    const shared = kafkajsPorts.targetAclReader(plan, undefined, kafkajsTarget);
    const own = platformaticPorts.targetAclReader(plan, undefined, platformaticTarget);
    await own.close();

    // Assess
    expect(shared.reads).toBe(kafkajsTarget);
    expect(own.reads).not.toBe(platformaticTarget);
    // nothing opened before the first read
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(secretReads);
    await platformaticTarget.close();
  });

  it('fails at start-up on a KAFKA_CLIENT it does not know, naming the variable', () => {
    expect(() =>
      readTaskEnv({ AWS_REGION: 'eu-west-1', KAFKA_CLIENT: 'librdkafka' }, ['AWS_REGION'], ['KAFKA_CLIENT']),
    ).toThrow('KAFKA_CLIENT must be one of kafkajs, platformatic, got "librdkafka"');
  });

  it.each([
    'evaluate-catch-up',
    'validate-target',
    'start-replication',
    'finalize',
    'rollback-replication',
    'fence-producers',
    'check-drain',
    'commit-consumer-offsets',
    'switch-to-target',
    'check-target-health',
    'rollback-cutover',
    'start-failback',
    'check-failback',
    'stop-failback',
  ])('the %s handler reads KAFKA_CLIENT at start-up', (folder) => {
    jest.isolateModules(() => {
      process.env.AWS_REGION = 'eu-west-1';
      process.env.ARTIFACT_BUCKET = 'evidence';
      process.env.REPLICATOR_SERVICE_ROLE_ARN = 'arn:aws:iam::123456789012:role/replicator';
      process.env.KAFKA_CLIENT = 'librdkafka';
      try {
        expect(() => jest.requireActual(`../../lambdas/tasks/${folder}/handler`)).toThrow('KAFKA_CLIENT');
      } finally {
        delete process.env.KAFKA_CLIENT;
        delete process.env.REPLICATOR_SERVICE_ROLE_ARN;
      }
    });
  });
});

describe('task handler modules', () => {
  const HANDLERS = [
    'inventory',
    'assess',
    'provision-target',
    'check-target-status',
    'start-replication',
    'check-replication-status',
    'evaluate-catch-up',
    'validate-target',
    'fence-producers',
    'check-drain',
    'commit-consumer-offsets',
    'switch-to-target',
    'check-target-health',
    'finalize',
    'report',
    'rollback-cutover',
    'rollback-replication',
    'rollback-target',
    'start-failback',
    'check-failback',
    'stop-failback',
  ];

  it.each(HANDLERS)('%s loads with its environment and exports a middy handler', async (folder) => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.ARTIFACT_BUCKET = 'evidence';
    process.env.MIGRATION_LOCK_TABLE = 'msk-migration-locks';
    const module = (await import(`../../lambdas/tasks/${folder}/handler`)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  it('a handler whose variables are missing fails at import with their names', () => {
    jest.isolateModules(() => {
      delete process.env.ARTIFACT_BUCKET;
      expect(() => jest.requireActual('../../lambdas/tasks/report/handler')).toThrow('ARTIFACT_BUCKET');
    });
  });
});
