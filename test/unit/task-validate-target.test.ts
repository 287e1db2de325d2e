import { runValidateTarget } from '../../lambdas/tasks/validate-target/task';
import { replicatingState } from './task-catch-up-and-validation';
import { at } from './task-fixtures';

describe('ValidateTarget task', () => {
  it('passes a faithful copy and reports what it checked', async () => {
    const { source, target, artifacts, state } = await replicatingState();
    const validation = await runValidateTarget(
      { state },
      { source, target, artifacts, now: at('2026-11-01T12:00:00.000Z') },
    );
    expect(validation).toMatchObject({ passed: true, checked: { topics: 1, partitions: 2 } });
  });

  it('fails with Migration.ValidationFailed when a replicated topic is missing on the target', async () => {
    const { source, target, artifacts, state } = await replicatingState();
    await target.deleteTopics(['clicks']);
    await expect(
      runValidateTarget({ state }, { source, target, artifacts, now: at('2026-11-01T12:00:00.000Z') }),
    ).rejects.toMatchObject({ name: 'Migration.ValidationFailed' });
  });
});
