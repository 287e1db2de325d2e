import type { CompressionCodec, SampledBatch } from '../../ports/client-behaviour';

/**
 * Reads the record batches of a Fetch response's `records` bytes far enough to describe them: each batch's codec,
 * stored size, producer ID, transactional and control flags (the batch header, Kafka's DefaultRecordBatch), and each
 * record's size (the length prefix of each record, after decompression). It does not read keys, values or headers.
 *
 * A codec this runtime cannot decompress (zstd needs Node 22.15+) still yields the batch with its codec and size;
 * only its record sizes are missing (`recordBytes` empty, `undecoded` true). A partial batch at the end of the
 * bytes (the fetch's size bound) is left out, as Kafka's consumers do.
 */

const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** Offsets of the v2 batch header fields (bytes from the batch's start). */
const AT = { length: 8, magic: 16, attributes: 21, producerId: 43, recordCount: 57, records: 61 } as const;
/** The base offset and the length field precede what `length` counts. */
const LOG_OVERHEAD = 12;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

export type Decompress = (codec: CompressionCodec, data: Buffer) => Buffer;

/** A zigzag varint at `at`: its value and the bytes it took. */
function readVarint(buffer: Buffer, at: number): { value: number; size: number } {
  let raw = 0;
  let shift = 0;
  let size = 0;
  for (;;) {
    if (at + size >= buffer.length || size >= 5) throw new Error('truncated varint');
    const byte = buffer[at + size] as number;
    raw |= (byte & 0x7f) << shift;
    size++;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return { value: (raw >>> 1) ^ -(raw & 1), size };
}

/** The length of each of `count` records laid out from `at`. */
function recordLengths(buffer: Buffer, at: number, count: number): number[] {
  const lengths: number[] = [];
  let position = at;
  for (let i = 0; i < count && position < buffer.length; i++) {
    const { value, size } = readVarint(buffer, position);
    lengths.push(value);
    position += size + value;
  }
  return lengths;
}

export function parseRecordBatches(bytes: Buffer, decompress: Decompress): SampledBatch[] {
  const out: SampledBatch[] = [];
  let position = 0;
  while (bytes.length - position >= LOG_OVERHEAD + 5) {
    const length = bytes.readInt32BE(position + AT.length);
    const total = LOG_OVERHEAD + length;
    if (length <= 0 || bytes.length - position < total) break;
    const batch = bytes.subarray(position, position + total);
    const baseOffset = batch.readBigInt64BE(0).toString();
    const magic = batch.readInt8(AT.magic);
    if (magic < 2) {
      // The legacy message format (Kafka < 0.11): a one-byte attribute after the magic, no producer IDs.
      out.push({
        baseOffset,
        compression: CODECS[batch.readInt8(AT.magic + 1) & 0x07] ?? 'none',
        batchBytes: total,
        recordBytes: [],
        producerId: '-1',
        transactional: false,
        control: false,
        undecoded: true,
      });
    } else {
      const attributes = batch.readInt16BE(AT.attributes);
      const compression = CODECS[attributes & 0x07] ?? 'none';
      const count = batch.readInt32BE(AT.recordCount);
      let recordBytes: number[] = [];
      let undecoded = false;
      try {
        const records =
          compression === 'none' ? batch.subarray(AT.records) : decompress(compression, batch.subarray(AT.records));
        recordBytes = recordLengths(records, 0, count);
      } catch {
        undecoded = true;
      }
      out.push({
        baseOffset,
        compression,
        batchBytes: total,
        recordBytes,
        producerId: batch.readBigInt64BE(AT.producerId).toString(),
        transactional: (attributes & TRANSACTIONAL) !== 0,
        control: (attributes & CONTROL) !== 0,
        undecoded,
      });
    }
    position += total;
  }
  return out;
}
