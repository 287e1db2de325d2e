import { LocalMirrorMaker2 } from '../../lambdas/adapters/local/mm2-replicator';
import { ensureCanaryTopic } from '../../lambdas/core/gates/canary';
import type { CatchUpProgress } from '../../lambdas/core/gates/catch-up';
import {
  evaluateCatchUp,
  type CatchUpEvaluation,
  type CatchUpEvaluationRequest,
} from '../../lambdas/core/gates/evaluate-catch-up';
import { measurePartitionLag } from '../../lambdas/core/gates/partition-lag';
import { canaryTopicName } from '../../lambdas/core/replication/naming';
import {
  checkReplication,
  planReplication,
  startReplication,
  type ReplicationPlan,
} from '../../lambdas/core/replication/replication';
import { teardownReplication } from '../../lambdas/core/replication/teardown';
import type { Difference } from '../../lambdas/core/validation/differences';
import { validateTarget, type ValidationRequest } from '../../lambdas/core/validation/validate-target';
import type { ReplicatorHandle } from '../../lambdas/ports/replicator';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { startKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { mirrorMakerProcessLauncher, type MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { LATEST_KAFKA_VERSION } from '../../rehearsal/kafka/versions';

/**
 * The MirrorMaker 2 path end to end against real brokers (the newest Kafka line of the harness, KRaft): the replication core starts MM2 with
 * identical topic names, the lag gate passes only once the target has caught up with live traffic, the target
 * validation passes on the copy and fails, naming what differs, once records or a group's offset are changed on
 * the target.
 */
jest.setTimeout(120_000);

const identity = { migrationId: 'orders-it', executionName: 'exec-it-1' };
const MAX_LAG = 50;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const record = (topic: string, i: number) => ({
  key: `${topic}-key-${i % 97}`,
  value: JSON.stringify({ topic, seq: i, body: 'x'.repeat(i % 50) }),
  headers: { seq: String(i) },
});

describe(`MirrorMaker 2 replication, lag gate and validation against Kafka ${LATEST_KAFKA_VERSION}`, () => {
  let source: KafkaCluster;
  let target: KafkaCluster;
  let sourcePlane: KafkajsDataPlane;
  let targetPlane: KafkajsDataPlane;
  let mm2: LocalMirrorMaker2;
  let mm2Processes: MirrorMaker[];
  let plan: ReplicationPlan;
  let handle: ReplicatorHandle;
  const canaryTopic = canaryTopicName(identity);
  const artifacts = new MemoryArtifacts();
  const sequence = { orders: 0, payments: 0 };
  let billing: Array<{ topic: string; partition: number; offset: string }> = [];

  const produce = async (topic: 'orders' | 'payments', count: number): Promise<void> => {
    const batch = Array.from({ length: count }, () => record(topic, sequence[topic]++));
    await sourcePlane.produce(topic, batch);
  };

  beforeAll(async () => {
    [source, target] = await startKafkaClusters([{ name: 'source' }, { name: 'target' }] as const);
    sourcePlane = new KafkajsDataPlane(source.connection('source'), { log: () => undefined });
    targetPlane = new KafkajsDataPlane(target.connection('target'), { log: () => undefined });
    await sourcePlane.createTopics([
      { topic: 'orders', numPartitions: 3, configs: { 'retention.ms': '604800000', 'max.message.bytes': '2097152' } },
      { topic: 'payments', numPartitions: 1 },
    ]);
    await produce('orders', 600);
    await produce('payments', 200);
    const launcher = mirrorMakerProcessLauncher();
    mm2Processes = launcher.started;
    mm2 = new LocalMirrorMaker2(launcher.launch, { refreshIntervalSeconds: 2, syncIntervalSeconds: 1 });
  });

  afterAll(async () => {
    await mm2?.stopAll();
    for (const p of mm2Processes ?? []) await p.stop();
    await sourcePlane?.close();
    await targetPlane?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('starts MirrorMaker 2 through the replication core with the canary topic, and reports it RUNNING', async () => {
    // Prepare
    expect(await ensureCanaryTopic(sourcePlane, canaryTopic)).toBe('CREATED');
    plan = planReplication({
      identity,
      engine: 'MIRROR_MAKER_2',
      source: { bootstrapServers: [source.bootstrap as string], auth: { mechanism: 'PLAINTEXT' } },
      target: { bootstrapServers: [target.bootstrap as string], auth: { mechanism: 'PLAINTEXT' } },
      topics: { include: ['orders', 'payments'], exclude: [] },
      consumerGroups: { include: ['billing'], exclude: [] },
      sourceTopics: await sourcePlane.listTopics(),
      canaryTopic,
    });
    // Act
    const started = await startReplication(plan.spec, identity, mm2);
    handle = started.handle;
    // Assess
    expect(plan.topics).toEqual(['orders', 'payments']);
    expect(started.created).toBe(true);
    expect(await checkReplication(handle, mm2)).toEqual({ running: true, state: 'RUNNING' });
  });

  it('keeps the gate closed while the target trails by more than the threshold, and passes once MM2 has caught up with live traffic', async () => {
    // Prepare: live traffic on the source while the gate is evaluated
    let live = true;
    const traffic = (async () => {
      for (let i = 0; live && i < 2_000; i++) {
        await produce('orders', 5);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const request: Omit<CatchUpEvaluationRequest, 'previous'> = {
      identity,
      engine: 'MIRROR_MAKER_2',
      startingPosition: 'EARLIEST',
      alarmNames: [],
      topics: plan.topics,
      canary: { topic: canaryTopic, timeoutMs: 10_000 },
      thresholds: { maxLagRecords: MAX_LAG },
      policy: { consecutiveHealthyChecks: 3, catchUpTimeoutMinutes: 2 },
    };
    const evaluations: CatchUpEvaluation[] = [];
    let previous: CatchUpProgress | undefined;
    // Act
    try {
      await until(
        'the catch-up gate to pass',
        async () => {
          const evaluation = await evaluateCatchUp(
            { ...request, ...(previous ? { previous } : {}) },
            { artifacts, source: sourcePlane, target: targetPlane, now: () => new Date() },
          );
          evaluations.push(evaluation);
          previous = evaluation.progress;
          return evaluation.outcome === 'PASSED' ? evaluation : undefined;
        },
        90_000,
        300,
      );
    } finally {
      live = false;
      await traffic;
    }
    // Assess: the first evaluation saw the backlog; every healthy one was under the threshold with the canary seen
    expect(evaluations[0]?.verdict.healthy).toBe(false);
    expect(evaluations[0]?.verdict.reasons.join(' ')).toMatch(
      /trails the source by \d+ records|do not exist on the target yet/,
    );
    for (const e of evaluations.filter((x) => x.verdict.healthy)) {
      expect(e.verdict.figures.partitionLagTotal).toBeLessThanOrEqual(MAX_LAG);
      expect(e.verdict.figures.canaryRoundTripMs).toEqual(expect.any(Number));
    }
    const last = evaluations[evaluations.length - 1];
    expect(last?.progress).toMatchObject({ passed: true, consecutiveHealthy: 3 });
    expect(await artifacts.list(`migrations/${identity.migrationId}/${identity.executionName}/catch-up/`)).toHaveLength(
      evaluations.length,
    );
  });

  const validation = (): ValidationRequest => ({
    identity,
    topics: plan.topics,
    consumerGroups: { include: ['billing'], exclude: [] },
    startingPosition: 'EARLIEST',
    configPolicy: { ignored: [] },
    sampleRecords: 10,
  });

  const differencesOf = async (): Promise<Difference[]> => {
    try {
      await validateTarget(validation(), {
        source: sourcePlane,
        target: targetPlane,
        artifacts,
        now: () => new Date(),
      });
      return [];
    } catch (err) {
      if ((err as Error).name !== 'Migration.ValidationFailed') throw err;
      return (err as { details: { differences: Difference[] } }).details.differences;
    }
  };

  it('validates the copy: topics, partitions, configs, records by content and the translated group offsets', async () => {
    // Prepare: a consumer group caught up on the source, then stopped (inactive, so MM2 syncs its offsets), and a
    // little more traffic (MM2 emits the offset sync of a partition's last record when the next one arrives)
    const ends = [
      ...(await sourcePlane.fetchTopicOffsets('orders')),
      ...(await sourcePlane.fetchTopicOffsets('payments')).map((o) => ({ ...o, topic: 'payments' })),
    ];
    billing = ends.map((o) => ({
      topic: 'topic' in o ? (o.topic as string) : 'orders',
      partition: o.partition,
      offset: o.high,
    }));
    await sourcePlane.setCommittedOffsets('billing', billing);
    await sourcePlane.produce(
      'orders',
      [0, 1, 2].map((partition) => ({ ...record('orders', sequence.orders++), partition })),
    );
    await produce('payments', 1);
    await until(
      'zero lag',
      async () =>
        (await measurePartitionLag(sourcePlane, targetPlane, plan.topics, () => new Date())).partitions.every(
          (p) => p.lag === 0,
        )
          ? true
          : undefined,
      30_000,
    );
    await until(
      'MM2 to translate the billing offsets',
      async () => {
        const translated = new Map(
          (await targetPlane.fetchCommittedOffsets('billing', plan.topics)).map((c) => [
            `${c.topic}-${c.partition}`,
            c.offset,
          ]),
        );
        return billing.every((c) => translated.get(`${c.topic}-${c.partition}`) === c.offset) ? true : undefined;
      },
      30_000,
      500,
    );
    // Act
    const summary = await validateTarget(validation(), {
      source: sourcePlane,
      target: targetPlane,
      artifacts,
      now: () => new Date(),
    });
    // Assess
    expect(summary.checked).toMatchObject({ topics: 2, partitions: 4, groups: 1, groupPartitions: 4 });
    expect(summary.checked.sampledRecords).toBeGreaterThan(0);
  });

  it('stops MirrorMaker 2 and deletes the canary topic, leaving nothing else behind on the source', async () => {
    const result = await teardownReplication(
      { identity, handle, canaryTopic },
      { replicator: mm2, source: sourcePlane, target: targetPlane },
    );
    expect(result).toEqual({ replicator: 'DELETED', alarmsDeleted: 0, canaryTopicDeleted: true });
    expect(mm2Processes.every((p) => !p.running())).toBe(true);
    expect((await sourcePlane.listTopics()).filter((t) => !t.startsWith('__'))).toEqual(['orders', 'payments']);
  });

  it('fails with Migration.ValidationFailed naming the partition when a record range is deleted on the target', async () => {
    await targetPlane.deleteRecordsBefore('payments', 0, '10');
    const differences = await differencesOf();
    expect(differences).toContainEqual(
      expect.objectContaining({
        check: 'RECORDS',
        subject: 'payments-0',
        detail: '10 record(s) at the head of the source (offsets 0–9) are missing on the target.',
      }),
    );
  });

  it('fails with Migration.ValidationFailed naming the group when its offset is shifted on the target', async () => {
    const committed = billing.find((c) => c.topic === 'orders' && c.partition === 1)?.offset as string;
    const shifted = String(Number(committed) - 5);
    await targetPlane.setCommittedOffsets('billing', [{ topic: 'orders', partition: 1, offset: shifted }]);
    const differences = await differencesOf();
    expect(differences).toContainEqual({
      check: 'GROUP_OFFSET',
      subject: 'billing@orders-1',
      detail:
        "The translated offset is 5 record(s) behind the source's: consumers would re-read them (more than the 0 allowed).",
      source: committed,
      target: shifted,
    });
  });
});
