import path from 'node:path';
import { FUNCTION_NAMES, FUNCTIONS, STATE_NAMES } from '../../lambdas/workflow/catalogue';
import { depsFor, portsOf, serveTask, type AnyTaskDefinition } from '../../lambdas/workflow/define-task';
import { serveStates, TASK_DEFINITIONS } from '../../lambdas/workflow/tasks';

const ROOT = path.join(__dirname, '../..');

describe('defineTask and the catalogue', () => {
  it("takes each function's definition from the task module the catalogue names, needing exactly its ports", () => {
    for (const fn of FUNCTION_NAMES) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(ROOT, FUNCTIONS[fn].module, 'task')) as { task: AnyTaskDefinition };
      expect([fn, mod.task === TASK_DEFINITIONS[fn], mod.task.function]).toEqual([fn, true, fn]);
      expect([fn, portsOf(mod.task)]).toEqual([fn, [...FUNCTIONS[fn].ports].sort()]);
    }
  });

  it('serves every Task state of the catalogue, and nothing else', () => {
    expect(Object.keys(serveStates({})).sort()).toEqual([...STATE_NAMES].sort());
  });

  it('gives FenceProducers the cluster producers use now: the source, the target for the way back, none to lift the fence', () => {
    // Prepare
    const ports = { source: 'S', target: 'T', pointer: 'P', artifacts: 'A', clock: 'C' };
    const fence = TASK_DEFINITIONS.FenceProducers;
    // Act
    const of = (mode?: string) => depsFor(fence, mode ? { mode } : {}, ports) as Record<string, unknown>;
    // Assess
    expect(of()).toEqual({ pointer: 'P', producersCluster: 'S', artifacts: 'A', now: 'C' });
    expect(of('FAILBACK')).toMatchObject({ producersCluster: 'T' });
    expect(of('RELEASE_FAILBACK')).not.toHaveProperty('producersCluster');
  });

  it('refuses a malformed event naming the state and the field, before any port is used', async () => {
    // Prepare
    const ports = new Proxy(
      {},
      {
        get: () => {
          throw new Error('a port was used');
        },
      },
    );
    // Act
    const served = serveTask(TASK_DEFINITIONS.Report, 'ReportFailedBack', { state: {}, outcome: 'MAYBE' }, ports);
    // Assess
    await expect(served).rejects.toMatchObject({
      name: 'Migration.InputInvalid',
      message: expect.stringMatching(/^ReportFailedBack payload invalid: .*outcome/),
    });
  });
});
