/**
 * Typed access to the parts of kafkajs 2.2.4 (pinned) that its public API does not expose but the data plane needs:
 * - a Fetch request to one partition's leader, to read records WITHOUT joining a consumer group (the public consumer
 *   always joins one, which on an ACL'd MSK cluster needs a group permission the migration should not ask for);
 * - an OffsetCommit with generation -1 and no member (Kafka's "simple" commit, as the Java AdminClient's
 *   alterConsumerGroupOffsets does), instead of kafkajs's admin.setOffsets, which joins the group with a consumer
 *   and commits one topic per call.
 * Everything else goes through the public API. A kafkajs upgrade must re-run test/integration/kafka-*.test.ts.
 */
import type { KafkaConfig } from 'kafkajs';

export interface FetchedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | string | undefined>;
  readonly isControlRecord?: boolean;
}

interface FetchResponse {
  readonly responses: ReadonlyArray<{
    readonly topicName: string;
    readonly partitions: ReadonlyArray<{
      readonly partition: number;
      readonly errorCode: number;
      readonly highWatermark: string;
      readonly lastStableOffset?: string;
      readonly abortedTransactions?: ReadonlyArray<{ producerId: string; firstOffset: string }>;
      readonly messages: FetchedRecord[];
    }>;
  }>;
}

export interface InternalBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<FetchResponse>;
  /** ListOffsets to this broker (timestamp -1 latest, -2 earliest): the inventory batches every partition it leads. */
  listOffsets(request: {
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; timestamp: string }> }>;
  }): Promise<{ responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }>;
  /** Metadata of these topics as this broker knows it (kafkajs throws on a topic's or a partition's error). */
  metadata(topics: string[]): Promise<{
    topicMetadata: Array<{ topic: string; partitionMetadata: Array<{ partitionId: number; leader: number }> }>;
  }>;
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    retentionTime?: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }): Promise<unknown>;
}

export interface InternalCluster {
  /** The topics whose metadata the cluster refreshes. */
  targetTopics: Set<string>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  /** Partitions of a topic in the loaded metadata (empty when unknown). */
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findBroker(args: { nodeId: string }): Promise<InternalBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<InternalBroker>;
}

type ClusterConstructor = new (options: Record<string, unknown>) => InternalCluster;

/* eslint-disable @typescript-eslint/no-require-imports */
const Cluster = require('kafkajs/src/cluster') as ClusterConstructor;
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (options: { level: number; logCreator: NonNullable<KafkaConfig['logCreator']> }) => unknown;
  LEVELS: Record<'NOTHING' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG', number>;
};
const defaultSocketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (args: {
  messages: FetchedRecord[];
  abortedTransactions: ReadonlyArray<{ producerId: string; firstOffset: string }>;
}) => FetchedRecord[];
/* eslint-enable @typescript-eslint/no-require-imports */

export const READ_COMMITTED = 1;

/** A kafkajs Cluster built from the same settings as the public client (brokers, TLS, SASL, timeouts, logger). */
export function createInternalCluster(config: KafkaConfig): InternalCluster {
  return new Cluster({
    logger: createLogger({
      level: config.logLevel ?? LEVELS.ERROR,
      logCreator: config.logCreator ?? (() => () => undefined),
    }),
    socketFactory: config.socketFactory ?? defaultSocketFactory(),
    brokers: config.brokers,
    ssl: config.ssl,
    sasl: config.sasl,
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeout,
    authenticationTimeout: config.authenticationTimeout,
    requestTimeout: config.requestTimeout,
    enforceRequestTimeout: config.enforceRequestTimeout ?? true,
    retry: config.retry,
    metadataMaxAge: 60_000,
    allowAutoTopicCreation: false,
    isolationLevel: READ_COMMITTED,
  });
}

/** Records of a fetched partition without those of aborted transactions and without control records. */
export function committedRecords(partition: FetchResponse['responses'][number]['partitions'][number]): FetchedRecord[] {
  return filterAbortedMessages({
    messages: partition.messages,
    abortedTransactions: partition.abortedTransactions ?? [],
  }).filter((m) => !m.isControlRecord);
}
