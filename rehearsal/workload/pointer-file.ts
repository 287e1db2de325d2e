import { readPointerFile as readPointerDocument } from '../../lambdas/adapters/local/file-cutover-switch';
import { parsePointerValue, type PointerTarget } from './tally';

/**
 * How the workload's clients find their cluster: the JSON file the local cutover switch writes
 * (`{value, revision, updatedAt}`, lambdas/adapters/local/file-cutover-switch.ts). `value` is the bootstrap servers,
 * or `fenced:<reason>` while writes are held. Clients poll it, as an application would poll an SSM parameter.
 */

export interface PointerReading {
  readonly value: string;
  readonly target: PointerTarget;
  readonly revision: string | undefined;
  /** When the switch wrote it (epoch ms), when the file says. */
  readonly updatedAt: number | undefined;
}

/** The pointer, or `undefined` while the file is missing or unreadable (the next poll reads it again). */
export function readPointerFile(file: string): PointerReading | undefined {
  let document: ReturnType<typeof readPointerDocument>;
  try {
    document = readPointerDocument(file);
  } catch {
    return undefined;
  }
  if (!document) return undefined;
  const updatedAt = Date.parse(document.updatedAt);
  return {
    value: document.value,
    target: parsePointerValue(document.value),
    revision: String(document.revision),
    updatedAt: Number.isNaN(updatedAt) ? undefined : updatedAt,
  };
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
