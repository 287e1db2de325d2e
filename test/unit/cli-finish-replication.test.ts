import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DeleteReplicatorCommand,
  DescribeReplicatorCommand,
  KafkaClient,
  ListReplicatorsCommand,
} from '@aws-sdk/client-kafka';
import {
  DeleteConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-kafkaconnect';
import { DescribeExecutionCommand, SFNClient, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { alarmNamePrefix, ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import { awsError, cli, executionArn, REGION, STATE_MACHINE_ARN } from './cli-operator-harness';

/**
 * `msk-migrate finish-replication`: stops the replicator an ended execution kept for its consumers-first readers, only
 * that execution's (its name and ownership tags), and only once the operator confirms.
 */

const sfn = mockClient(SFNClient);
const kafka = mockClient(KafkaClient);
const connect = mockClient(KafkaConnectClient);
const cloudwatch = mockClient(CloudWatchClient);
const env = { AWS_REGION: REGION, MSK_MIGRATION_STATE_MACHINE_ARN: STATE_MACHINE_ARN };
const EXECUTION = 'shop-waves-1';
const example = (file: string): string =>
  readFileSync(path.join(__dirname, '..', '..', 'examples', `${file}.json`), 'utf8');
const WAVES = example('msk-to-serverless-waves');
const identity = { migrationId: 'shop-to-serverless-waves', executionName: EXECUTION };
const NAME = replicatorName(identity);
const REPLICATOR_ARN = `arn:aws:kafka:eu-west-1:123456789012:replicator/${NAME}/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`;

function endedWith(status: ExecutionStatus, input = WAVES): void {
  sfn.on(DescribeExecutionCommand).resolves({ executionArn: executionArn(EXECUTION), name: EXECUTION, status, input });
}

function replicatorTagged(tags: Record<string, string>): void {
  kafka.on(ListReplicatorsCommand).resolves({
    Replicators: [{ ReplicatorName: NAME, ReplicatorArn: REPLICATOR_ARN, ReplicatorState: 'RUNNING' }],
  });
  kafka
    .on(DescribeReplicatorCommand)
    .resolves({ ReplicatorArn: REPLICATOR_ARN, ReplicatorState: 'RUNNING', Tags: tags });
}

beforeEach(() => {
  sfn.reset();
  kafka.reset();
  connect.reset();
  cloudwatch.reset();
  kafka.on(DeleteReplicatorCommand).resolves({ ReplicatorArn: REPLICATOR_ARN, ReplicatorState: 'DELETING' });
  // Every alarm asked for exists.
  cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'OK' })),
  }));
  cloudwatch.on(DeleteAlarmsCommand).resolves({});
});

describe('msk-migrate finish-replication', () => {
  it("deletes the ended execution's own MSK Replicator and its alarms once confirmed", async () => {
    // Prepare
    endedWith('FAILED');
    replicatorTagged(ownershipTags(identity));
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION, '--confirm', '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: executionArn(EXECUTION) });
    expect(kafka).toHaveReceivedCommandWith(ListReplicatorsCommand, { ReplicatorNameFilter: NAME });
    expect(kafka).toHaveReceivedCommandTimes(DeleteReplicatorCommand, 1);
    expect(kafka).toHaveReceivedCommandWith(DeleteReplicatorCommand, { ReplicatorArn: REPLICATOR_ARN });
    const deleted = cloudwatch.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames ?? []);
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((n) => n.startsWith(alarmNamePrefix(identity)))).toBe(true);
    const data = result.json<Record<string, unknown>>();
    expect(data).toMatchObject({
      status: 'STOPPED',
      replicatorName: NAME,
      engine: 'MSK_REPLICATOR',
      executionStatus: 'FAILED',
      alarmsDeleted: deleted.length,
      consumersFirstWaves: ['audit'],
    });
  });

  it('changes nothing without --confirm, naming the replicator and the consumers-first readers it feeds', async () => {
    // Prepare
    endedWith('SUCCEEDED');
    replicatorTagged(ownershipTags(identity));
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION);
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Replicator ${NAME} (RUNNING)`);
    expect(result.stderr).toContain('the readers of the consumers-first wave audit then get no new record');
    expect(result.stderr).toContain('run this again with --confirm');
    expect(kafka).not.toHaveReceivedCommand(DeleteReplicatorCommand);
    expect(cloudwatch).not.toHaveReceivedCommand(DeleteAlarmsCommand);
  });

  it('refuses a running execution before any replication call', async () => {
    // Prepare
    endedWith('RUNNING');
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION, '--confirm', '--json');
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.json<{ error: { code: string } }>().error.code).toBe('EXECUTION_RUNNING');
    expect(kafka.calls()).toHaveLength(0);
  });

  it('leaves a replicator of that name alone when its tags name another execution', async () => {
    // Prepare
    endedWith('SUCCEEDED');
    replicatorTagged(ownershipTags({ ...identity, executionName: 'another-run' }));
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION, '--confirm', '--json');
    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.json<{ error: { code: string } }>().error.code).toBe('NOT_OURS');
    expect(kafka).not.toHaveReceivedCommand(DeleteReplicatorCommand);
  });

  it('says there is nothing to stop when the replicator is already gone', async () => {
    // Prepare
    endedWith('SUCCEEDED');
    kafka.on(ListReplicatorsCommand).resolves({ Replicators: [] });
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION, '--confirm');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Nothing to stop for ${executionArn(EXECUTION)}: no replicator ${NAME}`);
    expect(kafka).not.toHaveReceivedCommand(DeleteReplicatorCommand);
  });

  it('names the missing permission when the control plane refuses', async () => {
    // Prepare
    endedWith('SUCCEEDED');
    kafka
      .on(ListReplicatorsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized: kafka:ListReplicators'));
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION, '--confirm', '--json');
    // Assess
    expect(result.exitCode).toBe(4);
    expect(result.json<{ error: { code: string } }>().error.code).toBe('ACCESS_DENIED');
  });

  it('deletes both MirrorMaker 2 connectors of the execution on MSK Connect', async () => {
    // Prepare: the MirrorMaker 2 example, ended
    const plan = JSON.parse(example('msk-to-automq-mirrormaker2')) as { migrationId: string };
    const mm2 = { migrationId: plan.migrationId, executionName: EXECUTION };
    const name = replicatorName(mm2);
    const arn = (suffix: string) =>
      `arn:aws:kafkaconnect:eu-west-1:123456789012:connector/${name}${suffix}/11111111-2222-3333-4444-555555555555-1`;
    endedWith('ABORTED', JSON.stringify(plan));
    connect.on(ListConnectorsCommand).resolves({
      connectors: [
        { connectorName: `${name}-source`, connectorArn: arn('-source'), connectorState: 'RUNNING' },
        { connectorName: `${name}-checkpoint`, connectorArn: arn('-checkpoint'), connectorState: 'RUNNING' },
      ],
    });
    connect.on(ListTagsForResourceCommand).resolves({ tags: ownershipTags(mm2) });
    connect.on(DeleteConnectorCommand).resolves({});
    // Act
    const result = await cli({ env }).run('finish-replication', EXECUTION, '--confirm', '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(connect).toHaveReceivedCommandWith(ListConnectorsCommand, { connectorNamePrefix: name });
    expect(connect).toHaveReceivedCommandWith(DeleteConnectorCommand, { connectorArn: arn('-source') });
    expect(connect).toHaveReceivedCommandWith(DeleteConnectorCommand, { connectorArn: arn('-checkpoint') });
    expect(kafka.calls()).toHaveLength(0);
    expect(result.json()).toMatchObject({ status: 'STOPPED', engine: 'MIRROR_MAKER_2' });
  });
});
