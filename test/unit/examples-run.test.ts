import { CreateReplicatorCommand, KafkaClient, ListReplicatorsCommand } from '@aws-sdk/client-kafka';
import { CreateConnectorCommand, KafkaConnectClient, ListConnectorsCommand } from '@aws-sdk/client-kafkaconnect';
import { mockClient } from 'aws-sdk-client-mock';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { MskConnectMirrorMaker2 } from '../../lambdas/adapters/aws/msk-connect-mm2';
import { MskReplicator } from '../../lambdas/adapters/aws/msk-replicator';
import { summarizeInventory } from '../../lambdas/core/inventory/take-inventory';
import { validateMigrationPlan } from '../../lambdas/core/plan/migration-plan';
import type { Replicator } from '../../lambdas/ports/replicator';
import type { TargetState } from '../../lambdas/tasks/shared/execution-state';
import { runAssess } from '../../lambdas/tasks/assess/task';
import { runStartReplication } from '../../lambdas/tasks/start-replication/task';
import { inventory, topic } from './inventory-fixtures';
import { at, examplePlan, FakeKafka, fakeMsk, mskCluster, stateOf, type ExampleName } from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

/**
 * examples/ must run: each example is driven through Assess and through StartReplication with the real AWS adapter
 * of its engine (MSK Replicator or MirrorMaker 2 on MSK Connect, SDK clients mocked), which refuses what AWS would.
 */

const kafka = mockClient(KafkaClient);
const connect = mockClient(KafkaConnectClient);
/** Every file of examples/, so that a new example is driven too. */
const EXAMPLES = readdirSync(path.join(__dirname, '..', '..', 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, '') as ExampleName)
  .sort();
const ROLE = 'arn:aws:iam::123456789012:role/msk-migration-replication';
const UUID = '5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1';

beforeEach(() => {
  kafka.reset();
  connect.reset();
  kafka.on(ListReplicatorsCommand).resolves({ Replicators: [] });
  kafka.on(CreateReplicatorCommand).resolves({
    ReplicatorArn: `arn:aws:kafka:eu-central-1:123456789012:replicator/r/${UUID}`,
    ReplicatorState: 'CREATING',
  });
  connect.on(ListConnectorsCommand).resolves({ connectors: [] });
  connect.on(CreateConnectorCommand).resolves({
    connectorArn: `arn:aws:kafkaconnect:eu-central-1:123456789012:connector/c/${UUID}`,
    connectorState: 'CREATING',
  });
});

/** `$.target` as ProvisionTarget leaves it for the example's target, ready. */
function readyTarget(name: ExampleName): TargetState {
  const plan = examplePlan(name);
  const base = { created: false, ready: true, startedAt: '2026-11-01T10:00:00.000Z' } as const;
  if (plan.target.type === 'KAFKA')
    return {
      ...base,
      type: 'KAFKA',
      source: 'BOOTSTRAP',
      state: 'REACHABLE_BY_ADDRESS',
      bootstrapServers: plan.target.bootstrapServers ?? [],
    };
  const regionAccount = /^arn:[^:]+:kafka:([^:]+):([^:]+):/.exec(plan.source.clusterArn) ?? [];
  const clusterArn =
    plan.target.clusterArn ??
    `arn:aws:kafka:${regionAccount[1]}:${regionAccount[2]}:cluster/${`${plan.migrationId}-target`}/${UUID}`;
  return {
    ...base,
    type: plan.target.type,
    source: plan.target.clusterArn ? 'EXISTING_MSK' : 'CREATE',
    clusterArn,
    created: !plan.target.clusterArn,
    state: 'ACTIVE',
    bootstrapServers: ['b-1.target:9098'],
  } as TargetState;
}

function realReplicator(name: ExampleName): Replicator {
  const plan = examplePlan(name);
  return plan.replication.engine === 'MSK_REPLICATOR'
    ? new MskReplicator(new KafkaClient({}), { serviceExecutionRoleArn: ROLE })
    : new MskConnectMirrorMaker2(new KafkaConnectClient({}), {
        serviceExecutionRoleArn: ROLE,
        region: 'eu-central-1',
        logGroupName: 'msk-migration-connect',
      });
}

describe('the example inputs run', () => {
  it.each(EXAMPLES)('%s is valid and passes Assess with a small source', async (name) => {
    // Prepare
    const key = 'migrations/orders-to-serverless/exec-1/inventory.json';
    const artifacts = new MemoryArtifacts();
    const inv = inventory({
      topics: [topic('orders.created', { partitionCount: 6 }), topic('clicks', { partitionCount: 3 })],
    });
    await artifacts.putJson(key, inv);
    const state = stateOf(examplePlan(name), { inventory: summarizeInventory(inv, key, `mem://${key}`) });

    // Act
    const assessment = await runAssess({ state }, { artifacts, now: at('2026-11-01T10:02:00.000Z') });

    // Assess
    expect(assessment.blocked).toBe(false);
  });

  it.each(EXAMPLES)("%s starts replication through its engine's AWS adapter", async (name) => {
    // Prepare
    const plan = examplePlan(name);
    const target = readyTarget(name);
    const source = new FakeKafka().addTopic('orders.created', 3).addTopic('clicks', 2).addTopic('payments', 1);
    const msk = fakeMsk(
      mskCluster({ clusterArn: plan.source.clusterArn, vpc: { subnetIds: ['subnet-s'], securityGroupIds: ['sg-s'] } }),
      ...(target.clusterArn
        ? [mskCluster({ clusterArn: target.clusterArn, vpc: { subnetIds: ['subnet-t'], securityGroupIds: ['sg-t'] } })]
        : []),
    );

    // Act
    const replication = await runStartReplication(
      { state: stateOf(plan, { target }) },
      {
        replicator: realReplicator(name),
        artifacts: new MemoryArtifacts(),
        source,
        msk,
        now: at('2026-11-01T11:00:00.000Z'),
      },
    );

    // Assess
    expect(replication).toMatchObject({ created: true, running: false });
    const created =
      kafka.commandCalls(CreateReplicatorCommand).length + connect.commandCalls(CreateConnectorCommand).length;
    expect(created).toBeGreaterThan(0);
  });

  it('a SCRAM-only target for MirrorMaker 2 on MSK Connect is refused by validation, as the adapter refuses it', async () => {
    // Prepare
    const valid = examplePlan('msk-to-automq-mirrormaker2');
    const auth = {
      mechanism: 'SCRAM-SHA-512' as const,
      secretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:AmazonMSK_x-AbCdEf',
      tls: true,
    };
    const scram = { ...valid, target: { ...valid.target, auth } };

    // Act
    const validation = validateMigrationPlan(JSON.parse(JSON.stringify(scram)));
    const started = runStartReplication(
      { state: stateOf(scram, { target: readyTarget('msk-to-automq-mirrormaker2') }) },
      {
        replicator: realReplicator('msk-to-automq-mirrormaker2'),
        artifacts: new MemoryArtifacts(),
        source: new FakeKafka().addTopic('clicks', 1),
        now: at('2026-11-01T11:00:00.000Z'),
      },
    );

    // Assess
    expect(validation.valid).toBe(false);
    expect(validation.issues.map((i) => i.path)).toContain('target.auth.mechanism');
    await expect(started).rejects.toMatchObject({ message: expect.stringContaining('cannot host them') });
  });
});
