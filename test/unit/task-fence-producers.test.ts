import { fenceValue, isFenced } from '../../lambdas/core/cutover/model';
import { runFenceProducers } from '../../lambdas/tasks/fence-producers/task';
import { SOURCE_SERVERS, TARGET_SERVERS, cutoverWorld, identity, type CutoverWorld } from './task-cutover-world';

describe('FenceProducers task', () => {
  it("fences the plan's pointer, records what it held for the rollback, and snapshots the source without the canary", async () => {
    // Prepare
    const w = await cutoverWorld();
    // Act
    const fence = await w.fence();
    // Assess
    expect(w.pointer.current?.value).toBe(fenceValue(identity));
    expect(fence).toMatchObject({
      mode: 'SHARED_POINTER',
      producers: { pointer: 'memory:bootstrap', previous: { value: SOURCE_SERVERS, revision: '3' } },
      topics: 1,
      sourceEndsAtFence: { partitions: 2, totalEnd: '10' },
    });
  });

  it('returns the same record on a retry without writing the pointer again', async () => {
    const w = await cutoverWorld();
    const first = await w.fence();
    w.clock.advance(5);

    const again = await w.fence();

    expect(again).toEqual(first);
    expect(w.pointer.writes).toBe(1);
  });

  it('refuses a Route 53 plan without a target host name before any producer is fenced', async () => {
    // Prepare: the ROUTE53 example names no targetValue
    const w = await cutoverWorld({ plan: 'msk-to-msk-new-version' });
    // Act
    const fence = w.fence();
    // Assess
    await expect(fence).rejects.toMatchObject({
      name: 'Migration.InputInvalid',
      message: expect.stringContaining('targetValue'),
    });
    expect(w.pointer.writes).toBe(0);
  });
});

describe('FenceForFailback (mode FAILBACK)', () => {
  async function switched(): Promise<CutoverWorld> {
    const w = await cutoverWorld();
    await w.throughSwitch();
    w.target.append('orders.created', 0, [{ key: 'new', value: 'written on the target' }]);
    w.clock.advance(600);
    return w;
  }
  const failbackFence = (w: CutoverWorld) =>
    runFenceProducers(
      { state: w.state, mode: 'FAILBACK' },
      { pointer: w.pointer, producersCluster: w.target, artifacts: w.artifacts, now: w.clock.now },
    );

  it('fences the pointer that points at the target and snapshots the target, with a fence of its own', async () => {
    // Prepare
    const w = await switched();
    // Act
    const fence = await failbackFence(w);
    // Assess
    expect(isFenced(w.pointer.current?.value)).toBe(true);
    expect(w.pointer.current?.value).not.toBe(fenceValue(identity));
    expect(fence).toMatchObject({
      direction: 'FAILBACK',
      fenceValue: w.pointer.current?.value,
      previous: TARGET_SERVERS.join(','),
      targetEndsAtFence: { partitions: 2, totalEnd: '11' },
      topics: 1,
    });
  });

  it('is idempotent on a retry', async () => {
    const w = await switched();
    const first = await failbackFence(w);
    const writes = w.pointer.writes;

    expect(await failbackFence(w)).toEqual(first);
    expect(w.pointer.writes).toBe(writes);
  });

  it('refuses, and leaves the pointer alone, when someone moved it off the target since the switch', async () => {
    const w = await switched();
    w.pointer.current = { value: 'someone-else:9092' };

    await expect(failbackFence(w)).rejects.toMatchObject({ name: 'Migration.CutoverFailed' });
    expect(w.pointer.current.value).toBe('someone-else:9092');
  });
});

describe('ReleaseFailbackFence (mode RELEASE_FAILBACK)', () => {
  async function fencedForFailback(): Promise<{ w: CutoverWorld; state: CutoverWorld['state'] }> {
    const w = await cutoverWorld();
    await w.throughSwitch();
    const failbackFence = await runFenceProducers(
      { state: w.state, mode: 'FAILBACK' },
      { pointer: w.pointer, producersCluster: w.target, artifacts: w.artifacts, now: w.clock.now },
    );
    return { w, state: { ...w.state, failbackFence } as CutoverWorld['state'] };
  }
  const release = (w: CutoverWorld, state: CutoverWorld['state']) =>
    runFenceProducers(
      { state, mode: 'RELEASE_FAILBACK' },
      { pointer: w.pointer, producersCluster: w.target, artifacts: w.artifacts, now: w.clock.now },
    );

  it("gives the target's producers their pointer back after a failback that stopped behind its fence", async () => {
    // Prepare
    const { w, state } = await fencedForFailback();
    // Act
    const released = await release(w, state);
    // Assess
    expect(released).toMatchObject({
      direction: 'RELEASE_FAILBACK',
      outcome: 'RELEASED',
      value: TARGET_SERVERS.join(','),
    });
    expect(w.pointer.current?.value).toBe(TARGET_SERVERS.join(','));
  });

  it('is idempotent, also from the journal when the state lost the fence', async () => {
    const { w, state } = await fencedForFailback();
    await release(w, state);
    const writes = w.pointer.writes;

    expect(await release(w, state)).toMatchObject({ outcome: 'ALREADY_RELEASED' });
    // A state without $.failbackFence (FenceForFailback's result never reached it): its journal says it was released
    expect(await release(w, w.state)).toMatchObject({ outcome: 'ALREADY_RELEASED' });
    expect(w.pointer.writes).toBe(writes);
  });

  it('does nothing when the failback never fenced', async () => {
    const w = await cutoverWorld();
    await w.throughSwitch();
    const writes = w.pointer.writes;

    expect(await release(w, w.state)).toMatchObject({ outcome: 'NOT_FENCED' });
    expect(w.pointer.writes).toBe(writes);
  });

  it("releases from FenceForFailback's journal when its result never reached the state (it failed after the fence)", async () => {
    const { w } = await fencedForFailback();

    expect(await release(w, w.state)).toMatchObject({ outcome: 'RELEASED', value: TARGET_SERVERS.join(',') });
    expect(w.pointer.current?.value).toBe(TARGET_SERVERS.join(','));
  });

  it('never overwrites a pointer that holds something else (already back at the source, or moved by someone)', async () => {
    const { w, state } = await fencedForFailback();
    w.pointer.current = { value: SOURCE_SERVERS };
    const writes = w.pointer.writes;

    expect(await release(w, state)).toMatchObject({ outcome: 'NOT_FENCED', value: SOURCE_SERVERS });
    expect(w.pointer.current.value).toBe(SOURCE_SERVERS);
    expect(w.pointer.writes).toBe(writes);
  });
});
