import { Socket } from 'node:net';
import { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import { mapBounded } from '../lambdas/core/inventory/bounded-map';
import { startKafkaCluster, stopAllKafkaClusters } from '../rehearsal/kafka/cluster';
import { LATEST_KAFKA_VERSION } from '../rehearsal/kafka/versions';

/**
 * `npm run bench:reads`: what one look over many partitions costs through the kafkajs data plane, the way the drain
 * and the offset translation look (the last record of every partition, 8 at a time). One KRaft broker on loopback;
 * a simulated network round trip delays every request the client writes by BENCH_RTT_MS (in order, per socket), as a
 * Lambda in the cluster's VPC sees it. Each look first reads the topic's end offsets (fetchTopicOffsets), then the
 * records. Counts the Fetch, ListOffsets and Metadata requests each sends. Prints figures, asserts nothing.
 *
 * BENCH_PARTITIONS (64), BENCH_RTT_MS (`0,2`: one run each), BENCH_LOOKS (3: the first with no metadata loaded),
 * BENCH_CONCURRENCY (8, as the drain's look; the data plane itself runs at most 16 reads at once).
 * Runs a broker: run it under `flock /tmp/kafka.lock`.
 */

const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 64);
const RTTS = (process.env['BENCH_RTT_MS'] ?? '0,2').split(',').map(Number);
const LOOKS = Number(process.env['BENCH_LOOKS'] ?? 3);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const TOPIC = 'bench.reads';
/** Kafka API keys as the request header starts (after the 4-byte size): Fetch 1, ListOffsets 2, Metadata 3. */
const FETCH = 1;
const LIST_OFFSETS = 2;
const METADATA = 3;

const requests = { fetch: 0, listOffsets: 0, metadata: 0 };
let rttMs = 0;

/** Delays each write of the client's sockets by the simulated round trip, keeping their order; counts requests. */
function simulateNetwork(): void {
  const write = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean;
  Socket.prototype.write = function delayed(this: Socket, ...args: unknown[]): boolean {
    const chunk = args[0];
    if (Buffer.isBuffer(chunk) && chunk.length >= 6) {
      const apiKey = chunk.readInt16BE(4);
      if (apiKey === FETCH) requests.fetch++;
      if (apiKey === LIST_OFFSETS) requests.listOffsets++;
      if (apiKey === METADATA) requests.metadata++;
    }
    if (rttMs <= 0) return write.apply(this, args);
    setTimeout(() => {
      if (!this.destroyed) write.apply(this, args);
    }, rttMs);
    return true;
  } as typeof Socket.prototype.write;
}

async function main(): Promise<void> {
  simulateNetwork();
  const cluster = await startKafkaCluster({ name: 'bench-reads', version: LATEST_KAFKA_VERSION });
  try {
    const writer = new KafkajsDataPlane(cluster.connection('writer'), { log: () => undefined });
    await writer.createTopics([{ topic: TOPIC, numPartitions: PARTITIONS }]);
    await writer.produce(
      TOPIC,
      Array.from({ length: PARTITIONS * 10 }, (_, i) => ({ value: `r-${i}`, partition: i % PARTITIONS })),
    );
    const ends = await writer.fetchTopicOffsets(TOPIC);
    await writer.close();
    console.log(
      `${PARTITIONS} partitions, last record of each, ${CONCURRENCY} at a time (Kafka ${LATEST_KAFKA_VERSION})`,
    );
    for (const rtt of RTTS) {
      rttMs = rtt;
      const reader = new KafkajsDataPlane(cluster.connection('reader'), { log: () => undefined });
      await reader.listTopics();
      for (let look = 1; look <= LOOKS; look++) {
        const atEnds = { ...requests };
        const endsStarted = performance.now();
        await reader.fetchTopicOffsets(TOPIC);
        console.log(
          `rtt ${rtt} ms, look ${look}, end offsets: ${(performance.now() - endsStarted).toFixed(0)} ms, ` +
            `${requests.listOffsets - atEnds.listOffsets} ListOffsets and ${requests.metadata - atEnds.metadata} Metadata requests`,
        );
        const before = { ...requests };
        const started = performance.now();
        const read = await mapBounded(ends, CONCURRENCY, (e) =>
          reader.readPartition({
            topic: TOPIC,
            partition: e.partition,
            fromOffset: (BigInt(e.high) - 1n).toString(),
            untilOffset: e.high,
            maxRecords: 1,
            timeoutMs: 5_000,
          }),
        );
        const ms = performance.now() - started;
        const records = read.reduce((n, r) => n + r.length, 0);
        console.log(
          `rtt ${rtt} ms, look ${look}, last records: ${ms.toFixed(0)} ms, ${records} records, ` +
            `${requests.fetch - before.fetch} Fetch and ${requests.metadata - before.metadata} Metadata requests`,
        );
      }
      await reader.close();
    }
  } finally {
    await stopAllKafkaClusters();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
