import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FsArtifactStore } from '../../lambdas/adapters/local/fs-artifact-store';
import { artifactKey } from '../../lambdas/ports/artifact-store';

/** What only the file store does; the ArtifactStore contract it shares with S3 is in test/unit/port-contracts.test.ts. */
describe('FsArtifactStore', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'artifacts-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a JSON document under the folder and reads the same value back, returning its path', async () => {
    // Prepare
    const store = new FsArtifactStore(root);
    const key = artifactKey('m-1', 'exec-1', 'inventory.json');

    // Act
    const locator = await store.putJson(key, { topics: ['orders'], note: 'naïve → ✓' });

    // Assess
    expect(locator).toBe(path.join(root, 'migrations', 'm-1', 'exec-1', 'inventory.json'));
    await expect(store.getJson(key)).resolves.toEqual({ topics: ['orders'], note: 'naïve → ✓' });
  });

  it('overwrites a document in place and leaves no temporary file behind', async () => {
    const store = new FsArtifactStore(root);

    await store.putText('r/report.md', 'first', 'text/markdown');
    await store.putText('r/report.md', 'second', 'text/markdown');

    await expect(store.getText('r/report.md')).resolves.toBe('second');
    await expect(readdir(path.join(root, 'r'))).resolves.toEqual(['report.md']);
  });

  it('returns undefined for a key with no file, and for a key below a file', async () => {
    const store = new FsArtifactStore(root);
    await store.putText('a/file', 'x', 'text/plain');

    await expect(store.getJson('a/absent.json')).resolves.toBeUndefined();
    await expect(store.getText('a/file/below')).resolves.toBeUndefined();
  });

  it('refuses to parse a file under a JSON key that is not JSON, naming the file', async () => {
    const store = new FsArtifactStore(root);
    await store.putText('broken.json', '{"half":', 'application/json');

    await expect(store.getJson('broken.json')).rejects.toThrow(`${path.join(root, 'broken.json')} is not JSON`);
  });

  it.each(['../escape.json', 'a/../../escape.json', '/absolute.json', 'a//b.json', 'a\\b.json', 'a/./b.json', ''])(
    'refuses the key %j that is not a plain relative path',
    async (key) => {
      const store = new FsArtifactStore(root);

      await expect(store.putText(key, 'x', 'text/plain')).rejects.toThrow('is not a plain relative path');
    },
  );

  it('does not list a document still being written', async () => {
    const store = new FsArtifactStore(root);
    await store.putText('m/done.json', '{}', 'application/json');
    await writeFile(path.join(root, 'm', 'next.json.partial-abc123'), '{"ha');

    await expect(store.list('m/')).resolves.toEqual(['m/done.json']);
  });
});
