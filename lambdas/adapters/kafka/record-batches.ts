import type { CompressionCodec, SampledBatch } from '../../ports/client-behaviour';

/**
 * Reads the record batches of a Fetch response's `records` bytes far enough to describe them: each batch's codec,
 * stored size, producer ID, transactional and control flags (the batch header, Kafka's DefaultRecordBatch), each
 * record's size (its length prefix, after decompression) and the first bytes of each value (a schema registry's wire
 * format and schema ID). It keeps no key, value or header.
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

/** Skips a varlong (up to 10 bytes) at `at`: the bytes it took. */
function varlongSize(buffer: Buffer, at: number): number {
  let size = 0;
  while (at + size < buffer.length && size < 10 && ((buffer[at + size] as number) & 0x80) !== 0) size++;
  return size + 1;
}

/**
 * The schema registry wire format a record value starts with: Confluent's (magic byte 0, a 4-byte schema ID) or the
 * AWS Glue Schema Registry serde's (header version 3, a compression byte, a 16-byte schema version UUID).
 */
function wireFormatOf(value: Buffer): { format: 'confluent' | 'glue' | 'other'; id?: string } {
  if (value.length >= 5 && value[0] === 0) return { format: 'confluent', id: String(value.readUInt32BE(1)) };
  if (value.length >= 18 && value[0] === 3 && (value[1] === 0 || value[1] === 5)) {
    const hex = value.subarray(2, 18).toString('hex');
    return {
      format: 'glue',
      id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    };
  }
  return { format: 'other' };
}

/** The length of each of `count` records laid out from `at`, and the wire format of each non-null value. */
function readRecords(
  buffer: Buffer,
  at: number,
  count: number,
): { lengths: number[]; wireFormats: NonNullable<SampledBatch['wireFormats']> } {
  const lengths: number[] = [];
  const wireFormats = { confluent: 0, glue: 0, other: 0, schemaIds: [] as string[] };
  let position = at;
  for (let i = 0; i < count && position < buffer.length; i++) {
    const { value: length, size } = readVarint(buffer, position);
    lengths.push(length);
    const body = position + size;
    try {
      let p = body + 1; // attributes
      p += varlongSize(buffer, p); // timestamp delta
      p += readVarint(buffer, p).size; // offset delta
      const key = readVarint(buffer, p);
      p += key.size + Math.max(0, key.value);
      const valueLength = readVarint(buffer, p);
      p += valueLength.size;
      if (valueLength.value >= 0 && p + valueLength.value <= body + length) {
        const wire = wireFormatOf(buffer.subarray(p, p + Math.min(valueLength.value, 18)));
        wireFormats[wire.format]++;
        if (wire.id !== undefined && !wireFormats.schemaIds.includes(wire.id)) wireFormats.schemaIds.push(wire.id);
      }
    } catch {
      // A record cut short: its length is known, its value not.
    }
    position = body + length;
  }
  return { lengths, wireFormats };
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
      let wireFormats: SampledBatch['wireFormats'];
      let undecoded = false;
      try {
        const records =
          compression === 'none' ? batch.subarray(AT.records) : decompress(compression, batch.subarray(AT.records));
        const read = readRecords(records, 0, count);
        recordBytes = read.lengths;
        wireFormats = read.wireFormats;
      } catch {
        undecoded = true;
      }
      out.push({
        baseOffset,
        compression,
        batchBytes: total,
        recordBytes,
        ...(wireFormats ? { wireFormats } : {}),
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
