import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EcsServiceClientSwitch, withEnvironment } from '../../lambdas/adapters/aws/client-switch-ecs';

const ecs = mockClient(ECSClient);
const REV7 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:7';
const REV8 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:8';
const target = { bootstrapServers: 'boot.target:9098' };

const definition = (revision: string, bootstrap: string) => ({
  taskDefinitionArn: revision,
  revision: Number(revision.slice(-1)),
  status: 'ACTIVE' as const,
  family: 'orders',
  taskRoleArn: 'arn:aws:iam::123456789012:role/orders-task',
  networkMode: 'awsvpc' as const,
  requiresCompatibilities: ['FARGATE' as const],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'app',
      image: 'orders:1',
      environment: [
        { name: 'KAFKA_BOOTSTRAP_SERVERS', value: bootstrap },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
    },
    { name: 'sidecar', image: 'envoy:1' },
  ],
});

const service = (taskDefinition: string, extra: Record<string, unknown> = {}) => ({
  serviceName: 'orders',
  status: 'ACTIVE',
  taskDefinition,
  desiredCount: 3,
  runningCount: 3,
  deployments: [
    { status: 'PRIMARY', taskDefinition, rolloutState: 'COMPLETED' as const, desiredCount: 3, runningCount: 3 },
  ],
  ...extra,
});

const ENV = { KAFKA_BOOTSTRAP_SERVERS: '{bootstrapServers}', KAFKA_SASL_MECHANISM: 'AWS_MSK_IAM' };
/** Revision 8 as the switch registers it: revision 7 with the target's settings. */
const switched = () =>
  withEnvironment(definition(REV8, 'boot.source:9096'), { containerName: 'app', environment: ENV }, target);

const sw = (stopAtFence = false) =>
  new EcsServiceClientSwitch(new ECSClient({}), {
    cluster: 'apps',
    service: 'orders',
    role: 'BOTH',
    containerName: 'app',
    environment: ENV,
    stopAtFence,
  });

describe('EcsServiceClientSwitch (request shapes)', () => {
  beforeEach(() => ecs.reset());

  it('records the running revision and desired count', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service(REV7)] });

    expect(await sw().record()).toEqual({ taskDefinitionArn: REV7, desiredCount: 3 });
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'apps', services: ['orders'] });
  });

  it("registers a revision with the target's settings on the named container only, and deploys it", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service(REV7)] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition(REV7, 'boot.source:9096') });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: REV8 } });
    ecs.on(UpdateServiceCommand).resolves({});

    const step = await sw().switchToTarget({ taskDefinitionArn: REV7, desiredCount: 3 }, target);

    expect(step).toEqual({ complete: false, step: 'DEPLOYING', detail: REV8 });
    expect(ecs).toHaveReceivedCommandWith(RegisterTaskDefinitionCommand, {
      family: 'orders',
      taskRoleArn: 'arn:aws:iam::123456789012:role/orders-task',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'orders:1',
          environment: [
            { name: 'KAFKA_BOOTSTRAP_SERVERS', value: 'boot.target:9098' },
            { name: 'KAFKA_SASL_MECHANISM', value: 'AWS_MSK_IAM' },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
        },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    });
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input as unknown as Record<
      string,
      unknown
    >;
    expect(registered).not.toHaveProperty('taskDefinitionArn');
    expect(registered).not.toHaveProperty('revision');
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'apps',
      service: 'orders',
      taskDefinition: REV8,
      desiredCount: 3,
    });
  });

  it('polls the deployment until steady: one deployment of the new revision, COMPLETED, all tasks running', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: switched() });
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          service(REV8, {
            deployments: [
              {
                status: 'PRIMARY',
                taskDefinition: REV8,
                rolloutState: 'IN_PROGRESS',
                desiredCount: 3,
                runningCount: 1,
              },
              { status: 'ACTIVE', taskDefinition: REV7, desiredCount: 3, runningCount: 2 },
            ],
          }),
        ],
      })
      .resolves({ services: [service(REV8)] });
    const recorded = { taskDefinitionArn: REV7, desiredCount: 3 };

    const first = await sw().switchToTarget(recorded, target);
    const second = await sw().switchToTarget(recorded, target);

    expect(first).toMatchObject({ complete: false, step: 'WAITING_FOR_STEADY_STATE' });
    expect(second).toEqual({ complete: true, step: 'STEADY', detail: REV8 });
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  it('fails the switch naming the reason when the deployment FAILED (circuit breaker)', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: switched() });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        service(REV8, {
          deployments: [
            {
              status: 'PRIMARY',
              taskDefinition: REV8,
              rolloutState: 'FAILED',
              rolloutStateReason: 'tasks failed to start',
            },
          ],
        }),
      ],
    });

    await expect(sw().switchToTarget({ taskDefinitionArn: REV7, desiredCount: 3 }, target)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('tasks failed to start'),
    });
  });

  it('stops producers at the fence with desired count 0, complete once no task runs', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service(REV7)] })
      .resolves({ services: [service(REV7, { desiredCount: 0, runningCount: 0 })] });
    ecs.on(UpdateServiceCommand).resolves({});
    const recorded = { taskDefinitionArn: REV7, desiredCount: 3 };

    const first = await sw(true).stop(recorded);
    const second = await sw(true).stop(recorded);

    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'apps',
      service: 'orders',
      desiredCount: 0,
    });
    expect(first).toMatchObject({ complete: false, step: 'STOPPING' });
    expect(second).toEqual({ complete: true, step: 'STOPPED' });
  });

  it('reverts to the recorded revision and desired count, then waits for steady state', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service(REV8)] })
      .resolves({ services: [service(REV7)] });
    ecs.on(UpdateServiceCommand).resolves({});
    const recorded = { taskDefinitionArn: REV7, desiredCount: 3 };

    const first = await sw().revert(recorded);
    const second = await sw().revert(recorded);

    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition: REV7, desiredCount: 3 });
    expect(first).toMatchObject({ complete: false, step: 'REVERTING' });
    expect(second).toMatchObject({ complete: true, step: 'STEADY' });
  });

  it('refuses to go on when someone else deployed another revision during the cutover', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service(REV8)] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition(REV8, 'somewhere-else:9092') });

    await expect(sw().switchToTarget({ taskDefinitionArn: REV7, desiredCount: 3 }, target)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('someone deployed it'),
    });
  });
});
