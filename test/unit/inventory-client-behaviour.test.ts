import { gunzipSync, gzipSync } from 'node:zlib';
import { parseRecordBatches, type Decompress } from '../../lambdas/adapters/kafka/record-batches';
import { AuthFailedError, UnreachableError } from '../../lambdas/core/errors';
import { readClientBehaviour } from '../../lambdas/core/inventory/client-behaviour';
import type { ClientBehaviourReads, SampledBatch } from '../../lambdas/ports/client-behaviour';
import type { PartitionProducers } from '../../lambdas/ports/producer-activity';
import { inventory, topic } from './inventory-fixtures';

// --- a v2 record batch, written by hand as Kafka lays it out ----------------------------------------------------

function varint(n: number): Buffer {
  let v = (n << 1) ^ (n >> 31);
  const out: number[] = [];
  while (v & ~0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function record(value: Buffer, offsetDelta: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([0]), // attributes
    varint(0), // timestamp delta
    varint(offsetDelta),
    varint(-1), // null key
    varint(value.length),
    value,
    varint(0), // no headers
  ]);
  return Buffer.concat([varint(body.length), body]);
}

function batch(
  values: readonly Buffer[],
  o: { baseOffset?: bigint; codecBits?: number; producerId?: bigint; transactional?: boolean; gzip?: boolean } = {},
): Buffer {
  const records = Buffer.concat(values.map((v, i) => record(v, i)));
  const payload = o.gzip ? gzipSync(records) : records;
  const attributes = (o.gzip ? 1 : (o.codecBits ?? 0)) | (o.transactional ? 0x10 : 0);
  const afterLength = Buffer.alloc(49);
  afterLength.writeInt32BE(0, 0); // partition leader epoch
  afterLength.writeInt8(2, 4); // magic
  afterLength.writeUInt32BE(0, 5); // crc (not checked here)
  afterLength.writeInt16BE(attributes, 9);
  afterLength.writeInt32BE(values.length - 1, 11);
  afterLength.writeBigInt64BE(0n, 15);
  afterLength.writeBigInt64BE(0n, 23);
  afterLength.writeBigInt64BE(o.producerId ?? -1n, 31);
  afterLength.writeInt16BE(0, 39);
  afterLength.writeInt32BE(0, 41);
  afterLength.writeInt32BE(values.length, 45);
  const head = Buffer.alloc(12);
  head.writeBigInt64BE(o.baseOffset ?? 0n, 0);
  head.writeInt32BE(afterLength.length + payload.length, 8);
  return Buffer.concat([head, afterLength, payload]);
}

const gzipOnly: Decompress = (codec, data) => {
  if (codec !== 'gzip') throw new Error(`no ${codec} codec`);
  return gunzipSync(data);
};

describe('record batches read from Fetch bytes', () => {
  it('reads each batch’s codec, stored size, producer ID, transactional flag and record sizes', () => {
    const plain = batch([Buffer.alloc(100), Buffer.alloc(2000)], { baseOffset: 10n });
    const gz = batch([Buffer.alloc(5000)], { baseOffset: 12n, gzip: true, producerId: 7n, transactional: true });
    const [a, b] = parseRecordBatches(Buffer.concat([plain, gz]), gzipOnly);
    expect(a).toMatchObject({ baseOffset: '10', compression: 'none', batchBytes: plain.length, producerId: '-1' });
    expect(a?.transactional).toBe(false);
    // A record's length counts attributes, deltas, key, value and headers: 100 bytes of value take 107.
    expect(a?.recordBytes).toEqual([107, 2007]);
    expect(b).toMatchObject({ compression: 'gzip', batchBytes: gz.length, producerId: '7', transactional: true });
    expect(b?.recordBytes).toEqual([5007]);
    // gzip of zeros is small: the stored batch is far below the record it holds.
    expect(b?.batchBytes).toBeLessThan(200);
  });

  it('reads the schema registry wire format and schema IDs from the record values', () => {
    const confluent = Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), Buffer.from('avro')]);
    const glue = Buffer.concat([
      Buffer.from([3, 0]),
      Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
      Buffer.from('x'),
    ]);
    const [parsed] = parseRecordBatches(
      batch([confluent, confluent, glue, Buffer.from('{"plain":1}')], { gzip: true }),
      gzipOnly,
    );
    expect(parsed?.wireFormats).toEqual({
      confluent: 2,
      glue: 1,
      other: 1,
      schemaIds: ['42', '00112233-4455-6677-8899-aabbccddeeff'],
    });
  });

  it('keeps a batch whose codec this runtime lacks, with its codec and size but no record sizes', () => {
    const zstd = batch([Buffer.alloc(50)], { codecBits: 4 });
    expect(parseRecordBatches(zstd, gzipOnly)).toEqual([
      expect.objectContaining({ compression: 'zstd', batchBytes: zstd.length, recordBytes: [], undecoded: true }),
    ]);
  });

  it('leaves out the partial batch the fetch bound cut at the end', () => {
    const whole = batch([Buffer.alloc(10)]);
    const cut = batch([Buffer.alloc(500)], { baseOffset: 1n }).subarray(0, 100);
    expect(parseRecordBatches(Buffer.concat([whole, cut]), gzipOnly).map((b) => b.baseOffset)).toEqual(['0']);
  });
});

// --- the core's reads over a fake -----------------------------------------------------------------------------

class FakeReads implements ClientBehaviourReads {
  readonly client = 'fake';
  readonly sampled: Array<{ topic: string; partition: number; fromOffset: string }> = [];
  listTransactionsError?: Error;
  sampleError?: Error;
  constructor(
    private readonly batches: Record<string, SampledBatch[]> = {},
    private readonly producers: PartitionProducers[] = [],
  ) {}
  describeProducers(): Promise<PartitionProducers[]> {
    return Promise.resolve(this.producers);
  }
  listTransactions() {
    if (this.listTransactionsError) return Promise.reject(this.listTransactionsError);
    return Promise.resolve([{ transactionalId: 'tx-1', producerId: '5', state: 'Ongoing' }]);
  }
  describeTransactions(ids: readonly string[]) {
    return Promise.resolve(
      ids.map((id) => ({
        transactionalId: id,
        state: 'Ongoing',
        timeoutMs: 60_000,
        producerId: '5',
        producerEpoch: 0,
        topics: [{ topic: 'orders', partitions: [0] }],
      })),
    );
  }
  sampleBatches(args: { topic: string; partition: number; fromOffset: string }) {
    this.sampled.push({ topic: args.topic, partition: args.partition, fromOffset: args.fromOffset });
    if (this.sampleError) return Promise.reject(this.sampleError);
    return Promise.resolve(this.batches[args.topic] ?? []);
  }
  listGroupTypes() {
    return Promise.resolve([{ groupId: 'g', groupType: 'consumer', protocolType: 'consumer' }]);
  }
  close() {
    return Promise.resolve();
  }
}

const b = (o: Partial<SampledBatch>): SampledBatch => ({
  baseOffset: '0',
  compression: 'none',
  batchBytes: 100,
  recordBytes: [30],
  producerId: '-1',
  transactional: false,
  control: false,
  ...o,
});

function partitions(n: number, records: (p: number) => number) {
  return Array.from({ length: n }, (_, p) => ({
    partition: p,
    leader: 1,
    replicas: [1],
    isr: [1],
    logStartOffset: '0',
    logEndOffset: String(records(p)),
  }));
}

describe('readClientBehaviour', () => {
  const inv = inventory({
    topics: [
      topic('orders', { partitionCount: 4, partitions: partitions(4, (p) => [10, 2000, 0, 700][p] ?? 0) }),
      topic('__consumer_offsets', { internal: true, partitions: partitions(1, () => 5) }),
    ],
  });

  it('samples the tail of the fullest partitions of each user topic, and sums codecs and sizes', async () => {
    const reads = new FakeReads({
      orders: [
        b({ compression: 'lz4', batchBytes: 900, recordBytes: [100, 4000], producerId: '9' }),
        b({ compression: 'none', control: true, batchBytes: 78, recordBytes: [] }),
      ],
    });
    const read = await readClientBehaviour(reads, inv.dataPlane, {
      samplePartitionsPerTopic: 2,
      sampleTailRecords: 500,
    });
    // Partitions 1 (2000 records) and 3 (700), 500 records before their ends; the empty one and Kafka's topics never.
    expect(reads.sampled).toEqual([
      { topic: 'orders', partition: 1, fromOffset: '1500' },
      { topic: 'orders', partition: 3, fromOffset: '200' },
    ]);
    expect(read.records).toMatchObject({
      status: 'COLLECTED',
      topics: [
        {
          topic: 'orders',
          partitionsSampled: 2,
          batches: 2, // control batches (transaction markers) are not records
          codecs: { lz4: 2 },
          maxBatchBytes: 900,
          maxRecordBytes: 4000,
          idempotentBatches: 2,
        },
      ],
    });
    expect(read.transactions).toMatchObject({
      status: 'COLLECTED',
      transactions: [{ transactionalId: 'tx-1', state: 'Ongoing', timeoutMs: 60_000, topics: ['orders'] }],
    });
    expect(read.groupTypes).toMatchObject({ status: 'COLLECTED', groups: [{ groupId: 'g', groupType: 'consumer' }] });
    expect(read.notVisible.join(' ')).toMatch(/auto\.offset\.reset.*KIP-511/s);
  });

  it('stops sampling at the partition bound and says so', async () => {
    const reads = new FakeReads();
    const read = await readClientBehaviour(reads, inv.dataPlane, { maxSampledPartitions: 1 });
    expect(reads.sampled).toHaveLength(1);
    expect(read.records.status === 'COLLECTED' && read.records.notes.join(' ')).toMatch(/stopped at 1 partitions/);
  });

  it('records a refused ListTransactions as not collected, with what to grant, and reads the rest', async () => {
    const reads = new FakeReads();
    reads.listTransactionsError = new AuthFailedError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED', {
      kind: 'authorization',
    });
    const read = await readClientBehaviour(reads, inv.dataPlane);
    expect(read.transactions).toEqual({
      status: 'NOT_COLLECTED',
      reason: expect.stringMatching(/kafka-cluster:DescribeTransactionalId/),
    });
    expect(read.producers.status).toBe('COLLECTED');
  });

  it('names the topic a sample was refused on, and fails the inventory when the cluster is unreachable', async () => {
    const refused = new FakeReads();
    refused.sampleError = new AuthFailedError('TOPIC_AUTHORIZATION_FAILED', { kind: 'authorization' });
    const read = await readClientBehaviour(refused, inv.dataPlane);
    expect(read.records.status === 'COLLECTED' && read.records.notes.join(' ')).toMatch(
      /orders.*kafka-cluster:ReadData/,
    );
    const down = new FakeReads();
    down.sampleError = new UnreachableError('ECONNREFUSED');
    await expect(readClientBehaviour(down, inv.dataPlane)).rejects.toBeInstanceOf(UnreachableError);
  });
});
