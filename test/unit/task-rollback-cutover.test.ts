import type { z } from 'zod';
import { RollbackOutput, runRollbackCutover } from '../../lambdas/tasks/rollback-cutover/task';
import {
  SOURCE_SERVERS,
  TOPIC,
  cutoverWorld,
  drainedFailback as drainedFailbackOf,
  failbackWorld,
  type CutoverWorld,
} from './task-cutover-world';

const rollback = async (w: CutoverWorld, error = 'Migration.CutoverFailed'): Promise<z.infer<typeof RollbackOutput>> =>
  RollbackOutput.parse(
    await runRollbackCutover(
      { state: { ...w.state, error: { Error: error, Cause: '…' } } as never, mode: 'ROLLBACK' },
      { pointer: w.pointer, target: w.target, artifacts: w.artifacts, now: w.clock.now },
    ),
  );

describe('RollbackCutover task (mode ROLLBACK)', () => {
  it('changes nothing, and says so, when the cutover never started', async () => {
    // Prepare: CutoverApproval was rejected; FenceProducers never ran
    const w = await cutoverWorld();
    // Act
    const out = await rollback(w, 'Migration.ApprovalRejected');
    // Assess
    expect(out).toMatchObject({ mode: 'ROLLBACK', outcome: 'NOTHING_TO_REVERT', pointers: [] });
    expect(out.notes.join(' ')).toContain('never started');
    expect(w.pointer.writes).toBe(0);
  });

  it('puts the fenced pointer back to its value from before the cutover when the drain failed', async () => {
    const w = await cutoverWorld();
    await w.fence();

    const out = await rollback(w);

    expect(w.pointer.current?.value).toBe(SOURCE_SERVERS);
    expect(out).toMatchObject({ outcome: 'REVERTED', pointers: [{ action: 'REVERTED', restored: SOURCE_SERVERS }] });
    expect(out.targetWrites).toBeUndefined();
  });

  it('switches back after the switch and reports the records written to the target since, per partition', async () => {
    // Prepare
    const w = await cutoverWorld();
    await w.throughSwitch();
    w.target.append(TOPIC, 1, [
      { key: 'n1', value: 'on the target only' },
      { key: 'n2', value: 'on the target only' },
    ]);
    // Act
    const out = await rollback(w, 'Migration.TargetUnhealthy');
    // Assess
    expect(w.pointer.current?.value).toBe(SOURCE_SERVERS);
    expect(out.targetWrites).toMatchObject({
      status: 'FOUND',
      records: '2',
      sample: [{ topic: TOPIC, partition: 1, fromOffset: '5', toOffset: '7' }],
    });
    expect(out.notes.join(' ')).toContain('2 record(s)');
  });

  it('still switches back when the target turned unhealthy after rollbackWindowMinutes, since PointOfNoReturn was not reached', async () => {
    const w = await cutoverWorld();
    await w.throughSwitch();
    w.clock.advance(w.plan.cutover.rollbackWindowMinutes * 60 + 600);

    const out = await rollback(w, 'Migration.TargetUnhealthy');

    expect(out.outcome).toBe('REVERTED');
    expect(w.pointer.current?.value).toBe(SOURCE_SERVERS);
  });

  it('leaves a pointer someone else moved and fails with Migration.RollbackFailed', async () => {
    const w = await cutoverWorld();
    await w.fence();
    w.pointer.current = { value: 'someone-else:9092' };

    await expect(rollback(w)).rejects.toMatchObject({ name: 'Migration.RollbackFailed' });
    expect(w.pointer.current.value).toBe('someone-else:9092');
  });

  it('does nothing more on a retry', async () => {
    const w = await cutoverWorld();
    await w.throughSwitch();
    const first = await rollback(w);
    const writes = w.pointer.writes;

    expect(await rollback(w)).toEqual(first);
    expect(w.pointer.writes).toBe(writes);
  });

  it("leaves a pointer another execution fenced: only this execution's own journal counts", async () => {
    // Prepare: exec-1 fenced the pointer; exec-2 of the same migration fails before its own fence
    const w = await cutoverWorld();
    await w.fence();
    const fenced = w.pointer.current?.value;
    const other = { ...w.state, identity: { ...w.state.identity, executionName: 'exec-2' }, cutover: {} };
    // Act
    const out = await runRollbackCutover(
      { state: other as never, mode: 'ROLLBACK' },
      { pointer: w.pointer, target: w.target, artifacts: w.artifacts, now: w.clock.now },
    );
    // Assess
    expect(out.outcome).toBe('NOTHING_TO_REVERT');
    expect(w.pointer.current?.value).toBe(fenced);
  });
});

describe('FailbackCutover (mode FAILBACK)', () => {
  const drainedFailback = async () => drainedFailbackOf(await failbackWorld());
  const failbackCutover = (w: Awaited<ReturnType<typeof drainedFailback>>) =>
    runRollbackCutover(
      { state: w.state as never, mode: 'FAILBACK' },
      { pointer: w.pointer, source: w.source, target: w.target, artifacts: w.artifacts, now: w.clock.now },
    );

  it("commits the groups' translated offsets on the source, then puts the pointer back to its value from before the cutover", async () => {
    // Prepare
    const w = await drainedFailback();
    // Act
    const out = await failbackCutover(w);
    // Assess
    expect(w.pointer.current?.value).toBe(SOURCE_SERVERS);
    expect(await w.source.fetchCommittedOffsets('billing', [TOPIC])).toEqual(
      expect.arrayContaining([{ topic: TOPIC, partition: 0, offset: '7' }]),
    );
    expect(out).toMatchObject({ mode: 'FAILBACK', outcome: 'FAILED_BACK', pointer: { action: 'REVERTED' } });
  });

  it('does not commit the offsets again on a retry, when the consumers may already read the source', async () => {
    // Prepare
    const w = await drainedFailback();
    const first = await failbackCutover(w);
    w.source.commit('billing', TOPIC, 0, 9); // the consumers moved on after the switch back
    // Act
    const again = await failbackCutover(w);
    // Assess
    expect(again).toEqual(first);
    expect(await w.source.fetchCommittedOffsets('billing', [TOPIC])).toEqual(
      expect.arrayContaining([{ topic: TOPIC, partition: 0, offset: '9' }]),
    );
  });

  it('leaves the pointer alone when someone moved it off the failback fence', async () => {
    const w = await drainedFailback();
    w.pointer.current = { value: 'someone-else:9092' };

    await expect(failbackCutover(w)).rejects.toMatchObject({ name: 'Migration.RollbackFailed' });
    expect(w.pointer.current.value).toBe('someone-else:9092');
  });
});
