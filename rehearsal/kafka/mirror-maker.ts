import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { Mm2Launcher, Mm2ProcessHandle } from '../../lambdas/adapters/local/mm2-replicator';
import { harnessRunDir, jvmOptions, type KafkaCluster } from './cluster';
import { JavaProcess } from './java-process';
import {
  formatProperties,
  loggingConfig,
  mirrorMakerProperties,
  type Mm2Endpoint,
  type Mm2Options,
  type ScramUser,
} from './properties';
import { jarsDir, LATEST_KAFKA_VERSION, majorVersion } from './versions';

/**
 * MirrorMaker 2 in dedicated mode (`org.apache.kafka.connect.mirror.MirrorMaker mm2.properties`), one JVM per
 * instance, stopped by PID. It has no readiness signal of its own: callers wait for what they need, usually a
 * topic copied to the target (`waitForTopic`). `kill()` is the "replicator crash"; `restart()` resumes from the
 * offsets Connect stored on the target.
 */

export interface MirrorMaker {
  readonly name: string;
  readonly version: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly logFile: string;
  /** The PID of the current JVM (a restart changes it). */
  pid(): number;
  running(): boolean;
  /** SIGKILL, no shutdown: what a crashed replicator looks like. Resolves once the JVM is gone. */
  kill(): Promise<void>;
  /** Starts a new JVM with the same properties; stops the current one first if it still runs. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a deadline. Idempotent. */
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

export interface LaunchOptions {
  readonly name?: string;
  /** Kafka version of the MM2 jars. @default the newest of versions.json */
  readonly version?: string;
  readonly runDir?: string;
  /** @default '384m' */
  readonly maxHeap?: string;
}

let instances = 0;

/** Starts MirrorMaker 2 with the given mm2.properties (already complete). */
export function launchMirrorMaker(
  properties: Readonly<Record<string, string>>,
  options: LaunchOptions = {},
): MirrorMaker {
  const version = options.version ?? LATEST_KAFKA_VERSION;
  const jars = jarsDir(version);
  const name = options.name ?? `mm2-${++instances}`;
  const dir = path.join(options.runDir ?? harnessRunDir(), name);
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'mm2.properties');
  writeFileSync(configFile, formatProperties(properties), { mode: 0o600 });
  const major = majorVersion(version);
  const logging = loggingConfig(major, path.join(dir, major >= 4 ? 'log4j2.properties' : 'log4j.properties'), 'WARN', {
    'org.apache.kafka.connect.mirror': 'INFO',
    // Connect's own start-up and rebalances, useful when a copy does not happen.
    'org.apache.kafka.connect.runtime.distributed.DistributedHerder': 'INFO',
  });
  writeFileSync(path.join(dir, logging.fileName), logging.content);
  const logFile = path.join(dir, 'mm2.log');
  const spawnJvm = (): JavaProcess =>
    new JavaProcess({
      description: `MirrorMaker 2 ${name} (Kafka ${version})`,
      jarsDir: jars,
      mainClass: 'org.apache.kafka.connect.mirror.MirrorMaker',
      args: [configFile],
      jvmOptions: [...jvmOptions(options.maxHeap ?? '384m'), logging.flag],
      logFile,
      cwd: dir,
    });
  let java = spawnJvm();
  return {
    name,
    version,
    properties,
    dir,
    logFile,
    pid: () => java.pid,
    running: () => !java.exited(),
    kill: async () => {
      java.signal('SIGKILL');
      if (!(await java.waitForExit(10_000)))
        throw new Error(`MirrorMaker 2 ${name}: PID ${java.pid} survived SIGKILL for 10 s`);
    },
    restart: async () => {
      await java.stop();
      java = spawnJvm();
    },
    stop: () => java.stop(),
    logTail: (lines) => java.logTail(lines),
  };
}

/** The MM2 view of a harness cluster: its plaintext listener, or its SASL one with the given (or admin) user. */
export function mm2Endpoint(cluster: KafkaCluster, scram?: ScramUser): Mm2Endpoint {
  if (!scram && cluster.bootstrap) return { bootstrap: cluster.bootstrap };
  const user = scram ?? cluster.admin;
  if (!cluster.saslBootstrap || !user) throw new Error(`${cluster.name}: no listener MirrorMaker 2 can use`);
  return { bootstrap: cluster.saslBootstrap, scram: user };
}

/** MirrorMaker 2 from `source` to `target` (identical topic names, group offsets synced), with harness defaults. */
export function startMirrorMaker(
  clusters: { source: KafkaCluster; target: KafkaCluster; sourceUser?: ScramUser; targetUser?: ScramUser },
  options: Omit<Mm2Options, 'source' | 'target'> & LaunchOptions = {},
): MirrorMaker {
  const properties = mirrorMakerProperties({
    ...options,
    source: mm2Endpoint(clusters.source, clusters.sourceUser),
    target: mm2Endpoint(clusters.target, clusters.targetUser),
  });
  return launchMirrorMaker(properties, { ...options, version: options.version ?? clusters.source.version });
}

/**
 * The launcher the LocalMirrorMaker2 replicator adapter takes: it generates the properties (core's
 * mm2DedicatedProperties), this runs them. `started` lists every instance, for the caller's cleanup.
 */
export function mirrorMakerProcessLauncher(options: Omit<LaunchOptions, 'name'> = {}): {
  launch: Mm2Launcher;
  started: MirrorMaker[];
} {
  const started: MirrorMaker[] = [];
  const launch: Mm2Launcher = async ({ name, properties }) => {
    const mm2 = launchMirrorMaker(properties, {
      ...options,
      name: `${name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}-${++instances}`,
    });
    started.push(mm2);
    const handle: Mm2ProcessHandle = {
      pid: mm2.pid(),
      exited: () => !mm2.running(),
      logTail: () => mm2.logTail(20),
      stop: () => mm2.stop(),
    };
    return handle;
  };
  return { launch, started };
}

/** Polls `probe` until it returns a value (not undefined), at most until `timeoutMs`; `abort` ends it early with an error. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: string | undefined;
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const reason = options.abort?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`,
  );
}

function adminOf(cluster: KafkaCluster): Kafka {
  const sasl: SASLOptions | undefined =
    !cluster.bootstrap && cluster.admin
      ? { mechanism: 'scram-sha-512', username: cluster.admin.username, password: cluster.admin.password }
      : undefined;
  return new Kafka({
    clientId: 'harness-probe',
    brokers: [(cluster.bootstrap ?? cluster.saslBootstrap) as string],
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  });
}

/**
 * Waits until `topic` exists on `cluster` (MM2's readiness: the copy has begun). Fails at once, with MM2's last log
 * lines, when the MirrorMaker 2 process given has exited. Returns the milliseconds waited.
 */
export async function waitForTopic(
  cluster: KafkaCluster,
  topic: string,
  options: { timeoutMs?: number; mirrorMaker?: MirrorMaker } = {},
): Promise<number> {
  const began = Date.now();
  const admin = adminOf(cluster).admin();
  try {
    await pollUntil(
      `topic ${topic} on ${cluster.name}`,
      async () => {
        await admin.connect();
        return (await admin.listTopics()).includes(topic) ? true : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        abort: () =>
          options.mirrorMaker && !options.mirrorMaker.running()
            ? `MirrorMaker 2 exited:\n${options.mirrorMaker.logTail(20)}`
            : undefined,
      },
    );
  } catch (err) {
    const tail = options.mirrorMaker?.running()
      ? `\n--- last lines of ${options.mirrorMaker.logFile} ---\n${options.mirrorMaker.logTail(20)}`
      : '';
    throw new Error(`${(err as Error).message}${tail}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return Date.now() - began;
}
