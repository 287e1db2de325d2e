import {
  decideSet,
  type CutoverSwitch,
  type PointerValue,
  type SetPointerOptions,
  type SetPointerResult,
} from '../../lambdas/ports/cutover-switch';
import { CutoverFailedError } from '../../lambdas/core/errors';

/** An in-memory pointer with the adapters' shared set decision; counts writes so tests can tell a retry did nothing. */
export class MemorySwitch implements CutoverSwitch {
  writes = 0;
  private revision = 0;
  constructor(
    readonly pointer: string,
    public current: PointerValue | undefined,
  ) {}
  async read(): Promise<PointerValue | undefined> {
    return this.current;
  }
  async set(value: string, options: SetPointerOptions = {}): Promise<SetPointerResult> {
    const decision = decideSet(this.pointer, this.current, value, options.expected);
    if (decision.action === 'refuse') throw new CutoverFailedError(decision.reason);
    if (decision.action === 'none')
      return { previous: decision.previous, current: this.current ?? { value }, changed: false };
    const previous = this.current;
    this.current = { value, revision: String(++this.revision) };
    this.writes++;
    return { previous, current: this.current, changed: true };
  }
  async revert(previous: PointerValue | undefined): Promise<{ changed: boolean }> {
    if (this.current?.value === previous?.value) return { changed: false };
    this.current = previous && { value: previous.value };
    this.writes++;
    return { changed: true };
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-11-20T10:00:00.000Z'): {
  now: () => Date;
  advance: (seconds: number) => void;
} {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (seconds) => (t += seconds * 1000) };
}
