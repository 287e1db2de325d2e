import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/**
 * The AWS API emulator of the test/aws-api tier: moto in server mode (one Flask process answering every AWS service
 * on one loopback port), started per test file in `beforeAll` and stopped by PID in `afterAll`.
 *
 * It never installs anything: a missing or stale venv fails with the command that builds it.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const VENV = path.join(REPO_ROOT, '.venv/aws-emulator');
const PYTHON = path.join(VENV, 'bin/python');
const REQUIREMENTS = path.join(REPO_ROOT, 'test/aws-api/requirements.txt');
const STAMP = path.join(VENV, '.installed-from');

/** Seconds allowed for moto to answer after it is spawned (it imports its service models lazily: ~1 s here). */
const START_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 5_000;
/** Lines of the server's output kept for error messages. */
const LOG_LINES_KEPT = 40;
const START_ATTEMPTS = 3;

export const EMULATOR_REGION = 'us-east-1';
/** moto's default account: ARNs it returns carry it. */
export const EMULATOR_ACCOUNT = '123456789012';

export class EmulatorUnavailableError extends Error {
  override readonly name = 'EmulatorUnavailableError';
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** The last lines the server printed (request log and errors), newest last. */
  logTail(): string;
  /** Forgets every resource in every service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** moto's own configuration (`POST /moto-api/config`), e.g. `{ stepfunctions: { execute_state_machine: true } }`. */
  configure(config: Record<string, unknown>): Promise<void>;
  /** Everything moto's models hold (`GET /moto-api/data.json`): how a test reads state no AWS API returns. */
  modelData(): Promise<Record<string, Record<string, Array<Record<string, unknown>>>>>;
  /** Stops the process by its PID: SIGTERM, then SIGKILL past a deadline. Safe to call twice. */
  stop(): Promise<void>;
}

function venvProblem(): string | undefined {
  const fix = 'Run `.ci/install-aws-emulator` (it builds .venv/aws-emulator from test/aws-api/requirements.txt).';
  if (!existsSync(PYTHON)) return `The AWS emulator's Python venv is missing (${PYTHON}). ${fix}`;
  if (!existsSync(STAMP)) return `The AWS emulator's venv at ${VENV} was not built by .ci/install-aws-emulator. ${fix}`;
  const wantedHash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  const builtFrom = readFileSync(STAMP, 'utf8').trim().split(' ')[0];
  if (builtFrom !== wantedHash)
    return `The AWS emulator's venv was built from another version of test/aws-api/requirements.txt. ${fix}`;
  return undefined;
}

/** A port free on 127.0.0.1 right now (the OS picks it); the caller binds it at once and retries if it lost the race. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('The OS gave no port'))));
    });
  });
}

class LogTail {
  private readonly lines: string[] = [];
  private partial = '';
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > LOG_LINES_KEPT) this.lines.shift();
    }
  }
  text(): string {
    return [...this.lines, this.partial].filter((l) => l.length > 0).join('\n');
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface StartMotoOptions {
  /** The AWS services the test file needs (`['DynamoDB']`): named in every error, so a failure says what was at stake. */
  readonly services?: readonly string[];
  /** More `moto.server` arguments (the harness's own test passes a bad one to see the failure it reports). */
  readonly extraArgs?: readonly string[];
}

function label(options: StartMotoOptions): string {
  return options.services && options.services.length > 0
    ? `moto server, for ${options.services.join(', ')}`
    : 'moto server, all services';
}

async function startOnce(
  port: number,
  options: StartMotoOptions,
): Promise<MotoServer | { lostPort: true; log: string }> {
  const endpoint = `http://127.0.0.1:${port}`;
  const log = new LogTail();
  const child = spawn(
    PYTHON,
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port), ...(options.extraArgs ?? [])],
    {
      cwd: REPO_ROOT,
      // A minimal environment: no AWS credentials of the machine ever reach the emulator.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (c: Buffer) => log.push(c));
  child.stderr?.on('data', (c: Buffer) => log.push(c));
  const pid = child.pid;
  if (pid === undefined) throw new EmulatorUnavailableError(`Could not spawn ${PYTHON} -m moto.server.`);
  // If the test process dies without afterAll (a crash), the emulator must not outlive it.
  const killOnExit = (): void => {
    if (!exited(child)) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (exited(child)) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, STOP_DEADLINE_MS))) {
      child.kill('SIGKILL');
      await waitForExit(child, STOP_DEADLINE_MS);
    }
  };

  const deadline = Date.now() + START_DEADLINE_MS;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (exited(child)) {
      const text = log.text();
      if (/Address already in use/i.test(text)) return { lostPort: true, log: text };
      throw new EmulatorUnavailableError(
        `The AWS emulator (${label(options)}) exited with ${child.exitCode ?? child.signalCode} before answering on ${endpoint}. Last lines:\n${text}`,
      );
    }
    if (await answers(endpoint)) {
      const post = async (route: string, body?: unknown): Promise<void> => {
        const res = await fetch(`${endpoint}${route}`, {
          method: 'POST',
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        });
        const text = await res.text();
        if (!res.ok)
          throw new EmulatorUnavailableError(
            `POST ${route} on the AWS emulator answered ${res.status}: ${text.slice(0, 500)}`,
          );
      };
      return {
        endpoint,
        port,
        pid,
        logTail: () => log.text(),
        reset: () => post('/moto-api/reset'),
        configure: (config) => post('/moto-api/config', config),
        modelData: async () => {
          const res = await fetch(`${endpoint}/moto-api/data.json`);
          if (!res.ok) throw new EmulatorUnavailableError(`GET /moto-api/data.json answered ${res.status}`);
          return (await res.json()) as Record<string, Record<string, Array<Record<string, unknown>>>>;
        },
        stop,
      };
    }
    await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
  }
  await stop();
  throw new EmulatorUnavailableError(
    `The AWS emulator (${label(options)}) did not answer on ${endpoint} within ${START_DEADLINE_MS / 1000} s. Last lines:\n${log.text()}`,
  );
}

/**
 * Starts moto on a free loopback port and waits until it answers. Throws (never skips) with the port and the last
 * lines of its output when it cannot start.
 */
export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const problem = venvProblem();
  if (problem) throw new EmulatorUnavailableError(`${problem} (needed by the tests of ${label(options)})`);
  let lastLog = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const started = await startOnce(await freeLoopbackPort(), options);
    if (!('lostPort' in started)) return started;
    lastLog = started.log;
  }
  throw new EmulatorUnavailableError(
    `The AWS emulator (${label(options)}) lost the race for a free port ${START_ATTEMPTS} times. Last lines:\n${lastLog}`,
  );
}
