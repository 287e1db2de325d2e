/**
 * CheckTargetHealth emits the TargetHealthChecks metric the dashboard graphs (lib/dashboard.ts): one count per
 * check, with its result as a dimension, including the unhealthy check that ends the window in a rollback.
 */
import { TargetUnhealthyError } from '../../lambdas/core/errors';

process.env.AWS_REGION = 'eu-west-1';
process.env.ARTIFACT_BUCKET = 'evidence';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'MskMigration';

const run = jest.fn();
jest.mock('../../lambdas/tasks/check-target-health/task', () => {
  const actual = jest.requireActual<typeof import('../../lambdas/tasks/check-target-health/task')>(
    '../../lambdas/tasks/check-target-health/task',
  );
  // The check itself is replaced, and it needs no port: the composition root builds nothing.
  return { ...actual, task: { ...actual.task, needs: {}, run: (...args: unknown[]) => run(...args) } };
});
jest.mock('../../lambdas/tasks/shared/execution-state', () => ({
  ...jest.requireActual('../../lambdas/tasks/shared/execution-state'),
  parseTaskInput: (_phase: string, _schema: unknown, event: unknown) => event,
}));

import { checkTargetHealthHandler } from '../../lambdas/tasks/check-target-health/handler';

const lines: string[] = [];
const emf = (): Array<Record<string, unknown>> =>
  lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(() => {
  lines.length = 0;
  run.mockReset();
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

const event = { state: { input: {}, target: {} } };

describe('CheckTargetHealth metrics', () => {
  it('counts a healthy check with Result=Healthy', async () => {
    run.mockResolvedValue({ healthy: true, checks: 1 });
    await checkTargetHealthHandler(event);
    expect(emf().filter((l) => 'TargetHealthChecks' in l)).toEqual([
      expect.objectContaining({ TargetHealthChecks: 1, Result: 'Healthy' }),
    ]);
  });

  it('counts the unhealthy check that reaches the limit with Result=Unhealthy, and still fails', async () => {
    run.mockRejectedValue(new TargetUnhealthyError('target unhealthy 3 times in a row'));
    await expect(checkTargetHealthHandler(event)).rejects.toThrow(TargetUnhealthyError);
    expect(emf().filter((l) => 'TargetHealthChecks' in l)).toEqual([
      expect.objectContaining({ TargetHealthChecks: 1, Result: 'Unhealthy' }),
    ]);
  });

  it('counts nothing when the check did not run (another error)', async () => {
    run.mockRejectedValue(new Error('connection refused'));
    await expect(checkTargetHealthHandler(event)).rejects.toThrow('connection refused');
    expect(emf().filter((l) => 'TargetHealthChecks' in l)).toEqual([]);
  });
});
