import {
  decideSet,
  setAtRevision,
  writesAtRevision,
  type CutoverSwitch,
  type PointerValue,
  type SetPointerOptions,
  type SetPointerResult,
} from '../../lambdas/ports/cutover-switch';
import { CutoverFailedError } from '../../lambdas/core/errors';
import type { WriteFencePlan, WriteFenceUndo } from '../../lambdas/core/cutover/write-fence';
import type { WriteFence } from '../../lambdas/ports/write-fence';

/**
 * An in-memory pointer with the adapters' shared set decision; counts writes so tests can tell a retry did nothing.
 * Like an SSM parameter, every write makes the next revision (one more than the value's, 0 for a value a test set
 * without one), and a set at an expected revision writes at once and checks it (setAtRevision).
 */
export class MemorySwitch implements CutoverSwitch {
  writes = 0;
  constructor(
    readonly pointer: string,
    public current: PointerValue | undefined,
  ) {}
  async read(): Promise<PointerValue | undefined> {
    return this.current;
  }
  private write(value: string): PointerValue {
    this.current = { value, revision: String(Number(this.current?.revision ?? '0') + 1) };
    this.writes++;
    return this.current;
  }
  async set(value: string, options: SetPointerOptions = {}): Promise<SetPointerResult> {
    if (writesAtRevision(options)) return setAtRevision(this, async (v) => this.write(v), value, options);
    const decision = decideSet(this.pointer, this.current, value, options.expected);
    if (decision.action === 'refuse') throw new CutoverFailedError(decision.reason);
    if (decision.action === 'none')
      return { previous: decision.previous, current: this.current ?? { value }, changed: false };
    const previous = this.current;
    return { previous, current: this.write(value), changed: true };
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

/**
 * An in-memory KAFKA_ACL write fence over a set of DENY WRITE bindings (`topic|principal|host`), with the real
 * adapter's plan semantics: bindings found before are marked pre-existing and never removed.
 */
export class MemoryAclWriteFence implements WriteFence {
  readonly kind = 'KAFKA_ACL' as const;
  readonly subject = 'kafka:memory';
  applies = 0;
  constructor(
    readonly denies: Set<string> = new Set(),
    private readonly principals: readonly string[] = ['User:*'],
  ) {}
  async inspect(topics: readonly string[]): Promise<WriteFencePlan> {
    return {
      kind: 'KAFKA_ACL',
      subject: this.subject,
      bindings: [...topics].sort().flatMap((topic) =>
        this.principals.map((principal) => ({
          topic,
          principal,
          host: '*',
          preExisting: this.denies.has(`${topic}|${principal}|*`),
        })),
      ),
    };
  }
  async apply(plan: WriteFencePlan): Promise<void> {
    if (plan.kind !== 'KAFKA_ACL') throw new TypeError(plan.kind);
    this.applies++;
    for (const b of plan.bindings) this.denies.add(`${b.topic}|${b.principal}|${b.host}`);
  }
  async undo(plan: WriteFencePlan): Promise<WriteFenceUndo> {
    if (plan.kind !== 'KAFKA_ACL') throw new TypeError(plan.kind);
    let removed = 0;
    let leftAlone = 0;
    for (const b of plan.bindings) {
      if (!b.preExisting && this.denies.delete(`${b.topic}|${b.principal}|${b.host}`)) removed++;
      else leftAlone++;
    }
    return { kind: 'KAFKA_ACL', subject: this.subject, removed, leftAlone, notes: [] };
  }
}
