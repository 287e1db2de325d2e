import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parsePointerValue, type PointerTarget } from './tally';

/**
 * How the workload's clients find their cluster: the JSON file the local cutover switch writes
 * (`{value, revision, updatedAt}`, lambdas/adapters/local/file-cutover-switch.ts). `value` is the bootstrap servers,
 * or `fenced:<reason>` while writes are held. Clients poll it, as an application would poll an SSM parameter.
 */

const PointerFileSchema = z.object({
  value: z.string(),
  revision: z.union([z.string(), z.number()]).optional(),
  updatedAt: z.string().optional(),
});

export interface PointerReading {
  readonly value: string;
  readonly target: PointerTarget;
  readonly revision: string | undefined;
  /** When the switch wrote it (epoch ms), when the file says. */
  readonly updatedAt: number | undefined;
}

/** The pointer, or `undefined` while the file is missing or half written (the next poll reads it again). */
export function readPointerFile(file: string): PointerReading | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = PointerFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const updatedAt = parsed.data.updatedAt === undefined ? NaN : Date.parse(parsed.data.updatedAt);
    return {
      value: parsed.data.value,
      target: parsePointerValue(parsed.data.value),
      revision: parsed.data.revision === undefined ? undefined : String(parsed.data.revision),
      updatedAt: Number.isNaN(updatedAt) ? undefined : updatedAt,
    };
  } catch {
    return undefined;
  }
}

/** A change of the pointer as one client noticed it. */
export interface PointerNotice {
  readonly reading: PointerReading;
  readonly noticedAt: number;
  /** noticedAt − updatedAt: how long the change took to reach this client; `undefined` without an updatedAt. */
  readonly propagationMs: number | undefined;
}

/** Polls the pointer file and calls back on every change of its value, one call at a time. */
export class PointerWatcher {
  private timer: NodeJS.Timeout | undefined;
  private last: PointerReading | undefined;
  private busy = false;

  constructor(
    readonly file: string,
    private readonly intervalMs = 100,
  ) {}

  /** Reads the pointer now; throws when there is none to start from. */
  initial(): PointerReading {
    const reading = readPointerFile(this.file);
    if (!reading)
      throw new Error(
        `No pointer in ${this.file}: write {"value": "127.0.0.1:<port>"} there before starting the workload.`,
      );
    this.last = reading;
    return reading;
  }

  start(onChange: (notice: PointerNotice) => Promise<void> | void): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      const reading = readPointerFile(this.file);
      if (!reading || reading.value === this.last?.value) return;
      this.last = reading;
      const noticedAt = Date.now();
      const propagationMs = reading.updatedAt === undefined ? undefined : Math.max(0, noticedAt - reading.updatedAt);
      this.busy = true;
      void Promise.resolve()
        .then(() => onChange({ reading, noticedAt, propagationMs }))
        .catch(() => undefined)
        .finally(() => {
          this.busy = false;
        });
    }, this.intervalMs);
  }

  current(): PointerReading | undefined {
    return this.last;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
