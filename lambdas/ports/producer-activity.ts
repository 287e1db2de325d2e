/**
 * Who is still writing: the Admin API's DescribeProducers (KIP-664, Kafka 2.8+), per partition the producers with state
 * on it — producer ID, epoch, last sequence and the timestamp of its last batch. CheckDrain asks after a fence, so
 * that a writer that keeps writing is named, not only noticed. Only producers with a producer ID appear (idempotent or
 * transactional ones: the default of Kafka clients since 3.0); a non-idempotent producer leaves no state and is
 * named by the partitions its records moved. Adapter: adapters/kafka/platformatic-producer-activity.ts.
 */

export interface ActiveProducer {
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly lastSequence: number;
  /** Epoch milliseconds of the producer's last batch (its records' timestamps, usually the client's clock). */
  readonly lastTimestamp: number;
}

export interface PartitionProducers {
  readonly topic: string;
  readonly partition: number;
  readonly producers: readonly ActiveProducer[];
  /** The broker's error for this partition, when it could not answer (e.g. NOT_LEADER_OR_FOLLOWER). */
  readonly error?: string;
}

export interface ProducerActivity {
  describeProducers(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<PartitionProducers[]>;
  close(): Promise<void>;
}
