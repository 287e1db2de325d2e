import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';
import { recordId } from '../../rehearsal/workload/records';
import { DEFAULT_WORKLOAD_TOPICS, ensureWorkloadTopics } from '../../rehearsal/workload/topics';
import { verifyTopic } from '../../rehearsal/workload/verifier';
import { startWorkload, type WorkloadHandle, type WorkloadTally } from '../../rehearsal/workload/workload';

/**
 * The workload on two real clusters and no replicator: it writes and reads A, holds its writes when the pointer is
 * fenced, and follows the pointer to B, where its consumer groups carry on. Nothing is copied from A to B, so the
 * verifier reading B must report exactly the records acknowledged by A as missing there.
 */
jest.setTimeout(120_000);

let a: KafkaCluster;
let b: KafkaCluster;
let dir: string;
let pointerFile: string;
let workload: WorkloadHandle | undefined;
const planes: KafkajsDataPlane[] = [];

/** What the local cutover switch does on set: an atomic rewrite of `{value, revision, updatedAt}`. */
function pointTo(value: string): void {
  writePointerFile(pointerFile, value);
}

function planeOf(cluster: KafkaCluster): KafkajsDataPlane {
  const plane = new KafkajsDataPlane(cluster.connection('verifier'), { logLevel: 'NOTHING' });
  planes.push(plane);
  return plane;
}

beforeAll(async () => {
  [a, b] = await startKafkaClusters([{ name: 'workload-a' }, { name: 'workload-b' }]);
  dir = mkdtempSync(path.join(tmpdir(), 'workload-'));
  pointerFile = path.join(dir, 'pointer.json');
  await ensureWorkloadTopics(planeOf(b));
}, 120_000);

afterAll(async () => {
  await workload?.stop().catch(() => undefined);
  await Promise.all(planes.map((p) => p.close()));
  await stopAllKafkaClusters();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the workload across a pointer move from A to B', () => {
  let tally: WorkloadTally;
  let ackedWhenFenced = 0;
  let ackedAfterDrainOnA = 0;

  beforeAll(async () => {
    // Prepare: the workload on A.
    pointTo(a.bootstrap as string);
    workload = await startWorkload({ pointerFile, ratePerSecond: 200, maxDurationMs: 60_000, drainTimeoutMs: 20_000 });
    const w = workload;
    await pollUntil('300 records acknowledged by A', async () => (w.snapshot().acked >= 300 ? true : undefined), {
      timeoutMs: 30_000,
    });

    // Act: fence, let the consumers read everything A acknowledged, then point at B.
    pointTo('fenced:cutover-test');
    await pollUntil(
      'writes held and no send in flight',
      async () => (w.snapshot().holdingWrites && !w.snapshot().sending ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    ackedWhenFenced = w.snapshot().acked;
    await pollUntil(
      'every record acknowledged by A consumed',
      async () => (Object.values(w.snapshot().perTopic).every((t) => t.consumed >= t.acked) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    ackedAfterDrainOnA = w.snapshot().acked;
    pointTo(b.bootstrap as string);
    await pollUntil(
      '200 records acknowledged by B and every consumer on B',
      async () => {
        const s = w.snapshot();
        return s.acked >= ackedAfterDrainOnA + 200 &&
          Object.values(s.perTopic).every((t) => t.consumerCluster === b.bootstrap)
          ? true
          : undefined;
      },
      { timeoutMs: 40_000 },
    );
    tally = await w.stop();
    const { produced, lost, duplicatesConsumed, outOfOrder } = tally.records;
    const { writePauseMs, pointerPropagationMs } = tally.cutover;
    console.log(
      `workload: ${JSON.stringify({ produced, lost, duplicatesConsumed, outOfOrder, writePauseMs, pointerPropagationMs })}`,
    );
  }, 120_000);

  it('sends nothing while the pointer is fenced', () => {
    expect(ackedAfterDrainOnA).toBe(ackedWhenFenced);
  });

  it('consumes every acknowledged record exactly once and in order, on A before the move and on B after', () => {
    expect(tally.drained).toBe(true);
    expect(tally.records.produced).toBeGreaterThanOrEqual(ackedAfterDrainOnA + 200);
    expect(tally.records).toMatchObject({ lost: 0, duplicatesConsumed: 0, outOfOrder: 0 });
    for (const topic of DEFAULT_WORKLOAD_TOPICS) {
      const acked = tally.acked[topic.name] ?? [];
      const clusters = new Set(acked.map((r) => r.cluster));
      expect([topic.name, [...clusters].sort()]).toEqual([topic.name, [a.bootstrap, b.bootstrap].sort()]);
      expect(tally.records.perTopic[topic.name]).toMatchObject({ lost: 0, unexpected: 0 });
    }
    expect(tally.finalPointer).toBe(b.bootstrap);
  });

  it('measures one write pause, from A to B, and how long the pointer took to reach the clients', () => {
    expect(tally.cutover.writePauses).toHaveLength(1);
    const [pause] = tally.cutover.writePauses;
    expect(pause).toMatchObject({ from: a.bootstrap, to: b.bootstrap });
    expect(pause?.firstAckAfter).toBeGreaterThan(pause?.lastAckBefore ?? Infinity);
    expect(tally.cutover.writePauseMs).toBe(pause?.pauseMs);
    // The producer and the three consumer groups each noticed both changes.
    expect(tally.cutover.propagation.map((p) => `${p.client} ${p.value}`).sort()).toEqual(
      ['producer', ...DEFAULT_WORKLOAD_TOPICS.map((t) => `${t.name}-consumers`)]
        .flatMap((client) => [`${client} fenced:cutover-test`, `${client} ${b.bootstrap}`])
        .sort(),
    );
    expect(tally.cutover.pointerPropagationMs).toBeGreaterThanOrEqual(0);
  });

  it('finds every acknowledged record on A and B together, and reports as missing on B exactly those only A acknowledged', async () => {
    for (const topic of DEFAULT_WORKLOAD_TOPICS.filter((t) => !t.compacted)) {
      // Prepare
      const acked = tally.acked[topic.name] ?? [];
      const onA = acked.filter((r) => r.cluster === a.bootstrap);
      const onB = acked.filter((r) => r.cluster === b.bootstrap);

      // Act
      const verifiedA = await verifyTopic({ plane: planeOf(a), topic: topic.name, acked: onA });
      const verifiedB = await verifyTopic({ plane: planeOf(b), topic: topic.name, acked });

      // Assess
      expect(verifiedA).toMatchObject({ found: onA.length, missing: [], duplicates: 0, incomplete: false });
      expect(verifiedB).toMatchObject({ found: onB.length, duplicates: 0, incomplete: false });
      expect(verifiedB.missing).toEqual(onA.map((r) => recordId(r.key, r.seq)).sort());
    }
  });

  it('on the compacted topic, holds the newest value of every key on B once each key was written there', async () => {
    const topic = DEFAULT_WORKLOAD_TOPICS.find((t) => t.compacted);
    if (!topic) throw new Error('the workload has a compacted topic');
    const acked = tally.acked[topic.name] ?? [];
    const verified = await verifyTopic({ plane: planeOf(b), topic: topic.name, acked, compacted: true });
    const keysWrittenOnB = new Set(acked.filter((r) => r.cluster === b.bootstrap).map((r) => r.key));
    expect(keysWrittenOnB.size).toBe(topic.keys);
    expect(verified.missing).toEqual([]);
  });
});
