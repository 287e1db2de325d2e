import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaAuth, KafkaConnection } from '../../lambdas/ports/kafka';
import { JavaProcess, reapOrphanedJavaProcesses, stopAllJavaProcesses } from './java-process';
import {
  brokerProperties,
  DEFAULT_ADMIN,
  formatProperties,
  formatScramArguments,
  loggingConfig,
  type ScramUser,
} from './properties';
import { jarsDir, LATEST_KAFKA_VERSION, majorVersion, REPO_ROOT } from './versions';

/**
 * Single-node Kafka clusters in KRaft mode (one JVM, broker and controller combined) on free 127.0.0.1 ports:
 * `StorageTool format`, then `kafka.Kafka server.properties`, ready once the admin API answers. Each cluster lives in
 * `.work/kafka/<run>/<name>/` (config, console log, data); `stop()` removes its data and keeps its log.
 */

const run = promisify(execFile);

/** JVM flags of every harness process: small heap, serial GC, C1 only (faster start-up, enough for tests). */
export function jvmOptions(maxHeap = '512m'): string[] {
  return [
    `-Xmx${maxHeap}`,
    '-Xms128m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
  ];
}

/**
 * A KRaft cluster ID: 16 random bytes in URL-safe base64 (22 characters), as `StorageTool random-uuid` makes. Like
 * Kafka's own Uuid.randomUuid it never starts with "-": StorageTool's argument parser would read such an ID as an
 * option ("argument --cluster-id/-t: expected one argument"), which failed 1 cluster start in 64.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const id = random(16).toString('base64url').slice(0, 22);
    if (!id.startsWith('-')) return id;
  }
  throw new Error('newClusterId: the random source gave 100 IDs starting with "-"; it is not random.');
}

export interface KafkaClusterOptions {
  /** Names the cluster in logs and folders: `source`, `target`. */
  readonly name: string;
  /** @default the newest version of versions.json */
  readonly version?: string;
  /** A PLAINTEXT listener. @default true */
  readonly plaintext?: boolean;
  /** A SASL_PLAINTEXT listener with SCRAM-SHA-512/256; the users are created at format time, the admin among them. */
  readonly scram?: { readonly users?: readonly ScramUser[]; readonly admin?: ScramUser };
  /**
   * TLS listeners with this server certificate (PEM; rehearsal/kafka/test-pki.ts makes one): `TLS` (no client
   * authentication), `MTLS` (a client certificate signed by `ca` required) and `SASLTLS` (SASL_SSL: SCRAM, and PLAIN
   * with `plainUsers`).
   */
  readonly tls?: { readonly certificate: string; readonly privateKey: string; readonly ca: string };
  /** SASL/PLAIN users on the SASL listeners (the SASL_PLAINTEXT one exists with `scram`). */
  readonly plainUsers?: readonly ScramUser[];
  /** StandardAuthorizer with `allow.everyone.if.no.acl.found=false`; the SCRAM admin is a super user. @default false */
  readonly acls?: boolean;
  /** Extra broker settings, applied last. */
  readonly brokerProperties?: Readonly<Record<string, string>>;
  /** The broker JVM's maximum heap (`-Xmx`), e.g. `1536m` for a cluster with many thousands of partitions. @default '512m' */
  readonly maxHeap?: string;
  /** How long the broker has to answer the admin API. @default 90_000 */
  readonly readyTimeoutMs?: number;
  /** Parent folder of the cluster's folder. @default `.work/kafka/<run id>` */
  readonly runDir?: string;
}

export interface KafkaCluster {
  readonly name: string;
  readonly version: string;
  readonly pid: number;
  /** `127.0.0.1:<port>` of the PLAINTEXT listener, when enabled. */
  readonly bootstrap: string | undefined;
  /** `127.0.0.1:<port>` of the SASL/SCRAM listener, when enabled. */
  readonly saslBootstrap: string | undefined;
  /** `127.0.0.1:<port>` of the TLS listeners, when `tls` was given: SSL, SSL with client certificates, SASL_SSL. */
  readonly tlsBootstrap: string | undefined;
  readonly mtlsBootstrap: string | undefined;
  readonly saslTlsBootstrap: string | undefined;
  /** The SCRAM super user (when SCRAM is on). */
  readonly admin: ScramUser | undefined;
  readonly dir: string;
  readonly logFile: string;
  /** Milliseconds from `format` to the admin API answering. */
  readonly startupMs: number;
  /**
   * A KafkaConnection for the data-plane port: plaintext by default (or the SCRAM admin when there is no plaintext
   * listener); pass SCRAM credentials to use the SASL listener.
   */
  connection(name?: string, scram?: ScramUser & { mechanism?: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' }): KafkaConnection;
  logTail(lines?: number): string;
  running(): boolean;
  /** Stops the JVM by PID (SIGTERM, then SIGKILL) and removes the data folder; the log stays. Idempotent. */
  stop(): Promise<void>;
}

let defaultRunDir: string | undefined;
/** `.work/kafka/<timestamp>-<pid>`: one folder per test process; run folders older than a day are removed. */
export function harnessRunDir(): string {
  if (defaultRunDir) return defaultRunDir;
  const root = path.join(REPO_ROOT, '.work', 'kafka');
  mkdirSync(root, { recursive: true });
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(root)) {
    const dir = path.join(root, entry);
    try {
      if (statSync(dir).mtimeMs < dayAgo) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by a concurrent run.
    }
  }
  defaultRunDir = path.join(root, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(defaultRunDir, { recursive: true });
  return defaultRunDir;
}

/** Distinct free ports on 127.0.0.1: all listened on at once so that none is handed out twice, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (address && typeof address === 'object') resolve(address.port);
            else reject(new Error('no port from the OS'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

let reaped = false;
const started = new Set<KafkaCluster>();

/** Starts one cluster; retried once on new ports when another process took a port in between. */
export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  if (!reaped) {
    reaped = true;
    const killed = reapOrphanedJavaProcesses();
    if (killed.length > 0)
      console.warn(`kafka harness: killed ${killed.length} JVM(s) left by a dead test runner: ${killed.join(', ')}`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const cluster = await startOnce(options, attempt);
      started.add(cluster);
      return cluster;
    } catch (err) {
      if (attempt < 2 && err instanceof PortTakenError) continue;
      throw err;
    }
  }
}

/** Starts several clusters in parallel; when one fails, the others are stopped before the error is thrown. */
export async function startKafkaClusters<const T extends readonly KafkaClusterOptions[]>(
  options: T,
): Promise<{ -readonly [K in keyof T]: KafkaCluster }> {
  const results = await Promise.allSettled(options.map((o) => startKafkaCluster(o)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<KafkaCluster>).value) as {
    -readonly [K in keyof T]: KafkaCluster;
  };
}

/** Stops every cluster (and any other harness JVM) this process started: the `afterAll` safety net. */
export async function stopAllKafkaClusters(): Promise<void> {
  await Promise.all([...started].map((c) => c.stop()));
  await stopAllJavaProcesses();
}

class PortTakenError extends Error {}

/** A broker that exited or did not answer in time; its JVM has been stopped and its data removed. */
export class KafkaStartError extends Error {
  override readonly name = 'KafkaStartError';
  constructor(
    message: string,
    readonly pid: number,
    readonly logFile: string,
  ) {
    super(message);
  }
}

async function startOnce(options: KafkaClusterOptions, attempt: number): Promise<KafkaCluster> {
  const version = options.version ?? LATEST_KAFKA_VERSION;
  const jars = jarsDir(version);
  const major = majorVersion(version);
  const plaintext = options.plaintext ?? true;
  const admin = options.scram ? (options.scram.admin ?? DEFAULT_ADMIN) : undefined;
  const dir = path.join(options.runDir ?? harnessRunDir(), attempt === 1 ? options.name : `${options.name}-${attempt}`);
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(dir, 'kafka.log');

  const [controllerPort, plaintextPort, saslPort, tlsPort, mtlsPort, saslTlsPort] = await freePorts(6);
  const tls = options.tls;
  const props = brokerProperties({
    controllerPort: controllerPort as number,
    plaintextPort: plaintext ? plaintextPort : undefined,
    saslPort: options.scram ? saslPort : undefined,
    ...(tls ? { tlsPort, mtlsPort, saslTlsPort, tls } : {}),
    ...(options.plainUsers ? { plainUsers: options.plainUsers } : {}),
    dataDir,
    acls: options.acls ?? false,
    admin,
    overrides: options.brokerProperties,
  });
  const configFile = path.join(dir, 'server.properties');
  writeFileSync(configFile, formatProperties(props));
  const logging = loggingConfig(major, path.join(dir, major >= 4 ? 'log4j2.properties' : 'log4j.properties'), 'INFO', {
    'kafka.request.logger': 'WARN',
    'state.change.logger': 'WARN',
    'org.apache.kafka.clients': 'WARN',
  });
  writeFileSync(path.join(dir, logging.fileName), logging.content);

  const began = Date.now();
  const clusterId = newClusterId();
  const users = admin ? [admin, ...(options.scram?.users ?? []).filter((u) => u.username !== admin.username)] : [];
  try {
    await run(
      'java',
      [
        ...jvmOptions('256m'),
        logging.flag,
        '-cp',
        `${jars}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        configFile,
        ...formatScramArguments(users),
      ],
      { cwd: dir, timeout: 120_000 },
    );
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; code?: number | string };
    const output = `${e.stderr ?? ''}${e.stdout ?? ''}`.split('\n').filter((l) => l.trim() !== '');
    throw new Error(
      `Kafka ${version} ${options.name}: StorageTool format failed (exit ${e.code}):\n${output.slice(-15).join('\n')}`,
    );
  }

  const java = new JavaProcess({
    description: `${options.name} (Kafka ${version})`,
    jarsDir: jars,
    mainClass: 'kafka.Kafka',
    args: [configFile],
    jvmOptions: [...jvmOptions(options.maxHeap ?? '512m'), logging.flag],
    logFile,
    cwd: dir,
  });

  const bootstrap = plaintext ? `127.0.0.1:${plaintextPort}` : undefined;
  const saslBootstrap = options.scram ? `127.0.0.1:${saslPort}` : undefined;
  const onTls = (port: number | undefined): string | undefined => (tls ? `127.0.0.1:${port}` : undefined);
  let startupMs = 0;
  const stop = async (): Promise<void> => {
    await java.stop();
    rmSync(dataDir, { recursive: true, force: true });
    started.delete(cluster);
  };
  const cluster: KafkaCluster = {
    name: options.name,
    version,
    pid: java.pid,
    bootstrap,
    saslBootstrap,
    tlsBootstrap: onTls(tlsPort),
    mtlsBootstrap: onTls(mtlsPort),
    saslTlsBootstrap: onTls(saslTlsPort),
    admin,
    dir,
    logFile,
    get startupMs() {
      return startupMs;
    },
    connection: (name = options.name, scram) =>
      connectionOf(name, bootstrap, saslBootstrap, scram ?? (bootstrap ? undefined : admin)),
    logTail: (lines) => java.logTail(lines),
    running: () => !java.exited(),
    stop,
  };

  try {
    await waitUntilReady(cluster, java, options.readyTimeoutMs ?? 90_000);
  } catch (err) {
    const tail = java.logTail(40);
    await stop();
    if (/BindException|Address already in use/.test(tail))
      throw new PortTakenError(`Kafka ${version} ${options.name}: a port was taken meanwhile`);
    throw new KafkaStartError(
      `${(err as Error).message}\n--- last lines of ${logFile} ---\n${tail}`,
      java.pid,
      logFile,
    );
  }
  startupMs = Date.now() - began;
  return cluster;
}

function connectionOf(
  name: string,
  bootstrap: string | undefined,
  saslBootstrap: string | undefined,
  scram: (ScramUser & { mechanism?: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' }) | undefined,
): KafkaConnection {
  if (scram) {
    if (!saslBootstrap) throw new Error(`${name}: SCRAM credentials given, but the cluster has no SASL listener`);
    const auth: KafkaAuth = {
      mechanism: scram.mechanism ?? 'SCRAM-SHA-512',
      username: scram.username,
      password: scram.password,
    };
    return { name, bootstrapServers: [saslBootstrap], auth };
  }
  if (!bootstrap) throw new Error(`${name}: the cluster has no plaintext listener; pass SCRAM credentials`);
  return { name, bootstrapServers: [bootstrap], auth: { mechanism: 'PLAINTEXT' } };
}

/** Polls the admin API (DescribeCluster through metadata) until the broker lists itself and a controller. */
async function waitUntilReady(cluster: KafkaCluster, java: JavaProcess, timeoutMs: number): Promise<void> {
  const useSasl = cluster.bootstrap === undefined;
  const sasl: SASLOptions | undefined =
    useSasl && cluster.admin
      ? { mechanism: 'scram-sha-512', username: cluster.admin.username, password: cluster.admin.password }
      : undefined;
  const kafka = new Kafka({
    clientId: 'harness-readiness',
    brokers: [(useSasl ? cluster.saslBootstrap : cluster.bootstrap) as string],
    sasl,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (let attempt = 0; attempt < 2_000; attempt++) {
    if (java.exited())
      throw new Error(
        `Kafka ${cluster.version} ${cluster.name} (PID ${java.pid}) exited during start-up (${java.exitDescription()})`,
      );
    const admin = kafka.admin();
    try {
      await admin.connect();
      const description = await admin.describeCluster();
      if (description.brokers.length > 0 && description.controller !== null) return;
      lastError = 'no broker or controller in the metadata yet';
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `Kafka ${cluster.version} ${cluster.name} (PID ${java.pid}) was not ready after ${timeoutMs} ms: ${lastError}`,
  );
}
