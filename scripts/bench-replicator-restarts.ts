import '../rehearsal/node20-polyfills';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { mm2DedicatedProperties, type Mm2LocalTuning } from '../lambdas/core/replication/mm2-config';
import { checkPartitionContinuity } from '../lambdas/core/validation/record-continuity';
import type { ReplicatorSpec } from '../lambdas/ports/replicator';
import { freePorts, harnessRunDir, startKafkaClusters, type KafkaCluster } from '../rehearsal/kafka/cluster';
import { launchMirrorMaker, pollUntil, type MirrorMaker } from '../rehearsal/kafka/mirror-maker';
import { LATEST_KAFKA_VERSION, kafkaVersion } from '../rehearsal/kafka/versions';

/**
 * `npm run bench:restarts`: MirrorMaker 2 (dedicated mode) is SIGKILLed BENCH_KILLS times while it copies a backlog
 * and a live stream, and restarted each time (as MSK Connect restarts a failed worker); once it caught up, the
 * duplicates on the target are counted by content, per partition, with the continuity check ValidateTarget runs
 * (replayed ranges), together with missing records. Once at-least-once (Connect's default), once with exactly-once
 * source support (KIP-618; docs/replication-restarts.md). Figures are printed, never asserted.
 *
 * BENCH_KILLS (3), BENCH_BACKLOG (records before MM2 starts, 30,000), BENCH_RATE (records/s while it runs, 300),
 * BENCH_FLUSH_MS (offset.flush.interval.ms, 10,000), BENCH_MODES (`alo,eos`), KAFKA_VERSION (newest).
 * Runs brokers and MM2: run it under `flock /tmp/kafka.lock`.
 */

const KILLS = Number(process.env['BENCH_KILLS'] ?? 3);
const BACKLOG = Number(process.env['BENCH_BACKLOG'] ?? 30_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 300);
const FLUSH_MS = Number(process.env['BENCH_FLUSH_MS'] ?? 10_000);
const MODES = (process.env['BENCH_MODES'] ?? 'alo,eos').split(',') as Array<'alo' | 'eos'>;
const TOPIC = 'bench.orders';
const PARTITIONS = 3;

const say = (line: string): void => void process.stderr.write(`[bench:restarts] ${line}\n`);

interface Figures {
  mode: string;
  kills: number;
  produced: number;
  duplicates: number;
  perPartition: string[];
  missing: number;
  differences: number;
  targetEndOffsets: number;
  catchUpMs: number;
  /** Counted by reading every record of both sides. */
  truth: string[];
}

async function run(mode: 'alo' | 'eos', version: string): Promise<Figures> {
  const runDir = path.join(harnessRunDir(), `bench-restarts-${mode}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const stops: Array<() => Promise<void> | void> = [];
  try {
    const [source, target] = (await startKafkaClusters([
      { name: 'source', version, runDir },
      { name: 'target', version, runDir },
    ])) as [KafkaCluster, KafkaCluster];
    stops.push(
      () => source.stop(),
      () => target.stop(),
    );
    const quiet = { logLevel: 'NOTHING' as const };
    const src = new KafkajsDataPlane({ ...source.connection('bench-source'), requestTimeoutMs: 10_000 }, quiet);
    const dst = new KafkajsDataPlane({ ...target.connection('bench-target'), requestTimeoutMs: 10_000 }, quiet);
    stops.push(
      () => src.close(),
      () => dst.close(),
    );
    await src.createTopics([{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }]);

    let produced = 0;
    const produce = async (n: number): Promise<void> => {
      const batch = Array.from({ length: n }, () => {
        const i = produced++;
        return { key: `order-${i}`, value: `payload-${i}-${'x'.repeat(64)}`, partition: i % PARTITIONS };
      });
      await src.produce(TOPIC, batch);
    };
    for (let i = 0; i < BACKLOG; i += 1_000) await produce(Math.min(1_000, BACKLOG - i));
    say(`${mode}: backlog of ${produced} records on ${TOPIC} (${PARTITIONS} partitions)`);

    const spec: ReplicatorSpec = {
      name: `bench-${mode}`,
      source: { bootstrapServers: [source.bootstrap as string] },
      target: { bootstrapServers: [target.bootstrap as string] },
      topics: { include: ['bench\\..*'], exclude: [] },
      consumerGroups: { include: ['none'], exclude: [] },
      startingPosition: 'EARLIEST',
      copyTopicConfigurations: true,
      detectAndCopyNewTopics: true,
      syncGroupOffsets: false,
      offsetSyncMode: 'LEGACY',
      tags: {},
    } as unknown as ReplicatorSpec;
    const tuning: Mm2LocalTuning = {
      refreshIntervalSeconds: 2,
      syncIntervalSeconds: 2,
      offsetFlushIntervalMs: FLUSH_MS,
      ...(mode === 'eos' ? { exactlyOnce: { restPort: (await freePorts(1))[0] as number } } : {}),
    };
    const mm2: MirrorMaker = launchMirrorMaker(mm2DedicatedProperties(spec, tuning), {
      name: `bench-${mode}`,
      version,
      runDir,
    });
    stops.push(() => mm2.stop());

    let live = true;
    const stream = (async () => {
      for (let tick = 0; live && tick < 100_000; tick++) {
        await produce(Math.max(1, Math.round(RATE / 10)));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const copied = async (): Promise<number> =>
      (await dst.fetchTopicOffsets(TOPIC).catch(() => [])).reduce((n, o) => n + Number(o.high), 0);
    const started = Date.now();
    for (let k = 1; k <= KILLS; k++) {
      const goal = Math.round((k * BACKLOG) / (KILLS + 1));
      await pollUntil(`the target to hold ${goal} records`, async () => ((await copied()) >= goal ? true : undefined), {
        timeoutMs: 180_000,
        intervalMs: 100,
      });
      say(
        `${mode}: kill ${k}/${KILLS} of MirrorMaker 2 (PID ${mm2.pid()}) with ${await copied()} records on the target`,
      );
      await mm2.kill();
      await mm2.restart();
    }
    live = false;
    await stream;
    const sourceEnds = await src.fetchTopicOffsets(TOPIC);
    // Caught up: the last record of every partition is on the target (by content, read committed).
    await pollUntil(
      'the target to hold every source record',
      async () => {
        const targetEnds = await dst.fetchTopicOffsets(TOPIC);
        for (const s of sourceEnds) {
          const t = targetEnds.find((x) => x.partition === s.partition);
          if (!t || t.high === '0') return undefined;
          const [last] = await src.readPartition({
            topic: TOPIC,
            partition: s.partition,
            fromOffset: String(BigInt(s.high) - 1n),
            maxRecords: 1,
          });
          const tail = await dst.readPartition({
            topic: TOPIC,
            partition: s.partition,
            fromOffset: String(BigInt(t.high) - 20n > 0n ? BigInt(t.high) - 20n : 0n),
            maxRecords: 20,
          });
          if (!last || !tail.some((r) => r.value?.equals(last.value as Buffer))) return undefined;
        }
        return true;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    const catchUpMs = Date.now() - started;
    const targetEnds = await dst.fetchTopicOffsets(TOPIC);
    let duplicates = 0;
    let missing = 0;
    let differences = 0;
    const perPartition: string[] = [];
    const truth: string[] = [];
    for (const s of sourceEnds) {
      const t = targetEnds.find((x) => x.partition === s.partition);
      if (!t) continue;
      const c = await checkPartitionContinuity(src, dst, TOPIC, s, t, {
        sampleRecords: 10,
        searchWindow: 200,
        ignoredHeaders: [],
        startingPosition: 'EARLIEST',
        readTimeoutMs: 10_000,
        maxScanRecords: 2_000_000,
      });
      // Ground truth, independent of the alignment: every record of both sides read (read committed), by content.
      const all = async (plane: KafkajsDataPlane, ends: { low: string; high: string }): Promise<string[]> => {
        const out: string[] = [];
        let from = BigInt(ends.low);
        const high = BigInt(ends.high);
        for (let reads = 0; from < high && reads < 10_000; reads++) {
          const batch = await plane.readPartition({
            topic: TOPIC,
            partition: s.partition,
            fromOffset: from.toString(),
            untilOffset: high.toString(),
            maxRecords: 5_000,
            timeoutMs: 10_000,
          });
          if (batch.length === 0) break;
          for (const r of batch) out.push(String(r.value));
          from = BigInt((batch.at(-1) as { offset: string }).offset) + 1n;
        }
        return out;
      };
      const [sourceValues, targetValues] = await Promise.all([all(src, s), all(dst, t)]);
      const onTarget = new Set(targetValues);
      truth.push(
        `${TOPIC}-${s.partition}: source ${sourceValues.length}, target ${targetValues.length} visible (${onTarget.size} distinct), ` +
          `${sourceValues.filter((v) => !onTarget.has(v)).length} source records absent`,
      );
      for (const d of c.differences.slice(0, 3)) say(`${mode}: ${d.subject}: ${d.detail}`);
      duplicates += c.replay?.duplicateRecords ?? 0;
      missing += c.replay?.missingRecords ?? 0;
      differences += c.differences.length;
      perPartition.push(`${TOPIC}-${s.partition}: ${c.replay?.duplicateRecords ?? '?'}`);
    }
    return {
      mode,
      kills: KILLS,
      produced,
      duplicates,
      perPartition,
      missing,
      differences,
      targetEndOffsets: targetEnds.reduce((n, o) => n + Number(o.high), 0),
      catchUpMs,
      truth,
    };
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const version = kafkaVersion(process.env['KAFKA_VERSION'] ?? LATEST_KAFKA_VERSION);
  say(
    `Kafka ${version}; ${KILLS} kills; backlog ${BACKLOG}; ${RATE} records/s while copying; offset.flush.interval.ms ${FLUSH_MS}`,
  );
  for (const mode of MODES) {
    const f = await run(mode, version);
    process.stdout.write(
      `${f.mode === 'eos' ? 'exactly-once ' : 'at-least-once'}: ${f.kills} kills, ${f.produced} records produced, ` +
        `${f.duplicates} duplicates on the target (${f.perPartition.join(', ')}), ${f.missing} missing, ` +
        `${f.differences} continuity differences, target end offsets ${f.targetEndOffsets} (records + markers + aborted), ` +
        `caught up ${(f.catchUpMs / 1000).toFixed(1)} s after the start\n  read in full: ${f.truth.join('; ')}\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:restarts failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
