/**
 * `npm run bench:gate`: gate detection latency on the local path — from the moment the target's lag actually drops
 * to the threshold (measured by a fast independent poller) to the moment the catch-up gate passes (evaluations at a
 * fixed poll interval, N consecutive healthy ones, canary on). Each trial stops MirrorMaker 2, produces a backlog,
 * starts the gate loop and restarts MM2. Real KRaft brokers and MirrorMaker 2; prints figures,
 * asserts nothing. Options: --trials 3 --poll-ms 1000 --burst 30000 --threshold 100 --json FILE
 */
import { writeFileSync } from 'node:fs';
import { LocalMirrorMaker2 } from '../lambdas/adapters/local/mm2-replicator';
import { ensureCanaryTopic } from '../lambdas/core/gates/canary';
import type { CatchUpProgress } from '../lambdas/core/gates/catch-up';
import { evaluateCatchUp } from '../lambdas/core/gates/evaluate-catch-up';
import { measurePartitionLag } from '../lambdas/core/gates/partition-lag';
import { canaryTopicName } from '../lambdas/core/replication/naming';
import { planReplication, startReplication } from '../lambdas/core/replication/replication';
import { MemoryArtifacts } from '../test/unit/validation-fake-kafka';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { startKafkaClusters } from '../rehearsal/kafka/cluster';
import { mirrorMakerProcessLauncher } from '../rehearsal/kafka/mirror-maker';
import { LATEST_KAFKA_VERSION as KAFKA_VERSION } from '../rehearsal/kafka/versions';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const trials = arg('trials', 3);
const pollMs = arg('poll-ms', 1000);
const burst = arg('burst', 30_000);
const threshold = arg('threshold', 100);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Trial {
  consecutive: number;
  trial: number;
  burstRecords: number;
  catchUpMs: number;
  detectionLatencyMs: number;
  evaluations: number;
  meanEvaluationMs: number;
  canaryRoundTripMs: number[];
}

async function main(): Promise<void> {
  const [source, target] = await startKafkaClusters([{ name: 'source' }, { name: 'target' }] as const);
  const src = new KafkajsDataPlane(source.connection('source'), { log: () => undefined });
  const tgt = new KafkajsDataPlane(target.connection('target'), { log: () => undefined });
  const launcher = mirrorMakerProcessLauncher();
  const mm2 = new LocalMirrorMaker2(launcher.launch, { refreshIntervalSeconds: 2, syncIntervalSeconds: 5 });
  const results: Trial[] = [];
  try {
    const identity = { migrationId: 'bench', executionName: `bench-${Date.now()}` };
    const canary = canaryTopicName(identity);
    await src.createTopics([{ topic: 'bench', numPartitions: 6 }]);
    await ensureCanaryTopic(src, canary);
    const plan = planReplication({
      identity,
      engine: 'MIRROR_MAKER_2',
      source: { bootstrapServers: [source.bootstrap as string] },
      target: { bootstrapServers: [target.bootstrap as string] },
      topics: { include: ['bench'], exclude: [] },
      consumerGroups: { include: [], exclude: [] },
      sourceTopics: await src.listTopics(),
      canaryTopic: canary,
    });
    let handle = (await startReplication(plan.spec, identity, mm2)).handle;
    // Warm up: MM2 has created the topics and copies.
    await src.produce('bench', [{ value: 'warm-up' }]);
    for (let i = 0; i < 240; i++) {
      const lag = await measurePartitionLag(src, tgt, plan.topics, () => new Date());
      if (lag.partitions.every((p) => p.targetEnd !== null && p.lag === 0) && (await tgt.listTopics()).includes(canary))
        break;
      await sleep(250);
    }

    for (const consecutive of [1, 3]) {
      for (let trial = 1; trial <= trials; trial++) {
        // A backlog the gate must see: replication stopped while the burst is produced, restarted once the gate and
        // the truth poller are running (MM2 resumes from its committed offsets on the target).
        await mm2.delete(handle);
        const payload = 'x'.repeat(100);
        const burstStart = Date.now();
        for (let sent = 0; sent < burst; sent += 1000) {
          await src.produce(
            'bench',
            Array.from({ length: Math.min(1000, burst - sent) }, (_, i) => ({ key: `k${sent + i}`, value: payload })),
          );
        }
        const burstEnd = Date.now();
        // Truth: when the lag actually reached the threshold.
        let reachedAt: number | undefined;
        let passedAt: number | undefined;
        const truth = (async () => {
          for (let i = 0; i < 6000 && reachedAt === undefined; i++) {
            const lag = await measurePartitionLag(src, tgt, plan.topics, () => new Date());
            if (lag.partitions.reduce((s, p) => s + p.lag, 0) <= threshold) reachedAt = Date.now();
            else await sleep(20);
          }
        })();
        const restart = (async () => {
          await sleep(pollMs / 2);
          handle = (await startReplication(plan.spec, identity, mm2)).handle;
        })();
        let previous: CatchUpProgress | undefined;
        let evaluations = 0;
        let evaluationMs = 0;
        const rtts: number[] = [];
        for (let i = 0; i < 600 && passedAt === undefined; i++) {
          const started = Date.now();
          const result = await evaluateCatchUp(
            {
              identity: { ...identity, executionName: `${identity.executionName}-${consecutive}-${trial}` },
              engine: 'MIRROR_MAKER_2',
              startingPosition: 'EARLIEST',
              alarmNames: [],
              topics: plan.topics,
              canary: { topic: canary, timeoutMs: 5_000 },
              thresholds: { maxLagRecords: threshold },
              policy: { consecutiveHealthyChecks: consecutive, catchUpTimeoutMinutes: 10 },
              ...(previous ? { previous } : {}),
            },
            { artifacts: new MemoryArtifacts(), source: src, target: tgt, now: () => new Date() },
          );
          evaluations++;
          evaluationMs += Date.now() - started;
          if (result.verdict.figures.canaryRoundTripMs !== undefined)
            rtts.push(result.verdict.figures.canaryRoundTripMs);
          previous = result.progress;
          if (result.outcome === 'PASSED') passedAt = Date.now();
          else await sleep(Math.max(0, pollMs - (Date.now() - started)));
        }
        await truth;
        await restart;
        if (reachedAt === undefined || passedAt === undefined) throw new Error('a trial did not converge');
        const row: Trial = {
          consecutive,
          trial,
          burstRecords: burst,
          catchUpMs: reachedAt - burstStart,
          detectionLatencyMs: passedAt - reachedAt,
          evaluations,
          meanEvaluationMs: Math.round(evaluationMs / evaluations),
          canaryRoundTripMs: rtts,
        };
        results.push(row);
        console.log(
          `N=${consecutive} trial ${trial}: burst ${burst} records in ${burstEnd - burstStart} ms with replication stopped, lag ≤ ${threshold} ${row.catchUpMs} ms after the burst began, gate passed ${row.detectionLatencyMs} ms later (${evaluations} evaluations, ${row.meanEvaluationMs} ms each, canary RTT ${rtts.join('/')} ms)`,
        );
      }
    }
  } finally {
    await mm2.stopAll();
    for (const p of launcher.started) await p.stop();
    await src.close();
    await tgt.close();
    await Promise.all([source.stop(), target.stop()]);
  }

  const summary = [1, 3].map((n) => {
    const rows = results
      .filter((r) => r.consecutive === n)
      .map((r) => r.detectionLatencyMs)
      .sort((a, b) => a - b);
    return {
      consecutiveHealthyChecks: n,
      pollIntervalMs: pollMs,
      minMs: rows[0],
      medianMs: rows[Math.floor(rows.length / 2)],
      maxMs: rows[rows.length - 1],
    };
  });
  console.log(
    `\nGate detection latency (Kafka ${KAFKA_VERSION}, MirrorMaker 2, poll every ${pollMs} ms, threshold ${threshold} records):`,
  );
  for (const s of summary)
    console.log(`  N=${s.consecutiveHealthyChecks}: min ${s.minMs} ms, median ${s.medianMs} ms, max ${s.maxMs} ms`);
  console.log(
    `  expected ≈ (N−1)·poll + U(0, poll) + one evaluation; in AWS the poll is gates.pollIntervalSeconds (a Wait state).`,
  );
  if (jsonOut)
    writeFileSync(
      jsonOut,
      JSON.stringify({ kafkaVersion: KAFKA_VERSION, pollMs, threshold, burst, trials: results, summary }, null, 2),
    );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
