import type { PartitionProducers } from './producer-activity';

/**
 * How the source's clients behave, as far as the brokers can tell: the producers with state on each partition
 * (DescribeProducers, KIP-664), the transactions the coordinators know (ListTransactions / DescribeTransactions,
 * KIP-664), the record batches at the tail of each partition (their codec, size, producer ID and transactional flag,
 * from a Fetch) and each consumer group's type (ListGroups v5, KIP-848: `classic` or `consumer`).
 *
 * kafkajs has none of these Admin APIs and decodes only gzip batches without extra codecs; the adapter is
 * @platformatic/kafka (adapters/kafka/platformatic-client-behaviour.ts), which implements the requests.
 *
 * Errors as the data-plane port's inventory reads: connection-level failures are Migration.Unreachable / AuthFailed /
 * Transient; an ACL refusing one request is AuthFailed with `details.kind = 'authorization'`; a broker that does not
 * know a request (an old Kafka) throws an error whose message says so. The inventory records those parts as not
 * collected.
 */

export const COMPRESSION_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionCodec = (typeof COMPRESSION_CODECS)[number];

export interface TransactionListing {
  readonly transactionalId: string;
  readonly producerId: string;
  /** Ongoing, PrepareCommit, CompleteCommit, Empty, … as the coordinator says. */
  readonly state: string;
}

export interface TransactionDescription {
  readonly transactionalId: string;
  readonly state: string;
  readonly timeoutMs: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  /** The partitions of the ongoing transaction (empty when none is open). */
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly partitions: readonly number[] }>;
  /** The coordinator's error for this id, when it could not describe it. */
  readonly error?: string;
}

/** One record batch as stored on the broker. */
export interface SampledBatch {
  readonly baseOffset: string;
  readonly compression: CompressionCodec;
  /** The batch as the broker stores it (compressed): what max.message.bytes limits. */
  readonly batchBytes: number;
  /** Each record's size uncompressed (its encoded length in the batch); empty when `undecoded`. */
  readonly recordBytes: readonly number[];
  /** True when this runtime could not decompress the records (zstd needs Node 22.15+): their sizes are unknown. */
  readonly undecoded?: boolean;
  /**
   * How the record values start: Confluent's schema registry wire format (magic byte 0, schema ID), the AWS Glue
   * Schema Registry serde's (header 3, schema version UUID), or neither; with the schema IDs seen.
   */
  readonly wireFormats?: {
    readonly confluent: number;
    readonly glue: number;
    readonly other: number;
    readonly schemaIds: readonly string[];
  };
  /** -1 for a producer without a producer ID (not idempotent, not transactional). */
  readonly producerId: string;
  readonly transactional: boolean;
  /** A transaction marker (commit / abort), not user records. */
  readonly control: boolean;
}

export interface GroupTypeListing {
  readonly groupId: string;
  /** `classic`, `consumer` (KIP-848), `share`, `streams`; null when the broker predates ListGroups v5. */
  readonly groupType: string | null;
  readonly protocolType: string;
}

export interface ClientBehaviourReads {
  /** The client library that sends these requests (the inventory says which client read what). */
  readonly client: string;
  describeProducers(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<PartitionProducers[]>;
  /** Every transactional id every broker coordinates (the principal sees those it may DESCRIBE). */
  listTransactions(): Promise<TransactionListing[]>;
  /** Each id asked of its transaction coordinator. */
  describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]>;
  /** The record batches of one partition from `fromOffset`, up to about `maxBytes`, from its leader. */
  sampleBatches(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    maxBytes: number;
  }): Promise<SampledBatch[]>;
  listGroupTypes(): Promise<GroupTypeListing[]>;
  close(): Promise<void>;
}

/** Reads that all fail with `reason` (a plain Error, so the inventory records each part as not collected). */
export function unavailableClientBehaviour(reason: string): ClientBehaviourReads {
  const refuse = (): Promise<never> => Promise.reject(new Error(reason));
  return {
    client: 'none',
    describeProducers: refuse,
    listTransactions: refuse,
    describeTransactions: refuse,
    sampleBatches: refuse,
    listGroupTypes: refuse,
    close: () => Promise.resolve(),
  };
}
