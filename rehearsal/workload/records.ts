import { z } from 'zod';

/**
 * The records the rehearsal workload writes: every value names its key and a sequence number that starts at 1 per
 * key, so that a consumer (or the verifier) can tell which acknowledged record it never saw, which it saw twice and
 * which came after a later one. Only this module knows the wire format.
 */

export const WorkloadRecordSchema = z.object({
  key: z.string().min(1),
  /** Per key, from 1, no gaps on the producer side. */
  seq: z.number().int().positive(),
  producerId: z.string(),
  /** ISO 8601, when the producer built the record. */
  sentAt: z.string(),
});
export type WorkloadRecord = z.infer<typeof WorkloadRecordSchema>;

/** One record by identity: which topic, which key, which sequence number. */
export interface RecordRef {
  readonly topic: string;
  readonly key: string;
  readonly seq: number;
}

export function encodeRecord(record: WorkloadRecord): string {
  return JSON.stringify(record);
}

/** The record a value holds, or `undefined` for a value the workload did not write (a canary, a stray test record). */
export function decodeRecord(value: Buffer | string | null | undefined): WorkloadRecord | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    const parsed = WorkloadRecordSchema.safeParse(JSON.parse(value.toString()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** `key#seq`: the identity of a record inside one topic. */
export function recordId(key: string, seq: number): string {
  return `${key}#${seq}`;
}
