import { readEndOffsets } from '../../lambdas/core/cutover/model';
import { cutoverWorld, type CutoverWorld } from './task-cutover-world';
import { FakeKafka } from './validation-fake-kafka';

/**
 * The producers hold from the fence to the pointer set, and on AWS every artifact-store call is an S3 round trip of
 * tens of ms. These tests count round trips one after another: every call to the store, the clusters, the pointer and
 * the abort requests waits for the round it was made in; a round ends when nothing else is made in it (the event loop
 * is idle) and moves the clock by one ROUND_MS, so calls made at once share a round and a call made after another's
 * answer takes the next one.
 */

const ROUND_MS = 40;

class Rounds {
  round = 0;
  /** Each call, with the round it was answered in. */
  readonly calls: Array<{ readonly label: string; readonly round: number; readonly arg?: string }> = [];
  private waiting: Array<() => void> = [];
  constructor(private readonly advance: (seconds: number) => void) {}

  async call<T>(label: string, arg: unknown, run: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    const out = await run();
    this.calls.push({ label, round: this.round, ...(typeof arg === 'string' ? { arg } : {}) });
    return out;
  }

  /** Every function of `port` as a call that waits for its round. */
  wrap<T extends object>(name: string, port: T): T {
    return new Proxy(port, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          this.call(`${name}.${String(prop)}`, args[0], () => Promise.resolve(value.apply(target, args)));
      },
    });
  }

  /** Ends a round whenever the event loop is idle with calls waiting, until `run` settles. */
  async drive<T>(run: Promise<T>): Promise<T> {
    let settled = false;
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 200_000 && !settled; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.waiting.length === 0) continue;
      const answered = this.waiting;
      this.waiting = [];
      this.round++;
      this.advance(ROUND_MS / 1000);
      for (const resolve of answered) resolve();
    }
    return run;
  }

  roundsBetween(fromIso: string, toIso: string): number {
    return (Date.parse(toIso) - Date.parse(fromIso)) / ROUND_MS;
  }
}

/** A pacer whose sleep moves the world's clock, a turn of the event loop later. */

const journalKey = (w: CutoverWorld, step: string): string =>
  `migrations/${w.state.input.migrationId}/exec-1/cutover/journal/${step}.json`;
const journalOf = (w: CutoverWorld, step: string): { status?: string } | undefined => {
  const raw = w.artifacts.objects.get(journalKey(w, step));
  return raw === undefined ? undefined : (JSON.parse(raw) as { status?: string });
};

describe('round trips of the switch', () => {
  it('reads the end offsets of every topic at once, in the order the digests compare', async () => {
    // Prepare: three topics, each answering in its own round if read one after another
    const kafka = new FakeKafka().addTopic('c', 1).addTopic('a', 2).addTopic('b', 1);
    kafka.append('a', 1, [{ key: 'k', value: 'v' }]);
    const rounds = new Rounds(() => undefined);
    // Act
    const ends = await rounds.drive(readEndOffsets(rounds.wrap('target', kafka), ['c', 'a', 'b']));
    // Assess
    expect(rounds.round).toBe(1);
    expect(ends.map((e) => `${e.topic}/${e.partition}=${e.high}`)).toEqual(['a/0=0', 'a/1=1', 'b/0=0', 'c/0=0']);
  });

  it('a retried switch whose intent is journaled without its snapshot stores the snapshot before the pointer moves', async () => {
    // Prepare: the first attempt's snapshot write failed while its intent (written at once) was answered
    const w = await cutoverWorld();
    await w.throughOffsets();
    const put = w.artifacts.putJson.bind(w.artifacts);
    w.artifacts.putJson = async (key, value) => {
      if (key.endsWith('target-ends-at-switch.json')) throw new Error('S3 is unavailable');
      return put(key, value);
    };
    await expect(w.switchToTarget()).rejects.toThrow('S3 is unavailable');
    expect(journalOf(w, 'switch')?.status).toBe('INTENT');
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
    w.artifacts.putJson = put;
    // Act
    const record = await w.switchToTarget();
    // Assess
    expect(w.pointer.current?.value).toBe(record.producers.value);
    expect(w.artifacts.objects.has(record.switchTargetOffsetsKey)).toBe(true);
    expect(journalOf(w, 'switch')?.status).toBe('DONE');
    // and a retry after that returns the journaled record
    expect(await w.switchToTarget()).toEqual(record);
  });
});
