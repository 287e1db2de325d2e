import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A JVM started by the harness (a broker, MirrorMaker 2), writing its console log straight to a file, stopped by PID:
 * SIGTERM, then SIGKILL after a deadline. Every live process is kept in one registry so that the Node process's exit,
 * Ctrl-C or a `kill` of the test runner still stops them; each JVM also carries its owner's PID on its command line,
 * so the next harness start can reap JVMs left behind by a runner that was SIGKILLed (which runs no handler).
 */

/** The system property that marks a JVM as started by this harness, with the PID of the Node process that owns it. */
export const OWNER_PROPERTY = 'kafka.harness.owner';

export interface JavaProcessSpec {
  /** For messages: `source (Kafka 4.3.1)`. */
  readonly description: string;
  readonly jarsDir: string;
  readonly mainClass: string;
  readonly args: readonly string[];
  /** Heap and GC flags; the harness keeps them small. */
  readonly jvmOptions: readonly string[];
  /** The console log (stdout and stderr), appended to. */
  readonly logFile: string;
  readonly cwd: string;
}

const live = new Set<JavaProcess>();

export class JavaProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(readonly spec: JavaProcessSpec) {
    installExitHandlers();
    const log = openSync(spec.logFile, 'a');
    try {
      this.child = spawn(
        'java',
        [
          ...spec.jvmOptions,
          `-D${OWNER_PROPERTY}=${process.pid}`,
          '-cp',
          `${spec.jarsDir}/*`,
          spec.mainClass,
          ...spec.args,
        ],
        {
          cwd: spec.cwd,
          stdio: ['ignore', log, log],
        },
      );
    } finally {
      closeSync(log);
    }
    if (this.child.pid === undefined)
      throw new Error(`${spec.description}: java did not start (is a JDK 17 on the PATH?)`);
    this.pid = this.child.pid;
    this.exitPromise = new Promise<void>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve();
      });
      this.child.once('error', () => {
        this.exitInfo ??= { code: null, signal: null };
        live.delete(this);
        resolve();
      });
    });
    live.add(this);
  }

  exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** `exit code 1` / `signal SIGKILL`, or undefined while it runs. */
  exitDescription(): string | undefined {
    if (!this.exitInfo) return undefined;
    return this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `exit code ${this.exitInfo.code}`;
  }

  /** Resolves true once exited, false when `timeoutMs` passed first. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited()) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.exitPromise.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal by PID, nothing more (SIGKILL is the "replicator crash"). */
  signal(signal: NodeJS.Signals): void {
    if (this.exited()) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone between the check and the kill.
    }
  }

  /** SIGTERM, then SIGKILL when it is still there after `graceMs`. Resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited()) return;
    this.signal('SIGTERM');
    if (await this.waitForExit(graceMs)) return;
    this.signal('SIGKILL');
    if (!(await this.waitForExit(10_000)))
      throw new Error(`${this.spec.description}: PID ${this.pid} survived SIGKILL for 10 s`);
  }

  /** The last `lines` lines of its console log. */
  logTail(lines = 30): string {
    return readLogTail(this.spec.logFile, lines);
  }
}

/** The last lines of a file, read from its end (a broker's log can be large). */
export function readLogTail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log file)';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .join('\n');
  } finally {
    closeSync(fd);
  }
}

/** Every JVM this Node process started and that still runs. */
export function liveJavaProcesses(): readonly JavaProcess[] {
  return [...live];
}

/** Stops every live JVM of this Node process (SIGTERM, then SIGKILL), in parallel. */
export async function stopAllJavaProcesses(graceMs = 10_000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

function killAllNow(signal: NodeJS.Signals): void {
  for (const p of live) p.signal(signal);
}

let handlersInstalled = false;
/** On exit, SIGKILL what is left (no time for more); on a signal, the same, then the signal's default behaviour. */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => killAllNow('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow('SIGKILL');
      process.removeListener(signal, onSignal);
      // Let the runner's own handler (or the default, which terminates) see the signal too.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGKILLs JVMs that this harness started for a Node process that no longer exists (a runner killed with SIGKILL
 * leaves them behind). Only processes carrying the harness's owner property are touched. Linux only (/proc);
 * elsewhere it does nothing. Returns the PIDs it killed.
 */
export function reapOrphanedJavaProcesses(): number[] {
  if (!existsSync('/proc')) return [];
  const killed: number[] = [];
  const marker = `-D${OWNER_PROPERTY}=`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(path.join('/proc', entry, 'cmdline'), 'utf8');
    } catch {
      continue;
    }
    const arg = cmdline.split('\0').find((a) => a.startsWith(marker));
    if (!arg) continue;
    const owner = Number(arg.slice(marker.length));
    if (!Number.isInteger(owner) || owner === process.pid || isAlive(owner)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return killed;
}
