import type { ArtifactStore } from '../../ports/artifact-store';
import type { ExecutionIdentity } from '../replication/naming';
import { cutoverKey } from './model';

/**
 * Each cutover step that changes something writes its intent before acting and its record after: a retried step
 * (Lambda timeout, Migration.Transient) reads the journal, redoes only the idempotent part that may not have
 * happened, and returns the record the first attempt would have returned. Rollback reads the journal too, so that a
 * pointer moved by a step whose result never reached the state is still put back.
 */
export type JournalEntry<I, D> =
  | { readonly status: 'INTENT'; readonly intent: I }
  | { readonly status: 'DONE'; readonly intent: I; readonly record: D };

export type CutoverStep = 'fence' | 'offsets' | 'switch' | 'rollback';

export function journalKey(identity: ExecutionIdentity, step: CutoverStep): string {
  return cutoverKey(identity, `journal/${step}.json`);
}

export async function readJournal<I, D>(
  artifacts: ArtifactStore,
  identity: ExecutionIdentity,
  step: CutoverStep,
): Promise<JournalEntry<I, D> | undefined> {
  return artifacts.getJson<JournalEntry<I, D>>(journalKey(identity, step));
}

export async function writeIntent<I>(
  artifacts: ArtifactStore,
  identity: ExecutionIdentity,
  step: CutoverStep,
  intent: I,
): Promise<void> {
  await artifacts.putJson(journalKey(identity, step), { status: 'INTENT', intent });
}

export async function writeDone<I, D>(
  artifacts: ArtifactStore,
  identity: ExecutionIdentity,
  step: CutoverStep,
  intent: I,
  record: D,
): Promise<void> {
  await artifacts.putJson(journalKey(identity, step), { status: 'DONE', intent, record });
}

/**
 * Writes (or reads) that go at once, each answered before the caller goes on: unlike Promise.all, a failure does not
 * return while another write is still under way, so nothing the step started runs on after it; the first failure is
 * thrown.
 */
export async function allAnswered<T extends readonly unknown[]>(
  calls: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
