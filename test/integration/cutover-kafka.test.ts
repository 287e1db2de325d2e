import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileCutoverSwitch, readPointerFile, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { checkDrain, type DrainProgress } from '../../lambdas/core/cutover/check-drain';
import { checkTargetHealth } from '../../lambdas/core/cutover/check-target-health';
import { commitConsumerOffsets, type CommitProgress } from '../../lambdas/core/cutover/commit-consumer-offsets';
import { fenceProducers, type FenceRecord } from '../../lambdas/core/cutover/fence-producers';
import { isFenced } from '../../lambdas/core/cutover/model';
import { rollbackCutover } from '../../lambdas/core/cutover/rollback-cutover';
import { switchConsumers, type SwitchRecord } from '../../lambdas/core/cutover/switch-consumers';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { pollUntil, startMirrorMaker, waitForTopic, type MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';
import { startPointerConsumer } from './pointer-consumer';

/**
 * The single-writer cutover against real brokers and MirrorMaker 2: a workload whose producer and consumer find
 * their cluster through a pointer file writes sequence-numbered records live; the fence stops its writes, the drain
 * passes only once MM2 has copied the source's tail (MM2 is stopped at the fence and restarted to prove it), the
 * group's offsets are translated and committed on the target, the switch moves the workload, and the consumer
 * resumes on the target with every sequence number exactly once. A rollback in the window then puts the pointer
 * back and reports the records written to the target.
 */
jest.setTimeout(180_000);

const quiet = { log: () => undefined };
const identity = { migrationId: 'orders-cutover-it', executionName: 'exec-1' };
const TOPIC = 'orders';
const PARTITIONS = 3;
const GROUP = 'billing';

interface Workload {
  produced: Map<number, string>;
  consumed: number[];
  holds: number;
  stopProducing: () => Promise<void>;
  stopConsuming: () => Promise<void>;
}

/** A producer and a consumer that read the pointer file before every batch, as the rehearsal's workload does. */
function startWorkload(pointerFile: string, planes: ReadonlyMap<string, KafkajsDataPlane>): Workload {
  const produced = new Map<number, string>();
  let seq = 0;
  let producing = true;
  const state = { holds: 0 };
  const producer = (async () => {
    while (producing) {
      const pointer = readPointerFile(pointerFile)?.value;
      const plane = pointer === undefined ? undefined : planes.get(pointer);
      if (!plane || isFenced(pointer)) {
        state.holds++;
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      const batch = Array.from({ length: 5 }, () => seq++);
      await plane.produce(
        TOPIC,
        batch.map((n) => ({ key: `customer-${n % 11}`, value: JSON.stringify({ seq: n }), partition: n % PARTITIONS })),
      );
      for (const n of batch) produced.set(n, pointer as string);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const reader = startPointerConsumer({
    pointerFile,
    clientId: 'billing-service',
    groupId: GROUP,
    topic: TOPIC,
    knows: (value) => planes.has(value),
  });
  return {
    produced,
    consumed: reader.consumed,
    get holds() {
      return state.holds;
    },
    stopProducing: async () => {
      producing = false;
      await producer;
    },
    stopConsuming: reader.stop,
  };
}

describe('single-writer cutover with MirrorMaker 2 on real brokers', () => {
  let source: KafkaCluster;
  let target: KafkaCluster;
  let sourcePlane: KafkajsDataPlane;
  let targetPlane: KafkajsDataPlane;
  let mm2: MirrorMaker | undefined;
  let workload: Workload | undefined;
  let dir: string;
  let pointerFile: string;
  let pointer: FileCutoverSwitch;
  const artifacts = new MemoryArtifacts();
  const now = (): Date => new Date();
  const topics = [TOPIC];
  let fence: FenceRecord;
  let drain: DrainProgress;
  let offsets: CommitProgress;
  let switched: SwitchRecord;

  beforeAll(async () => {
    [source, target] = await startKafkaClusters([{ name: 'cutover-source' }, { name: 'cutover-target' }]);
    sourcePlane = new KafkajsDataPlane(source.connection('source'), quiet);
    targetPlane = new KafkajsDataPlane(target.connection('target'), quiet);
    await sourcePlane.createTopics([{ topic: TOPIC, numPartitions: PARTITIONS }]);
    dir = mkdtempSync(path.join(tmpdir(), 'cutover-pointer-'));
    pointerFile = path.join(dir, 'bootstrap.json');
    writePointerFile(pointerFile, source.bootstrap as string);
    pointer = new FileCutoverSwitch(pointerFile);
  });

  afterAll(async () => {
    await workload?.stopProducing();
    await workload?.stopConsuming();
    await mm2?.stop();
    await sourcePlane?.close();
    await targetPlane?.close();
    await stopAllKafkaClusters();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fences a live workload and passes the drain only after MirrorMaker 2 has copied the tail', async () => {
    // Prepare: MM2 copying (groups not synced by MM2: the cutover commits them), a live workload on the source
    mm2 = startMirrorMaker(
      { source, target },
      { name: 'mm2-cutover', topics: TOPIC, groups: 'no-group-synced-by-mm2' },
    );
    workload = startWorkload(
      pointerFile,
      new Map([
        [source.bootstrap as string, sourcePlane],
        [target.bootstrap as string, targetPlane],
      ]),
    );
    await waitForTopic(target, TOPIC, { mirrorMaker: mm2, timeoutMs: 90_000 });
    await pollUntil(
      'the consumer to read on the source',
      async () => (workload && workload.consumed.length > 20 ? true : undefined),
      { timeoutMs: 30_000 },
    );
    await pollUntil(
      'MM2 to copy records of every partition',
      async () => ((await targetPlane.fetchTopicOffsets(TOPIC)).every((o) => o.high !== '0') ? true : undefined),
      { timeoutMs: 60_000 },
    );
    // MM2 stops while producers still write: the source's tail is not on the target when the fence goes up
    await mm2.stop();
    const ends = async (): Promise<bigint> =>
      (await sourcePlane.fetchTopicOffsets(TOPIC)).reduce((n, o) => n + BigInt(o.high), 0n);
    const atStop = await ends();
    await pollUntil(
      'records written while MM2 is stopped',
      async () => ((await ends()) >= atStop + 30n ? true : undefined),
      { timeoutMs: 30_000 },
    );

    // Act 1: the fence, and drain polls while MM2 is down
    fence = await fenceProducers({ identity, topics }, { producers: pointer, source: sourcePlane, artifacts, now });
    const request = { identity, topics, fence, settleSeconds: 2, drainTimeoutSeconds: 150 };
    const whileStopped = await pollUntil(
      'the fence to hold with MM2 stopped',
      async () => {
        drain = await checkDrain(
          { ...request, ...(drain ? { previous: drain } : {}) },
          { source: sourcePlane, target: targetPlane, artifacts, now },
        );
        return drain.sourceStable ? drain : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // Act 2: MM2 back, drain polls until drained
    await mm2.restart();
    drain = await pollUntil(
      'the drain',
      async () => {
        const d = await checkDrain(
          { ...request, previous: drain },
          { source: sourcePlane, target: targetPlane, artifacts, now },
        );
        drain = d;
        return d.drained ? d : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        abort: () => (mm2?.running() ? undefined : `MM2 exited: ${mm2?.logTail(10)}`),
      },
    );

    // Assess: held writes, not drained without MM2, drained with the tails equal
    expect(readPointerFile(pointerFile)?.value).toBe(fence.fenceValue);
    expect(workload.holds).toBeGreaterThan(0);
    expect(whileStopped).toMatchObject({ drained: false, sourceStable: true });
    expect(whileStopped.offsetLag).toBeGreaterThanOrEqual(30);
    expect(whileStopped.reasons.join(' ')).toMatch(/is not at the target's tail/);
    expect(drain).toMatchObject({ drained: true, offsetLag: 0, partitionsDrained: PARTITIONS });
    expect(await targetPlane.fetchTopicOffsets(TOPIC)).toEqual(await sourcePlane.fetchTopicOffsets(TOPIC));
  });

  it("commits the group's translated offsets on the target and switches: the consumer resumes there without loss or duplicates", async () => {
    // Act
    offsets = await pollUntil(
      'the consumer to leave the group on the source',
      async () => {
        const o = await commitConsumerOffsets(
          { identity, topics, consumerGroups: { include: [GROUP], exclude: [] }, fence, drain },
          { source: sourcePlane, target: targetPlane, artifacts, now },
        );
        return o.complete ? o : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const sourceCommitted = await sourcePlane.fetchCommittedOffsets(GROUP, topics);
    const targetCommitted = await targetPlane.fetchCommittedOffsets(GROUP, topics);
    switched = await switchConsumers(
      { identity, topics, fence, offsets, producersTargetValue: target.bootstrap as string },
      { producers: pointer, target: targetPlane, artifacts, now },
    );
    const w = workload as Workload;
    const atSwitch = w.produced.size;
    await pollUntil('writes on the target', async () => (w.produced.size >= atSwitch + 60 ? true : undefined), {
      timeoutMs: 30_000,
    });
    await w.stopProducing();
    await pollUntil(
      'the consumer to read every record',
      async () => (new Set(w.consumed).size >= w.produced.size ? true : undefined),
      { timeoutMs: 60_000 },
    );

    // Assess
    expect(offsets).toMatchObject({ complete: true, groups: 1, partitionsCommitted: PARTITIONS });
    expect(targetCommitted).toEqual(sourceCommitted); // identical logs: same offsets
    expect(readPointerFile(pointerFile)?.value).toBe(target.bootstrap);
    const counts = new Map<number, number>();
    for (const n of w.consumed) counts.set(n, (counts.get(n) ?? 0) + 1);
    const lost = [...w.produced.keys()].filter((n) => !counts.has(n));
    const duplicates = [...counts.values()].filter((c) => c > 1).length;
    const onTarget = [...w.produced.values()].filter((b) => b === target.bootstrap).length;
    console.log(
      `cutover: ${w.produced.size} records produced (${onTarget} to the target), ${w.consumed.length} consumed, write pause ${switched.writePauseMs} ms`,
    );
    expect({ lost: lost.length, duplicates }).toEqual({ lost: 0, duplicates: 0 });
    expect(onTarget).toBeGreaterThanOrEqual(60);
  });

  it('reports a healthy target, and a rollback in the window puts the pointer back and reports the records written to the target', async () => {
    // Prepare
    const health = await checkTargetHealth(
      { identity, topics, switch: switched, offsets, rollbackWindowMinutes: 60 },
      { target: targetPlane, artifacts, now },
    );
    const w = workload as Workload;
    const writtenToTarget = [...w.produced.values()].filter((b) => b === target.bootstrap).length;
    // Act
    const result = await rollbackCutover(
      { identity, topics, rollbackWindowMinutes: 60, reason: 'rehearsed' },
      { producers: pointer, target: targetPlane, artifacts, now },
    );
    // Assess
    expect(health).toMatchObject({
      healthy: true,
      figures: { reachable: true, groups: 1, groupsResumed: 1, recordsSinceSwitch: String(writtenToTarget) },
    });
    expect(result).toMatchObject({
      outcome: 'REVERTED',
      pointers: [{ action: 'REVERTED', restored: source.bootstrap }],
      targetWrites: { status: 'FOUND', records: String(writtenToTarget), partitions: PARTITIONS },
    });
    expect(readPointerFile(pointerFile)?.value).toBe(source.bootstrap);
  });
});
