import { DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV, type TaskEnv, type TaskEnvName } from '../contract/env';
import type { MigrationPlan } from '../core/plan/migration-plan';
import type { ReplicationEngine } from '../ports/replicator';
import type { TargetState } from '../tasks/shared/execution-state';
import { FUNCTIONS, type FunctionName, type PortName } from '../workflow/catalogue';
import {
  isWarmEvent,
  onWarmUp,
  parseEvent,
  portsPicked,
  warmUp,
  type TaskDefinition,
  type Warmed,
} from '../workflow/define-task';

/**
 * THE COMPOSITION ROOT OF THE AWS RUNTIME: the one place where the ports of the workflow catalogue
 * (lambdas/workflow/catalogue.ts, PORTS) are bound to the AWS adapters. Every task handler is
 * `awsTaskHandler(task)`; the compensator asks for its ports here too.
 *
 * - One factory per port, in lambdas/runtime/aws-ports/ (a module per capability: its adapter and SDK client). A
 *   handler is given the factories of its catalogue entry's ports and no other (refused at cold start otherwise), so
 *   its bundle holds only those adapters; per invocation it builds only the ports its task's `needs` picks for that
 *   input (lambdas/workflow/define-task.ts, portsPicked), in that order. test/unit/aws-composition-root.test.ts
 *   proves it for every function of the catalogue.
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

/**
 * Builds one port for one invocation; `undefined` leaves the task's key unset (the runtime has none). `preload`: the
 * modules the factory loads on first use (`import()`, a chunk of their own in the bundle: lambdas/runtime/aws-ports/
 * lazy.ts), loaded ahead by a warm-up call.
 */
export type AwsPortFactory = ((invocation: AwsInvocation) => Promise<unknown>) & {
  readonly preload?: () => Promise<void>;
};

/** Loads every module the factories load on first use (a warm-up call: the ASL's Warm* states, before the fence). */
export async function preloadPorts(factories: AwsPortFactories): Promise<void> {
  await Promise.all(Object.values(factories).map((factory) => factory?.preload?.()));
}

/** The variables each port's factory reads: required ones fail the cold start when missing. */
export const PORT_ENV: Readonly<
  Record<PortName, { readonly required?: readonly TaskEnvName[]; readonly optional?: readonly TaskEnvName[] }>
> = {
  source: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  target: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  targetAcls: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  producerActivity: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  clientBehaviour: { required: ['AWS_REGION'], optional: DATA_PLANE_ENV },
  connectors: {},
  schemaRegistries: { optional: ['AWS_REGION'] },
  connectClusters: {},
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

/** One value per container, made on first use (an SDK client, the approval services); a failure is tried again. */
const containerValues = new Map<string, Promise<unknown>>();
export function perContainer<T>(key: string, make: () => Promise<T>): Promise<T> {
  let value = containerValues.get(key) as Promise<T> | undefined;
  if (!value) {
    value = make();
    containerValues.set(key, value);
    value.catch(() => containerValues.delete(key));
  }
  return value;
}

/** The migration plan of the invocation; a port that needs one fails naming itself without it. */
export function requirePlan(inv: AwsInvocation, port: PortName): MigrationPlan {
  if (!inv.plan) throw new Error(`${inv.fn}: the ${port} port needs the migration plan ($.state.input).`);
  return inv.plan;
}

/** A variable this use needs; unset is a misconfigured function, named. */
export function requireEnv(inv: Pick<AwsInvocation, 'env'>, name: TaskEnvName): string {
  const value = inv.env[name];
  if (!value) throw new Error(`Task function misconfigured: ${name} is needed for this plan but not set.`);
  return value;
}

/** The engine of the replicator this invocation acts on. */
export function engineOf(inv: AwsInvocation): ReplicationEngine {
  const plan = requirePlan(inv, 'replicator');
  if (FAILBACK_REPLICATOR.has(inv.fn) && inv.state?.failback) return inv.state.failback.handle.engine;
  return inv.state?.replication?.handle.engine ?? plan.replication.engine;
}

/**
 * The step a HOOK switch's idempotency key names: the function, its mode when it has modes, and the wave of a plan
 * in waves (each wave's fence, switch and rollback is a step of its own).
 */
export function stepOf(inv: AwsInvocation): string {
  const wave = inv.state?.identity?.wave ? `:${inv.state.identity.wave}` : '';
  if (inv.fn === 'FenceProducers') return `${inv.fn}:${inv.mode ?? 'FORWARD'}${wave}`;
  return `${inv.mode ? `${inv.fn}:${inv.mode}` : inv.fn}${wave}`;
}

/** Closes what a port opened after the invocation. */
export async function closedAfter<T extends { close(): Promise<void> }>(
  inv: AwsInvocation,
  opened: Promise<T>,
): Promise<T> {
  const value = await opened;
  inv.onClose(() => value.close());
  return value;
}

/** The factories a function is given: one per port of its catalogue entry. */
export type AwsPortFactories = Partial<Record<PortName, AwsPortFactory>>;

export interface AwsPortsScope {
  readonly fn: AwsInvocation['fn'];
  readonly env: TaskEnv;
  readonly input: unknown;
  readonly executionId?: string;
}

/**
 * The ports of one invocation, built on demand from `factories` (once each) and closed by `close()`. `build(port)`
 * builds a port (and the ports its factory asks for); nothing is built that is not asked for.
 */
export function awsInvocation(scope: AwsPortsScope, factories: AwsPortFactories) {
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
    port: (name) => build(name),
    onClose: (close) => closers.push(close),
  };
  function build(name: PortName): Promise<unknown> {
    let value = built.get(name);
    if (!value) {
      const factory = factories[name];
      value = factory
        ? factory(invocation)
        : Promise.reject(new Error(`${scope.fn}: no factory for the ${name} port (lambdas/runtime/aws-ports/).`));
      built.set(name, value);
    }
    return value;
  }
  return {
    build,
    /** Closes what the ports opened, the last first; a failing close never hides the task's result. */
    close: async (): Promise<void> => {
      const all = closers.splice(0).reverse();
      await Promise.allSettled(all.map((close) => close()));
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
  /** The environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A served task: the handler, and the factories it builds ports with (one per port of its catalogue entry). */
export type AwsTaskHandler<O> = ((event: unknown) => Promise<O>) & { readonly factories: AwsPortFactories };

/**
 * The Lambda handler of one task module, given one factory per port of its catalogue entry (each from
 * lambdas/runtime/aws-ports/, so its bundle holds those adapters and no other): at cold start, a factory missing or
 * one the catalogue does not declare is refused, and the function's environment (its ports' variables) is read; per
 * invocation, parse the event, build the ports its task needs for that input, run, close what was opened.
 */
export function awsTaskHandler<I, O, D>(
  definition: TaskDefinition<I, O, D>,
  factories: AwsPortFactories,
  options: AwsTaskHandlerOptions<I> = {},
): AwsTaskHandler<O> {
  const fn = definition.function;
  const declared = [...FUNCTIONS[fn].ports].sort();
  const given = Object.keys(factories).sort();
  if (JSON.stringify(declared) !== JSON.stringify(given))
    throw new Error(
      `${fn}'s handler must be given a factory for exactly its catalogue ports (${declared.join(', ')}); it was given ${given.join(', ') || 'none'}.`,
    );
  const names = envNamesOf(FUNCTIONS[fn].ports, fn);
  const env = readTaskEnv(options.env ?? process.env, names.required, names.optional);
  const bound: { readonly factories: AwsPortFactories } = { factories: { ...factories } };
  // A warm-up call loads the modules its ports load on first use (the withObservability middleware answers it first).
  onWarmUp(() => preloadPorts(bound.factories));
  const served = async (event: unknown): Promise<O> => {
    if (isWarmEvent(event)) {
      await warmUp();
      return { warm: true, function: fn } as Warmed as O;
    }
    const input = options.parse ? options.parse(event) : parseEvent<I>(definition, fn, event);
    const invocation = awsInvocation({ fn, env, input }, bound.factories);
    try {
      return await definition.run(input, await buildAwsDeps(definition, input, invocation));
    } finally {
      await invocation.close();
    }
  };
  return Object.assign(served, bound);
}
