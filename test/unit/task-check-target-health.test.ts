import { runCheckTargetHealth, type Output } from '../../lambdas/tasks/check-target-health/task';
import { TOPIC, cutoverWorld, type CutoverWorld } from './task-cutover-world';

async function check(w: CutoverWorld): Promise<Output> {
  const out = await runCheckTargetHealth(
    { state: w.state as never },
    { target: w.target, artifacts: w.artifacts, now: w.clock.now },
  );
  w.state = { ...w.state, window: out };
  return out;
}

describe('CheckTargetHealth task', () => {
  it('keeps the window open while rollbackWindowMinutes have not passed, then closes it on a healthy check', async () => {
    // Prepare
    const w = await cutoverWorld();
    await w.throughSwitch();
    // Act
    w.clock.advance(60);
    const early = await check(w);
    w.target.commit('ledger', TOPIC, 0, 5); // ledger's consumers resumed on the target
    w.clock.advance(w.plan.cutover.rollbackWindowMinutes * 60);
    const late = await check(w);
    // Assess
    expect(early).toMatchObject({ healthy: true, closed: false, checks: 1 });
    expect(late).toMatchObject({ healthy: true, closed: true, checks: 2 });
  });

  it('keeps the window open past its end while the target is unhealthy', async () => {
    const w = await cutoverWorld();
    await w.throughSwitch();
    w.clock.advance(w.plan.cutover.rollbackWindowMinutes * 60 + 1);
    w.target.topics.delete(TOPIC);

    const out = await check(w);

    expect(out).toMatchObject({ healthy: false, windowClosed: true, closed: false, consecutiveUnhealthy: 1 });
  });

  it('closes at once after a healthy check when the plan has a rollback window of 0 minutes', async () => {
    const w = await cutoverWorld({
      change: (raw) => {
        (raw.cutover as Record<string, unknown>).rollbackWindowMinutes = 0;
      },
    });
    await w.throughSwitch();

    expect(await check(w)).toMatchObject({ healthy: true, closed: true });
  });

  it('fails with Migration.TargetUnhealthy after three unhealthy checks in a row', async () => {
    // Prepare
    const w = await cutoverWorld();
    await w.throughSwitch();
    w.target.topics.delete(TOPIC);
    await check(w);
    await check(w);
    // Act
    const third = check(w);
    // Assess
    await expect(third).rejects.toMatchObject({ name: 'Migration.TargetUnhealthy' });
  });
});
