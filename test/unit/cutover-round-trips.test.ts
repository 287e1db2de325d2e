import type { AbortRequests } from '../../lambdas/ports/abort-requests';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import type { CutoverSwitch } from '../../lambdas/ports/cutover-switch';
import type { KafkaDataPlane } from '../../lambdas/ports/kafka';
import type { Pacer } from '../../lambdas/ports/pacer';
import { readEndOffsets } from '../../lambdas/core/cutover/model';
import { runCutover } from '../../lambdas/tasks/cutover/task';
import { settleSecondsOf } from '../../lambdas/core/plan/migration-plan';
import { runRollbackCutover } from '../../lambdas/tasks/rollback-cutover/task';
import { SOURCE_SERVERS, TOPIC, cutoverWorld, type CutoverWorld } from './task-cutover-world';
import { FakeKafka } from './validation-fake-kafka';

/**
 * The producers hold from the fence to the pointer set, and on AWS every artifact-store call is an S3 round trip of
 * tens of ms. These tests count the round trips one after another from the drain's passing look to the pointer set
 * in the one-invocation Cutover: every call to the store, the clusters, the pointer and the abort requests waits for
 * the round it was made in; a round ends when nothing else is made in it (the event loop is idle) and moves the clock
 * by one ROUND_MS, so calls made at once share a round and a call made after another's answer takes the next one.
 */

const ROUND_MS = 40;

class Rounds {
  round = 0;
  /** Each call, with the round it was answered in. */
  readonly calls: Array<{
    readonly label: string;
    readonly round: number;
    readonly at: number;
    readonly arg?: string;
  }> = [];
  private waiting: Array<() => void> = [];
  constructor(
    private readonly advance: (seconds: number) => void,
    private readonly now: () => Date = () => new Date(0),
  ) {}

  async call<T>(label: string, arg: unknown, run: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    const out = await run();
    this.calls.push({
      label,
      round: this.round,
      at: this.now().getTime(),
      ...(typeof arg === 'string' ? { arg } : {}),
    });
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
const pacerOf = (w: CutoverWorld, onSleep?: (ms: number) => void): Pacer => ({
  everyMs: 250,
  budgetMs: 120_000,
  sleep: (ms) =>
    new Promise((resolve) =>
      setImmediate(() => {
        onSleep?.(ms);
        w.clock.advance(ms / 1000);
        resolve();
      }),
    ),
});

const journalKey = (w: CutoverWorld, step: string): string =>
  `migrations/${w.state.input.migrationId}/exec-1/cutover/journal/${step}.json`;
const journalOf = (w: CutoverWorld, step: string): { status?: string } | undefined => {
  const raw = w.artifacts.objects.get(journalKey(w, step));
  return raw === undefined ? undefined : (JSON.parse(raw) as { status?: string });
};

async function recordedCutover(
  options: {
    aborted?: () => boolean;
    world?: CutoverWorld;
    artifacts?: ArtifactStore;
    /** Called at each pacer sleep, before the clock moves. */
    onSleep?: (ms: number) => void;
    deadlineSeconds?: number;
  } = {},
) {
  const w = options.world ?? (await cutoverWorld());
  const rounds = new Rounds(w.clock.advance, w.clock.now);
  const aborts: AbortRequests = {
    request: async () => 'RECORDED',
    requested: async (executionArn) =>
      options.aborted?.()
        ? { executionArn, reason: 'stop', requestedBy: 'ops', requestedAt: w.clock.now().toISOString() }
        : undefined,
  };
  const run = runCutover(
    { state: w.state, ...(options.deadlineSeconds ? { deadlineSeconds: options.deadlineSeconds } : {}) },
    {
      artifacts: rounds.wrap<ArtifactStore>('artifacts', options.artifacts ?? w.artifacts),
      source: rounds.wrap<KafkaDataPlane>('source', w.source),
      target: rounds.wrap<KafkaDataPlane>('target', w.target),
      pointer: rounds.wrap<CutoverSwitch>('pointer', w.pointer),
      aborts: rounds.wrap<AbortRequests>('aborts', aborts),
      now: w.clock.now,
      pacer: pacerOf(w, options.onSleep),
    },
  );
  return { w, rounds, run: rounds.drive(run) };
}

describe('round trips between the drain and the switch in the one-invocation Cutover', () => {
  it('after the settle, reads both ends and sets the pointer: everything else is written in one round before it', async () => {
    // Prepare
    const { w, rounds, run } = await recordedCutover();
    // Act
    const out = await run;
    // Assess: the drain ended at its caught-up look, before the settle's end; the look at the settle's end confirmed it
    expect(out.oneInvocation).toMatchObject({ reached: 'SWITCHED', offsetsDuringDrain: { status: 'COMMITTED' } });
    // (the offsets beside the drain end when it ends: either may be recorded first)
    expect(out.oneInvocation.steps.map((s) => s.step).filter((s) => s !== 'OffsetsDuringDrain')).toEqual([
      'FenceProducers',
      'CheckDrain',
      'CommitConsumerOffsets',
      'ConfirmDrain',
      'SwitchToTarget',
    ]);
    const drained = out.oneInvocation.steps.find((s) => s.step === 'CheckDrain');
    const confirmed = out.oneInvocation.steps.find((s) => s.step === 'ConfirmDrain');
    const settledAt = Date.parse(out.fence?.fencedAt ?? '') + settleSecondsOf(w.state.input) * 1000;
    expect(Date.parse(drained?.endedAt ?? '')).toBeLessThan(settledAt);
    expect(Date.parse(confirmed?.startedAt ?? '')).toBeGreaterThanOrEqual(settledAt);
    expect(out.drain).toMatchObject({ drained: true, checkedAt: confirmed?.startedAt });
    // from the confirming look's start: both clusters' ends at once; the pointer set beside the look's records
    expect(rounds.roundsBetween(out.drain?.checkedAt ?? '', out.switch?.switchedAt ?? '')).toBe(2);
    const setAt = Date.parse(out.switch?.switchedAt ?? '');
    const afterSettle = rounds.calls.filter((c) => c.at > Date.parse(out.drain?.checkedAt ?? '') && c.at <= setAt);
    expect(afterSettle.map((c) => c.label).sort()).toEqual(
      [
        'source.fetchTopicOffsets',
        'target.fetchTopicOffsets',
        'pointer.set',
        'artifacts.putJson',
        'artifacts.putJson',
      ].sort(),
    );
    // between the caught-up look and the settle's end: one round of writes holding the caught-up look's snapshot and
    // evidence, the offsets' evidence and DONE, the switch's target-end snapshot and intent
    const caughtUpPoll = String((out.drain?.polls ?? 0) - 1).padStart(4, '0');
    const lookedAt = Date.parse(drained?.endedAt ?? '');
    const inSettle = rounds.calls.filter((c) => c.at > lookedAt && c.at <= Date.parse(confirmed?.startedAt ?? ''));
    const store = inSettle.filter((c) => c.label.startsWith('artifacts.'));
    expect(store.filter((c) => c.label !== 'artifacts.putJson')).toEqual([]);
    expect(new Set(store.map((c) => c.round)).size).toBe(1);
    const written = store.map((c) => c.arg?.replace(/^.*\/cutover\//, ''));
    expect(written.sort()).toEqual(
      [
        `drain/poll-${caughtUpPoll}.json`,
        `drain/source-ends-${caughtUpPoll}.json`,
        'consumer-offsets.json',
        'journal/offsets.json',
        'journal/switch.json',
        'target-ends-at-switch.json',
      ].sort(),
    );
    // what this invocation holds in memory is not read back after the drain: the scope, the offsets' journal, the
    // drained look's tails
    const afterDrain = rounds.calls.filter((c) => c.at > Date.parse(drained?.endedAt ?? ''));
    const read = afterDrain.filter((c) => c.label === 'artifacts.getJson').map((c) => c.arg);
    expect(read).not.toContain(journalKey(w, 'offsets'));
    expect(read.some((k) => k?.endsWith('replication/topics.json'))).toBe(false);
    expect(read.some((k) => k?.includes('/drain/poll-'))).toBe(false);
    expect(read).not.toContain(journalKey(w, 'switch'));
    // the pointer moved only once the offsets' DONE and the switch's intent were answered
    const target = out.switch?.producers.value;
    const setRound = rounds.calls.find((c) => c.label === 'pointer.set' && c.arg === target)?.round ?? 0;
    const journal = (step: string) => journalKey(w, step);
    const puts = rounds.calls.filter((c) => c.label === 'artifacts.putJson');
    const offsetsDone = puts.filter((c) => c.arg === journal('offsets')).at(-1)?.round ?? Infinity;
    const switchIntent = puts.find((c) => c.arg === journal('switch'))?.round ?? Infinity;
    const snapshot = puts.find((c) => c.arg?.endsWith('target-ends-at-switch.json'))?.round ?? Infinity;
    expect(setRound).toBeGreaterThan(Math.max(offsetsDone, switchIntent, snapshot));
    expect(journalOf(w, 'offsets')?.status).toBe('DONE');
    expect(journalOf(w, 'switch')?.status).toBe('DONE');
    expect(w.artifacts.objects.has(out.switch?.targetEndsAtSwitch.key ?? '')).toBe(true);
  });

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

  it('stops at an abort requested after the drain caught up, before writing anything more', async () => {
    // Prepare: the operator asks to abort once the offsets were committed during the drain (their intent journaled)
    const w = await cutoverWorld();
    const { rounds, run } = await recordedCutover({
      world: w,
      aborted: () => journalOf(w, 'offsets') !== undefined,
    });
    // Act + Assess: asked by CommitConsumerOffsets, after the drain's caught-up look
    await expect(run).rejects.toMatchObject({ name: 'Migration.Aborted' });
    const lastAsked = rounds.calls.filter((c) => c.label === 'aborts.requested').at(-1)?.at ?? 0;
    const drainPolls = rounds.calls.filter((c) => c.label === 'artifacts.putJson' && c.arg?.includes('/drain/poll-'));
    const passing = JSON.parse(w.artifacts.objects.get(drainPolls.at(-1)?.arg ?? '') ?? '{}') as {
      at?: string;
      caughtUp?: boolean;
    };
    expect(passing.caughtUp).toBe(true);
    expect(lastAsked).toBeGreaterThan(Date.parse(passing.at ?? ''));
    expect(w.artifacts.objects.has(journalKey(w, 'offsets').replace('journal/offsets', 'consumer-offsets'))).toBe(
      false,
    );
    expect(journalOf(w, 'offsets')?.status).toBe('INTENT');
    expect(journalOf(w, 'switch')).toBeUndefined();
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
  });

  it("leaves the pointer fenced when the offsets' DONE fails beside the switch's intent, and the rollback puts it back", async () => {
    // Prepare: the store refuses the offsets' DONE record (the switch's snapshot and intent go beside it)
    const w = await cutoverWorld();
    const refusing: ArtifactStore = Object.assign(Object.create(w.artifacts) as ArtifactStore, {
      putJson: async (key: string, value: unknown) => {
        if (key === journalKey(w, 'offsets') && (value as { status?: string }).status === 'DONE')
          throw new Error('S3 is unavailable');
        return w.artifacts.putJson(key, value);
      },
    });
    const { run } = await recordedCutover({ world: w, artifacts: refusing });
    // Act
    await expect(run).rejects.toThrow('S3 is unavailable');
    const fencedThen = w.pointer.current?.value;
    const rolledBack = await runRollbackCutover(
      { state: { ...w.state, error: { Error: 'Migration.Transient', Cause: '…' } } as never, mode: 'ROLLBACK' },
      { pointer: w.pointer, target: w.target, artifacts: w.artifacts, now: w.clock.now },
    );
    // Assess: the switch journaled as INTENT only, its pointer never moved; the rollback reverts the fence and
    // finds no writes on the target since its snapshot
    expect(journalOf(w, 'switch')?.status).toBe('INTENT');
    expect(fencedThen).toMatch(/^fenced:/);
    expect(w.pointer.current?.value).toBe(SOURCE_SERVERS);
    expect(rolledBack).toMatchObject({ outcome: 'REVERTED', targetWrites: { status: 'NONE' } });
  });

  it("fails before the pointer moves when the caught-up look's records are refused, written beside the journals", async () => {
    // Prepare: the store refuses the caught-up look's evidence (written in the round of the offsets' and switch's writes)
    const w = await cutoverWorld();
    const refusing: ArtifactStore = Object.assign(Object.create(w.artifacts) as ArtifactStore, {
      putJson: async (key: string, value: unknown) => {
        if (key.includes('/drain/poll-') && (value as { caughtUp?: boolean }).caughtUp === true)
          throw new Error('S3 is unavailable');
        return w.artifacts.putJson(key, value);
      },
    });
    const { run } = await recordedCutover({ world: w, artifacts: refusing });
    // Act + Assess: the pointer still holds the fence; the switch journaled as INTENT only
    await expect(run).rejects.toThrow('S3 is unavailable');
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
    expect(journalOf(w, 'switch')?.status).toBe('INTENT');
  });

  it("a retry that finds the offsets' DONE without its evidence accepts them again and writes both", async () => {
    // Prepare: the first attempt's offsets evidence is refused while their DONE (written at once) is answered
    const w = await cutoverWorld();
    const evidence = journalKey(w, 'offsets').replace('journal/offsets', 'consumer-offsets');
    const refusing: ArtifactStore = Object.assign(Object.create(w.artifacts) as ArtifactStore, {
      putJson: async (key: string, value: unknown) => {
        if (key === evidence) throw new Error('S3 is unavailable');
        return w.artifacts.putJson(key, value);
      },
    });
    const first = await recordedCutover({ world: w, artifacts: refusing });
    await expect(first.run).rejects.toThrow('S3 is unavailable');
    expect(journalOf(w, 'offsets')?.status).toBe('DONE');
    expect(w.artifacts.objects.has(evidence)).toBe(false);
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
    // Act: the invocation retried
    const out = await (await recordedCutover({ world: w })).run;
    // Assess: the offsets accepted again, their evidence and DONE durable before the pointer moved
    expect(out.oneInvocation.reached).toBe('SWITCHED');
    expect(out.offsets).toMatchObject({ complete: true, evidenceKey: evidence });
    expect(w.artifacts.objects.has(evidence)).toBe(true);
    expect(journalOf(w, 'offsets')?.status).toBe('DONE');
    expect(w.pointer.current?.value).toBe(out.switch?.producers.value);
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

  it('writes nothing of the switch beside the offsets when the check after the drain fails: the switch follows their DONE', async () => {
    // Prepare: once the pass during the drain committed, ledger's offset moves on the source (a consumer read on)
    const w = await cutoverWorld();
    const commit = w.target.setCommittedOffsets.bind(w.target);
    w.target.setCommittedOffsets = async (group, offsets) => {
      await commit(group, offsets);
      w.source.commit('ledger', TOPIC, 0, 3);
    };
    const { rounds, run } = await recordedCutover({ world: w });
    // Act
    const out = await run;
    const setRound =
      rounds.calls.find((c) => c.label === 'pointer.set' && c.arg === out.switch?.producers.value)?.round ?? 0;
    // Assess: translated again after the drain, then switched; the switch's intent written only after the offsets' DONE
    expect(out.oneInvocation.reached).toBe('SWITCHED');
    expect(out.offsets).not.toHaveProperty('committedDuringDrain');
    const puts = rounds.calls.filter((c) => c.label === 'artifacts.putJson');
    const offsetsDone = puts.filter((c) => c.arg === journalKey(w, 'offsets')).at(-1)?.round ?? Infinity;
    const switchWrites = puts.filter(
      (c) => c.arg === journalKey(w, 'switch') || c.arg?.endsWith('target-ends-at-switch.json'),
    );
    expect(switchWrites.length).toBeGreaterThan(0);
    for (const c of switchWrites) expect(c.round).toBeGreaterThan(offsetsDone);
    // and within the settle: the switch prepared before the look at its end, which only the pointer set follows
    const steps = out.oneInvocation.steps.map((s) => s.step);
    expect(steps.slice(-3)).toEqual(['PrepareSwitch', 'ConfirmDrain', 'SwitchToTarget']);
    const confirmedAt = out.oneInvocation.steps.find((s) => s.step === 'ConfirmDrain')?.startedAt ?? '';
    const intentWrites = switchWrites.filter((c) => c.round < setRound);
    expect(intentWrites).toHaveLength(2);
    for (const c of intentWrites) expect(c.at).toBeLessThanOrEqual(Date.parse(confirmedAt));
    expect(rounds.roundsBetween(out.drain?.checkedAt ?? '', out.switch?.switchedAt ?? '')).toBe(2);
  });
});

describe("the one-invocation Cutover's look at the settle's end, after its drain caught up", () => {
  /** Once the switch's intent is journaled (the steps after the drain done), at the wait for the settle's end. */
  const inTheSettle = (w: CutoverWorld, act: () => void) => {
    let done = false;
    return () => {
      if (done || journalOf(w, 'switch')?.status !== 'INTENT') return;
      done = true;
      act();
    };
  };

  it('fails before the pointer moves when the source takes a write during the rest of the settle, naming it', async () => {
    // Prepare: a producer that ignores the fence writes after every client must have held
    const w = await cutoverWorld();
    const { run } = await recordedCutover({
      world: w,
      onSleep: inTheSettle(w, () => w.source.append(TOPIC, 1, [{ key: 'late', value: 'order-late' }])),
    });
    // Act + Assess: refused as a writer no fence covers; the pointer holds the fence, the switch never moved it
    await expect(run).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('no fence or switch covers'),
    });
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
    expect(journalOf(w, 'switch')?.status).toBe('INTENT');
  });

  it("returns to the drain's looks when the target takes a record during the rest of the settle: nothing switched", async () => {
    // Prepare: the replication copies the last record again after the drain caught up
    const w = await cutoverWorld();
    const { run } = await recordedCutover({
      world: w,
      onSleep: inTheSettle(w, () => w.target.append(TOPIC, 1, [{ key: 'k9', value: 'order-9' }])),
    });
    // Act
    const out = await run;
    // Assess: the look at the settle's end is not drained; the step-by-step drain decides, the pointer holds the fence
    expect(out.oneInvocation.reached).toBe('DRAINING');
    expect(out.drain).toMatchObject({ drained: false });
    expect(out.drain?.reasons.join(' ')).toContain(`${TOPIC}-1: the target holds records after the source's last`);
    expect(out.switch).toBeUndefined();
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
  });

  it("fails before the pointer moves when the target's ends move while both tails still match (a marker)", async () => {
    // Prepare: after the drain caught up, the target's end moves past a record no read returns (a transaction marker)
    const w = await cutoverWorld();
    const { run } = await recordedCutover({
      world: w,
      onSleep: inTheSettle(w, () => w.target.append(TOPIC, 1, [{ value: 'marker', hidden: true }])),
    });
    // Act + Assess: the offsets and the switch's snapshot were made against the earlier ends: refused, not switched
    await expect(run).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining(`moved during the settle while the source's held (${TOPIC}-1)`),
    });
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
    expect(journalOf(w, 'switch')?.status).toBe('INTENT');
  });

  it('a retry after an attempt that moved the pointer but died before its DONE completes the switch', async () => {
    // Prepare: the first attempt's switch DONE is refused after its pointer set (the function died there); the
    // producers then write to the target, where the pointer sends them
    const w = await cutoverWorld();
    const dying: ArtifactStore = Object.assign(Object.create(w.artifacts) as ArtifactStore, {
      putJson: async (key: string, value: unknown) => {
        if (key === journalKey(w, 'switch') && (value as { status?: string }).status === 'DONE')
          throw new Error('Lambda.Unknown');
        return w.artifacts.putJson(key, value);
      },
    });
    const first = await recordedCutover({ world: w, artifacts: dying });
    await expect(first.run).rejects.toThrow('Lambda.Unknown');
    const switched = w.pointer.current?.value;
    expect(switched).not.toMatch(/^fenced:/);
    w.target.append(TOPIC, 0, [{ key: 'new', value: 'order-on-target' }]);
    w.target.append(TOPIC, 1, [{ key: 'new', value: 'order-on-target-2' }]);
    w.clock.advance(5);
    // Act: the state machine's Retry runs the invocation again on the same input
    const out = await (await recordedCutover({ world: w })).run;
    // Assess: the drain passes as it did (the target compared up to the switch's snapshot), the switch completes from
    // its journal, nothing written to the pointer again
    expect(out.oneInvocation.reached).toBe('SWITCHED');
    expect(out.drain).toMatchObject({ drained: true });
    expect(out.switch?.producers.value).toBe(switched);
    expect(w.pointer.current?.value).toBe(switched);
    expect(journalOf(w, 'switch')?.status).toBe('DONE');
  });

  it("returns to the drain's looks when its deadline comes before the settle's end: nothing switched", async () => {
    // Prepare: a deadline between the clients' notice (1.5 s) and the settle's end (2 s)
    const w = await cutoverWorld();
    const { run } = await recordedCutover({ world: w, deadlineSeconds: 1.8 });
    // Act
    const out = await run;
    // Assess: DRAINING (the step-by-step CheckDrain passes only at the settle's end, before CommitConsumerOffsets)
    expect(out.oneInvocation.reached).toBe('DRAINING');
    expect(out.drain).toMatchObject({ drained: false, caughtUp: true });
    expect(out.switch).toBeUndefined();
    expect(w.pointer.current?.value).toMatch(/^fenced:/);
  });
});
