import { Admin, describeProducersV0, kGetConnection, type Connection } from '@platformatic/kafka';
import type { KafkaConnection } from '../../ports/kafka';
import type { PartitionProducers, ProducerActivity } from '../../ports/producer-activity';
import { callWithDeadline } from './kafka-errors';
import { platformaticOptions, type PlatformaticDataPlaneOptions } from './platformatic-data-plane';

/**
 * DescribeProducers on @platformatic/kafka, the project's second Kafka client: kafkajs has no DescribeProducers, and
 * @platformatic/kafka implements the request (apis/admin/describe-producers-v0) without exposing it on its Admin.
 * The request must go to each partition's leader: the Admin's metadata gives the leaders, its own connection pool
 * (already authenticated with the connection's SASL/TLS settings) gives a connection per leader.
 */
export class PlatformaticProducerActivity implements ProducerActivity {
  private readonly admin: Admin;
  private readonly deadlineMs: number;

  constructor(
    private readonly connection: KafkaConnection,
    options: PlatformaticDataPlaneOptions = {},
  ) {
    this.admin = new Admin({ ...platformaticOptions(connection, options), clientId: 'msk-migration-drain' });
    this.deadlineMs = (connection.requestTimeoutMs ?? 10_000) * 3;
  }

  describeProducers(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<PartitionProducers[]> {
    return callWithDeadline(this.connection, 'DescribeProducers', () => this.describe(partitions), this.deadlineMs);
  }

  private async describe(
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
  ): Promise<PartitionProducers[]> {
    if (partitions.length === 0) return [];
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const metadata = await this.admin.metadata({ topics, forceUpdate: true });
    // Group the partitions by leader: one request per broker.
    const byLeader = new Map<number, Map<string, number[]>>();
    const out: PartitionProducers[] = [];
    for (const p of partitions) {
      const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader;
      if (leader === undefined || leader < 0) {
        out.push({ topic: p.topic, partition: p.partition, producers: [], error: 'no leader in the metadata' });
        continue;
      }
      const perTopic = byLeader.get(leader) ?? new Map<string, number[]>();
      perTopic.set(p.topic, [...(perTopic.get(p.topic) ?? []), p.partition]);
      byLeader.set(leader, perTopic);
    }
    for (const [leader, perTopic] of byLeader) {
      const broker = metadata.brokers.get(leader);
      if (!broker) throw new Error(`DescribeProducers: broker ${leader} is not in the metadata.`);
      const connection = await new Promise<Connection>((resolve, reject) =>
        (this.admin as unknown as Record<symbol, (b: unknown, cb: (e: Error | null, c?: Connection) => void) => void>)[
          kGetConnection
        ]?.(broker, (err, c) => (err || !c ? reject(err ?? new Error('no connection')) : resolve(c))),
      );
      const response = await describeProducersV0.api.async(
        connection,
        [...perTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      );
      for (const t of response.topics)
        for (const p of t.partitions)
          out.push({
            topic: t.name,
            partition: p.partitionIndex,
            producers: p.activeProducers.map((a) => ({
              producerId: a.producerId.toString(),
              producerEpoch: a.producerEpoch,
              lastSequence: a.lastSequence,
              lastTimestamp: Number(a.lastTimestamp),
            })),
            ...(p.errorCode !== 0 ? { error: p.errorMessage ?? `error code ${p.errorCode}` } : {}),
          });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
