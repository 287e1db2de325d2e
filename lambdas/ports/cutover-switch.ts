import { CutoverFailedError } from '../core/errors';

/**
 * The pointer clients read to find their Kafka cluster — an SSM parameter holding the bootstrap servers, a Route 53
 * record naming the brokers, a file locally. Cutover moves it to the target; rollback puts back the value recorded
 * before. One switch, one pointer; a migration with several pointers holds several switches.
 * Adapters: adapters/aws/cutover-switch-ssm.ts, adapters/aws/cutover-switch-route53.ts.
 *
 * Every call is idempotent, so the state machine may retry any of them: setting the value a pointer already holds,
 * or reverting a pointer that already holds the previous value, writes nothing.
 */

export interface PointerValue {
  /** What clients read: bootstrap servers (SSM) or the record's target host name (Route 53 CNAME). */
  readonly value: string;
  /** The store's own revision where it has one (the SSM parameter version), for the evidence; never compared. */
  readonly revision?: string;
}

export interface SetPointerOptions {
  /**
   * What this execution read before the cutover (recorded in its state; `null`: the pointer did not exist). When the
   * pointer holds neither this nor the new value, another writer moved it: the switch refuses with
   * Migration.CutoverFailed instead of overwriting. Pass it: it also makes a retried `set` report the true previous.
   * @default - no check
   */
  readonly expected?: string | null;
  /**
   * The revision this execution's own last write of the pointer made (the fence's `current.revision`), where the store
   * numbers its writes one by one (an SSM parameter's version, the rehearsal's file). With `expected` (a value), the
   * adapter writes at once without reading first — one request, not two — and checks that its write made exactly the
   * next revision: any other means another writer wrote after this execution's, and `set` fails with
   * Migration.CutoverFailed naming both revisions. That check comes after the write, which the rollback then undoes
   * (`setAtRevision`). Adapters whose store has no such revision (Route 53, a hook) ignore it.
   * @default - read, decide (decideSet), then write
   */
  readonly expectedRevision?: string;
  /**
   * The call may repeat one that wrote already (a step retried after its journal's intent): with `expectedRevision`,
   * the adapter reads first, so that finding its own write is not taken for another writer's.
   * @default false
   */
  readonly retry?: boolean;
}

export interface SetPointerResult {
  /** What the pointer held before the cutover; `undefined` when it did not exist. */
  readonly previous: PointerValue | undefined;
  /** What it holds now. */
  readonly current: PointerValue;
  /** False when the pointer already held the value (a retry): nothing was written. */
  readonly changed: boolean;
  /** Route 53: the change to poll (GetChange) until INSYNC before counting the switch as propagated. */
  readonly changeId?: string;
}

export interface CutoverSwitch {
  /** Where the pointer lives, for messages and the report: `ssm:/msk/orders/bootstrap`, `route53:Z123/kafka.example.com./CNAME`. */
  readonly pointer: string;
  /** The current value; `undefined` when the pointer does not exist. */
  read(): Promise<PointerValue | undefined>;
  set(value: string, options?: SetPointerOptions): Promise<SetPointerResult>;
  /** Puts back `previous` (from `set` or the state); `undefined` removes the pointer the cutover created. */
  revert(previous: PointerValue | undefined): Promise<{ readonly changed: boolean; readonly changeId?: string }>;
}

export type SetDecision =
  | { readonly action: 'write' }
  | { readonly action: 'none'; readonly previous: PointerValue | undefined }
  | { readonly action: 'refuse'; readonly reason: string };

/**
 * What `set` does, whatever the store: nothing when the pointer already holds the target (a retry; the previous value
 * is then the one recorded, if given), refuse when someone else moved it, write otherwise. Shared by the adapters so
 * that SSM and Route 53 behave alike.
 */
export function decideSet(
  pointer: string,
  current: PointerValue | undefined,
  target: string,
  expected: string | null | undefined,
): SetDecision {
  const recorded = expected === undefined ? current : expected === null ? undefined : { value: expected };
  if (current?.value === target) return { action: 'none', previous: recorded };
  if (expected !== undefined && current?.value !== (expected ?? undefined)) {
    return {
      action: 'refuse',
      reason:
        `${pointer} holds ${current ? `"${current.value}"` : 'nothing'}: neither what this execution read before the cutover ` +
        `(${expected === null ? 'nothing' : `"${expected}"`}) nor the target ("${target}"). Another writer moved it; find out who before retrying.`,
    };
  }
  return { action: 'write' };
}

/** Whether `set` writes at once and checks the revision its write made (setAtRevision) rather than reading first. */
export function writesAtRevision(
  options: SetPointerOptions,
): options is SetPointerOptions & { readonly expected: string; readonly expectedRevision: string } {
  return typeof options.expected === 'string' && options.expectedRevision !== undefined;
}

/**
 * The store requests one `set` makes where revisions number every write (SSM): one write at a revision, else a read
 * and a write. The rehearsal's recording counts a set by this (the pause model's pointer round trips).
 */
export function setRequests(options: SetPointerOptions = {}): number {
  return writesAtRevision(options) && options.retry !== true ? 1 : 2;
}

/** `revision` + 1, or undefined when it is not a whole number. */
function nextRevision(revision: string): string | undefined {
  return /^\d+$/.test(revision) ? String(BigInt(revision) + 1n) : undefined;
}

/**
 * `set` with an expected revision, for a store whose every write makes the next revision (SSM, the rehearsal's
 * file): the write at once, then the check that it made `expectedRevision` + 1. A retry (`retry`) reads first: the
 * pointer already holding the target is this execution's earlier write (nothing written), a revision other than the
 * expected one is another writer's (refused, nothing written), else the write and its check as on a first attempt.
 *
 * A conflict found after the write: the pointer holds this execution's value over the other writer's, and the set
 * fails (Migration.CutoverFailed, naming the pointer and both revisions). The workflow's Catch then runs
 * RollbackCutover, which finds this execution's value and puts back the one from before the fence: the other writer's
 * value is not on the pointer any more, only in the store's history (the revisions between the two named). That is
 * not what a refusal before the write led to (the other writer's value stayed and the rollback left it for a person to
 * decide), but the pointer ends where every failed cutover leaves it, the source, and the error names the revisions
 * to look at; the execution is the single writer of its pointer during a cutover, and a write in between breaks
 * that, whoever wins.
 */
export async function setAtRevision(
  sw: Pick<CutoverSwitch, 'pointer' | 'read'>,
  write: (value: string) => Promise<PointerValue>,
  value: string,
  options: SetPointerOptions & { readonly expected: string; readonly expectedRevision: string },
): Promise<SetPointerResult> {
  const { expected, expectedRevision } = options;
  const previous: PointerValue = { value: expected, revision: expectedRevision };
  if (options.retry) {
    const current = await sw.read();
    if (current?.value === value) return { previous, current, changed: false };
    if (current?.revision !== expectedRevision) {
      throw new CutoverFailedError(
        `${sw.pointer} is at revision ${current?.revision ?? '(none)'} holding ${current ? `"${current.value}"` : 'nothing'}, ` +
          `not at revision ${expectedRevision} ("${expected}") as this execution left it, nor at the target ("${value}"). ` +
          'Another writer moved it; find out who before retrying.',
        { pointer: sw.pointer, expectedRevision, foundRevision: current?.revision ?? null },
      );
    }
  }
  const current = await write(value);
  const next = nextRevision(expectedRevision);
  if (next === undefined || current.revision !== next) {
    throw new CutoverFailedError(
      `${sw.pointer}: this execution's write of "${value}" made revision ${current.revision ?? '(none)'}, not ${next ?? `the one after ${expectedRevision}`}: ` +
        `another writer wrote it after revision ${expectedRevision} ("${expected}", this execution's). The rollback puts back the value from before the fence; ` +
        "the other writer's value is in the store's history between those revisions. Find out who wrote it before retrying.",
      { pointer: sw.pointer, expectedRevision, writtenRevision: current.revision ?? null },
    );
  }
  return { previous, current, changed: true };
}
