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
