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

  it('fails the cutover when someone wrote the pointer after the fence, naming both versions', async () => {
    // Prepare: the fence's write made a version; another writer makes the next one
    const w = await cutoverWorld();
    await w.throughOffsets();
    const fenced = Number(w.pointer.current?.revision);
    w.pointer.current = { value: 'someone-else:9092', revision: String(fenced + 1) };
    // Act / Assess: found after the switch's one write (SSM has no conditional put); the rollback puts back the source
    await expect(w.switchToTarget()).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      details: { expectedRevision: String(fenced), writtenRevision: String(fenced + 2) },
    });
    expect(w.pointer.current.value).toBe(TARGET_SERVERS.join(','));
  });
});
