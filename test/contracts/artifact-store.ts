import type { ArtifactStore } from '../../lambdas/ports/artifact-store';

/**
 * The ArtifactStore port's contract, run against every implementation (the tests' MemoryArtifacts, the rehearsal's
 * FsArtifactStore, the S3 adapter on the AWS emulator): what the workflow relies on of the evidence store.
 * `fresh()` gives an empty store.
 */
export function describeArtifactStoreContract(name: string, fresh: () => Promise<ArtifactStore> | ArtifactStore): void {
  describe(`the ArtifactStore contract: ${name}`, () => {
    it('reads back the JSON document written under a key, unicode included', async () => {
      const store = await fresh();

      await store.putJson('migrations/m-1/exec-1/inventory.json', { topics: ['orders'], note: 'naïve → ✓' });

      await expect(store.getJson('migrations/m-1/exec-1/inventory.json')).resolves.toEqual({
        topics: ['orders'],
        note: 'naïve → ✓',
      });
    });

    it('overwrites a text in place', async () => {
      const store = await fresh();

      await store.putText('r/report.md', 'first', 'text/markdown');
      await store.putText('r/report.md', 'second', 'text/markdown');

      await expect(store.getText('r/report.md')).resolves.toBe('second');
      await expect(store.list('r/')).resolves.toEqual(['r/report.md']);
    });

    it('reads undefined for a key with nothing under it', async () => {
      const store = await fresh();

      await expect(store.getJson('a/absent.json')).resolves.toBeUndefined();
      await expect(store.getText('a/absent.md')).resolves.toBeUndefined();
    });

    it('refuses to parse a text that is not JSON, saying so', async () => {
      const store = await fresh();
      await store.putText('broken.json', '{"half":', 'application/json');

      await expect(store.getJson('broken.json')).rejects.toThrow(/is not JSON/);
    });

    it('lists the keys under a prefix, sorted, the prefix being a plain string as in S3', async () => {
      const store = await fresh();
      for (const key of ['m/e1/b.json', 'm/e1/a.json', 'm/e1/sub/c.json', 'm/e10/d.json', 'm/e2/x.json'])
        await store.putText(key, '{}', 'application/json');

      await expect(store.list('m/e1/')).resolves.toEqual(['m/e1/a.json', 'm/e1/b.json', 'm/e1/sub/c.json']);
      await expect(store.list('m/e1')).resolves.toEqual([
        'm/e1/a.json',
        'm/e1/b.json',
        'm/e1/sub/c.json',
        'm/e10/d.json',
      ]);
      await expect(store.list('nothing/here/')).resolves.toEqual([]);
    });
  });
}
