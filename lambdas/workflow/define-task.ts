import type { z } from 'zod';
import { buildLazySchemas } from '../core/lazy-schema';
import { parseTaskInput } from '../tasks/shared/execution-state';
import type { FunctionName, PortName } from './catalogue';

/**
 * `defineTask({ Input, Output, needs, run })`: what each task module (`lambdas/tasks/<name>/task.ts`) exports as
 * `task`, so that every runtime serves it the same way: parse the event with `Input`, give `run` the ports its `needs`
 * names, return its output. The two composition roots call the module through this definition: the AWS one
 * (lambdas/runtime/aws.ts, every handler is `awsTaskHandler(task)`) and the local one (lambdas/runtime/local.ts, the
 * rehearsal and the workflow tests); the catalogue (catalogue.ts) says which
 * ports a function needs, and test/unit/workflow-tasks.test.ts holds `needs` to it.
 */

/** Where one dependency of `run` comes from: a port, or one of several ports chosen by the input (e.g. by `mode`). */
export type PortChoice<I> =
  | PortName
  | {
      readonly oneOf: readonly PortName[];
      readonly pick: (input: I) => PortName | undefined;
      /**
       * The task goes on without this port when it cannot be built for this input (e.g. a rollback moves the pointer
       * back even when the target cannot be reached): a runtime that builds ports per invocation leaves the key unset.
       */
      readonly bestEffort?: (input: I) => boolean;
    };

/** One dependency of `run` for one input: the key, the port that fills it, and whether the task can do without. */
export interface PickedPort {
  readonly key: string;
  readonly port: PortName;
  readonly bestEffort: boolean;
}

/**
 * The ports `run` gets for this input, in the order of `needs` (a choice whose `pick` says none is left out). A
 * runtime that builds ports per invocation (the AWS composition root, lambdas/runtime/aws.ts) builds these and no other.
 */
export function portsPicked<I>(definition: Pick<TaskDefinition<I, unknown, unknown>, 'needs'>, input: I): PickedPort[] {
  const picked: PickedPort[] = [];
  for (const [key, choice] of Object.entries(definition.needs) as Array<[string, PortChoice<I>]>) {
    const port = typeof choice === 'string' ? choice : choice.pick(input);
    if (port)
      picked.push({ key, port, bestEffort: typeof choice !== 'string' && (choice.bestEffort?.(input) ?? false) });
  }
  return picked;
}

/**
 * The port that fills each key of the task's deps: every required key, and the optional ones a runtime can offer.
 * A port the runtime does not have leaves the key unset.
 */
export type Needs<I, D> = { readonly [K in keyof D]: PortChoice<I> };

export interface TaskDefinition<I, O, D> {
  /** The catalogue's function this module implements. */
  readonly function: FunctionName;
  /** zod schema of the event (the ASL's Parameters), parsed before `run`; a bad event is Migration.InputInvalid. */
  readonly Input: z.ZodType<I>;
  /** zod schema of what `run` returns (the state's result). */
  readonly Output?: z.ZodType<O>;
  readonly needs: Needs<I, D>;
  readonly run: (input: I, deps: D) => Promise<O> | O;
  /** `run` checks the raw event itself and names every bad field (ValidateInput): the event is not pre-parsed. */
  readonly parsesOwnInput?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTaskDefinition = TaskDefinition<any, any, any>;

export function defineTask<I, O, D>(definition: TaskDefinition<I, O, D>): TaskDefinition<I, O, D> {
  return definition;
}

/** The ports a definition can use (every port of its `needs`, each choice's alternatives included), sorted. */
export function portsOf(definition: Pick<AnyTaskDefinition, 'needs'>): PortName[] {
  const ports = new Set<PortName>();
  for (const choice of Object.values(definition.needs) as PortChoice<unknown>[]) {
    if (typeof choice === 'string') ports.add(choice);
    else choice.oneOf.forEach((p) => ports.add(p));
  }
  return [...ports].sort();
}

/** What a runtime offers: ports by name (the AWS adapters, the local ones, the tests' fakes). */
export type PortBag = Partial<Record<PortName, unknown>>;

/** The deps of `run` for this input, from the ports the runtime offers. */
export function depsFor<I, D>(definition: Pick<TaskDefinition<I, unknown, D>, 'needs'>, input: I, ports: PortBag): D {
  const deps: Record<string, unknown> = {};
  for (const { key, port } of portsPicked(definition as Pick<TaskDefinition<I, unknown, unknown>, 'needs'>, input)) {
    const value = ports[port];
    if (value !== undefined) deps[key] = value;
  }
  return deps as D;
}

/** The event parsed by the task's Input schema; `state` names the Task state in the error. */
export function parseEvent<I>(
  definition: Pick<AnyTaskDefinition, 'Input' | 'parsesOwnInput'>,
  state: string,
  event: unknown,
): I {
  if (definition.parsesOwnInput) return event as I;
  return parseTaskInput(state, definition.Input, event) as I;
}

/**
 * A warm-up call (`{"warm": true}`, the ASL's Warm* states before the fence): the function's module is loaded, its
 * clients and its schemas built (lambdas/core/lazy-schema.ts, buildLazySchemas), and the modules its ports load on
 * first use loaded (`warmUp`); nothing is read or changed, and the answer says which function it was.
 */
export function isWarmEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { warm?: unknown }).warm === true;
}
/**
 * What a warm-up call loads besides the function's module: the AWS runtime registers its ports' lazily loaded adapters
 * here (lambdas/runtime/aws.ts, awsTaskHandler), and the warm-up middleware (lambdas/middleware/observability.ts) or
 * the handler runs them, so that no call inside the write pause waits for one.
 */
const warmUps: Array<() => Promise<void>> = [];
export function onWarmUp(load: () => Promise<void>): void {
  warmUps.push(load);
}
export async function warmUp(): Promise<void> {
  await Promise.all(warmUps.map((load) => load()));
}
export interface Warmed {
  readonly warm: true;
  readonly function: string;
}

/** Parse, wire, run: how a runtime serves one Task state with this definition (a warm-up call is answered at once). */
export async function serveTask<I, O, D>(
  definition: TaskDefinition<I, O, D>,
  state: string,
  event: unknown,
  ports: PortBag,
): Promise<O | Warmed> {
  if (isWarmEvent(event)) {
    buildLazySchemas();
    return { warm: true, function: definition.function };
  }
  const input = parseEvent<I>(definition, state, event);
  return definition.run(input, depsFor(definition, input, ports));
}
