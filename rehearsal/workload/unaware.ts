import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type {
  LocalProcessRevision,
  LocalProcessStatus,
  LocalProcessSupervisor,
} from '../../lambdas/adapters/local/process-client-switch';
import { kafkajsConfig, KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import type { ConsumedRecord } from './consumer';
import { DrainCheck } from './drain-to-end';
import type { AckedRecord } from './producer';
import { decodeRecord, encodeRecord } from './records';
import { tallyTopic, type TopicTally, type WritePause } from './tally';
import { keyOf, type WorkloadTopic } from './topics';

/**
 * Migration-unaware clients: a producer application and a consumer application that are plain kafkajs clients started
 * with settings (bootstrap servers, SCRAM user, a password file) and nothing else — no pointer, no fence value. Only a
 * restart with new settings moves them: `UnawareApps` is the rehearsal's supervisor (its local ECS), which the
 * LOCAL_PROCESS client switch (lambdas/adapters/local/process-client-switch.ts) drives through revisions and
 * deployments. A deployment stops every instance of another revision (a producer stops taking new work, a consumer
 * commits what it read and leaves its group, as a SIGTERM'd client does) and starts instances of the wanted one.
 *
 * The producer application takes its work from an input queue outside the instance (like a service reading from a
 * queue and acknowledging upstream only after Kafka's acks=all): a record the broker refused (the KAFKA_ACL fence:
 * TOPIC_AUTHORIZATION_FAILED) stays at the head of the queue and is sent again, by the next instance if need be. The
 * ledger of what was acknowledged (and what was consumed) is the rehearsal's observer, not part of the clients.
 */

/** The settings an instance starts with (a revision's environment). */
export const UNAWARE_ENV = {
  bootstrap: 'BOOTSTRAP_SERVERS',
  username: 'SASL_USERNAME',
  passwordFile: 'SASL_PASSWORD_FILE',
} as const;

export const UNAWARE_TOPIC: WorkloadTopic = {
  name: 'payments',
  partitions: 3,
  keys: 30,
  weight: 1,
  configs: {},
  compacted: false,
};
export const UNAWARE_GROUP = 'payments-unaware';
export const UNAWARE_PRODUCER_APP = 'payments-producer';
export const UNAWARE_CONSUMER_APP = 'payments-consumer';
/** The SCRAM user both applications run as, on either cluster (each cluster has its own password). */
export const UNAWARE_USER = 'payments-app';

const TICK_MS = 20;
const MAX_BATCH = 200;
const RETRY_BACKOFF_MS = 100;

interface Instance {
  readonly revision: number;
  state: 'STARTING' | 'RUNNING' | 'STOPPING';
  stop(): Promise<void>;
}

interface Application {
  readonly name: string;
  readonly revisions: LocalProcessRevision[];
  revision: number;
  desiredCount: number;
  instances: Instance[];
  readonly start: (revision: LocalProcessRevision) => Promise<Instance>;
}

function connectionOf(name: string, env: Readonly<Record<string, string>>): KafkaConnection {
  const bootstrap = env[UNAWARE_ENV.bootstrap];
  const username = env[UNAWARE_ENV.username];
  const passwordFile = env[UNAWARE_ENV.passwordFile];
  if (!bootstrap || !username || !passwordFile)
    throw new Error(
      `${name}: ${UNAWARE_ENV.bootstrap}, ${UNAWARE_ENV.username} and ${UNAWARE_ENV.passwordFile} must be set.`,
    );
  return {
    name,
    bootstrapServers: bootstrap.split(','),
    auth: { mechanism: 'SCRAM-SHA-512', username, password: readFileSync(passwordFile, 'utf8').trim() },
    requestTimeoutMs: 5_000,
  };
}

function kafkaFor(clientId: string, env: Readonly<Record<string, string>>): Kafka {
  return new Kafka({
    ...kafkajsConfig(connectionOf(clientId, env), { logLevel: 'NOTHING' }),
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

interface Pending {
  readonly key: string;
  readonly seq: number;
}

export interface UnawareTally {
  readonly topic: TopicTally;
  /** The producer's pauses: from its last acknowledged send on one cluster to its first on another. */
  readonly writePauses: readonly WritePause[];
  readonly sendFailures: number;
  /** Where each application's instances ran at the end (bootstrap servers), and whether the consumer read to the end. */
  readonly producerCluster: string | undefined;
  readonly consumerCluster: string | undefined;
  readonly drained: boolean;
  readonly restarts: number;
  readonly acked: readonly AckedRecord[];
  readonly consumed: readonly ConsumedRecord[];
}

export class UnawareApps implements LocalProcessSupervisor {
  readonly acked: AckedRecord[] = [];
  readonly consumed: ConsumedRecord[] = [];
  sendFailures = 0;
  restarts = 0;
  lastError: string | undefined;
  private readonly apps = new Map<string, Application>();
  private queue: Pending[] = [];
  private readonly nextSeq = new Map<string, number>();
  private generated = 0;
  private generating = true;
  private generator: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private producerCluster: string | undefined;
  private consumerCluster: string | undefined;
  /** The running consumer instance's drain check (its own admin connection, closed when the instance stops). */
  private consumerCheck: DrainCheck | undefined;

  constructor(
    private readonly options: {
      /** Records per second the producer application is given. */
      readonly ratePerSecond: number;
      /** The first revision of both applications: the source's settings. */
      readonly sourceEnvironment: Readonly<Record<string, string>>;
    },
  ) {
    this.apps.set(
      UNAWARE_PRODUCER_APP,
      this.application(UNAWARE_PRODUCER_APP, (r) => this.startProducer(r)),
    );
    this.apps.set(
      UNAWARE_CONSUMER_APP,
      this.application(UNAWARE_CONSUMER_APP, (r) => this.startConsumer(r)),
    );
  }

  /** Starts one instance of each application on the source and the producer's input. */
  async start(): Promise<void> {
    let allowance = 0;
    let last = Date.now();
    this.generator = setInterval(() => {
      if (!this.generating) return;
      const now = Date.now();
      allowance = Math.min(allowance + ((now - last) * this.options.ratePerSecond) / 1000, this.options.ratePerSecond);
      last = now;
      for (; allowance >= 1; allowance--) {
        const key = keyOf(UNAWARE_TOPIC.name, this.generated++ % UNAWARE_TOPIC.keys);
        const seq = (this.nextSeq.get(key) ?? 0) + 1;
        this.nextSeq.set(key, seq);
        this.queue.push({ key, seq });
      }
    }, TICK_MS);
    this.deploy(UNAWARE_CONSUMER_APP, { desiredCount: 1 });
    this.deploy(UNAWARE_PRODUCER_APP, { desiredCount: 1 });
    await this.reconciling;
  }

  // ---- LocalProcessSupervisor ----

  status(application: string): LocalProcessStatus | undefined {
    const app = this.apps.get(application);
    if (!app) return undefined;
    return {
      revision: app.revision,
      desiredCount: app.desiredCount,
      running: app.instances.filter((i) => i.revision === app.revision && i.state === 'RUNNING').length,
      draining: app.instances.filter((i) => i.revision !== app.revision || i.state === 'STOPPING').length,
    };
  }

  revision(application: string, revision: number): LocalProcessRevision | undefined {
    return this.apps.get(application)?.revisions.find((r) => r.revision === revision);
  }

  register(application: string, environment: Readonly<Record<string, string>>): number {
    const app = this.require(application);
    const revision = Math.max(...app.revisions.map((r) => r.revision)) + 1;
    app.revisions.push({ revision, environment: { ...environment } });
    return revision;
  }

  deploy(application: string, change: { readonly revision?: number; readonly desiredCount?: number }): void {
    const app = this.require(application);
    if (change.revision !== undefined) {
      if (!app.revisions.some((r) => r.revision === change.revision))
        throw new Error(`${application} has no revision ${change.revision}.`);
      app.revision = change.revision;
    }
    if (change.desiredCount !== undefined) app.desiredCount = change.desiredCount;
    this.reconciling = this.reconciling
      .then(() => this.reconcile(app))
      .catch((err: Error) => {
        this.lastError = `${application}: ${err.message}`;
      });
  }

  // ---- the end of the rehearsal ----

  /**
   * Stops the producer's input, lets the producer send what it was given (bounded), lets the consumer read to the end
   * of the cluster it runs on, stops everything and counts.
   */
  async stop(drainTimeoutMs: number): Promise<UnawareTally> {
    this.generating = false;
    if (this.generator) clearInterval(this.generator);
    const deadline = Date.now() + drainTimeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) await sleep(100);
    let drained = false;
    while (Date.now() < deadline) {
      if (await this.consumerCaughtUp().catch(() => false)) {
        drained = true;
        break;
      }
      await sleep(200);
    }
    // Where they ran at the end, before they are stopped.
    const producerCluster = this.producerCluster;
    const consumerCluster = this.consumerCluster;
    for (const app of this.apps.values()) app.desiredCount = 0;
    await this.reconciling;
    await Promise.all([...this.apps.values()].map((app) => this.reconcile(app)));
    return {
      topic: tallyTopic({ topic: UNAWARE_TOPIC.name, acked: this.acked, consumed: this.consumed }),
      writePauses: clusterChanges(this.acked),
      sendFailures: this.sendFailures,
      producerCluster,
      consumerCluster,
      drained,
      restarts: this.restarts,
      acked: [...this.acked],
      consumed: [...this.consumed],
    };
  }

  /** Sent but not acknowledged yet, and whether the producer is held (its last sends were refused). */
  snapshot(): { readonly acked: number; readonly queued: number; readonly consumed: number } {
    return { acked: this.acked.length, queued: this.queue.length, consumed: this.consumed.length };
  }

  private application(name: string, start: Application['start']): Application {
    return {
      name,
      revisions: [{ revision: 1, environment: { ...this.options.sourceEnvironment } }],
      revision: 1,
      desiredCount: 0,
      instances: [],
      start,
    };
  }

  private require(application: string): Application {
    const app = this.apps.get(application);
    if (!app) throw new Error(`No application ${application}.`);
    return app;
  }

  /** Stops instances of another revision or beyond the desired count, then starts the missing ones. */
  private async reconcile(app: Application): Promise<void> {
    const surplus = app.instances.filter(
      (i, n) => i.revision !== app.revision || n >= app.desiredCount || i.state === 'STOPPING',
    );
    for (const instance of surplus) {
      instance.state = 'STOPPING';
      await instance.stop();
      app.instances = app.instances.filter((i) => i !== instance);
    }
    const revision = app.revisions.find((r) => r.revision === app.revision);
    if (!revision) return;
    while (app.instances.length < app.desiredCount) {
      const instance = await app.start(revision);
      app.instances.push(instance);
      this.restarts++;
    }
  }

  private async startProducer(revision: LocalProcessRevision): Promise<Instance> {
    const cluster = revision.environment[UNAWARE_ENV.bootstrap] ?? '';
    const producer: Producer = kafkaFor(`${UNAWARE_PRODUCER_APP}-r${revision.revision}`, revision.environment).producer(
      {
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      },
    );
    await producer.connect();
    this.producerCluster = cluster;
    let running = true;
    const loop = (async () => {
      while (running) {
        const batch = this.queue.slice(0, MAX_BATCH);
        if (batch.length === 0) {
          await sleep(TICK_MS);
          continue;
        }
        try {
          await producer.send({
            topic: UNAWARE_TOPIC.name,
            acks: -1,
            messages: batch.map((p) => ({
              key: p.key,
              value: encodeRecord({ ...p, producerId: UNAWARE_PRODUCER_APP, sentAt: new Date().toISOString() }),
            })),
          });
          const ackedAt = Date.now();
          this.queue = this.queue.slice(batch.length);
          for (const p of batch) this.acked.push({ key: p.key, seq: p.seq, cluster, ackedAt });
        } catch (err) {
          // Refused (the broker fence) or failed: the records stay at the head of the input and are sent again.
          this.sendFailures++;
          this.lastError = err instanceof Error ? err.message : String(err);
          await sleep(RETRY_BACKOFF_MS);
        }
      }
    })();
    const instance: Instance = {
      revision: revision.revision,
      state: 'RUNNING',
      stop: async () => {
        running = false;
        await loop;
        await producer.disconnect().catch(() => undefined);
      },
    };
    return instance;
  }

  private async startConsumer(revision: LocalProcessRevision): Promise<Instance> {
    const cluster = revision.environment[UNAWARE_ENV.bootstrap] ?? '';
    const consumer: Consumer = kafkaFor(`${UNAWARE_CONSUMER_APP}-r${revision.revision}`, revision.environment).consumer(
      {
        groupId: UNAWARE_GROUP,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        rebalanceTimeout: 10_000,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
      },
    );
    const positions = new Map<number, bigint>();
    const check = new DrainCheck(
      () =>
        new KafkajsDataPlane(connectionOf(`${UNAWARE_CONSUMER_APP}-drain`, revision.environment), {
          logLevel: 'NOTHING',
        }),
      { groupId: UNAWARE_GROUP, topic: UNAWARE_TOPIC.name },
      positions,
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [UNAWARE_TOPIC.name], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachMessage: async ({ partition, message }) => {
        const record = decodeRecord(message.value);
        if (record)
          this.consumed.push({ key: record.key, seq: record.seq, cluster, partition, offset: message.offset });
        positions.set(partition, BigInt(message.offset) + 1n);
        check.advanced();
      },
    });
    this.consumerCluster = cluster;
    this.consumerCheck = check;
    return {
      revision: revision.revision,
      state: 'RUNNING',
      // A graceful stop: commit what was read, leave the group.
      stop: async () => {
        consumer.pause([{ topic: UNAWARE_TOPIC.name }]);
        const offsets = [...positions].map(([partition, next]) => ({
          topic: UNAWARE_TOPIC.name,
          partition,
          offset: next.toString(),
        }));
        if (offsets.length > 0) await consumer.commitOffsets(offsets).catch(() => undefined);
        await Promise.all([consumer.disconnect().catch(() => undefined), check.close().catch(() => undefined)]);
        if (this.consumerCheck === check) this.consumerCluster = undefined;
      },
    };
  }

  /** The consumer application has read every partition of its cluster up to the end offset. */
  private async consumerCaughtUp(): Promise<boolean> {
    if (!this.consumerCheck || this.consumerCluster === undefined) return false;
    return this.consumerCheck.caughtUp();
  }
}

/** The producer's pauses: each move of its acknowledgements from one cluster to another. */
export function clusterChanges(acked: readonly AckedRecord[]): WritePause[] {
  const pauses: WritePause[] = [];
  for (let i = 1; i < acked.length; i++) {
    const before = acked[i - 1] as AckedRecord;
    const after = acked[i] as AckedRecord;
    if (before.cluster === after.cluster) continue;
    pauses.push({
      from: before.cluster,
      to: after.cluster,
      noticedAt: before.ackedAt,
      lastAckBefore: before.ackedAt,
      firstAckAfter: after.ackedAt,
      pauseMs: Math.max(0, after.ackedAt - before.ackedAt),
    });
  }
  return pauses;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
