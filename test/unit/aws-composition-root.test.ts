/**
 * The AWS composition root (lambdas/runtime/aws.ts) builds, for each invocation of a task function, only the ports
 * its catalogue entry declares (FUNCTIONS[fn].ports) and its task's `needs` picks for that input: a function never
 * constructs (nor imports) the clients of a port it does not need. Proven through each deployed handler module.
 */
import { z } from 'zod';
import {
  awsInvocation,
  awsTaskHandler,
  buildAwsDeps,
  type AwsPortFactory,
  type AwsPortFactories,
} from '../../lambdas/runtime/aws';
import { FUNCTIONS, FUNCTION_NAMES, PORTS, type FunctionName, type PortName } from '../../lambdas/workflow/catalogue';
import type { AnyTaskDefinition } from '../../lambdas/workflow/define-task';

/** Every shape of input the tasks' `needs` choose by: each mode, a created or existing target, each engine, Connect clusters or none… */
function inputVariants(): unknown[] {
  const variants: unknown[] = [];
  for (const mode of [undefined, 'ROLLBACK', 'FAILBACK', 'RELEASE_FAILBACK'])
    for (const create of [true, false])
      for (const failbackEngine of ['MIRROR_MAKER_2', 'MSK_REPLICATOR'])
        for (const replicated of [true, false])
          for (const ready of [true, false])
            variants.push({
              ...(mode ? { mode } : {}),
              state: {
                input: {
                  target: { create },
                  replication: { engine: 'MSK_REPLICATOR' },
                  // The Inventory builds its Connect REST reader only for a plan that names a Connect cluster.
                  ...(ready ? { connectClusters: [{ url: 'https://connect.internal:8083' }] } : {}),
                },
                execution: { id: 'arn:aws:states:eu-west-1:123456789012:execution:m:exec-1' },
                target: { ready },
                ...(replicated ? { replication: { handle: { engine: 'MSK_REPLICATOR' } } } : {}),
                failback: { engine: failbackEngine, handle: { engine: failbackEngine } },
              },
            });
  return variants;
}

interface Served {
  readonly given: string[];
  readonly built: Set<PortName>;
  readonly depKeys: Set<string>;
  readonly needs: Set<string>;
}

type ServedHandler = ((event: unknown) => Promise<unknown>) & { factories: Record<string, AwsPortFactory> };

/** Loads the function's handler module afresh, its factories stubbed and its task's run recorded, and serves every variant. */
async function serveThroughHandler(fn: FunctionName): Promise<Served> {
  const built = new Set<PortName>();
  const depKeys = new Set<string>();
  let handler: ServedHandler | undefined;
  let definition: AnyTaskDefinition | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const mod = require(`../../${FUNCTIONS[fn].module}/task`) as { task: AnyTaskDefinition };
    definition = mod.task;
    // The event's shape is not what is tested here: any event passes, and run only records the deps it got.
    Object.assign(mod.task, {
      Input: z.any(),
      run: async (_input: unknown, deps: Record<string, unknown>) => {
        Object.keys(deps).forEach((k) => depKeys.add(k));
        return {};
      },
    });
    const exported = require(`../../${FUNCTIONS[fn].module}/handler`) as Record<string, unknown>;
    handler = Object.values(exported).find((v) => typeof v === 'function' && 'factories' in v) as ServedHandler;
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  const given = Object.keys(handler!.factories).sort();
  for (const port of given)
    handler!.factories[port] = (async () => {
      built.add(port as PortName);
      return { close: async () => undefined, connection: { name: port } };
    }) as AwsPortFactory;
  for (const event of inputVariants()) await handler!(event).catch(() => undefined);
  return { given, built, depKeys, needs: new Set(Object.keys(definition!.needs)) };
}

describe('the AWS composition root builds only the ports a task declares', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      ARTIFACT_BUCKET: 'evidence',
      MIGRATION_LOCK_TABLE: 'msk-migration-locks',
      REPLICATOR_SERVICE_ROLE_ARN: 'arn:aws:iam::123456789012:role/replicator',
    });
  });
  afterAll(() => {
    process.env = saved;
    jest.restoreAllMocks();
  });

  // RequestApproval parses its event itself (the task token never in a message); the deps test below covers it.
  const served = FUNCTION_NAMES.filter((fn) => fn !== 'RequestApproval');

  it.each(served)(
    "%s's handler is given the factories of its catalogue ports only, and builds each of them, none other",
    async (fn) => {
      const { given, built, depKeys, needs } = await serveThroughHandler(fn);

      expect(given).toEqual([...FUNCTIONS[fn].ports].sort());
      expect([...built].sort()).toEqual([...FUNCTIONS[fn].ports].sort());
      expect([...depKeys].filter((k) => !needs.has(k))).toEqual([]);
    },
  );

  it('refuses at cold start a handler given a factory its catalogue entry does not declare, or missing one', async () => {
    const { TASK_DEFINITIONS } = await import('../../lambdas/workflow/tasks');
    const stub: AwsPortFactory = async () => undefined;
    const env = { ARTIFACT_BUCKET: 'evidence', MIGRATION_LOCK_TABLE: 'locks' };

    expect(() => awsTaskHandler(TASK_DEFINITIONS.Assess, { artifacts: stub, clock: stub, msk: stub }, { env })).toThrow(
      "Assess's handler must be given a factory for exactly its catalogue ports (artifacts, clock); it was given artifacts, clock, msk.",
    );
    expect(() => awsTaskHandler(TASK_DEFINITIONS.AcquireLock, { clock: stub }, { env })).toThrow(
      /exactly its catalogue/,
    );
    expect(awsTaskHandler(TASK_DEFINITIONS.Assess, { artifacts: stub, clock: stub }, { env }).factories).toHaveProperty(
      'artifacts',
    );
  });

  it('builds, per input, only the ports that input picks: a rollback opens no source, a release no cluster', async () => {
    const { TASK_DEFINITIONS } = await import('../../lambdas/workflow/tasks');
    const built: string[] = [];
    const factories = Object.fromEntries(
      PORTS.map((p) => [
        p,
        async () => {
          built.push(p);
          return {};
        },
      ]),
    ) as unknown as AwsPortFactories;
    const scope = { env: {} };
    const run = async (fn: FunctionName, input: unknown): Promise<string[]> => {
      built.length = 0;
      await buildAwsDeps(TASK_DEFINITIONS[fn], input, awsInvocation({ ...scope, fn, input }, factories));
      return [...built].sort();
    };
    const state = { input: { target: { create: false } }, target: { ready: true } };

    expect(await run('RollbackCutover', { mode: 'ROLLBACK', state })).toEqual(
      ['artifacts', 'clientSwitches', 'clock', 'pointer', 'target', 'writeFence'].sort(),
    );
    expect(await run('FenceProducers', { mode: 'RELEASE_FAILBACK', state })).toEqual([
      'artifacts',
      'clientSwitches',
      'clock',
      'pointer',
    ]);
    expect(await run('RollbackReplication', { state: { input: {}, target: { ready: false } } })).toEqual(['clock']);
    expect(await run('RequestApproval', { state })).toEqual(['approvals']);
  });

  it('a rollback goes on without a target that cannot be reached; a failback does not', async () => {
    const { TASK_DEFINITIONS } = await import('../../lambdas/workflow/tasks');
    const factories = {
      ...Object.fromEntries(PORTS.map((p) => [p, async () => ({ port: p })])),
      target: async () => {
        throw new Error('connect ETIMEDOUT b-1.target:9098');
      },
    } as unknown as AwsPortFactories;
    const deps = (mode: string) =>
      buildAwsDeps(
        TASK_DEFINITIONS.RollbackCutover,
        { mode, state: {} },
        awsInvocation({ fn: 'RollbackCutover', env: {}, input: { mode } }, factories),
      );

    await expect(deps('ROLLBACK')).resolves.not.toHaveProperty('target');
    await expect(deps('FAILBACK')).rejects.toThrow('ETIMEDOUT');
  });
});
