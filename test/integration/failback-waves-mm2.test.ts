import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { readEndOffsets, storeEndOffsets, type PartitionEnd } from '../../lambdas/core/cutover/model';
import type { FailbackState } from '../../lambdas/core/failback/state';
import { runCommitFailbackOffsets, runStartFailback, runStopFailback } from '../../lambdas/core/failback/tasks';
import { exactNamePattern } from '../../lambdas/core/plan/waves';
import { planReplication, startReplication } from '../../lambdas/core/replication/replication';
import type { KafkaRecordIn } from '../../lambdas/ports/kafka';
import type { ReplicatorHandle } from '../../lambdas/ports/replicator';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';
import { keyAt, untilFailbackCaughtUp, useMirrorMakerClusters } from './two-clusters';

/**
 * The failback of a plan in two waves through MirrorMaker 2 on real brokers. The ledger wave switches first; the
 * payments producers go on writing to A for a while (the forward flow copies those records to B) and switch later; a
 * third replicated topic (audit) is in no wave, its producers never leave A. The reverse flow must start each topic at
 * its own wave's switch and copy only the waves' topics: every record written to B since its wave's switch lands on A
 * once, nothing that came from A flows back (neither payments' records between the two switches nor audit's history),
 * and each wave's group is translated back by its own return.
 */
jest.setTimeout(180_000);

const identity = { migrationId: 'waves-fb', executionName: 'exec-wfb-1' };
const RUN = 'migrations/waves-fb/exec-wfb-1';
const [LEDGER, PAYMENTS, AUDIT] = ['ledger', 'payments', 'audit'];
const PARTITIONS = 2;

const records = (topic: string, from: number, count: number, phase: string) =>
  Array.from({ length: count }, (_, i) => ({
    key: `${topic}-${phase}-${from + i}`,
    value: JSON.stringify({ topic, seq: from + i, phase }),
    partition: (from + i) % PARTITIONS,
  }));

async function keysOn(plane: KafkajsDataPlane, topic: string): Promise<string[]> {
  const out: KafkaRecordIn[] = [];
  for (const e of await readEndOffsets(plane, [topic])) {
    if (e.high === e.low) continue;
    out.push(
      ...(await plane.readPartition({
        topic,
        partition: e.partition,
        fromOffset: e.low,
        untilOffset: e.high,
        maxRecords: 10_000,
        timeoutMs: 5_000,
      })),
    );
  }
  return out.map((r) => r.key?.toString() ?? '').sort();
}

const total = (ends: readonly PartitionEnd[]): bigint => ends.reduce((n, e) => n + BigInt(e.high), 0n);

describe('failback of a plan in waves with MirrorMaker 2 in reverse', () => {
  const k = useMirrorMakerClusters('wfb-', ['wfb-a', 'wfb-b']);
  let forward: ReplicatorHandle;
  let failback: FailbackState;
  const { artifacts, deps, sourceEndpoint, targetEndpoint } = k;
  const expected = new Map<string, string[]>();

  /** The forward flow has copied everything A holds of these topics to B. */
  const copied = async (topics: string[]): Promise<void> => {
    const aEnds = await readEndOffsets(k.sourcePlane, topics);
    await pollUntil(
      `${topics.join(', ')} copied to B`,
      async () => {
        const present = await k.targetPlane.listTopics();
        if (!topics.every((t) => present.includes(t))) return undefined;
        return JSON.stringify((await readEndOffsets(k.targetPlane, topics)).map((e) => e.high)) ===
          JSON.stringify(aEnds.map((e) => e.high))
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
  };

  /** A wave's fence (A's ends) and switch (B's ends), journaled as its cutover stores them. */
  const cutOver = async (wave: string, topic: string) => {
    const at = new Date().toISOString();
    const w = { ...identity, wave };
    const fence = await storeEndOffsets(artifacts, w, 'fence.json', at, await readEndOffsets(k.sourcePlane, [topic]));
    const switched = await storeEndOffsets(
      artifacts,
      w,
      'switch.json',
      at,
      await readEndOffsets(k.targetPlane, [topic]),
    );
    return { wave, topics: [topic], switchTargetOffsetsKey: switched.key, fenceSourceOffsetsKey: fence.key };
  };

  beforeAll(async () => {
    const topics = [LEDGER, PAYMENTS, AUDIT];
    await k.sourcePlane.createTopics(topics.map((topic) => ({ topic, numPartitions: PARTITIONS })));
    for (const t of topics) await k.sourcePlane.produce(t, records(t, 0, 20, 'pre'));
    await artifacts.putJson(`${RUN}/replication/topics.json`, topics);
  });

  it('fails back both waves: each topic from its own wave switch, only the waves topics, each group by its wave', async () => {
    // Prepare: the forward replication of every topic
    const plan = planReplication({
      identity,
      engine: 'MIRROR_MAKER_2',
      source: sourceEndpoint(),
      target: targetEndpoint(),
      topics: { include: [LEDGER, PAYMENTS, AUDIT], exclude: [] },
      consumerGroups: { include: ['.*'], exclude: [] },
      sourceTopics: [LEDGER, PAYMENTS, AUDIT],
    });
    forward = (await startReplication(plan.spec, identity, k.mm2)).handle;
    await copied([LEDGER, PAYMENTS, AUDIT]);
    // Wave ledger switches; its producers write to B. Payments and audit producers still write to A.
    const ledgerWave = await cutOver('ledger', LEDGER);
    await k.targetPlane.produce(LEDGER, records(LEDGER, 20, 10, 'post'));
    await k.sourcePlane.produce(PAYMENTS, records(PAYMENTS, 20, 10, 'between'));
    await k.sourcePlane.produce(AUDIT, records(AUDIT, 20, 10, 'between'));
    await copied([PAYMENTS, AUDIT]);
    // Wave payments switches later; its producers write to B. Audit's producers never leave A.
    const paymentsWave = await cutOver('payments', PAYMENTS);
    await k.targetPlane.produce(PAYMENTS, records(PAYMENTS, 30, 10, 'post'));
    // The groups read part-way on B after their wave's switch.
    const ledgerStart = await storedHigh(ledgerWave.switchTargetOffsetsKey);
    const paymentsStart = await storedHigh(paymentsWave.switchTargetOffsetsKey);
    await k.targetPlane.setCommittedOffsets('ledger-app', offsetsPlus(LEDGER, ledgerStart, 2n));
    await k.targetPlane.setCommittedOffsets('payments-app', offsetsPlus(PAYMENTS, paymentsStart, 3n));
    // One more record per partition: MirrorMaker 2 emits a partition's last offset sync when the next one arrives.
    await k.targetPlane.produce(LEDGER, records(LEDGER, 30, PARTITIONS, 'post'));
    await k.targetPlane.produce(PAYMENTS, records(PAYMENTS, 40, PARTITIONS, 'post'));
    for (const t of [LEDGER, PAYMENTS]) expected.set(t, await keysOn(k.targetPlane, t));
    const auditOnA = await readEndOffsets(k.sourcePlane, [AUDIT]);

    // Act: StartFailback as a plan in waves gives it (exact topics and groups, each wave's snapshots)
    failback = await runStartFailback(
      {
        identity,
        engine: 'MIRROR_MAKER_2',
        source: sourceEndpoint(),
        target: targetEndpoint(),
        topicFilter: { include: [LEDGER, PAYMENTS].map(exactNamePattern), exclude: [] },
        consumerGroups: { include: ['ledger-app', 'payments-app'].map(exactNamePattern), exclude: [] },
        topicsKey: `${RUN}/replication/topics.json`,
        forwardHandle: forward,
        waves: [ledgerWave, paymentsWave],
        catchUpTimeoutMinutes: 3,
      },
      deps(),
    );
    failback = await untilFailbackCaughtUp(k, failback, 'the failback of both waves to catch up', 90_000);
    const committed = [];
    for (const [wave, group] of [
      ['ledger', 'ledger-app'],
      ['payments', 'payments-app'],
    ] as const)
      committed.push(
        await runCommitFailbackOffsets(
          { ...failback, identity: { ...identity, wave }, consumerGroups: { include: [group], exclude: [] } },
          deps(),
        ),
      );

    // Assess: A holds B's records of each wave's topic, each once: none of what came from A flowed back twice
    for (const t of [LEDGER, PAYMENTS]) expect(await keysOn(k.sourcePlane, t)).toEqual(expected.get(t));
    // audit is in no wave: nothing of it was copied back
    expect(total(await readEndOffsets(k.sourcePlane, [AUDIT]))).toBe(total(auditOnA));
    expect(await k.sourcePlane.listTopics()).not.toContain(`target.${AUDIT}`);
    // each wave's return committed its own group only, at the record it points at on B
    expect(committed.map((c) => [...new Set(c.committed.map((x) => x.groupId))])).toEqual([
      ['ledger-app'],
      ['payments-app'],
    ]);
    expect(committed.map((c) => c.evidenceKey)).toEqual([
      `${RUN}/failback/waves/ledger/offsets-committed.json`,
      `${RUN}/failback/waves/payments/offsets-committed.json`,
    ]);
    for (const [topic, group] of [
      [LEDGER, 'ledger-app'],
      [PAYMENTS, 'payments-app'],
    ] as const)
      for (const onB of await k.targetPlane.fetchCommittedOffsets(group, [topic])) {
        const onA = (await k.sourcePlane.fetchCommittedOffsets(group, [topic])).find(
          (x) => x.partition === onB.partition,
        );
        expect(await keyAt(k.sourcePlane, topic, onB.partition, onA?.offset ?? '0')).toBe(
          await keyAt(k.targetPlane, topic, onB.partition, onB.offset),
        );
      }
    const positions = await artifacts.getJson<{ partitions: Array<{ topic: string; wave: string }> }>(
      `${RUN}/failback/positions.json`,
    );
    expect(new Set(positions?.partitions.map((p) => `${p.topic}:${p.wave}`))).toEqual(
      new Set([`${LEDGER}:ledger`, `${PAYMENTS}:payments`]),
    );
    expect((await runStopFailback(failback, deps())).replicator).toBe('DELETED');
  });

  async function storedHigh(key: string): Promise<Map<number, bigint>> {
    const stored = await artifacts.getJson<{ partitions: PartitionEnd[] }>(key);
    return new Map((stored?.partitions ?? []).map((e) => [e.partition, BigInt(e.high)]));
  }
});

function offsetsPlus(topic: string, start: Map<number, bigint>, plus: bigint) {
  return [...start].map(([partition, high]) => ({ topic, partition, offset: (high + plus).toString() }));
}
