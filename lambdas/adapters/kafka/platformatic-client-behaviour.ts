import {
  Admin,
  compressionsAlgorithmsByBitmask,
  fetchV12,
  fetchV13,
  fetchV14,
  fetchV15,
  fetchV16,
  fetchV17,
  kGetApi,
  kGetConnection,
  listTransactionsV0,
  listTransactionsV1,
  Reader,
  type Broker,
  type Connection,
} from '@platformatic/kafka';
import type {
  ClientBehaviourReads,
  CompressionCodec,
  GroupTypeListing,
  SampledBatch,
  TransactionDescription,
  TransactionListing,
} from '../../ports/client-behaviour';
import type { KafkaConnection } from '../../ports/kafka';
import type { PartitionProducers } from '../../ports/producer-activity';
import { callWithDeadline } from './kafka-errors';
import { platformaticOptions, type PlatformaticDataPlaneOptions } from './platformatic-data-plane';
import { PlatformaticProducerActivity } from './platformatic-producer-activity';
import { parseRecordBatches, type Decompress } from './record-batches';

/** Fetch versions whose request @platformatic/kafka writes; the response is read here (parseFetchRecords). */
const FETCH_REQUESTS: Readonly<Record<number, { createRequest: (...args: never[]) => unknown }>> = {
  12: fetchV12,
  13: fetchV13,
  14: fetchV14,
  15: fetchV15,
  16: fetchV16,
  17: fetchV17,
};
const CODEC_BITS: Readonly<Record<CompressionCodec, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** @platformatic/kafka's codecs (gzip, snappy, lz4 in WebAssembly; zstd from node:zlib where Node has it). */
const decompress: Decompress = (codec, data) => {
  const algorithm = (
    compressionsAlgorithmsByBitmask as Record<number, { decompressSync(d: Buffer): Buffer } | undefined>
  )[CODEC_BITS[codec]];
  if (!algorithm) throw new Error(`no ${codec} codec`);
  return Buffer.from(algorithm.decompressSync(data));
};

interface FetchedPartition {
  readonly errorCode: number;
  readonly records: Buffer | null;
}

/**
 * A Fetch response (v12-v17, flexible versions) up to each partition's records, which stay bytes: the client's own
 * parser decodes every record and fails a whole response on a codec this runtime lacks.
 */
export function parseFetchRecords(
  _correlationId: number,
  _apiKey: number,
  apiVersion: number,
  reader: Reader,
): FetchedPartition[] {
  reader.readInt32(); // throttle_time_ms
  const errorCode = reader.readInt16();
  if (errorCode !== 0) throw new Error(`Fetch: broker error code ${errorCode}`);
  reader.readInt32(); // session_id
  const out: FetchedPartition[] = [];
  reader.readArray((r) => {
    if (apiVersion >= 13) r.readUUID();
    else r.readString();
    r.readArray((p) => {
      p.readInt32(); // partition_index
      const partitionError = p.readInt16();
      p.readInt64(); // high_watermark
      p.readInt64(); // last_stable_offset
      p.readInt64(); // log_start_offset
      p.readArray((a) => {
        a.readInt64();
        a.readInt64();
      });
      p.readInt32(); // preferred_read_replica
      const size = p.readUnsignedVarInt() - 1;
      const records = size > 0 ? Buffer.from(p.buffer.slice(p.position, p.position + size)) : null;
      if (size > 0) p.skip(size);
      out.push({ errorCode: partitionError, records });
    });
  });
  return out;
}
const FIND_COORDINATOR_TRANSACTION = 1;

type RawApi = ((connection: Connection, ...args: unknown[]) => void) & {
  async: (connection: Connection, ...args: unknown[]) => Promise<unknown>;
  version: number;
};
type Internals = {
  [kGetApi]: (name: string, cb: (err: Error | null, api?: RawApi) => void) => void;
  [kGetConnection]: (broker: Broker, cb: (err: Error | null, connection?: Connection) => void) => void;
};

/**
 * The client-behaviour reads on @platformatic/kafka. kafkajs has no DescribeProducers, ListTransactions or
 * DescribeTransactions, gives no batch attributes and decodes only gzip without extra codecs; @platformatic/kafka
 * implements these requests (apis/admin, apis/consumer) and all five codecs, without exposing all of them on its
 * Admin: they are sent on the Admin's own connections (already authenticated with the connection's SASL/TLS settings),
 * to the broker each request belongs to (the partition leader, the transaction coordinator, every broker).
 */
export class PlatformaticClientBehaviour implements ClientBehaviourReads {
  readonly client = '@platformatic/kafka';
  private readonly admin: Admin;
  private readonly producers: PlatformaticProducerActivity;
  private readonly deadlineMs: number;

  constructor(
    private readonly connection: KafkaConnection,
    options: PlatformaticDataPlaneOptions = {},
  ) {
    this.admin = new Admin({ ...platformaticOptions(connection, options), clientId: 'msk-migration-inventory' });
    this.producers = new PlatformaticProducerActivity(connection, options);
    this.deadlineMs = (connection.requestTimeoutMs ?? 10_000) * 3;
  }

  describeProducers(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<PartitionProducers[]> {
    return this.producers.describeProducers(partitions);
  }

  listTransactions(): Promise<TransactionListing[]> {
    return this.bounded('ListTransactions', async () => {
      const metadata = await this.admin.metadata({ topics: [] });
      // At most v1: Kafka 4.3 answers @platformatic/kafka's v2 request (KIP-1152's id pattern) with no transaction at
      // all, whatever the pattern (null, '', '.*'); v0 and v1 list them (test/integration/inventory-client-behaviour).
      const highest = await this.api('ListTransactions');
      const api = (highest.version >= 1 ? listTransactionsV1.api : listTransactionsV0.api) as unknown as RawApi;
      const out: TransactionListing[] = [];
      // Each broker answers for the transactional ids it coordinates.
      for (const broker of metadata.brokers.values()) {
        const response = (await api.async(await this.connectionTo(broker), [], [], -1n, null)) as {
          transactionStates: Array<{ transactionalId: string; producerId: bigint; transactionState: string }>;
        };
        for (const t of response.transactionStates)
          out.push({
            transactionalId: t.transactionalId,
            producerId: t.producerId.toString(),
            state: t.transactionState,
          });
      }
      return out.sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
    });
  }

  describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
    return this.bounded('DescribeTransactions', async () => {
      if (transactionalIds.length === 0) return [];
      const coordinators = await this.admin.findCoordinator({
        keyType: FIND_COORDINATOR_TRANSACTION as 1,
        keys: [...transactionalIds],
      });
      const byBroker = new Map<string, { broker: Broker; ids: string[] }>();
      for (const c of coordinators) {
        const key = `${c.host}:${c.port}`;
        const entry = byBroker.get(key) ?? { broker: { host: c.host, port: c.port }, ids: [] };
        entry.ids.push(c.key);
        byBroker.set(key, entry);
      }
      const api = await this.api('DescribeTransactions');
      const out: TransactionDescription[] = [];
      for (const { broker, ids } of byBroker.values()) {
        const response = (await api.async(await this.connectionTo(broker), ids)) as {
          transactionStates: Array<{
            errorCode: number;
            transactionalId: string;
            transactionState: string;
            transactionTimeoutMs: number;
            producerId: bigint;
            producerEpoch: number;
            topics: Array<{ topic: string; partitions: number[] }>;
          }>;
        };
        for (const t of response.transactionStates)
          out.push({
            transactionalId: t.transactionalId,
            state: t.transactionState,
            timeoutMs: t.transactionTimeoutMs,
            producerId: t.producerId.toString(),
            producerEpoch: t.producerEpoch,
            topics: t.topics.map((p) => ({ topic: p.topic, partitions: [...p.partitions].sort((a, b) => a - b) })),
            ...(t.errorCode !== 0 ? { error: `error code ${t.errorCode}` } : {}),
          });
      }
      return out.sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
    });
  }

  sampleBatches(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    maxBytes: number;
  }): Promise<SampledBatch[]> {
    return this.bounded('Fetch', async () => {
      const metadata = await this.admin.metadata({ topics: [args.topic] });
      const topic = metadata.topics.get(args.topic);
      const leader = topic?.partitions[args.partition]?.leader;
      const broker = leader === undefined ? undefined : metadata.brokers.get(leader);
      if (!topic || !broker) throw new Error(`Fetch: no leader for ${args.topic}-${args.partition} in the metadata.`);
      const version = (await this.api('Fetch')).version;
      const request = FETCH_REQUESTS[version];
      if (!request) throw new Error(`Fetch v${version} is not one this adapter reads (v12-v17).`);
      // v13+ names topics by id (KIP-516), v12 by name.
      const topicRef = version >= 13 ? topic.id : args.topic;
      const connection = await this.connectionTo(broker);
      const partitions = await new Promise<FetchedPartition[]>((resolve, reject) =>
        connection.send(
          1,
          version,
          () =>
            (request.createRequest as (...a: unknown[]) => ReturnType<typeof fetchV17.createRequest>)(
              0, // maxWaitMs: answer with what is there
              1,
              args.maxBytes,
              0, // read_uncommitted: transactional batches are part of the picture
              0,
              -1, // no fetch session
              [
                {
                  topicId: topicRef,
                  partitions: [
                    {
                      partition: args.partition,
                      currentLeaderEpoch: -1,
                      fetchOffset: BigInt(args.fromOffset),
                      lastFetchedEpoch: -1,
                      partitionMaxBytes: args.maxBytes,
                    },
                  ],
                },
              ],
              [],
              '',
            ),
          parseFetchRecords,
          true,
          true,
          (err, result) => (err || !result ? reject(err ?? new Error('Fetch: no response')) : resolve(result)),
        ),
      );
      const partition = partitions[0];
      if (!partition) return [];
      if (partition.errorCode !== 0)
        throw new Error(`Fetch ${args.topic}-${args.partition}: broker error code ${partition.errorCode}`);
      return partition.records ? parseRecordBatches(partition.records, decompress) : [];
    });
  }

  listGroupTypes(): Promise<GroupTypeListing[]> {
    return this.bounded('ListGroups', async () => {
      const groups = await this.admin.listGroups({ states: [], types: [] });
      return [...groups.values()]
        .map((g) => ({
          groupId: g.id,
          // ListGroups before v5 (Kafka < 3.8) carries no type.
          groupType: g.groupType ? g.groupType.toLowerCase() : null,
          protocolType: g.protocolType,
        }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId));
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.close(), this.producers.close()]);
  }

  private bounded<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return callWithDeadline(this.connection, operation, fn, this.deadlineMs);
  }

  private api(name: string): Promise<RawApi> {
    const internals = this.admin as unknown as Internals;
    return new Promise((resolve, reject) =>
      internals[kGetApi](name, (err, api) =>
        err || !api ? reject(err ?? new Error(`The brokers do not support ${name}.`)) : resolve(api),
      ),
    );
  }

  private connectionTo(broker: Broker): Promise<Connection> {
    const internals = this.admin as unknown as Internals;
    return new Promise((resolve, reject) =>
      internals[kGetConnection](broker, (err, c) =>
        err || !c ? reject(err ?? new Error('no connection')) : resolve(c),
      ),
    );
  }
}
