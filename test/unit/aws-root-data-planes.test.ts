import { DescribeClusterV2Command, GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { z } from 'zod';
import { awsTaskHandler } from '../../lambdas/runtime/aws';
import { source, target } from '../../lambdas/runtime/aws-ports/clusters';
import { defineTask } from '../../lambdas/workflow/define-task';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
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

/** A task of ValidateTarget's function that needs the given clusters and runs `run` with them. */
function handlerNeeding(
  sides: ReadonlyArray<'source' | 'target'>,
  run: (deps: Record<string, { connection: KafkaConnection }>) => Promise<unknown>,
) {
  const task = defineTask({
    function: 'ValidateTarget',
    Input: z.object({ state: z.object({ input: z.unknown() }) }),
    needs: Object.fromEntries(sides.map((side) => [side, side])) as Record<string, 'source' | 'target'>,
    run: (_input: unknown, deps: Record<string, { connection: KafkaConnection }>) => run(deps),
  });
  // ValidateTarget's other ports are given but never built: this task's needs name only the clusters.
  const unused = async () => undefined;
  return awsTaskHandler(
    task,
    { source, target, artifacts: unused, targetAcls: unused, clock: unused },
    { env: { AWS_REGION: 'eu-central-1', ARTIFACT_BUCKET: 'evidence' } },
  );
}
const event = { state: { input: plan } };

describe('the AWS composition root opens the data planes a task needs and closes them on every path', () => {
  it('hands the task the source and target planes and closes both once it succeeds', async () => {
    // Act
    const result = await handlerNeeding(['source', 'target'], async ({ source, target }) => ({
      source: source!.connection.name,
      target: target!.connection.bootstrapServers,
      closedDuringTask: closeSpy.mock.calls.length,
    }))(event);

    // Assess
    expect(result).toEqual({ source: 'source', target: plan.target.bootstrapServers, closedDuringTask: 0 });
    expect(closedPlanes().sort()).toEqual(['source', 'target']);
  });

  it('opens only what is asked: the target alone reads nothing of the source from MSK', async () => {
    const name = await handlerNeeding(['target'], async ({ target }) => target!.connection.name)(event);

    expect(name).toBe('target');
    expect(kafka.commandCalls(DescribeClusterV2Command)).toHaveLength(0);
    expect(closedPlanes()).toEqual(['target']);
  });

  it("closes both planes when the task fails, and throws the task's error", async () => {
    await expect(
      handlerNeeding(['source', 'target'], async () => {
        throw new Error('lag gate failed');
      })(event),
    ).rejects.toThrow('lag gate failed');

    expect(closedPlanes().sort()).toEqual(['source', 'target']);
  });

  it('closes the source it opened when opening the target fails, and throws why the target could not be opened', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException: secret'));
    const task = jest.fn(async () => 'ran');

    // Act
    const run = handlerNeeding(['source', 'target'], task)(event);

    // Assess
    await expect(run).rejects.toThrow('AccessDeniedException');
    expect(task).not.toHaveBeenCalled();
    expect(closedPlanes()).toEqual(['source']);
  });

  it("returns the task's result even when closing a plane fails", async () => {
    closeSpy.mockRejectedValue(new Error('disconnect timed out'));

    const result = await handlerNeeding(['source', 'target'], async () => 'done')(event);

    expect(result).toBe('done');
    expect(closeSpy).toHaveBeenCalledTimes(2);
  });
});
