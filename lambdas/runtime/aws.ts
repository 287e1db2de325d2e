import { DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV, type TaskEnv, type TaskEnvName } from '../contract/env';
import type { MigrationPlan } from '../core/plan/migration-plan';
import type { ReplicationEngine } from '../ports/replicator';
import { LAMBDA_PACER_SETTINGS } from '../ports/pacer';
import type { TargetState } from '../tasks/shared/execution-state';
import { waveSuffix } from '../tasks/shared/plan-views';
import { FUNCTIONS, type FunctionName, type PortName } from '../workflow/catalogue';
import { isWarmEvent, parseEvent, portsPicked, type TaskDefinition, type Warmed } from '../workflow/define-task';
import { AwsClusters, closeQuietly, type AwsClusterClients, type TaskDataPlane } from './aws-clusters';

/**
 * THE COMPOSITION ROOT OF THE AWS RUNTIME: the one place where the ports of the workflow catalogue
 * (lambdas/workflow/catalogue.ts, PORTS) are bound to the AWS adapters. Every task handler is
 * `awsTaskHandler(task)`; the compensator asks for its ports here too.
 *
 * - One factory per port (AWS_PORTS). A handler builds, per invocation, only the ports its task's `needs` picks for
 *   that input (lambdas/workflow/define-task.ts, portsPicked), in that order; each factory imports its adapter and
 *   SDK client module when first called, so a function never evaluates the clients of ports its task does not need.
 *   test/unit/aws-composition-root.test.ts proves it for every function of the catalogue.
 * - SDK clients are made once per container, on first use; the Kafka data planes once per invocation, and closed
 *   after it on every path (also when building a later port fails).
 * - The environment a function reads is the union of its ports' (PORT_ENV), read once at cold start: a required
 *   variable missing fails the cold start naming it. The construct sets them (lib/migration-orchestrator.ts).
 *
 * The local runtime's root is lambdas/runtime/local.ts; nothing here imports a local adapter (eslint layer rules).
 */

/** What a port's factory knows of the invocation it builds for. */
export interface AwsInvocation {
  /** The catalogue function (or `Compensator`) being served. */
  readonly fn: FunctionName | 'Compensator';
  /** The migration plan of the execution (`$.state.input`), when the event carries one. */
  readonly plan: MigrationPlan | undefined;
  /** The execution state the event carries (`$.state`), when it does. */
  readonly state: AwsTaskState | undefined;
  /** The task's `mode` (FenceProducers, RollbackCutover), when its input has one. */
  readonly mode: string | undefined;
  /** The execution's id (a HOOK switch derives its idempotency key from it). */
  readonly executionId: string | undefined;
  readonly env: TaskEnv;
  readonly clusters: AwsClusters;
  /** Another port of this invocation, built once (a factory that needs, e.g., the source's connection). */
  port(name: PortName): Promise<unknown>;
  /** Runs after the task, on every path. */
  onClose(close: () => Promise<void>): void;
}

/** The parts of the execution state the factories read. */
export interface AwsTaskState {
  readonly input: MigrationPlan;
  readonly identity?: { readonly wave?: string | undefined };
  readonly execution?: { readonly id: string };
  readonly target?: TargetState;
  readonly replication?: { readonly handle: { readonly engine: ReplicationEngine } };
  readonly failback?: { readonly handle: { readonly engine: ReplicationEngine } };
}

/** Builds one port for one invocation; `undefined` leaves the task's key unset (the runtime has none). */
export type AwsPortFactory = (invocation: AwsInvocation) => Promise<unknown>;

/** The variables each port's factory reads: required ones fail the cold start when missing. */
export const PORT_ENV: Readonly<
  Record<PortName, { readonly required?: readonly TaskEnvName[]; readonly optional?: readonly TaskEnvName[] }>
> = {
  source: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  target: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  targetAcls: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  producerActivity: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  writeFence: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  artifacts: { required: ['ARTIFACT_BUCKET'] },
  replicator: { required: ['AWS_REGION'], optional: REPLICATOR_ENV },
  pointer: {},
  provisioner: { required: ['AWS_REGION'] },
  msk: { required: ['AWS_REGION'] },
  metrics: {},
  lagSignals: { optional: ['ALARM_TOPIC_ARN'] },
  approvals: {},
  locks: { required: ['MIGRATION_LOCK_TABLE'] },
  aborts: { optional: ['MIGRATION_LOCK_TABLE'] },
  clock: {},
  healthAlarmNames: {},
  runtime: {},
  pacer: {},
  clientSwitches: {},
  region: { optional: ['AWS_REGION'] },
};

/**
 * Functions whose data planes are always kafkajs, whatever KAFKA_CLIENT says: the Inventory reads the cluster, its
 * ACLs, client quotas and broker configs (KafkaInventoryReads), which the @platformatic/kafka adapter does not implement.
 */
const KAFKAJS_ONLY: ReadonlySet<string> = new Set<FunctionName>(['Inventory']);

/** Functions that act on the reverse (failback) replicator: its engine is in `$.failback`. */
const FAILBACK_REPLICATOR: ReadonlySet<string> = new Set<FunctionName>(['CheckFailback', 'StopFailback']);

/** The variables a function reads: the union of its ports' (PORT_ENV). */
export function envNamesOf(
  ports: readonly PortName[],
  fn?: string,
): { required: TaskEnvName[]; optional: TaskEnvName[] } {
  const required = new Set<TaskEnvName>();
  const optional = new Set<TaskEnvName>();
  for (const port of ports) {
    PORT_ENV[port].required?.forEach((n) => required.add(n));
    PORT_ENV[port].optional?.forEach((n) => optional.add(n));
  }
  if (fn && KAFKAJS_ONLY.has(fn)) optional.delete('KAFKA_CLIENT');
  required.forEach((n) => optional.delete(n));
  return { required: [...required].sort(), optional: [...optional].sort() };
}

/** One value per container, made on first use (an SDK client, the approval services). */
const containerValues = new Map<string, Promise<unknown>>();
function perContainer<T>(key: string, make: () => Promise<T>): Promise<T> {
  let value = containerValues.get(key) as Promise<T> | undefined;
  if (!value) {
    value = make();
    containerValues.set(key, value);
    // A failed creation (an import, a misconfiguration) is tried again by the next invocation.
    value.catch(() => containerValues.delete(key));
  }
  return value;
}

const s3 = () => perContainer('s3', async () => new (await import('@aws-sdk/client-s3')).S3Client({}));
const dynamodb = () =>
  perContainer('dynamodb', async () => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({}));
const cloudwatch = () =>
  perContainer('cloudwatch', async () => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient({}));
const kafkaConnect = () =>
  perContainer('kafkaconnect', async () => new (await import('@aws-sdk/client-kafkaconnect')).KafkaConnectClient({}));

function requirePlan(inv: AwsInvocation, port: PortName): MigrationPlan {
  if (!inv.plan) throw new Error(`${inv.fn}: the ${port} port needs the migration plan ($.state.input).`);
  return inv.plan;
}

/** The engine of the replicator this invocation acts on. */
function engineOf(inv: AwsInvocation): ReplicationEngine {
  const plan = requirePlan(inv, 'replicator');
  if (FAILBACK_REPLICATOR.has(inv.fn) && inv.state?.failback) return inv.state.failback.handle.engine;
  return inv.state?.replication?.handle.engine ?? plan.replication.engine;
}

/**
 * The step a HOOK switch's idempotency key names: the function, its mode when it has modes, and the wave of a plan
 * in waves (each wave's fence, switch and rollback is a step of its own).
 */
function stepOf(inv: AwsInvocation): string {
  const wave = inv.state?.identity ? waveSuffix({ identity: inv.state.identity }) : '';
  if (inv.fn === 'FenceProducers') return `${inv.fn}:${inv.mode ?? 'FORWARD'}${wave}`;
  return `${inv.mode ? `${inv.fn}:${inv.mode}` : inv.fn}${wave}`;
}

/** Opens a data plane and closes it after the invocation. */
async function opened<T extends { close(): Promise<void> }>(inv: AwsInvocation, plane: Promise<T>): Promise<T> {
  const p = await plane;
  inv.onClose(() => p.close());
  return p;
}

/** The AWS adapter of every port of the catalogue. */
export const AWS_PORTS: Record<PortName, AwsPortFactory> = {
  source: (inv) => opened(inv, inv.clusters.sourceDataPlane(requirePlan(inv, 'source'))),
  target: (inv) => opened(inv, inv.clusters.targetDataPlane(requirePlan(inv, 'target'), inv.state?.target)),
  targetAcls: async (inv) => {
    const reader = inv.clusters.targetAclReader(
      requirePlan(inv, 'targetAcls'),
      inv.state?.target,
      (await inv.port('target')) as TaskDataPlane,
    );
    inv.onClose(() => reader.close());
    return reader.reads;
  },
  producerActivity: async (inv) => {
    // @platformatic/kafka (an ES module) is loaded only here: kafkajs has no DescribeProducers.
    const { PlatformaticProducerActivity } = await import('../adapters/kafka/platformatic-producer-activity');
    const source = (await inv.port('source')) as TaskDataPlane;
    return opened(inv, Promise.resolve(new PlatformaticProducerActivity(source.connection)));
  },
  writeFence: async (inv) => {
    const plan = requirePlan(inv, 'writeFence');
    const { writeFenceFor } = await import('../tasks/shared/write-fence');
    return writeFenceFor(plan, () => inv.clusters.sourceConnection(plan));
  },
  artifacts: async (inv) => {
    const { S3ArtifactStore } = await import('../adapters/aws/s3-artifact-store');
    return new S3ArtifactStore(await s3(), inv.clusters.require('ARTIFACT_BUCKET'));
  },
  replicator: async (inv) => {
    const engine = engineOf(inv);
    if (engine === 'MSK_REPLICATOR') {
      const { MskReplicator } = await import('../adapters/aws/msk-replicator');
      return new MskReplicator(inv.clusters.kafka, {
        serviceExecutionRoleArn: inv.clusters.require('REPLICATOR_SERVICE_ROLE_ARN'),
        region: inv.clusters.region,
      });
    }
    const { MskConnectMirrorMaker2 } = await import('../adapters/aws/msk-connect-mm2');
    return new MskConnectMirrorMaker2(await kafkaConnect(), {
      serviceExecutionRoleArn:
        inv.env.MSK_CONNECT_SERVICE_ROLE_ARN ?? inv.clusters.require('REPLICATOR_SERVICE_ROLE_ARN'),
      region: inv.clusters.region,
      ...(inv.env.MSK_CONNECT_LOG_GROUP ? { logGroupName: inv.env.MSK_CONNECT_LOG_GROUP } : {}),
    });
  },
  pointer: async (inv) => {
    const { cutoverSwitchFor } = await import('../tasks/shared/cutover-switch');
    const execution = inv.executionId ?? inv.state?.execution?.id;
    return cutoverSwitchFor(requirePlan(inv, 'pointer'), {}, execution ? { execution, step: stepOf(inv) } : undefined);
  },
  provisioner: async (inv) => {
    const { MskTargetProvisioner } = await import('../adapters/aws/msk-provisioner');
    return new MskTargetProvisioner(inv.clusters.kafka);
  },
  msk: async (inv) => inv.clusters.msk(),
  metrics: async () => {
    const { CloudWatchThroughput } = await import('../adapters/aws/cloudwatch-throughput');
    return new CloudWatchThroughput(await cloudwatch());
  },
  lagSignals: async (inv) => {
    const { CloudWatchLagSignals } = await import('../adapters/aws/cloudwatch-lag-signals');
    return new CloudWatchLagSignals(await cloudwatch(), inv.env.ALARM_TOPIC_ARN ? [inv.env.ALARM_TOPIC_ARN] : []);
  },
  approvals: (inv) =>
    perContainer('approvals', async () => {
      const [{ awsApprovalServices, approvalEnvFrom }, { telemetryFor }] = await Promise.all([
        import('../approval/aws-services'),
        import('../middleware/observability'),
      ]);
      const { logger } = telemetryFor(inv.fn);
      return awsApprovalServices(approvalEnvFrom(process.env), (message, details) =>
        logger.warn(message, details ?? {}),
      );
    }),
  locks: async (inv) => {
    const { DynamoDbMigrationLocks } = await import('../adapters/aws/dynamodb-migration-locks');
    return new DynamoDbMigrationLocks(await dynamodb(), inv.clusters.require('MIGRATION_LOCK_TABLE'));
  },
  aborts: async (inv) => {
    // Without the lock table (a function the construct gives none), no abort can be requested: none is read.
    if (!inv.env.MIGRATION_LOCK_TABLE) return undefined;
    const { DynamoDbAbortRequests } = await import('../adapters/aws/dynamodb-abort-requests');
    return new DynamoDbAbortRequests(await dynamodb(), inv.env.MIGRATION_LOCK_TABLE);
  },
  clock: async () => () => new Date(),
  // The rollback window's health alarms are named from the plan by the task itself in AWS.
  healthAlarmNames: async () => undefined,
  runtime: async () => 'AWS',
  pacer: async () => {
    const { timerPacer } = await import('../tasks/shared/paced');
    return timerPacer(LAMBDA_PACER_SETTINGS);
  },
  clientSwitches: async () => {
    const { awsClientSwitches } = await import('../tasks/shared/client-switches');
    return awsClientSwitches();
  },
  region: async (inv) => inv.env.AWS_REGION,
};

export interface AwsPortsScope {
  readonly fn: AwsInvocation['fn'];
  readonly env: TaskEnv;
  readonly clusters: AwsClusters;
  readonly input: unknown;
  readonly executionId?: string;
}

/**
 * The ports of one invocation, built on demand from `factories` (once each) and closed by `close()`. `build(port)`
 * builds a port (and the ports its factory asks for); nothing is built that is not asked for.
 */
export function awsInvocation(scope: AwsPortsScope, factories: Record<PortName, AwsPortFactory> = AWS_PORTS) {
  const input = (scope.input ?? {}) as { state?: AwsTaskState; mode?: string };
  const built = new Map<PortName, Promise<unknown>>();
  const closers: Array<() => Promise<void>> = [];
  const invocation: AwsInvocation = {
    fn: scope.fn,
    plan: input.state?.input,
    state: input.state,
    mode: typeof input.mode === 'string' ? input.mode : undefined,
    executionId: scope.executionId ?? input.state?.execution?.id,
    env: scope.env,
    clusters: scope.clusters,
    port: (name) => build(name),
    onClose: (close) => closers.push(close),
  };
  function build(name: PortName): Promise<unknown> {
    let value = built.get(name);
    if (!value) {
      value = factories[name](invocation);
      built.set(name, value);
    }
    return value;
  }
  return {
    build,
    /** Closes what the ports opened, the last first; a failing close never hides the task's result. */
    close: async (): Promise<void> => {
      const all = closers.splice(0).reverse();
      await closeQuietly(...all.map((close) => ({ close })));
    },
  };
}

/** The deps of `run` for this input: only the ports its `needs` picks, built in order, best-effort ones tolerated. */
export async function buildAwsDeps<I, D>(
  definition: Pick<TaskDefinition<I, unknown, D>, 'needs'>,
  input: I,
  invocation: ReturnType<typeof awsInvocation>,
): Promise<D> {
  const deps: Record<string, unknown> = {};
  for (const { key, port, bestEffort } of portsPicked(definition, input)) {
    const value = bestEffort ? await invocation.build(port).catch(() => undefined) : await invocation.build(port);
    if (value !== undefined) deps[key] = value;
  }
  return deps as D;
}

export interface AwsTaskHandlerOptions<I> {
  /** Parses the event instead of the task's Input (RequestApproval: field paths only, the token never in a message). */
  readonly parse?: (event: unknown) => I;
  /** SDK and Kafka clients tests pass. */
  readonly clients?: AwsClusterClients;
  /** The environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The factories. @default AWS_PORTS */
  readonly factories?: Record<PortName, AwsPortFactory>;
}

/**
 * The Lambda handler of one task module: at cold start, the function's environment (its ports' variables); per
 * invocation, parse the event, build the ports its task needs for that input, run, close what was opened.
 */
export function awsTaskHandler<I, O, D>(
  definition: TaskDefinition<I, O, D>,
  options: AwsTaskHandlerOptions<I> = {},
): (event: unknown) => Promise<O | Warmed> {
  const fn = definition.function;
  const names = envNamesOf(FUNCTIONS[fn].ports, fn);
  const env = readTaskEnv(options.env ?? process.env, names.required, names.optional);
  const clusters = new AwsClusters(env, options.clients);
  return async (event) => {
    if (isWarmEvent(event)) return { warm: true, function: fn };
    const input = options.parse ? options.parse(event) : parseEvent<I>(definition, fn, event);
    const invocation = awsInvocation({ fn, env, clusters, input }, options.factories ?? AWS_PORTS);
    try {
      return await definition.run(input, await buildAwsDeps(definition, input, invocation));
    } finally {
      await invocation.close();
    }
  };
}
