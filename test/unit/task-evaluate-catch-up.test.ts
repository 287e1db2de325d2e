import { runEvaluateCatchUp } from '../../lambdas/tasks/evaluate-catch-up/task';
import { replicatingState } from './task-catch-up-and-validation';
import { at } from './task-fixtures';

describe('EvaluateCatchUp task', () => {
  it('passes only after gates.consecutiveHealthyChecks healthy evaluations in a row, carrying its progress in $.catchUp', async () => {
    // Prepare
    const { source, target, artifacts, state } = await replicatingState();
    // Act
    const first = await runEvaluateCatchUp(
      { state },
      { artifacts, source, target, now: at('2026-11-01T11:00:00.000Z') },
    );
    const second = await runEvaluateCatchUp(
      { state: { ...state, catchUp: first } },
      { artifacts, source, target, now: at('2026-11-01T11:01:00.000Z') },
    );
    // Assess
    expect(first).toMatchObject({ passed: false, lastHealthy: true, evaluations: 1 });
    expect(second).toMatchObject({ passed: true, evaluations: 2, consecutiveHealthy: 2 });
    expect(second.lastEvidenceKey && (await artifacts.getJson(second.lastEvidenceKey))).toMatchObject({
      kind: 'catch-up-evaluation',
    });
  });

  it('fails with Migration.LagTimeout when the target still lags past gates.catchUpTimeoutMinutes', async () => {
    const { source, target, artifacts, state } = await replicatingState();
    source.append('clicks', 1, [{ value: 'never copied' }]);
    const first = await runEvaluateCatchUp(
      { state },
      { artifacts, source, target, now: at('2026-11-01T11:00:00.000Z') },
    );
    expect(first).toMatchObject({ passed: false, lastHealthy: false });
    await expect(
      runEvaluateCatchUp(
        { state: { ...state, catchUp: first } },
        { artifacts, source, target, now: at('2026-11-01T11:31:00.000Z') },
      ),
    ).rejects.toMatchObject({ name: 'Migration.LagTimeout' });
  });
});
