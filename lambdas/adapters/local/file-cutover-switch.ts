import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CutoverFailedError, RollbackFailedError } from '../../core/errors';
import {
  decideSet,
  setAtRevision,
  writesAtRevision,
  type CutoverSwitch,
  type PointerValue,
  type SetPointerOptions,
  type SetPointerResult,
} from '../../ports/cutover-switch';

/**
 * The rehearsal's pointer: a JSON file `{ value, revision, updatedAt }` that the local workload reads to find its
 * cluster (`readPointerFile`). Each write goes to a temporary file in the same folder and is renamed over the
 * pointer, so a reader sees the old or the new document, never half of one. The revision increments with every
 * write, like an SSM parameter's version. Single writer by design, like the other adapters.
 */

export interface PointerFile {
  readonly value: string;
  readonly revision: number;
  readonly updatedAt: string;
}

/** The pointer file's content, or `undefined` when it does not exist. Throws on a malformed file. */
export function readPointerFile(file: string): PointerFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<PointerFile>;
  if (typeof parsed.value !== 'string' || typeof parsed.revision !== 'number')
    throw new Error(`${file} is not a pointer file ({value, revision, updatedAt}).`);
  return { value: parsed.value, revision: parsed.revision, updatedAt: String(parsed.updatedAt) };
}

/** Writes the pointer atomically (temporary file + rename); returns what was written. */
export function writePointerFile(file: string, value: string, now: Date = new Date()): PointerFile {
  const current = readPointerFile(file);
  const next: PointerFile = { value, revision: (current?.revision ?? 0) + 1, updatedAt: now.toISOString() };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  writeFileSync(tmp, `${JSON.stringify(next)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
  return next;
}

export class FileCutoverSwitch implements CutoverSwitch {
  readonly pointer: string;

  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.pointer = `file:${file}`;
  }

  async read(): Promise<PointerValue | undefined> {
    const current = readPointerFile(this.file);
    return current && { value: current.value, revision: String(current.revision) };
  }

  async set(value: string, options: SetPointerOptions = {}): Promise<SetPointerResult> {
    // As the SSM parameter does: written at once, then its revision checked, so the rehearsal runs that path.
    if (writesAtRevision(options))
      return setAtRevision(
        this,
        async (v) => ({ value: v, revision: String(writePointerFile(this.file, v, this.now()).revision) }),
        value,
        options,
      );
    const current = await this.read();
    const decision = decideSet(this.pointer, current, value, options.expected);
    if (decision.action === 'refuse') throw new CutoverFailedError(decision.reason, { pointer: this.pointer });
    if (decision.action === 'none')
      return { previous: decision.previous, current: current ?? { value }, changed: false };
    const written = writePointerFile(this.file, value, this.now());
    return { previous: current, current: { value, revision: String(written.revision) }, changed: true };
  }

  async revert(previous: PointerValue | undefined): Promise<{ changed: boolean }> {
    try {
      const current = await this.read();
      if (previous === undefined) {
        if (current === undefined) return { changed: false };
        rmSync(this.file, { force: true });
        return { changed: true };
      }
      if (current?.value === previous.value) return { changed: false };
      writePointerFile(this.file, previous.value, this.now());
      return { changed: true };
    } catch (err) {
      throw new RollbackFailedError(`Reverting ${this.pointer} failed: ${(err as Error).message}`, {
        pointer: this.pointer,
      });
    }
  }
}
