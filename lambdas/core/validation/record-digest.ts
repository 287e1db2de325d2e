import { createHash } from 'node:crypto';
import type { KafkaRecordIn } from '../../ports/kafka';

/** A record as the continuity check compares it: its offset and the digest of its content. */
export interface DigestedRecord {
  readonly offset: bigint;
  readonly digest: string;
}

/**
 * A record's identity by content: SHA-256 over key, value and headers (sorted by name, without the headers a
 * replicator adds). Offsets differ across clusters, contents must not.
 */

/** MSK Replicator stamps `__mskmr` on every record it copies (loop prevention with IDENTICAL names). */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = ['__mskmr'];

export function recordDigest(
  record: Pick<KafkaRecordIn, 'key' | 'value' | 'headers'>,
  ignoredHeaders: readonly string[] = DEFAULT_IGNORED_HEADERS,
): string {
  const hash = createHash('sha256');
  const part = (label: string, bytes: Buffer | string | null | undefined): void => {
    if (bytes === null || bytes === undefined) {
      hash.update(`${label}:null;`);
      return;
    }
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    hash.update(`${label}:${buf.length}:`);
    hash.update(buf);
    hash.update(';');
  };
  part('k', record.key);
  part('v', record.value);
  for (const name of Object.keys(record.headers)
    .filter((h) => !ignoredHeaders.includes(h))
    .sort()) {
    part(`h:${name}`, record.headers[name]);
  }
  return hash.digest('hex');
}
