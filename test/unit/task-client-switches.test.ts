import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateConnectorCommand,
  DeleteConnectorCommand,
  DescribeConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  type DescribeConnectorResponse,
} from '@aws-sdk/client-kafkaconnect';
import { mockClient } from 'aws-sdk-client-mock';
import {
  MigrationPlanSchema,
  aclFencePrincipals,
  iamFenceRoleNames,
  planNotes,
  settleSecondsOf,
} from '../../lambdas/core/plan/migration-plan';
import { writeFenceFor } from '../../lambdas/tasks/shared/write-fence';
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { runtimeIssues } from '../../lambdas/core/plan/runtimes';
import { runFenceProducers } from '../../lambdas/tasks/fence-producers/task';
import { FailbackCutoverOutput, RollbackOutput, runRollbackCutover } from '../../lambdas/tasks/rollback-cutover/task';
import { awsClientSwitches } from '../../lambdas/tasks/shared/client-switches';
import { restartsOnFailbackRelease } from '../../lambdas/core/cutover/client-switches';
import { runSwitchToTarget } from '../../lambdas/tasks/switch-to-target/task';
import {
  TARGET_SERVERS,
  TOPIC,
  cutoverWorld,
  drainedFailback,
  failbackWorld,
  type CutoverWorld,
  type FailbackWorld,
} from './task-cutover-world';

/**
 * The plan's client switches (cutover.switches) through the task modules with the real AWS adapters over in-memory
 * Lambda and ECS fakes: SwitchToTarget moves them after the pointer, RollbackCutover returns them to what was
 * journaled, FenceProducers stops producers where the plan says so.
 */

const SOURCE_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:billing-consumer';
const UUID = '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01';
const TD1 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-writer:1';

/** Lambda's event source mappings in memory: a deletion or creation completes on the next read. */
class FakeLambda {
  readonly client = new LambdaClient({ region: 'eu-west-1' });
  readonly calls: string[] = [];
  mappings = new Map<string, EventSourceMappingConfiguration>();
  private n = 0;

  constructor() {
    this.mappings.set(UUID, {
      UUID,
      FunctionArn: FUNCTION_ARN,
      EventSourceArn: SOURCE_ARN,
      State: 'Enabled',
      Topics: ['orders.created'],
      StartingPosition: 'LATEST',
      BatchSize: 100,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
    });
    const mock = mockClient(this.client);
    mock.on(GetEventSourceMappingCommand).callsFake((input: { UUID: string }) => {
      this.settle();
      const m = this.mappings.get(input.UUID);
      if (!m) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return m;
    });
    mock.on(ListEventSourceMappingsCommand).callsFake(() => {
      this.settle();
      return { EventSourceMappings: [...this.mappings.values()] };
    });
    mock.on(DeleteEventSourceMappingCommand).callsFake((input: { UUID: string }) => {
      const m = this.mappings.get(input.UUID);
      this.calls.push(`delete ${m?.EventSourceArn ?? '?'}`);
      if (m) m.State = 'Deleting';
      return m;
    });
    mock.on(CreateEventSourceMappingCommand).callsFake((input: Record<string, unknown>) => {
      const uuid = `0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0b0${++this.n}`;
      this.calls.push(`create ${String(input.EventSourceArn)}`);
      const { FunctionName, Enabled: _enabled, ...rest } = input;
      this.mappings.set(uuid, { ...rest, UUID: uuid, FunctionArn: String(FunctionName), State: 'Creating' });
      return { UUID: uuid };
    });
    // Lambda refuses an update while the mapping is changing (ResourceInUseException).
    mock.on(UpdateEventSourceMappingCommand).callsFake((input: { UUID: string; Enabled?: boolean }) => {
      const m = this.mappings.get(input.UUID);
      if (!m) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      if (m.State !== 'Enabled' && m.State !== 'Disabled')
        throw Object.assign(new Error(`mapping is ${m.State}`), { name: 'ResourceInUseException' });
      this.calls.push(`${input.Enabled ? 'enable' : 'disable'} ${m.EventSourceArn ?? '?'}`);
      m.State = input.Enabled ? 'Enabling' : 'Disabling';
      return m;
    });
  }

  private settle(): void {
    for (const [uuid, m] of this.mappings) {
      if (m.State === 'Deleting') this.mappings.delete(uuid);
      else if (m.State === 'Creating' || m.State === 'Enabling') m.State = 'Enabled';
      else if (m.State === 'Disabling') m.State = 'Disabled';
    }
  }
}

/** One ECS service in memory: a deployment reaches steady state on the next DescribeServices. */
class FakeEcs {
  readonly client = new ECSClient({ region: 'eu-west-1' });
  readonly definitions = new Map<string, TaskDefinition>();
  readonly updates: Array<Record<string, unknown>> = [];
  taskDefinition = TD1;
  desiredCount = 2;
  running = 2;
  steady = true;

  constructor() {
    this.definitions.set(TD1, {
      taskDefinitionArn: TD1,
      family: 'orders-writer',
      taskRoleArn: 'arn:aws:iam::123456789012:role/orders-writer-task',
      containerDefinitions: [
        { name: 'app', image: 'orders:1', environment: [{ name: 'KAFKA_BOOTSTRAP', value: 'b-1.source:9098' }] },
      ],
    });
    const mock = mockClient(this.client);
    mock.on(DescribeServicesCommand).callsFake(() => {
      if (this.steady) this.running = this.desiredCount;
      return {
        services: [
          {
            status: 'ACTIVE',
            taskDefinition: this.taskDefinition,
            desiredCount: this.desiredCount,
            runningCount: this.running,
            deployments: [
              {
                status: 'PRIMARY',
                taskDefinition: this.taskDefinition,
                rolloutState: this.steady ? 'COMPLETED' : 'IN_PROGRESS',
                desiredCount: this.desiredCount,
                runningCount: this.running,
              },
            ],
          },
        ],
      };
    });
    mock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: this.definitions.get(input.taskDefinition),
    }));
    mock.on(RegisterTaskDefinitionCommand).callsFake((input: TaskDefinition) => {
      const arn = `arn:aws:ecs:eu-west-1:123456789012:task-definition/${input.family ?? ''}:${this.definitions.size + 1}`;
      this.definitions.set(arn, { ...input, taskDefinitionArn: arn });
      return { taskDefinition: { ...input, taskDefinitionArn: arn } };
    });
    mock.on(UpdateServiceCommand).callsFake((input: { taskDefinition?: string; desiredCount?: number }) => {
      this.updates.push({ ...input });
      if (input.taskDefinition) this.taskDefinition = input.taskDefinition;
      if (input.desiredCount !== undefined) this.desiredCount = input.desiredCount;
      return {};
    });
  }
}

const SWITCHES = (stopAtFence = false) => [
  { type: 'LAMBDA_EVENT_SOURCE_MAPPING', name: 'billing', uuid: UUID },
  {
    type: 'ECS_SERVICE',
    name: 'orders-writer',
    role: 'PRODUCERS',
    cluster: 'apps',
    service: 'orders-writer',
    environment: { KAFKA_BOOTSTRAP: '{bootstrapServers}' },
    stopAtFence,
  },
];

async function world(options: { stopAtFence?: boolean; timeoutMinutes?: number } = {}) {
  const w = await cutoverWorld({
    change: (raw) => {
      const cutover = raw.cutover as Record<string, unknown>;
      cutover.switches = SWITCHES(options.stopAtFence);
      if (options.timeoutMinutes) cutover.clientSwitchTimeoutMinutes = options.timeoutMinutes;
    },
  });
  const lambda = new FakeLambda();
  const ecs = new FakeEcs();
  const clientSwitches = awsClientSwitches({ lambda: lambda.client, ecs: ecs.client });
  w.clientSwitches = clientSwitches;
  // Each wait between two steps moves the manual clock by the same time.
  const sleep = (ms: number): Promise<void> => {
    w.clock.advance(ms / 1000);
    return Promise.resolve();
  };
  return { w, lambda, ecs, deps: { clientSwitches, sleep } };
}

/** SwitchToTarget over the world's ports and the test's client switches. */
const switchToTarget = (w: CutoverWorld, deps: object) =>
  runSwitchToTarget(
    { state: w.state },
    { pointer: w.pointer, target: w.target, ...deps, artifacts: w.artifacts, now: w.clock.now },
  );

const rollback = async (w: CutoverWorld, deps: object) =>
  RollbackOutput.parse(
    await runRollbackCutover(
      { state: { ...w.state, error: { Error: 'Migration.TargetUnhealthy', Cause: '…' } } as never, mode: 'ROLLBACK' },
      { pointer: w.pointer, target: w.target, artifacts: w.artifacts, now: w.clock.now, ...deps },
    ),
  );

const journalOf = (w: CutoverWorld, name: string) =>
  w.artifacts.getJson<{ recorded: Record<string, unknown>; switchedAt?: string }>(
    `migrations/${w.state.identity.migrationId}/${w.state.identity.executionName}/cutover/journal/client-switch-${name}.json`,
  );

type ExampleRaw = {
  cutover: Record<string, unknown>;
  target: Record<string, unknown>;
  replication: Record<string, unknown>;
};

/** examples/msk-to-serverless-replicator.json with `change` made to it, parsed as a plan. */
const parsedExample = (change: (raw: ExampleRaw) => void) => {
  const raw = JSON.parse(
    readFileSync(path.join(__dirname, '../../examples/msk-to-serverless-replicator.json'), 'utf8'),
  ) as ExampleRaw;
  change(raw);
  return MigrationPlanSchema.safeParse(raw);
};

/** The example plan with this write fence and these switches. */
const withFence = (fence: unknown, switches: unknown[]) =>
  parsedExample((raw) => {
    raw.cutover.fence = fence;
    raw.cutover.switches = switches;
  });

describe('cutover.switches in the plan', () => {
  const plan = (switches: unknown[], kafkaTarget = false) =>
    parsedExample((raw) => {
      raw.cutover.switches = switches;
      if (kafkaTarget) {
        raw.target = { type: 'KAFKA', bootstrapServers: ['t-1:9092'], auth: { mechanism: 'PLAINTEXT' } };
        raw.replication = { engine: 'MIRROR_MAKER_2' };
      }
    });
  const messages = (r: ReturnType<typeof plan>) =>
    r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('defaults to no switches, and accepts one per application', () => {
    expect(plan([]).success).toBe(true);
    const parsed = plan(SWITCHES(true));
    expect(messages(parsed)).toEqual([]);
    expect(parsed.success && parsed.data.cutover.switches[0]).toMatchObject({ role: 'CONSUMERS' });
  });

  it('refuses two switches of one name and a Lambda MSK mapping to a KAFKA target; consumers may stop at the fence', () => {
    const same = plan([SWITCHES()[0], { ...SWITCHES()[0], uuid: UUID.replace('01', '02') }]);
    expect(messages(same).join('\n')).toMatch(/cutover\.switches\.1\.name: "billing" names two switches/);
    // a consumer service stopped at the fence leaves its group, so that CommitConsumerOffsets can translate it
    const consumers = plan([{ ...SWITCHES(true)[1], role: 'CONSUMERS' }]);
    expect(messages(consumers)).toEqual([]);
    const kafka = plan([SWITCHES()[0]], true);
    expect(messages(kafka).join('\n')).toMatch(/cutover\.switches\.0\.type: a Lambda MSK event source mapping needs/);
  });
  it('restarts clients at a failback release only for a switch stopped at the fence or a consumer held there', () => {
    const switches = (specs: unknown[]) => {
      const parsed = plan(specs);
      if (!parsed.success) throw new Error(messages(parsed).join('\n'));
      return parsed.data.cutover.switches;
    };
    const [mapping, writer] = SWITCHES();
    const sink = { type: 'MSK_CONNECT_CONNECTOR', name: 'sink', role: 'CONSUMERS', connectorArn: CONNECTOR_ARN };
    const source = { ...sink, name: 'source', role: 'PRODUCERS' };
    expect(restartsOnFailbackRelease(switches([]))).toBe(false);
    // a service that keeps running through the fence, and a source connector: nothing stopped or held to restart
    expect(restartsOnFailbackRelease(switches([writer, source]))).toBe(false);
    expect(restartsOnFailbackRelease(switches([SWITCHES(true)[1]]))).toBe(true);
    expect(restartsOnFailbackRelease(switches([mapping]))).toBe(true);
    expect(restartsOnFailbackRelease(switches([source, sink]))).toBe(true);
  });
});

describe('principals declared by a switch', () => {
  const writer = (principals?: string[], role = 'PRODUCERS') => ({
    ...SWITCHES()[1],
    role,
    ...(principals ? { principals } : {}),
  });

  it('adds a producer switch principals to a KAFKA_ACL fence on named principals, not a consumer one', () => {
    const plan = withFence({ type: 'KAFKA_ACL', principals: ['User:legacy'] }, [
      writer(['User:orders-writer']),
      { ...writer(['User:reader'], 'CONSUMERS'), name: 'reader' },
    ]);

    expect(plan.success && aclFencePrincipals(plan.data.cutover)).toEqual(['User:legacy', 'User:orders-writer']);
    const everyone = withFence({ type: 'KAFKA_ACL' }, [writer(['User:orders-writer'])]);
    expect(everyone.success && aclFencePrincipals(everyone.data.cutover)).toEqual(['User:*']);
  });

  it('refuses a wildcard or a name without its type as a switch principal', () => {
    const plan = withFence({ type: 'KAFKA_ACL' }, [writer(['User:*', 'orders-writer'])]);

    expect(plan.success).toBe(false);
    const messages = plan.success ? [] : plan.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^cutover\.switches\.0\.principals\.0: .*a Kafka principal without wildcard/),
      expect.stringMatching(/^cutover\.switches\.0\.principals\.1: .*a Kafka principal without wildcard/),
    ]);
  });
});

describe('client switches per runtime', () => {
  it('are served by the deployed workflow and refused, entry by entry, by the local rehearsal', () => {
    const raw = JSON.parse(
      readFileSync(path.join(__dirname, '../../examples/msk-to-serverless-replicator.json'), 'utf8'),
    ) as { cutover: Record<string, unknown> };
    raw.cutover.switches = SWITCHES();
    const plan = MigrationPlanSchema.parse(raw);
    expect(runtimeIssues(plan, 'AWS')).toEqual([]);
    expect(runtimeIssues(plan, 'LOCAL').map((i) => i.path)).toEqual(
      expect.arrayContaining(['cutover.switches.0.type', 'cutover.switches.1.type']),
    );
  });
});

describe('client switches in the cutover tasks', () => {
  it('SwitchToTarget moves the mapping (source deleted first, same group) and the service, journaling both', async () => {
    // Prepare
    const { w, lambda, ecs, deps } = await world();
    await w.throughOffsets();
    // Act
    const out = await switchToTarget(w, deps);
    // Assess
    expect(out.clients).toMatchObject({ complete: true });
    expect(out.clients?.switches.map((s) => [s.name, s.complete])).toEqual([
      ['billing', true],
      ['orders-writer', true],
    ]);
    const targetArn = w.state.target?.clusterArn;
    // disabled at the source's end by CommitConsumerOffsets, then moved
    expect(lambda.calls).toEqual([`disable ${SOURCE_ARN}`, `delete ${SOURCE_ARN}`, `create ${targetArn}`]);
    const onTarget = [...lambda.mappings.values()];
    expect(onTarget).toHaveLength(1);
    expect(onTarget[0]).toMatchObject({
      EventSourceArn: targetArn,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
      Topics: ['orders.created'],
      BatchSize: 100,
    });
    const running = ecs.definitions.get(ecs.taskDefinition);
    expect(ecs.taskDefinition).not.toBe(TD1);
    expect(running?.containerDefinitions?.[0]?.environment).toEqual([
      { name: 'KAFKA_BOOTSTRAP', value: TARGET_SERVERS.join(',') },
    ]);
    expect((await journalOf(w, 'billing'))?.recorded).toMatchObject({ UUID, EventSourceArn: SOURCE_ARN });
    expect((await journalOf(w, 'orders-writer'))?.recorded).toEqual({ taskDefinitionArn: TD1, desiredCount: 2 });
  });

  it('RollbackCutover returns both to the journaled configuration, the mapping with its group on the source', async () => {
    const { w, lambda, ecs, deps } = await world();
    await w.throughOffsets();
    w.record('switch', await switchToTarget(w, deps));

    const out = await rollback(w, deps);

    expect(out.clients).toMatchObject({ complete: true });
    const mappings = [...lambda.mappings.values()];
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      EventSourceArn: SOURCE_ARN,
      FunctionArn: FUNCTION_ARN,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
      StartingPosition: 'LATEST',
    });
    expect(ecs.taskDefinition).toBe(TD1);
    expect(ecs.desiredCount).toBe(2);
    expect(out.notes.join(' ')).toContain('billing (lambda-esm:');
  });

  it('RollbackCutover leaves alone the switches this execution never moved', async () => {
    const { w, lambda, ecs, deps } = await world();
    await w.fence();

    const out = await rollback(w, deps);

    expect(out.clients?.switches.map((s) => s.step)).toEqual(['UNTOUCHED', 'UNTOUCHED']);
    expect(lambda.calls).toEqual([]);
    expect(ecs.updates).toEqual([]);
    expect(out.notes.join(' ')).toContain('was not changed by this execution');
  });

  it('fails the switch, naming the application still deploying, after clientSwitchTimeoutMinutes', async () => {
    const { w, ecs, deps } = await world({ timeoutMinutes: 2 });
    await w.throughOffsets();
    ecs.steady = false;
    ecs.running = 0;

    await expect(switchToTarget(w, deps)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringMatching(
        /within cutover\.clientSwitchTimeoutMinutes \(2 min\): orders-writer \(ecs:apps\/orders-writer/,
      ),
    });
  });

  it('FenceProducers scales a stopAtFence service to 0, and the switch brings it back at its count on the target', async () => {
    const { w, ecs, deps } = await world({ stopAtFence: true });

    w.record(
      'fence',
      await runFenceProducers(
        { state: w.state },
        {
          pointer: w.pointer,
          producersCluster: w.source,
          artifacts: w.artifacts,
          now: w.clock.now,
          clientSwitches: deps.clientSwitches,
        },
      ),
    );

    expect(ecs.updates).toEqual([{ cluster: 'apps', service: 'orders-writer', desiredCount: 0 }]);
    expect((await journalOf(w, 'orders-writer'))?.recorded).toEqual({ taskDefinitionArn: TD1, desiredCount: 2 });
    await w.drain();
    w.clock.advance(settleSecondsOf(w.plan));
    w.record('drain', await (async () => await w.drain())());
    await w.offsetsPolled();
    const out = await switchToTarget(w, deps);
    expect(out.clients?.complete).toBe(true);
    expect(ecs.desiredCount).toBe(2);
    expect(ecs.taskDefinition).not.toBe(TD1);
  });
});

describe('consumers no fence stops, held at the source end by CommitConsumerOffsets', () => {
  const esmOnly = (catchUp?: number) =>
    cutoverWorld({
      change: (raw) => {
        const cutover = raw.cutover as Record<string, unknown>;
        cutover.switches = [SWITCHES()[0]];
        if (catchUp !== undefined) cutover.consumerCatchUpSeconds = catchUp;
      },
    });
  async function heldWorld(catchUp?: number) {
    const w = await esmOnly(catchUp);
    const lambda = new FakeLambda();
    w.clientSwitches = awsClientSwitches({ lambda: lambda.client });
    // Lambda's poller, a member of the mapping's group on the source, 2 records short of partition 0's end
    w.source.commit('billing', TOPIC, 0, 3);
    w.source.join('billing', 'lambda-poller-1');
    await w.fence();
    await w.drain();
    w.clock.advance(settleSecondsOf(w.plan));
    await w.drain();
    return { w, lambda };
  }
  const committedOn = async (cluster: CutoverWorld['target'], group: string) =>
    (await cluster.fetchCommittedOffsets(group, [TOPIC])).map((c) => [c.partition, c.offset]);

  it('waits while the group consumes to the end, then disables the mapping and translates its final offsets', async () => {
    const { w, lambda } = await heldWorld();

    const first = await w.offsets();
    expect(first).toMatchObject({ complete: false, waitingForGroups: expect.arrayContaining(['billing']) });
    expect('clients' in first && first.clients?.[0]).toMatchObject({
      name: 'billing',
      complete: false,
      step: 'CONSUMING_TO_SOURCE_END',
      detail: 'group billing: 2 record(s) to commit',
    });
    expect(lambda.calls).toEqual([]);

    w.source.commit('billing', TOPIC, 0, 5); // the function processed the last batch
    w.clock.advance(5);
    const second = await w.offsets();
    expect(second).toMatchObject({ complete: false });
    expect(lambda.calls).toEqual([`disable ${SOURCE_ARN}`]);

    w.clock.advance(5);
    // Disabled: its poller may still show in the group, its offsets are final
    const third = await w.offsets();
    expect(third).toMatchObject({ complete: true });
    expect('clients' in third && third.clients?.[0]).toMatchObject({ complete: true, step: 'SOURCE_MAPPING_DISABLED' });
    expect(await committedOn(w.target, 'billing')).toEqual([
      [0, '5'],
      [1, '5'],
    ]);
    expect(await journalOf(w, 'billing')).toMatchObject({ heldBehind: 0, heldAt: expect.any(String) });
    expect(lambda.mappings.get(UUID)?.State).toBe('Disabled');
  });

  it('holds it anyway after cutover.consumerCatchUpSeconds, counting what it had not committed', async () => {
    const { w, lambda } = await heldWorld(30);

    await w.offsets();
    w.clock.advance(31);
    await w.offsets();
    w.clock.advance(5);
    const out = await w.offsets();

    expect(out).toMatchObject({ complete: true });
    expect(lambda.calls).toEqual([`disable ${SOURCE_ARN}`]);
    expect(await journalOf(w, 'billing')).toMatchObject({ heldBehind: 2 });
    // the group resumes on the target after its last committed record: records 3 and 4 of partition 0 are read there
    expect(await committedOn(w.target, 'billing')).toEqual([
      [0, '3'],
      [1, '5'],
    ]);
  });

  it('a rollback before the switch enables the same mapping again, creating none', async () => {
    const { w, lambda } = await heldWorld(0);
    await w.offsetsPolled();
    expect(lambda.mappings.get(UUID)?.State).toBe('Disabled');

    const out = await rollback(w, { clientSwitches: w.clientSwitches, sleep: () => Promise.resolve() });

    expect(out.clients).toMatchObject({ complete: true });
    expect(lambda.calls).toEqual([`disable ${SOURCE_ARN}`, `enable ${SOURCE_ARN}`]);
    expect([...lambda.mappings.keys()]).toEqual([UUID]);
    expect(lambda.mappings.get(UUID)?.State).toBe('Enabled');
  });

  it("refuses a held group the plan's consumer-group filter leaves out: its offsets would not follow it", async () => {
    const { w } = await heldWorld();
    w.state = {
      ...w.state,
      input: {
        ...w.state.input,
        replication: { ...w.state.input.replication, consumerGroups: { include: ['.*'], exclude: ['billing'] } },
      },
    };

    await expect(w.offsets()).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringMatching(/consumer group\(s\) billing of cutover\.switches are not selected/),
    });
  });

  it('fails the cutover, naming the group, when no runtime adapter can hold it', async () => {
    const { w } = await heldWorld();
    w.clientSwitches = undefined;

    await expect(w.offsets()).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('no client switch adapters'),
    });
  });
});

const CONNECTOR_ARN =
  'arn:aws:kafkaconnect:eu-west-1:123456789012:connector/orders-s3-sink/0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01-3';

/** MSK Connect's connectors in memory: a deletion or creation completes on the next list. */
class FakeConnect {
  readonly client = new KafkaConnectClient({ region: 'eu-west-1' });
  readonly calls: string[] = [];
  connectors = new Map<string, DescribeConnectorResponse>();
  private n = 3;

  constructor() {
    this.connectors.set(CONNECTOR_ARN, {
      connectorArn: CONNECTOR_ARN,
      connectorName: 'orders-s3-sink',
      connectorState: 'RUNNING',
      connectorConfiguration: {
        'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
        topics: 'orders.created',
      },
      capacity: { provisionedCapacity: { mcuCount: 1, workerCount: 2 } },
      kafkaCluster: {
        apacheKafkaCluster: {
          bootstrapServers: 'b-1.source:9098',
          vpc: { subnets: ['subnet-0123456789abcdef0'], securityGroups: ['sg-0123456789abcdef0'] },
        },
      },
      kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
      kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
      kafkaConnectVersion: '2.7.1',
      plugins: [
        {
          customPlugin: {
            customPluginArn: 'arn:aws:kafkaconnect:eu-west-1:123456789012:custom-plugin/s3-sink/0b6f3a52-1',
            revision: 1,
          },
        },
      ],
      serviceExecutionRoleArn: 'arn:aws:iam::123456789012:role/orders-s3-sink',
    });
    const mock = mockClient(this.client);
    mock.on(ListConnectorsCommand).callsFake(() => {
      for (const [arn, c] of this.connectors) {
        if (c.connectorState === 'DELETING') this.connectors.delete(arn);
        else if (c.connectorState === 'CREATING') c.connectorState = 'RUNNING';
      }
      return {
        connectors: [...this.connectors.values()].map((c) => ({
          connectorArn: c.connectorArn,
          connectorName: c.connectorName,
        })),
      };
    });
    mock.on(DescribeConnectorCommand).callsFake((input: { connectorArn: string }) => {
      const c = this.connectors.get(input.connectorArn);
      if (!c) throw Object.assign(new Error('not found'), { name: 'NotFoundException' });
      return c;
    });
    mock.on(DeleteConnectorCommand).callsFake((input: { connectorArn: string }) => {
      const c = this.connectors.get(input.connectorArn);
      this.calls.push(`delete ${c?.kafkaCluster?.apacheKafkaCluster?.bootstrapServers ?? '?'}`);
      if (c) c.connectorState = 'DELETING';
      return {};
    });
    mock.on(CreateConnectorCommand).callsFake((input: Record<string, unknown>) => {
      const arn = CONNECTOR_ARN.replace(/-3$/, `-${++this.n}`);
      const cluster = (input.kafkaCluster as DescribeConnectorResponse['kafkaCluster'])?.apacheKafkaCluster;
      this.calls.push(`create ${cluster?.bootstrapServers ?? '?'}`);
      this.connectors.set(arn, {
        ...(input as DescribeConnectorResponse),
        connectorArn: arn,
        connectorState: 'CREATING',
      });
      return { connectorArn: arn };
    });
  }
}

describe('an MSK Connect sink connector as a client switch', () => {
  async function connectWorld() {
    const w = await cutoverWorld({
      change: (raw) => {
        (raw.cutover as Record<string, unknown>).switches = [
          { type: 'MSK_CONNECT_CONNECTOR', name: 'orders-s3-sink', role: 'CONSUMERS', connectorArn: CONNECTOR_ARN },
        ];
      },
    });
    const connect = new FakeConnect();
    w.clientSwitches = awsClientSwitches({ kafkaConnect: connect.client });
    const deps = {
      clientSwitches: w.clientSwitches,
      sleep: (ms: number): Promise<void> => {
        w.clock.advance(ms / 1000);
        return Promise.resolve();
      },
    };
    return { w, connect, deps };
  }

  it('SwitchToTarget recreates it on the target under its name with its configuration, after the offsets', async () => {
    const { w, connect, deps } = await connectWorld();
    await w.throughOffsets();

    const out = await switchToTarget(w, deps);

    expect(out.clients?.complete).toBe(true);
    expect(connect.calls).toEqual(['delete b-1.source:9098', `create ${TARGET_SERVERS.join(',')}`]);
    const [running] = [...connect.connectors.values()];
    expect(connect.connectors.size).toBe(1);
    expect(running).toMatchObject({
      connectorName: 'orders-s3-sink',
      connectorState: 'RUNNING',
      connectorConfiguration: { topics: 'orders.created' },
      serviceExecutionRoleArn: 'arn:aws:iam::123456789012:role/orders-s3-sink',
      kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
    });
  });

  it('CommitConsumerOffsets deletes the sink connector on the source once its group is at the end, then translates', async () => {
    const { w, connect } = await connectWorld();
    // Kafka Connect's group for the connector: connect-<name>, its workers members on the source until they stop
    w.source.commit('connect-orders-s3-sink', TOPIC, 0, 4).commit('connect-orders-s3-sink', TOPIC, 1, 5);
    const worker = w.source.join('connect-orders-s3-sink', 'connector-consumer-orders-s3-sink-0');
    await w.fence();
    await w.drain();
    w.clock.advance(settleSecondsOf(w.plan));
    await w.drain();

    const behind = await w.offsets();
    expect(behind).toMatchObject({ complete: false });
    expect(connect.calls).toEqual([]);

    w.source.commit('connect-orders-s3-sink', TOPIC, 0, 5);
    const deleting = await w.offsets();
    expect(deleting).toMatchObject({ complete: false });
    expect(connect.calls).toEqual(['delete b-1.source:9098']);
    await worker.leave(); // the tasks stopped, offsets committed
    w.clock.advance(5);
    const done = await w.offsets();

    expect(done).toMatchObject({ complete: true });
    expect('clients' in done && done.clients?.[0]).toMatchObject({ complete: true, step: 'SOURCE_CONNECTOR_DELETED' });
    expect((await w.target.fetchCommittedOffsets('connect-orders-s3-sink', [TOPIC])).map((c) => c.offset)).toEqual([
      '5',
      '5',
    ]);
    // the switch then creates it on the target, nothing left to delete
    const out = await switchToTarget(w, { clientSwitches: w.clientSwitches, sleep: () => Promise.resolve() });
    expect(out.clients?.complete).toBe(true);
    expect(connect.calls).toEqual(['delete b-1.source:9098', `create ${TARGET_SERVERS.join(',')}`]);
  });

  it('a rollback after the hold, before the switch, creates the recorded connector on the source again', async () => {
    const { w, connect, deps } = await connectWorld();
    await w.throughOffsets();
    expect(connect.connectors.size).toBe(0);

    const out = await rollback(w, deps);

    expect(out.clients?.complete).toBe(true);
    expect(connect.calls).toEqual(['delete b-1.source:9098', 'create b-1.source:9098']);
    const [back] = [...connect.connectors.values()];
    expect(back).toMatchObject({
      connectorName: 'orders-s3-sink',
      connectorConfiguration: { topics: 'orders.created' },
    });
  });

  it('RollbackCutover recreates the recorded connector on the source', async () => {
    const { w, connect, deps } = await connectWorld();
    await w.throughOffsets();
    w.record('switch', await switchToTarget(w, deps));

    const out = await rollback(w, deps);

    expect(out.clients?.complete).toBe(true);
    const [back] = [...connect.connectors.values()];
    expect(connect.connectors.size).toBe(1);
    expect(back?.kafkaCluster?.apacheKafkaCluster?.bootstrapServers).toBe('b-1.source:9098');
    expect(back?.connectorName).toBe('orders-s3-sink');
  });
});

describe('consumers held on the target before FailbackCutover translates their offsets back', () => {
  const failbackCutover = (w: FailbackWorld) =>
    runRollbackCutover(
      { state: w.state as never, mode: 'FAILBACK' },
      {
        pointer: w.pointer,
        source: w.source,
        target: w.target,
        ...(w.clientSwitches ? { clientSwitches: w.clientSwitches } : {}),
        sleep: w.sleep,
        artifacts: w.artifacts,
        now: w.clock.now,
      },
    );
  /** The source's offset commits, in the timeline of the fake's calls. */
  function commitsInto(w: FailbackWorld, calls: string[]): void {
    const commit = w.source.setCommittedOffsets.bind(w.source);
    w.source.setCommittedOffsets = async (group, offsets) => {
      calls.push(`commit ${group} on the source`);
      return commit(group, offsets);
    };
  }
  const withSwitches = (switches: unknown[]) => (raw: Record<string, unknown>) => {
    (raw.cutover as Record<string, unknown>).switches = switches;
  };

  it('disables the mapping on the target once its group has committed the end, then translates, then recreates it on the source', async () => {
    // Prepare: the mapping moved to the target; on the way back its group is one record short of the target's end
    const lambda = new FakeLambda();
    const w = await drainedFailback(
      await failbackWorld({
        change: withSwitches([SWITCHES()[0]]),
        clientSwitches: awsClientSwitches({ lambda: lambda.client }),
      }),
    );
    const targetArn = [...lambda.mappings.values()][0]?.EventSourceArn ?? '';
    expect(targetArn).not.toBe(SOURCE_ARN);
    w.target.commit('billing', TOPIC, 0, 6);
    const sleep = w.sleep;
    w.sleep = async (ms) => {
      if (!lambda.calls.includes(`disable ${targetArn}`)) w.target.commit('billing', TOPIC, 0, 7); // its last batch
      return sleep(ms);
    };
    lambda.calls.length = 0;
    commitsInto(w, lambda.calls);
    // Act
    const out = FailbackCutoverOutput.parse(await failbackCutover(w));
    // Assess: held first (its offsets final), translated, then moved back with the same group
    expect(lambda.calls).toEqual([
      `disable ${targetArn}`,
      'commit billing on the source',
      `delete ${targetArn}`,
      `create ${SOURCE_ARN}`,
    ]);
    expect(await w.source.fetchCommittedOffsets('billing', [TOPIC])).toEqual(
      expect.arrayContaining([{ topic: TOPIC, partition: 0, offset: '7' }]),
    );
    expect(out.held).toEqual([
      expect.objectContaining({
        name: 'billing',
        complete: true,
        step: 'TARGET_MAPPING_DISABLED',
      }),
    ]);
    expect(out.notes.join(' ')).toMatch(/billing \(lambda-esm:.*\) was held on the target/);
    expect(await journalOf(w, 'billing')).toMatchObject({
      failbackHeldAt: expect.any(String),
      failbackHeldBehind: 0,
      failedBackAt: expect.any(String),
    });
    const [back] = [...lambda.mappings.values()];
    expect(lambda.mappings.size).toBe(1);
    expect(back).toMatchObject({
      EventSourceArn: SOURCE_ARN,
      State: 'Enabled',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing' },
    });
  });

  it('waits at most cutover.consumerCatchUpSeconds, then holds it anyway, counting what it had not committed', async () => {
    const lambda = new FakeLambda();
    const w = await drainedFailback(
      await failbackWorld({
        change: (raw) => {
          withSwitches([SWITCHES()[0]])(raw);
          (raw.cutover as Record<string, unknown>).consumerCatchUpSeconds = 10;
        },
        clientSwitches: awsClientSwitches({ lambda: lambda.client }),
      }),
    );
    w.target.commit('billing', TOPIC, 0, 5); // the function never processed the two records written on the target

    const out = FailbackCutoverOutput.parse(await failbackCutover(w));

    expect(out.outcome).toBe('FAILED_BACK');
    expect(await journalOf(w, 'billing')).toMatchObject({ failbackHeldBehind: 2 });
    expect(out.held?.[0]).toMatchObject({ complete: true, step: 'TARGET_MAPPING_DISABLED' });
  });

  it('deletes the sink connector on the target before the offsets go back, then creates it on the source', async () => {
    const connect = new FakeConnect();
    const w = await drainedFailback(
      await failbackWorld({
        change: withSwitches([
          { type: 'MSK_CONNECT_CONNECTOR', name: 'orders-s3-sink', role: 'CONSUMERS', connectorArn: CONNECTOR_ARN },
        ]),
        clientSwitches: awsClientSwitches({ kafkaConnect: connect.client }),
      }),
    );
    await w.target.setCommittedOffsets('connect-orders-s3-sink', [
      { topic: TOPIC, partition: 0, offset: '7' },
      { topic: TOPIC, partition: 1, offset: '5' },
    ]);
    connect.calls.length = 0;
    commitsInto(w, connect.calls);

    const out = FailbackCutoverOutput.parse(await failbackCutover(w));

    const atTarget = TARGET_SERVERS.join(',');
    expect(connect.calls).toEqual([
      `delete ${atTarget}`,
      'commit billing on the source',
      'commit connect-orders-s3-sink on the source',
      'create b-1.source:9098',
    ]);
    expect(out.held?.[0]).toMatchObject({ step: 'TARGET_CONNECTOR_DELETED', complete: true });
    expect([...connect.connectors.values()].map((c) => c.kafkaCluster?.apacheKafkaCluster?.bootstrapServers)).toEqual([
      'b-1.source:9098',
    ]);
  });

  it('a failback that stops after the hold enables the same mapping on the target again (ReleaseFailbackFence)', async () => {
    // Prepare: the source refuses the offset commit after the mapping was held on the target
    const lambda = new FakeLambda();
    const w = await drainedFailback(
      await failbackWorld({
        change: withSwitches([SWITCHES()[0]]),
        clientSwitches: awsClientSwitches({ lambda: lambda.client }),
      }),
    );
    const [onTarget] = [...lambda.mappings.values()];
    w.source.setCommittedOffsets = () => Promise.reject(new Error('the source does not answer'));
    await expect(failbackCutover(w)).rejects.toThrow('the source does not answer');
    expect(onTarget?.State).toBe('Disabled');
    lambda.calls.length = 0;
    // Act: the Catch's ReleaseFailbackFence
    const release = await runFenceProducers(
      { state: w.state, mode: 'RELEASE_FAILBACK' },
      { pointer: w.pointer, clientSwitches: w.clientSwitches, artifacts: w.artifacts, now: w.clock.now },
    );
    // Assess: the same mapping (same UUID) enabled on the target, none created, the pointer on the target again
    expect(release).toMatchObject({
      outcome: 'RELEASED',
      clients: [{ name: 'billing', step: 'ENABLING_TARGET_MAPPING', detail: onTarget?.UUID }],
    });
    expect(lambda.calls).toEqual([`enable ${onTarget?.EventSourceArn}`]);
    expect(lambda.mappings.size).toBe(1);
    expect(await journalOf(w, 'billing')).toMatchObject({ failbackReleasedAt: expect.any(String) });
  });
});

describe('IAM roles declared by a switch', () => {
  const writer = (roles?: string[], role = 'PRODUCERS') => ({
    ...SWITCHES()[1],
    role,
    ...(roles ? { roles } : {}),
  });
  const sink = (roles: string[]) => ({
    type: 'MSK_CONNECT_CONNECTOR',
    name: 'orders-source',
    role: 'PRODUCERS',
    connectorArn: CONNECTOR_ARN,
    roles,
  });
  const issuesOf = (plan: ReturnType<typeof withFence>) =>
    plan.success ? [] : plan.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it("adds a producer switch's roles (ECS service, connector) to an IAM_POLICY fence, not a consumer switch's", () => {
    const plan = withFence({ type: 'IAM_POLICY', roleNames: ['legacy-writer'] }, [
      writer(['orders-writer-task']),
      sink(['orders-source-connect']),
      { ...writer(['billing-reader-task'], 'CONSUMERS'), name: 'reader' },
    ]);

    expect(plan.success && iamFenceRoleNames(plan.data.cutover)).toEqual([
      'legacy-writer',
      'orders-writer-task',
      'orders-source-connect',
    ]);
  });

  it("accepts an IAM_POLICY fence whose roles come from the switches alone, and refuses one that denies nobody's", () => {
    const fromSwitches = withFence({ type: 'IAM_POLICY' }, [writer(['orders-writer-task'])]);
    expect(fromSwitches.success && iamFenceRoleNames(fromSwitches.data.cutover)).toEqual(['orders-writer-task']);

    const nobody = withFence({ type: 'IAM_POLICY' }, [writer(['billing-reader-task'], 'CONSUMERS')]);
    expect(issuesOf(nobody)).toEqual([
      expect.stringMatching(/^cutover\.fence\.roleNames: expected at least one role: the producers' IAM roles/),
    ]);
    const arn = withFence({ type: 'IAM_POLICY' }, [writer(['arn:aws:iam::123456789012:role/orders-writer-task'])]);
    expect(issuesOf(arn)).toEqual([expect.stringMatching(/^cutover\.switches\.0\.roles\.0: .*an IAM role name/)]);
  });

  it("puts the fence's deny on the switch's roles too (GetRolePolicy, PutRolePolicy per role)", async () => {
    const plan = withFence({ type: 'IAM_POLICY', roleNames: ['legacy-writer'] }, [writer(['orders-writer-task'])]);
    if (!plan.success) throw plan.error;
    const iam = new IAMClient({ region: 'eu-west-1' });
    const mock = mockClient(iam);
    mock.on(GetRolePolicyCommand).rejects(Object.assign(new Error('no policy'), { name: 'NoSuchEntityException' }));
    mock.on(PutRolePolicyCommand).resolves({});
    const fence = await writeFenceFor(plan.data, () => Promise.reject(new Error('not asked')), { iam });

    await fence?.apply(await fence.inspect([TOPIC]));

    expect(mock.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      'legacy-writer',
      'orders-writer-task',
    ]);
    expect(mock.commandCalls(GetRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      'legacy-writer',
      'orders-writer-task',
    ]);
  });

  it('tells validate that roles a switch declares are unused under another fence', () => {
    const plan = withFence({ type: 'KAFKA_ACL' }, [writer(['orders-writer-task'])]);

    expect(plan.success && planNotes(plan.data)).toEqual([
      'cutover.switches roles (orders-writer) are denied by an IAM_POLICY fence only: the KAFKA_ACL fence does not use them.',
    ]);
  });
});
