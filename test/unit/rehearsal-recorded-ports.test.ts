import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileCutoverSwitch, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { FsArtifactStore } from '../../lambdas/adapters/local/fs-artifact-store';
import { MemoryAbortRequests } from '../../lambdas/adapters/local/memory-abort-requests';
import { PortCallLog, callsAfterFence } from '../../rehearsal/recorded-ports';

describe("the rehearsal's recorded port calls", () => {
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recorded-ports-'));
    const pointerFile = path.join(dir, 'pointer.json');
    writePointerFile(pointerFile, 'source:9092');
    const log = new PortCallLog();
    return {
      log,
      store: log.artifacts(new FsArtifactStore(path.join(dir, 'artifacts'))),
      pointer: log.pointer(new FileCutoverSwitch(pointerFile)),
      aborts: log.aborts(new MemoryAbortRequests()),
    };
  };

  it('records the calls a cutover state makes, with the state, the port and the method, and changes nothing they do', async () => {
    // Prepare
    const { log, store, pointer, aborts } = fresh();
    // Act
    const value = await log.serve('Cutover', async () => {
      await store.putJson('a.json', { n: 1 });
      await Promise.all([store.getJson('a.json'), pointer.set('target:9092')]);
      await aborts.requested('arn:aws:states:eu-west-1:123456789012:execution:m:e');
      return store.getJson<{ n: number }>('a.json');
    });
    // Assess
    expect(value).toEqual({ n: 1 });
    expect((await pointer.read())?.value).toBe('target:9092');
    expect(log.calls.map((c) => `${c.state} ${c.port}.${c.call}`).sort()).toEqual([
      'Cutover aborts.requested',
      'Cutover artifacts.getJson',
      'Cutover artifacts.getJson',
      'Cutover artifacts.putJson',
      'Cutover pointer.set',
    ]);
    for (const c of log.calls) expect(c.endedAt).toBeGreaterThanOrEqual(c.startedAt);
  });

  it('names the cutover step whose run function awaited the call, where two run at the same time', async () => {
    const { log, store } = fresh();
    // the one invocation's drain looks and the offsets beside them, interleaved
    async function runCheckDrain(): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 2));
      await store.putJson('drain.json', {});
    }
    async function runOffsetsDuringDrain(): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await store.putJson('offsets.json', {});
    }
    await log.serve('Cutover', () => Promise.all([runCheckDrain(), runOffsetsDuringDrain()]));
    expect(log.calls.map((c) => c.step).sort()).toEqual(['CheckDrain', 'OffsetsDuringDrain']);
  });

  it('records the store requests a pointer set makes on AWS: one write at an expected revision, else a read too', async () => {
    // Prepare: the pointer file at revision 1 (source), as the fence found it
    const { log, pointer } = fresh();
    // Act: the fence at revision 1, the switch at the fence's revision, a retried switch, a set without a revision
    await log.serve('Cutover', async () => {
      await pointer.set('fenced:m/e', { expected: 'source:9092', expectedRevision: '1' });
      await pointer.set('target:9092', { expected: 'fenced:m/e', expectedRevision: '2' });
      await pointer.set('target:9092', { expected: 'fenced:m/e', expectedRevision: '2', retry: true });
      await pointer.set('other:9092');
    });
    // Assess
    expect(log.calls.map((c) => c.requests)).toEqual([1, 1, 2, 2]);
    expect(await pointer.read()).toEqual({ value: 'other:9092', revision: '4' });
  });

  it('records nothing outside the cutover states', async () => {
    const { log, store, pointer } = fresh();
    await store.putJson('outside.json', {});
    await log.serve('Inventory', () => store.putJson('inventory.json', {}));
    await log.serve('CheckTargetHealth', () => pointer.read());
    expect(log.calls).toEqual([]);
  });

  it('gives each call in ms after the fence, in the order they started', () => {
    const fencedAt = '2026-12-04T21:00:00.000Z';
    const at = Date.parse(fencedAt);
    const calls = callsAfterFence(
      [
        { state: 'Cutover', port: 'pointer', call: 'set', startedAt: at + 20.04, endedAt: at + 21.26 },
        { state: 'Cutover', port: 'artifacts', call: 'putJson', startedAt: at - 3, endedAt: at - 2.5 },
      ],
      fencedAt,
    );
    expect(calls).toEqual([
      { state: 'Cutover', port: 'artifacts', call: 'putJson', fromMs: -3, toMs: -2.5 },
      { state: 'Cutover', port: 'pointer', call: 'set', fromMs: 20, toMs: 21.3 },
    ]);
  });
});
