import type { CutoverSwitch } from '../../lambdas/ports/cutover-switch';

/**
 * The CutoverSwitch port's contract, run against every implementation (the tests' MemorySwitch, the rehearsal's
 * FileCutoverSwitch, the SSM adapter on the AWS emulator): what the workflow relies on of any pointer. `fresh()` gives
 * a switch on a pointer that does not exist yet; `seed(value)` one that holds `value`.
 */
export interface CutoverSwitchSubject {
  fresh(): Promise<CutoverSwitch> | CutoverSwitch;
  seed(value: string): Promise<CutoverSwitch>;
}

const SOURCE = 'b-1.source.example:9098,b-2.source.example:9098';
const TARGET = 'boot.target.example:9098';
const OTHER = 'someone-else.example:9092';

export function describeCutoverSwitchContract(name: string, subject: () => CutoverSwitchSubject): void {
  describe(`the CutoverSwitch contract: ${name}`, () => {
    it('reads nothing for a pointer that does not exist', async () => {
      await expect((await subject().fresh()).read()).resolves.toBeUndefined();
    });

    it('moves the pointer from the value read before, reporting the previous and current values', async () => {
      const sw = await subject().seed(SOURCE);

      const result = await sw.set(TARGET, { expected: SOURCE });

      expect(result).toMatchObject({ previous: { value: SOURCE }, current: { value: TARGET }, changed: true });
      await expect(sw.read()).resolves.toMatchObject({ value: TARGET });
    });

    it('writes nothing when the pointer already holds the value, and reports the previous recorded', async () => {
      const sw = await subject().seed(SOURCE);
      await sw.set(TARGET, { expected: SOURCE });

      const retried = await sw.set(TARGET, { expected: SOURCE });

      expect(retried).toMatchObject({ previous: { value: SOURCE }, current: { value: TARGET }, changed: false });
    });

    it('creates a pointer that did not exist when told it did not (expected null)', async () => {
      const sw = await subject().fresh();

      const result = await sw.set(TARGET, { expected: null });

      expect(result).toMatchObject({ current: { value: TARGET }, changed: true });
      expect(result.previous).toBeUndefined();
      await expect(sw.read()).resolves.toMatchObject({ value: TARGET });
    });

    it('refuses with Migration.CutoverFailed when another writer moved the pointer, and leaves it alone', async () => {
      const sw = await subject().seed(OTHER);

      const attempt = sw.set(TARGET, { expected: SOURCE });

      await expect(attempt).rejects.toMatchObject({ name: 'Migration.CutoverFailed' });
      await expect(sw.read()).resolves.toMatchObject({ value: OTHER });
    });

    it('moves the pointer at the revision its own last write made, that write being the next revision', async () => {
      const sw = await subject().fresh();
      const fenced = await sw.set(SOURCE, { expected: null });
      const revision = fenced.current.revision as string;

      const result = await sw.set(TARGET, { expected: SOURCE, expectedRevision: revision });

      expect(revision).toMatch(/^\d+$/);
      expect(result).toMatchObject({
        changed: true,
        current: { value: TARGET, revision: String(Number(revision) + 1) },
      });
      await expect(sw.read()).resolves.toMatchObject({ value: TARGET, revision: String(Number(revision) + 1) });
    });

    it('fails with Migration.CutoverFailed, naming both revisions, when another writer wrote after its own last write', async () => {
      const sw = await subject().fresh();
      const fenced = await sw.set(SOURCE, { expected: null });
      const revision = fenced.current.revision as string;
      await sw.set(OTHER, { expected: SOURCE });

      const attempt = sw.set(TARGET, { expected: SOURCE, expectedRevision: revision });

      await expect(attempt).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
        details: { expectedRevision: revision, writtenRevision: String(Number(revision) + 2) },
      });
    });

    it('reverts to the previous value once, then writes nothing', async () => {
      const sw = await subject().seed(SOURCE);
      const { previous } = await sw.set(TARGET, { expected: SOURCE });

      const first = await sw.revert(previous);
      const second = await sw.revert(previous);

      expect([first.changed, second.changed]).toEqual([true, false]);
      await expect(sw.read()).resolves.toMatchObject({ value: SOURCE });
    });

    it('removes on revert a pointer the cutover created', async () => {
      const sw = await subject().fresh();
      await sw.set(TARGET, { expected: null });

      const reverted = await sw.revert(undefined);

      expect(reverted.changed).toBe(true);
      await expect(sw.read()).resolves.toBeUndefined();
    });
  });
}
