import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ArtifactStore } from '../../ports/artifact-store';

/** Suffix of a document being written; never listed, never read. */
const PARTIAL = '.partial-';

/**
 * The artifact store of the local rehearsal: one folder, a key is a relative path under it (`migrations/m/e/x.json`).
 * A write goes to a temporary file renamed into place, so a reader sees the old document or the new one, never half.
 */
export class FsArtifactStore implements ArtifactStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The file of a key; refuses keys that would escape the folder or that S3 would store under another name. */
  private fileOf(key: string): string {
    const segments = key.split('/');
    if (
      key.length === 0 ||
      key.includes('\\') ||
      key.includes('\0') ||
      segments.some((s) => s === '' || s === '.' || s === '..') ||
      segments.some((s) => s.includes(PARTIAL))
    ) {
      throw new Error(
        `Artifact key "${key}" is not a plain relative path (no leading or doubled "/", no "." or ".." segments, no backslash).`,
      );
    }
    return path.join(this.root, ...segments);
  }

  async putText(key: string, body: string, _contentType: string): Promise<string> {
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}${PARTIAL}${randomBytes(6).toString('hex')}`;
    try {
      await writeFile(partial, body, 'utf8');
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return file;
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.fileOf(key), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  putJson(key: string, value: unknown): Promise<string> {
    return this.putText(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
  }

  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${this.fileOf(key)} is not JSON (${(err as Error).message}); it was not written by putJson.`);
    }
  }

  /** Keys starting with `prefix` (a plain string prefix, as in S3: `a/b` matches `a/b/c` and `a/bc`), sorted. */
  async list(prefix: string): Promise<string[]> {
    // Walk only the deepest folder the prefix names; the rest of the tree cannot match.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    let entries;
    try {
      entries = await readdir(folder ? path.join(this.root, ...folder.split('/')) : this.root, {
        recursive: true,
        withFileTypes: true,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    }
    const keys: string[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.includes(PARTIAL)) continue;
      const key = path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys.sort();
  }
}
