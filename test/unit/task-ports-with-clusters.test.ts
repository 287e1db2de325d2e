import { DescribeClusterV2Command, GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { AwsTaskPorts } from '../../lambdas/tasks/shared/aws-ports';
import { scramTargetPlan } from './task-fixtures';

const kafka = mockClient(KafkaClient);
const secrets = mockClient(SecretsManagerClient);
const SOURCE_ARN = 'arn:aws:kafka:eu-central-1:123456789012:cluster/clickstream/9e8d7c6b-5a4f-3e2d-1c0b-9a8f7e6d5c4b-3';
const plan = scramTargetPlan();

/** Every data plane closed, by the name of its connection. */
function closedPlanes(): string[] {
  return closeSpy.mock.contexts.map((plane) => (plane as KafkajsDataPlane).connection.name);
}
let closeSpy: jest.SpyInstance<Promise<void>, []>;

beforeEach(() => {
  kafka.reset();
  secrets.reset();
  kafka.on(DescribeClusterV2Command).resolves({
    ClusterInfo: { ClusterArn: SOURCE_ARN, ClusterName: 'clickstream', ClusterType: 'PROVISIONED', State: 'ACTIVE' },
  });
  kafka.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: 'b-1.clickstream:9098' });
  secrets
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ username: 'migrator', password: 's3cret' }) });
  closeSpy = jest.spyOn(KafkajsDataPlane.prototype, 'close').mockResolvedValue(undefined);
});

afterEach(() => {
  closeSpy.mockRestore();
});

describe('AwsTaskPorts.withClusters: the data planes a task asks for, closed on every path', () => {
  it('hands the task the source and target planes and closes both once it succeeds', async () => {
    // Prepare
    const ports = new AwsTaskPorts({ AWS_REGION: 'eu-central-1' });

    // Act
    const result = await ports.withClusters(plan, undefined, ['source', 'target'], async ({ source, target }) => ({
      source: source.connection.name,
      target: target.connection.bootstrapServers,
      closedDuringTask: closeSpy.mock.calls.length,
    }));

    // Assess
    expect(result).toEqual({ source: 'source', target: plan.target.bootstrapServers, closedDuringTask: 0 });
    expect(closedPlanes().sort()).toEqual(['source', 'target']);
  });

  it('opens only what is asked: the target alone reads nothing of the source from MSK', async () => {
    const ports = new AwsTaskPorts({ AWS_REGION: 'eu-central-1' });

    const name = await ports.withClusters(plan, undefined, ['target'], async ({ target }) => target.connection.name);

    expect(name).toBe('target');
    expect(kafka.commandCalls(DescribeClusterV2Command)).toHaveLength(0);
    expect(closedPlanes()).toEqual(['target']);
  });

  it("closes both planes when the task fails, and throws the task's error", async () => {
    const ports = new AwsTaskPorts({ AWS_REGION: 'eu-central-1' });

    await expect(
      ports.withClusters(plan, undefined, ['source', 'target'], async () => {
        throw new Error('lag gate failed');
      }),
    ).rejects.toThrow('lag gate failed');

    expect(closedPlanes().sort()).toEqual(['source', 'target']);
  });

  it('closes the source it opened when opening the target fails, and throws why the target could not be opened', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException: secret'));
    const ports = new AwsTaskPorts({ AWS_REGION: 'eu-central-1' });
    const task = jest.fn(async () => 'ran');

    // Act
    const run = ports.withClusters(plan, undefined, ['source', 'target'], task);

    // Assess
    await expect(run).rejects.toThrow('AccessDeniedException');
    expect(task).not.toHaveBeenCalled();
    expect(closedPlanes()).toEqual(['source']);
  });

  it("returns the task's result even when closing a plane fails", async () => {
    closeSpy.mockRejectedValue(new Error('disconnect timed out'));
    const ports = new AwsTaskPorts({ AWS_REGION: 'eu-central-1' });

    const result = await ports.withClusters(plan, undefined, ['source', 'target'], async () => 'done');

    expect(result).toBe('done');
    expect(closeSpy).toHaveBeenCalledTimes(2);
  });
});
