import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import {
  LambdaEsmClientSwitch,
  type EventSourceMappingRecord,
} from '../../lambdas/adapters/aws/client-switch-lambda-esm';
import type { SwitchStep } from '../../lambdas/ports/client-switch';
import { emulatorClientConfig } from './emulator/aws-clients';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, startMotoServer, type MotoServer } from './emulator/moto-server';
import { awsJson } from './emulator/raw-aws';

/**
 * LambdaEsmClientSwitch's hold and its undo against the Lambda API (moto server): UpdateEventSourceMapping with
 * `Enabled` false and true, GetEventSourceMapping and ListEventSourceMappings as the adapter reads them, and the
 * switch's DeleteEventSourceMapping → ResourceNotFoundException → CreateEventSourceMapping.
 *
 * moto 5.2.5 refuses a mapping of an MSK (or self-managed Kafka) event source: CreateEventSourceMapping accepts only an
 * event source ARN of an SQS queue, a DynamoDB stream or a Kinesis stream it holds, and answers any other with
 * `ResourceNotFoundException: Invalid EventSourceArn` (the first test keeps that finding live). So the mappings here
 * read SQS queues, and carry no consumer group ID (an SQS mapping has none, and AWS refuses
 * AmazonManagedKafkaEventSourceConfig on it): which mapping is "the group's" on the target is proven by the unit
 * tier's request shapes (test/unit/client-switch-lambda-esm.test.ts, test/unit/task-client-switches.test.ts). What
 * this tier proves is the wire: the UUID path of the update, the state the server reports after it, the error name
 * of a deleted mapping that the adapter takes as "gone". moto changes a mapping's state at once (`Enabled` ⇄
 * `Disabled`, no `Enabling` / `Disabling`, a deleted mapping gone at once); AWS takes seconds, so the tests step the
 * adapter until it says complete, as the cutover tasks do, and never count the steps. And moto filters
 * ListEventSourceMappings by the `FunctionName` string a mapping was created with (`billing-consumer` does not match
 * its ARN), where AWS resolves a name, an ARN or a partial ARN to the function: the adapter lists and creates by the
 * function's ARN, so the test creates its mappings by the ARN too (a mapping created by name would be missed here,
 * not in AWS).
 */

const FUNCTION = 'billing-consumer';
const MSK_ARN = `arn:aws:kafka:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:cluster/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`;

describe('LambdaEsmClientSwitch against the Lambda API (moto server)', () => {
  let server: MotoServer;
  let lambda: LambdaClient;
  let functionArn: string;

  beforeAll(async () => {
    server = await startMotoServer({ services: ['Lambda', 'SQS', 'IAM'] });
    lambda = new LambdaClient(emulatorClientConfig(server));
    const iam = new IAMClient(emulatorClientConfig(server));
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'billing-consumer',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    iam.destroy();
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: FUNCTION,
        Runtime: 'nodejs22.x',
        Role: role.Role?.Arn,
        Handler: 'index.handler',
        // moto stores the package; it would run it only in Docker, which this tier never asks for
        Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]) },
      }),
    );
    functionArn = fn.FunctionArn ?? '';
  }, 45_000);

  afterAll(async () => {
    lambda?.destroy();
    await server?.stop();
  });

  const queue = async (name: string): Promise<string> => {
    const out = await awsJson<{ QueueUrl: string }>(server, 'sqs', 'AmazonSQS.CreateQueue', { QueueName: name });
    expect(out.QueueUrl).toContain(name);
    return `arn:aws:sqs:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:${name}`;
  };
  const mapping = async (eventSourceArn: string): Promise<EventSourceMappingRecord> => {
    const created = await lambda.send(
      // By the function's ARN, as the adapter names it: moto filters ListEventSourceMappings by that string (below).
      new CreateEventSourceMappingCommand({ FunctionName: functionArn, EventSourceArn: eventSourceArn, BatchSize: 10 }),
    );
    const read = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    return { ...read, UUID: created.UUID ?? '', FunctionArn: read.FunctionArn ?? functionArn };
  };
  const stateOf = async (uuid: string) => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
  /** The adapter stepped as the cutover tasks step it, until it says complete (bounded). */
  const stepped = async (step: () => Promise<SwitchStep>): Promise<SwitchStep[]> => {
    const steps = [await step()];
    while (!steps.at(-1)?.complete && steps.length < 10) steps.push(await step());
    return steps;
  };

  it('refuses a mapping of an MSK event source (moto 5.2.5 serves SQS, DynamoDB and Kinesis sources only)', async () => {
    await expect(
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: FUNCTION,
          EventSourceArn: MSK_ARN,
          Topics: ['orders.created'],
          StartingPosition: 'LATEST',
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Invalid EventSourceArn' });
  });

  it('holds the mapping at the fence (disabled, same UUID) and a rollback enables that mapping again', async () => {
    // Prepare
    const recorded = await mapping(await queue('orders-hold'));
    const adapter = new LambdaEsmClientSwitch(lambda, { uuid: recorded.UUID, role: 'CONSUMERS' });
    expect(recorded.State).toBe('Enabled');
    // Act: the hold
    const held = await stepped(() => adapter.hold(recorded));
    // Assess
    expect(held[0]).toEqual({ complete: false, step: 'DISABLING_SOURCE_MAPPING', detail: recorded.UUID });
    expect(held.at(-1)).toEqual({ complete: true, step: 'SOURCE_MAPPING_DISABLED', detail: recorded.UUID });
    expect(await stateOf(recorded.UUID)).toBe('Disabled');
    // Act: the rollback before the switch
    const back = await stepped(() => adapter.revert(recorded));
    // Assess: the same mapping enabled, none created
    expect(back[0]).toMatchObject({ complete: false, step: 'ENABLING_SOURCE_MAPPING', detail: recorded.UUID });
    expect(back.at(-1)).toMatchObject({ complete: true, step: 'SOURCE_MAPPING_ENABLED', detail: recorded.UUID });
    expect(await stateOf(recorded.UUID)).toBe('Enabled');
    const all = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionArn }));
    expect(all.EventSourceMappings?.filter((m) => m.EventSourceArn === recorded.EventSourceArn)).toHaveLength(1);
  });

  it('switches: deletes the source mapping, sees it gone (ResourceNotFoundException), creates the target one', async () => {
    const recorded = await mapping(await queue('orders-switch-source'));
    const target = await queue('orders-switch-target');
    const adapter = new LambdaEsmClientSwitch(lambda, { uuid: recorded.UUID, role: 'CONSUMERS' });

    const steps = await stepped(() =>
      adapter.switchToTarget(recorded, { bootstrapServers: 't-1:9098', clusterArn: target }),
    );

    expect(steps.map((s) => s.step)).toEqual([
      'DELETING_SOURCE_MAPPING',
      'CREATING_TARGET_MAPPING',
      'TARGET_MAPPING_ENABLED',
    ]);
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: recorded.UUID }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const all = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionArn }));
    expect(all.EventSourceMappings?.filter((m) => m.EventSourceArn === target)).toEqual([
      expect.objectContaining({ State: 'Enabled', BatchSize: 10, FunctionArn: functionArn }),
    ]);
  });

  it('failback: holds the mapping on the target (disabled) and, when the failback stops, enables that mapping again', async () => {
    // Prepare: the source mapping and the one the switch left on the target
    const recorded = await mapping(await queue('orders-failback-source'));
    const targetArn = await queue('orders-failback-target');
    const onTarget = await mapping(targetArn);
    const adapter = new LambdaEsmClientSwitch(lambda, { uuid: recorded.UUID, role: 'CONSUMERS' });
    const target = { bootstrapServers: 't-1:9098', clusterArn: targetArn };
    // Act
    const held = await stepped(() => adapter.holdOnTarget(recorded, target));
    // Assess: the target's mapping disabled, the source's left as it is
    expect(held.at(-1)).toEqual({ complete: true, step: 'TARGET_MAPPING_DISABLED', detail: onTarget.UUID });
    expect([await stateOf(onTarget.UUID), await stateOf(recorded.UUID)]).toEqual(['Disabled', 'Enabled']);
    // Act: ReleaseFailbackFence
    const resumed = await stepped(() => adapter.resumeOnTarget(recorded, target));
    // Assess: the same target mapping enabled again
    expect(resumed[0]).toEqual({ complete: false, step: 'ENABLING_TARGET_MAPPING', detail: onTarget.UUID });
    expect(await stateOf(onTarget.UUID)).toBe('Enabled');
  });
});
