import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  LambdaEsmClientSwitch,
  type EventSourceMappingRecord,
} from '../../lambdas/adapters/aws/client-switch-lambda-esm';

const lambda = mockClient(LambdaClient);
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer';
const SOURCE = 'arn:aws:kafka:eu-west-1:123456789012:cluster/source/aaaa1111-0000-0000-0000-000000000000-1';
const TARGET = 'arn:aws:kafka:eu-west-1:123456789012:cluster/target/bbbb2222-0000-0000-0000-000000000000-s1';
const gone = () => new ResourceNotFoundException({ message: 'gone', $metadata: {} });

const recorded: EventSourceMappingRecord = {
  UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01',
  FunctionArn: FN,
  EventSourceArn: SOURCE,
  State: 'Enabled',
  Topics: ['orders'],
  StartingPosition: 'TRIM_HORIZON',
  BatchSize: 500,
  MaximumBatchingWindowInSeconds: 2,
  SourceAccessConfigurations: [
    { Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders' },
  ],
  AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer' },
};

const esm = () =>
  new LambdaEsmClientSwitch(new LambdaClient({}), { uuid: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01', role: 'CONSUMERS' });

describe('LambdaEsmClientSwitch (request shapes)', () => {
  beforeEach(() => lambda.reset());

  it('records the source mapping with its full configuration and consumer group', async () => {
    lambda.on(GetEventSourceMappingCommand, { UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01' }).resolves(recorded);

    expect(await esm().record()).toEqual(recorded);
  });

  it('refuses a mapping without a consumer group ID, whose offsets could not follow it', async () => {
    lambda.on(GetEventSourceMappingCommand).resolves({ ...recorded, AmazonManagedKafkaEventSourceConfig: undefined });

    await expect(esm().record()).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('no consumer group ID'),
    });
  });

  it('deletes the source mapping first and creates nothing while it still exists', async () => {
    lambda.on(GetEventSourceMappingCommand).resolves(recorded);
    lambda.on(DeleteEventSourceMappingCommand).resolves({ State: 'Deleting' });

    const step = await esm().switchToTarget(recorded, { bootstrapServers: 't:9098', clusterArn: TARGET });

    expect(step).toMatchObject({ complete: false, step: 'DELETING_SOURCE_MAPPING' });
    expect(lambda).toHaveReceivedCommandWith(DeleteEventSourceMappingCommand, {
      UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01',
    });
    expect(lambda).not.toHaveReceivedCommand(CreateEventSourceMappingCommand);
  });

  it('once the source mapping is gone, creates the target mapping with the same group ID, topics and settings (IAM: no SCRAM secret)', async () => {
    lambda.on(GetEventSourceMappingCommand).rejects(gone());
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda
      .on(CreateEventSourceMappingCommand)
      .resolves({ UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02', State: 'Creating' });

    const step = await esm().switchToTarget(recorded, { bootstrapServers: 't:9098', clusterArn: TARGET });

    expect(step).toMatchObject({
      complete: false,
      step: 'CREATING_TARGET_MAPPING',
      detail: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02',
    });
    const request = lambda.commandCalls(CreateEventSourceMappingCommand)[0]?.args[0].input;
    expect(request).toEqual({
      FunctionName: FN,
      EventSourceArn: TARGET,
      Enabled: true,
      Topics: ['orders'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 2,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer' },
    });
  });

  it('is complete when the target mapping is Enabled, creating nothing twice', async () => {
    lambda.on(GetEventSourceMappingCommand).rejects(gone());
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [
        {
          UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02',
          EventSourceArn: TARGET,
          State: 'Enabled',
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer' },
        },
      ],
    });

    const step = await esm().switchToTarget(recorded, { bootstrapServers: 't:9098', clusterArn: TARGET });

    expect(step).toEqual({
      complete: true,
      step: 'TARGET_MAPPING_ENABLED',
      detail: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02',
    });
    expect(lambda).not.toHaveReceivedCommand(CreateEventSourceMappingCommand);
  });

  it('reverts: deletes the target mapping, then recreates the source mapping from the journal with its own secret', async () => {
    lambda
      .on(ListEventSourceMappingsCommand)
      .resolvesOnce({
        EventSourceMappings: [
          {
            UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02',
            EventSourceArn: TARGET,
            State: 'Enabled',
            AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer' },
          },
        ],
      })
      .resolves({ EventSourceMappings: [] });
    lambda.on(DeleteEventSourceMappingCommand).resolves({});
    lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'uuid-source-2' });
    const sw = esm();

    const first = await sw.revert(recorded);
    const second = await sw.revert(recorded);

    expect(first).toMatchObject({ complete: false, step: 'DELETING_TARGET_MAPPING' });
    expect(lambda).toHaveReceivedCommandWith(DeleteEventSourceMappingCommand, {
      UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02',
    });
    expect(second).toMatchObject({ complete: false, step: 'CREATING_SOURCE_MAPPING' });
    expect(lambda).toHaveReceivedCommandWith(CreateEventSourceMappingCommand, {
      EventSourceArn: SOURCE,
      SourceAccessConfigurations: recorded.SourceAccessConfigurations,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer' },
    });
  });

  it('fails the switch naming the state when the target mapping is Disabled by Lambda', async () => {
    lambda.on(GetEventSourceMappingCommand).rejects(gone());
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [
        {
          UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a02',
          EventSourceArn: TARGET,
          State: 'Disabled',
          StateTransitionReason: 'USER_INITIATED',
          LastProcessingResult: 'PROBLEM: Connection error.',
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer' },
        },
      ],
    });

    await expect(
      esm().switchToTarget(recorded, { bootstrapServers: 't:9098', clusterArn: TARGET }),
    ).rejects.toMatchObject({ name: 'Migration.CutoverFailed', message: expect.stringContaining('Connection error') });
  });

  it('holds at the fence by disabling the source mapping, and is complete once Lambda reports it Disabled', async () => {
    lambda
      .on(GetEventSourceMappingCommand)
      .resolvesOnce(recorded)
      .resolvesOnce({ ...recorded, State: 'Disabling' })
      .resolves({ ...recorded, State: 'Disabled' });
    lambda.on(UpdateEventSourceMappingCommand).resolves({ ...recorded, State: 'Disabling' });
    const sw = esm();

    const steps = [await sw.hold(recorded), await sw.hold(recorded), await sw.hold(recorded)];

    expect(steps.map((s) => [s.complete, s.step])).toEqual([
      [false, 'DISABLING_SOURCE_MAPPING'],
      [false, 'SOURCE_MAPPING_DISABLING'],
      [true, 'SOURCE_MAPPING_DISABLED'],
    ]);
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
      { UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01', Enabled: false },
    ]);
    expect(sw.consumerGroup(recorded)).toBe('orders-consumer');
  });

  it('reverts a mapping disabled at the fence by enabling the same one again, creating none', async () => {
    lambda
      .on(ListEventSourceMappingsCommand)
      // each revert lists twice: mappings on the target first, then the one on the source
      .resolvesOnce({ EventSourceMappings: [{ ...recorded, State: 'Disabled' }] })
      .resolvesOnce({ EventSourceMappings: [{ ...recorded, State: 'Disabled' }] })
      .resolves({ EventSourceMappings: [{ ...recorded, State: 'Enabled' }] });
    lambda.on(UpdateEventSourceMappingCommand).resolves({ ...recorded, State: 'Enabling' });
    const sw = esm();

    const first = await sw.revert(recorded);
    const second = await sw.revert(recorded);

    expect(first).toMatchObject({ complete: false, step: 'ENABLING_SOURCE_MAPPING' });
    expect(second).toMatchObject({ complete: true, step: 'SOURCE_MAPPING_ENABLED' });
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
      { UUID: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01', Enabled: true },
    ]);
    expect(lambda).not.toHaveReceivedCommand(CreateEventSourceMappingCommand);
    expect(lambda).not.toHaveReceivedCommand(DeleteEventSourceMappingCommand);
  });
});
