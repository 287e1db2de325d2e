import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileCutoverSwitch, readPointerFile, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';

describe('FileCutoverSwitch', () => {
  let dir: string;
  let file: string;
  const at = new Date('2026-11-20T10:00:00.000Z');
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pointer-'));
    file = path.join(dir, 'bootstrap.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a missing pointer file as no pointer', async () => {
    expect(readPointerFile(file)).toBeUndefined();
    expect(await new FileCutoverSwitch(file).read()).toBeUndefined();
  });

  it('writes the value with an incrementing revision and its time, readable by the workload', async () => {
    // Prepare
    writePointerFile(file, '127.0.0.1:9092', at);
    const pointer = new FileCutoverSwitch(file, () => at);
    // Act
    const result = await pointer.set('fenced:orders/exec-1', { expected: '127.0.0.1:9092' });
    // Assess
    expect(result).toEqual({
      previous: { value: '127.0.0.1:9092', revision: '1' },
      current: { value: 'fenced:orders/exec-1', revision: '2' },
      changed: true,
    });
    expect(readPointerFile(file)).toEqual({
      value: 'fenced:orders/exec-1',
      revision: 2,
      updatedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(pointer.pointer).toBe(`file:${file}`);
  });

  it('writes nothing when the pointer already holds the value (a retry), reporting the recorded previous value', async () => {
    writePointerFile(file, 'target:9092');

    const result = await new FileCutoverSwitch(file).set('target:9092', { expected: 'source:9092' });

    expect(result).toMatchObject({ previous: { value: 'source:9092' }, changed: false });
    expect(readPointerFile(file)?.revision).toBe(1);
  });

  it('refuses with Migration.CutoverFailed when another writer moved the pointer', async () => {
    writePointerFile(file, 'elsewhere:9092');

    await expect(new FileCutoverSwitch(file).set('target:9092', { expected: 'source:9092' })).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
    });
    expect(readPointerFile(file)?.value).toBe('elsewhere:9092');
  });

  it('reverts to the previous value, and removes a pointer the cutover created', async () => {
    const pointer = new FileCutoverSwitch(file);
    writePointerFile(file, 'source:9092');
    await pointer.set('target:9092');

    expect(await pointer.revert({ value: 'source:9092' })).toEqual({ changed: true });
    expect(await pointer.revert({ value: 'source:9092' })).toEqual({ changed: false });
    expect(readPointerFile(file)).toMatchObject({ value: 'source:9092', revision: 3 });
    expect(await pointer.revert(undefined)).toEqual({ changed: true });
    expect(readPointerFile(file)).toBeUndefined();
  });

  it('replaces the file by rename, leaving no temporary file behind', async () => {
    const pointer = new FileCutoverSwitch(file);
    for (let i = 0; i < 5; i++) await pointer.set(`value-${i}`);

    expect(readdirSync(dir)).toEqual(['bootstrap.json']);
    expect(readPointerFile(file)).toMatchObject({ value: 'value-4', revision: 5 });
  });

  it('rejects a file that is not a pointer file', () => {
    writeFileSync(file, '{"host":"x"}');

    expect(() => readPointerFile(file)).toThrow('is not a pointer file');
  });
});
