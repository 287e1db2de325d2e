import { loadEndOffsets } from '../../lambdas/core/cutover/model';
import { TARGET_SERVERS, cutoverWorld } from './task-cutover-world';

describe('SwitchToTarget task', () => {
  it("points the plan's pointer at the target's bootstrap servers and records the target's end offsets for the failback", async () => {
    // Prepare
    const w = await cutoverWorld();
    // Act
    const switched = await w.throughSwitch();
    // Assess
    expect(w.pointer.current?.value).toBe(TARGET_SERVERS.join(','));
    expect(switched.switchTargetOffsetsKey).toBe(switched.targetEndsAtSwitch.key);
    expect(await loadEndOffsets(w.artifacts, switched.switchTargetOffsetsKey)).toEqual([
      { topic: 'orders.created', partition: 0, low: '0', high: '5' },
      { topic: 'orders.created', partition: 1, low: '0', high: '5' },
    ]);
    expect(switched.writePauseMs).toBeGreaterThan(0);
  });

  it('points it at cutover.targetValue when the plan gives one', async () => {
    const w = await cutoverWorld({
      change: (raw) => {
        (raw.cutover as Record<string, unknown>).targetValue = 'kafka.target.internal:9098';
      },
    });

    await w.throughSwitch();

    expect(w.pointer.current?.value).toBe('kafka.target.internal:9098');
  });

  it('returns the same record on a retry without writing the pointer again', async () => {
    const w = await cutoverWorld();
    const first = await w.throughSwitch();
    const writes = w.pointer.writes;
    w.clock.advance(10);

    expect(await w.switchToTarget()).toEqual(first);
    expect(w.pointer.writes).toBe(writes);
  });

  it('refuses to switch a pointer someone moved off the fence', async () => {
    const w = await cutoverWorld();
    await w.throughOffsets();
    w.pointer.current = { value: 'someone-else:9092' };

    await expect(w.switchToTarget()).rejects.toMatchObject({ name: 'Migration.CutoverFailed' });
    expect(w.pointer.current.value).toBe('someone-else:9092');
  });
});
