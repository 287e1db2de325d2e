import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCompensator, type Compensation, type ExecutionStatusChange } from '../../lambdas/compensator/compensate';
import { LocalTaskCallback } from '../../lambdas/adapters/local/local-approval-callback';
import { MemoryAbortRequests } from '../../lambdas/adapters/local/memory-abort-requests';
import { MemoryMigrationLocks } from '../../lambdas/adapters/local/memory-migration-locks';
import { OutboxApprovalMailer } from '../../lambdas/adapters/local/local-approval-notifiers';
import { MemoryApprovalStore } from '../../lambdas/adapters/local/memory-approval-store';
import { AuthFailedError } from '../../lambdas/core/errors';
import { lambdaErrorDocument, trimForStepFunctions } from '../../lambdas/middleware/lambda-error';
import type { ApprovalServices } from '../../lambdas/core/approval/service';
import { decide, expireApproval, newApprovalId } from '../../lambdas/core/approval/service';
import type {
  AclListing,
  ClientQuotaEntry,
  ClusterDescription,
  CommittedOffset,
  ConfigEntry,
  KafkaRecordOut,
  PartitionOffsets,
} from '../../lambdas/ports/kafka';
import type { AlarmDefinition, AlarmStatus, LagSignals, MetricSeries } from '../../lambdas/ports/lag-signals';
import type { Replicator, ReplicatorHandle, ReplicatorSpec, ReplicatorState } from '../../lambdas/ports/replicator';
import type {
  TargetClusterInfo,
  TargetClusterRequest,
  TargetProvisioner,
} from '../../lambdas/ports/target-provisioner';
import { task as RequestApprovalTask } from '../../lambdas/tasks/request-approval/task';
import { parseEvent } from '../../lambdas/workflow/define-task';
import { localStates } from '../../lambdas/runtime/local';
import {
  loadDefinition,
  runWorkflow,
  type LambdaFault,
  type LocalTask,
  type RunResult,
} from '../../rehearsal/asl-runner';
import type { ClientSwitchFactory } from '../../lambdas/ports/client-switch';
import { MemorySwitch } from '../unit/cutover-fakes';
import { mskCluster } from '../unit/inventory-fixtures';
import { FakeKafka, MemoryArtifacts } from '../unit/validation-fake-kafka';

/**
 * ONE in-memory world for the workflow tier: a source and a target Kafka cluster (topics, records, consumer groups),
 * MSK's control plane for the target this execution creates, a replicator engine whose fate a test scripts, the lag
 * signals it raises, the pointer clients read (the cutover switch) and the artifact store. Every Task state of the
 * real ASL is served by its real task module (`run<State>(Input, deps)`) with these ports: the ports are stubbed,
 * never the handlers' logic.
 *
 * Time: the runner zeroes Wait states, so the world's clock moves instead, as if each Wait had lasted the seconds the
 * state asks for (`$.settings.*`), plus one second per task call. Deadlines (catch-up timeout, rollback window,
 * approval expiry) therefore pass exactly as in AWS, without sleeping.
 */

// ---- the plan ----

export const SOURCE_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/payments-2-8/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-4';
export const SOURCE_BOOTSTRAP = [
  'b-1.payments-2-8.kafka.us-east-1.amazonaws.com:9098',
  'b-2.payments-2-8.kafka.us-east-1.amazonaws.com:9098',
];
export const TARGET_BOOTSTRAP = [
  'b-1.payments-target.kafka.us-east-1.amazonaws.com:9098',
  'b-2.payments-target.kafka.us-east-1.amazonaws.com:9098',
];
/** A pointer's value when it names the source, and the target (the bootstrap servers, comma-separated). */
export const AT_SOURCE = SOURCE_BOOTSTRAP.join(',');
export const AT_TARGET = TARGET_BOOTSTRAP.join(',');
export const POINTER = '/payments/kafka/bootstrap-servers';
export const EXECUTION_NAME = 'exec-1';

/**
 * examples/msk-to-msk-new-version.json (a target MSK cluster created by the execution, MSK Replicator), with an SSM
 * pointer and short time boxes so that a timeout is a few dozen polls.
 */
export function examplePlan(change: (raw: Raw) => void = () => undefined): Record<string, unknown> {
  const raw = JSON.parse(
    readFileSync(path.join(__dirname, '../../examples/msk-to-msk-new-version.json'), 'utf8'),
  ) as Raw;
  raw.source.clusterArn = SOURCE_ARN;
  raw.gates = { maxLagRecords: 0, consecutiveHealthyChecks: 2, pollIntervalSeconds: 60, catchUpTimeoutMinutes: 30 };
  raw.approval.timeoutMinutes = 60;
  raw.cutover = { switch: { type: 'SSM_PARAMETER', parameterName: POINTER }, rollbackWindowMinutes: 60 };
  change(raw);
  return raw;
}

/**
 * A plan whose cutover runs each step as its own state (`cutover.singleInvocation: false`): the tests of the
 * step-by-step states (a stop or an abort between two steps, the WaitForDrain loop), which the one-invocation Cutover
 * takes over from where it stops (test/workflow/one-invocation-cutover.test.ts).
 */
export function stepByStep(raw: Raw): void {
  raw.cutover.singleInvocation = false;
}

/**
 * An ECS_SERVICE client switch of the plan (`cutover.switches`): the service `name` of cluster `apps`, a producer
 * unless `change` says otherwise, its bootstrap servers in KAFKA_BOOTSTRAP_SERVERS. The client-switch workflow tests'
 * application.
 */
export function ecsServiceSwitch(name: string, change: Raw = {}): Raw {
  return {
    type: 'ECS_SERVICE',
    name,
    role: 'PRODUCERS',
    cluster: 'apps',
    service: name,
    environment: { KAFKA_BOOTSTRAP_SERVERS: '{bootstrapServers}' },
    ...change,
  };
}

// ---- the clusters ----

/**
 * The execution state as JSON, read by path in the tests' assertions (its shape is the ASL's and the task modules'
 * schemas' business; an assertion on a wrong path fails on its value).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Raw = Record<string, any>;

/** What a task did to a cluster through the data-plane port (the replicator's copies are not counted: not ours). */
export interface PortWrite {
  readonly call: 'createTopics' | 'deleteTopics' | 'produce' | 'setCommittedOffsets';
  readonly subject: string;
}

/**
 * A FakeKafka (test/unit/validation-fake-kafka.ts) that also answers the inventory's reads, logs every write made
 * through the port, and fails a call on demand (`failNext`).
 */
export class WorldCluster extends FakeKafka {
  readonly writes: PortWrite[] = [];
  private readonly failures = new Map<string, Error[]>();
  /** Topics an ACL denies the caller DESCRIBE on (Kafka answers TOPIC_AUTHORIZATION_FAILED). */
  readonly describeDenied = new Set<string>();
  /** Called before every port call (the world pumps replication here). */
  beforeCall: () => void = () => undefined;

  constructor(name: string, bootstrapServers: readonly string[]) {
    super({ name, bootstrapServers: [...bootstrapServers], auth: { mechanism: 'PLAINTEXT' as const } });
  }

  /** The next calls of `method` throw these errors, one per call, before the cluster answers again. */
  failNext(method: string, ...errors: Error[]): this {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...errors]);
    return this;
  }

  private enter(method: string): void {
    const queued = this.failures.get(method);
    const err = queued?.shift();
    if (err) throw err;
    this.beforeCall();
  }

  /** Appends `count` records `{seq}` to every partition of `topic` (a workload's producers). */
  fill(topic: string, count: number, from = 0): this {
    const t = this.topics.get(topic);
    t?.partitions.forEach((_, p) =>
      this.append(
        topic,
        p,
        Array.from({ length: count }, (_, i) => ({
          key: `k-${p}-${from + i}`,
          value: JSON.stringify({ topic, partition: p, seq: from + i }),
        })),
      ),
    );
    return this;
  }

  override async listTopics() {
    this.enter('listTopics');
    return super.listTopics();
  }
  override async describeTopics(topics: readonly string[]) {
    this.enter('describeTopics');
    const denied = topics.find((t) => this.describeDenied.has(t));
    if (denied)
      throw new AuthFailedError(`TOPIC_AUTHORIZATION_FAILED: not authorized to describe ${denied}`, {
        kind: 'authorization',
        kafkaError: 'TOPIC_AUTHORIZATION_FAILED',
      });
    return super.describeTopics(topics);
  }
  override async describeTopicConfigs(topics: readonly string[]) {
    this.enter('describeTopicConfigs');
    return super.describeTopicConfigs(topics);
  }
  override async fetchTopicOffsets(topic: string) {
    this.enter('fetchTopicOffsets');
    return super.fetchTopicOffsets(topic);
  }
  override async listGroups() {
    this.enter('listGroups');
    return super.listGroups();
  }
  override async describeGroups(groupIds: readonly string[]) {
    this.enter('describeGroups');
    return super.describeGroups(groupIds);
  }
  override async fetchCommittedOffsets(groupId: string, topics?: readonly string[]) {
    this.enter('fetchCommittedOffsets');
    return super.fetchCommittedOffsets(groupId, topics);
  }
  override async readPartition(args: Parameters<FakeKafka['readPartition']>[0]) {
    this.enter('readPartition');
    return super.readPartition(args);
  }
  override async createTopics(
    topics: ReadonlyArray<{ topic: string; numPartitions: number; configs?: Record<string, string> }>,
  ) {
    this.enter('createTopics');
    for (const t of topics) this.writes.push({ call: 'createTopics', subject: t.topic });
    return super.createTopics(topics);
  }
  override async deleteTopics(topics: readonly string[]) {
    this.enter('deleteTopics');
    for (const t of topics) this.writes.push({ call: 'deleteTopics', subject: t });
    return super.deleteTopics(topics);
  }
  override async produce(topic: string, records: readonly KafkaRecordOut[]) {
    this.enter('produce');
    this.writes.push({ call: 'produce', subject: topic });
    return super.produce(topic, records);
  }
  override async setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]) {
    this.enter('setCommittedOffsets');
    this.writes.push({ call: 'setCommittedOffsets', subject: groupId });
    return super.setCommittedOffsets(groupId, offsets);
  }

  // The inventory's reads (KafkaInventoryReads).
  async describeCluster(): Promise<ClusterDescription> {
    this.enter('describeCluster');
    return {
      clusterId: this.connection.name,
      controllerId: 1,
      brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: `b-${nodeId}.${this.connection.name}`, port: 9098 })),
    };
  }
  async describeAcls(): Promise<AclListing> {
    this.enter('describeAcls');
    return { authorizerEnabled: false };
  }
  async describeClientQuotas(): Promise<ClientQuotaEntry[]> {
    this.enter('describeClientQuotas');
    return [];
  }
  async describeBrokerConfigs(): Promise<ConfigEntry[]> {
    this.enter('describeBrokerConfigs');
    return [{ name: 'num.io.threads', value: '8', isDefault: true }];
  }
  async fetchTopicsOffsets(topics: readonly string[]): Promise<Record<string, PartitionOffsets[]>> {
    this.enter('fetchTopicsOffsets');
    const out: Record<string, PartitionOffsets[]> = {};
    for (const t of topics) out[t] = await super.fetchTopicOffsets(t);
    return out;
  }
}

// ---- MSK: the target cluster this execution creates ----

export type ClusterFate = { readonly becomes: 'ACTIVE' | 'FAILED'; readonly afterDescribes: number };

/** MSK's clusters in memory; a created cluster is CREATING until it has been described `afterDescribes` times. */
export class WorldProvisioner implements TargetProvisioner {
  readonly clusters: Array<{ -readonly [K in keyof TargetClusterInfo]: TargetClusterInfo[K] } & { describes: number }> =
    [];
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  fate: ClusterFate = { becomes: 'ACTIVE', afterDescribes: 1 };

  async findClusters(filter: string): Promise<TargetClusterInfo[]> {
    return this.clusters.filter((c) => c.clusterName.includes(filter) && c.state !== 'DELETING');
  }
  async createCluster(request: TargetClusterRequest): Promise<{ clusterArn: string }> {
    const clusterArn = `arn:aws:kafka:us-east-1:123456789012:cluster/${request.clusterName}/${String(this.created.length + 1).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000-1`;
    this.created.push(clusterArn);
    this.clusters.push({
      clusterArn,
      clusterName: request.clusterName,
      kind: request.kind,
      state: 'CREATING',
      tags: { ...request.tags },
      describes: 0,
    });
    return { clusterArn };
  }
  async describeCluster(clusterArn: string): Promise<TargetClusterInfo | undefined> {
    const c = this.clusters.find((x) => x.clusterArn === clusterArn);
    if (!c) return undefined;
    if (c.state === 'CREATING' && this.created.includes(clusterArn) && ++c.describes >= this.fate.afterDescribes) {
      c.state = this.fate.becomes;
      if (c.state === 'FAILED')
        c.stateDetail = 'InternalError: broker nodes could not be launched in subnet-0a1b2c3d4e5f60718';
    }
    return { ...c };
  }
  async getIamBootstrapBrokers(clusterArn: string): Promise<string[]> {
    return this.clusters.find((x) => x.clusterArn === clusterArn)?.state === 'ACTIVE' ? [...TARGET_BOOTSTRAP] : [];
  }
  async deleteCluster(clusterArn: string): Promise<void> {
    this.deleted.push(clusterArn);
    const c = this.clusters.find((x) => x.clusterArn === clusterArn);
    if (c) c.state = 'DELETING';
  }
  /** A cluster someone else owns, with a name close to ours. */
  addForeign(info: Omit<TargetClusterInfo, 'kind' | 'state'>): void {
    this.clusters.push({ kind: 'PROVISIONED', state: 'ACTIVE', describes: 0, ...info });
  }
}

// ---- the replicator ----

export type ReplicatorFate = { readonly becomes: 'RUNNING' | 'FAILED'; readonly afterDescribes: number };

interface ReplicatorEntry {
  handle: ReplicatorHandle;
  spec: ReplicatorSpec;
  state: ReplicatorState;
  describes: number;
  fate: ReplicatorFate;
}

const fullMatch = (patterns: readonly string[], name: string) =>
  patterns.some((p) => new RegExp(`^(?:${p})$`).test(name));

/**
 * Replicators in memory. A created one is CREATING until described `afterDescribes` times (the first creation follows
 * `fate`, later ones — the failback's reverse flow — `failbackFate`). While RUNNING, `pump` copies the records its
 * topic filter selects (same offsets on both sides) and, when it syncs offsets, the committed offsets of its groups
 * that are not active on the other side.
 */
export class WorldReplicator implements Replicator {
  readonly engine = 'MSK_REPLICATOR' as const;
  readonly replicators = new Map<string, ReplicatorEntry>();
  readonly createdNames: string[] = [];
  readonly deletedNames: string[] = [];
  fate: ReplicatorFate = { becomes: 'RUNNING', afterDescribes: 1 };
  failbackFate: ReplicatorFate = { becomes: 'RUNNING', afterDescribes: 1 };
  /** The next delete throws this (a rollback step that fails). */
  failDelete: Error | undefined;
  /** While this says so, nothing is copied (a replication that lags). */
  paused: () => boolean = () => false;

  constructor(
    private readonly source: WorldCluster,
    private readonly target: WorldCluster,
  ) {}

  async find(name: string) {
    const r = this.replicators.get(name);
    return r ? { handle: r.handle, state: r.state, tags: { ...r.spec.tags } } : undefined;
  }
  async countExisting() {
    return this.replicators.size;
  }
  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    const handle: ReplicatorHandle = {
      engine: this.engine,
      name: spec.name,
      id: `arn:aws:kafka:us-east-1:123456789012:replicator/${spec.name}/r-${this.createdNames.length + 1}`,
    };
    const fate = this.createdNames.length === 0 ? this.fate : this.failbackFate;
    this.createdNames.push(spec.name);
    this.replicators.set(spec.name, { handle, spec, state: 'CREATING', describes: 0, fate });
    return handle;
  }
  async describe(handle: ReplicatorHandle) {
    const r = this.replicators.get(handle.name);
    if (!r) return undefined;
    if (r.state === 'CREATING' && ++r.describes >= r.fate.afterDescribes) r.state = r.fate.becomes;
    return {
      state: r.state,
      ...(r.state === 'FAILED'
        ? { detail: 'ReplicatorFailure: the service execution role cannot describe the target cluster' }
        : {}),
    };
  }
  async delete(handle: ReplicatorHandle): Promise<void> {
    if (this.failDelete) {
      const err = this.failDelete;
      this.failDelete = undefined;
      throw err;
    }
    this.deletedNames.push(handle.name);
    this.replicators.delete(handle.name);
  }

  /** Copies what every RUNNING replicator would have copied by now. */
  pump(): void {
    if (this.paused()) return;
    for (const r of this.replicators.values()) {
      if (r.state !== 'RUNNING') continue;
      const reverse = this.isReverse(r.spec);
      const from = reverse ? this.target : this.source;
      const to = reverse ? this.source : this.target;
      for (const [name, topic] of from.topics) {
        if (!fullMatch(r.spec.topics.include, name) || fullMatch(r.spec.topics.exclude, name)) continue;
        if (!to.topics.has(name))
          to.addTopic(name, topic.partitions.length, r.spec.copyTopicConfigurations ? { ...topic.configs } : {});
        topic.partitions.forEach((log, p) => {
          const dst = to.log(name, p);
          if (dst.records.length === 0) dst.low = Math.max(dst.low, log.low);
          for (let o = Math.max(dst.low + dst.records.length, log.low); o < log.low + log.records.length; o++) {
            const rec = log.records[o - log.low];
            if (rec) dst.records.push({ key: rec.key, value: rec.value, headers: { ...rec.headers } });
          }
        });
      }
      if (!r.spec.syncGroupOffsets) continue;
      for (const [groupId, offsets] of from.committed) {
        if (!fullMatch(r.spec.consumerGroups.include, groupId) || fullMatch(r.spec.consumerGroups.exclude, groupId))
          continue;
        if ((to.activeMembers.get(groupId) ?? 0) > 0) continue;
        for (const [key, offset] of offsets) {
          const [topic, partition] = key.split('\u0000') as [string, string];
          if (to.topics.has(topic)) to.commit(groupId, topic, Number(partition), Number(offset));
        }
      }
    }
  }

  private isReverse(spec: ReplicatorSpec): boolean {
    if (spec.source.clusterArn) return spec.source.clusterArn !== SOURCE_ARN;
    return (spec.source.bootstrapServers ?? []).join(',') !== this.source.connection.bootstrapServers.join(',');
  }
}

// ---- lag signals (CloudWatch) ----

/** Alarms and MessageLag datapoints: lagging until `convergesAfter` evaluations have read them (never when null). */
export class WorldLagSignals implements LagSignals {
  readonly alarms = new Map<string, AlarmDefinition>();
  readonly deleted: string[] = [];
  convergesAfter: number | null = 1;
  private reads = 0;

  private converged(): boolean {
    return this.convergesAfter !== null && this.reads > this.convergesAfter;
  }
  async putAlarms(alarms: readonly AlarmDefinition[]): Promise<void> {
    for (const a of alarms) this.alarms.set(a.alarmName, a);
  }
  async deleteAlarms(names: readonly string[]): Promise<void> {
    for (const n of names) if (this.alarms.delete(n)) this.deleted.push(n);
  }
  async describeAlarms(names: readonly string[]): Promise<AlarmStatus[]> {
    this.reads++;
    return names.map((alarmName) =>
      !this.alarms.has(alarmName)
        ? { alarmName, state: 'MISSING' }
        : this.converged() || !alarmName.includes('lag')
          ? { alarmName, state: 'OK' }
          : { alarmName, state: 'ALARM', reason: 'Threshold Crossed: MessageLag 48210 > 0' },
    );
  }
  async getMetricSeries(
    queries: ReadonlyArray<{ readonly id: string }>,
    window: { readonly end: string },
  ): Promise<MetricSeries[]> {
    return queries.map(({ id }) => ({
      id,
      points: [{ timestamp: window.end, value: id === 'messageLag' && !this.converged() ? 48_210 : 0 }],
    }));
  }
}

// ---- the world ----

/** NONE: nobody decides; the state waits until something else settles it (an operator's abort, in the test). */
export type Decision = 'APPROVE' | 'REJECT' | 'EXPIRE' | 'NONE';

export interface Scenario {
  readonly plan?: unknown;
  readonly cluster?: ClusterFate;
  readonly replicator?: ReplicatorFate;
  /** Healthy lag signals after this many evaluations; null: never. @default 1 */
  readonly lagConvergesAfter?: number | null;
  /** Each approval kind's decision. @default APPROVE */
  readonly approvals?: Partial<Record<'CUTOVER' | 'FINALIZE' | 'FAILBACK', Decision>>;
  /** Before ValidateTarget runs: records dropped from the head of a target partition (a loss). */
  readonly loseOnTarget?: { readonly topic: string; readonly partition: number; readonly records: number };
  /** After the switch, consumer groups resume on the target. @default true */
  readonly consumersResumeOnTarget?: boolean;
  /** Records the workload writes to each target partition right after the switch. @default 3 */
  readonly writesAfterSwitch?: number;
  /** A task state that fails every time it runs, with this error (a fault the other knobs do not model). */
  readonly failState?: { readonly state: string; readonly error: Error };
  /** Task states that fail every time they run, each with its error. */
  readonly failStates?: Readonly<Record<string, Error>>;
  /** Invocations Lambda itself fails (a timeout or a crash with its real error name), by state name. */
  readonly lambdaFaults?: Readonly<Record<string, readonly LambdaFault[]>>;
  /** The first this many Scheduler calls (approval reminder / deadline) fail. @default 0 */
  readonly schedulerFailures?: number;
  /**
   * The drain and the offset commit look again within one invocation (the pacer the deployed functions get), every
   * this many ms for up to a minute; sleeping moves the world's clock. @default none: one look per invocation
   */
  readonly pacerEveryMs?: number;
  /** The runner fails the execution past this many history events. @default 25,000, as Step Functions */
  readonly historyEventLimit?: number;
  /**
   * An operator runs `msk-migrate abort` (the request recorded in `aborts`) just before the `call`-th call (1-based)
   * of this Task state.
   */
  readonly abortBefore?: { readonly state: string; readonly call: number; readonly reason?: string };
  /** StopExecution (the console's Stop) right after the `call`-th call (1-based) of this Task state returned. */
  readonly stopAfter?: { readonly state: string; readonly call: number };
  /** A plan in waves: the cutover approval of these waves (by name) decides so; the others as `approvals` says. */
  readonly waveApprovals?: Readonly<Record<string, Decision>>;
  /** A plan in waves: this Task state fails with this error every time it runs while this wave is current. */
  readonly failInWave?: { readonly wave: string; readonly state: string; readonly error: Error };
  /** Runs while an approval of this kind waits for its decision (another execution, an operator's abort, a stop). */
  readonly whileApprovalWaits?: Partial<Record<'CUTOVER' | 'FINALIZE' | 'FAILBACK', () => Promise<void>>>;
  /** The adapters of the plan's cutover.switches (the AWS handlers build Lambda ESM / ECS / MSK Connect ones). */
  readonly clientSwitches?: ClientSwitchFactory;
}

export interface TaskCall {
  readonly state: string;
  readonly event: Raw;
  readonly at: string;
  readonly outcome: 'OK' | 'ERROR';
  readonly error?: string;
}

const APPROVER = 'payments-oncall@example.com';
/** Which `$.settings` seconds the Wait before a state stands for. */
const WAIT_BEFORE: Record<string, string> = {
  CheckTargetStatus: 'provisionPollSeconds',
  CheckReplicationStatus: 'replicatorPollSeconds',
  EvaluateCatchUp: 'pollIntervalSeconds',
  CheckDrain: 'drainPollSeconds',
  CommitConsumerOffsets: 'drainPollSeconds',
  CheckTargetHealth: 'healthPollSeconds',
  CheckFailback: 'pollIntervalSeconds',
  CheckFailbackDrain: 'drainPollSeconds',
};

export class World {
  readonly source = new WorldCluster('source', SOURCE_BOOTSTRAP);
  readonly target = new WorldCluster('target', TARGET_BOOTSTRAP);
  readonly provisioner = new WorldProvisioner();
  readonly replicator = new WorldReplicator(this.source, this.target);
  readonly lagSignals = new WorldLagSignals();
  readonly artifacts = new MemoryArtifacts();
  readonly pointer = new MemorySwitch(`ssm:${POINTER}`, { value: SOURCE_BOOTSTRAP.join(','), revision: '7' });
  /** Every SSM pointer by parameter name: `pointer` (the plan's) and, for a plan in waves, each wave's own. */
  private readonly pointers = new Map<string, MemorySwitch>([[POINTER, this.pointer]]);
  /** The pointer the task being served reads: the current wave's (`waves[].switch`), else the plan's. */
  private servedPointer: MemorySwitch = this.pointer;
  readonly calls: TaskCall[] = [];
  /** The lock table, shared by every execution run in this world (one migration per cluster). */
  locks = new MemoryMigrationLocks();
  /** Set when the scenario's StopExecution happens (the runner then aborts the execution: no Catch runs). */
  stopped = false;
  /** The operator's abort requests (`msk-migrate abort` records them in the lock table). */
  readonly aborts = new MemoryAbortRequests();
  readonly approvalCallback = new LocalTaskCallback();
  readonly mailer = new OutboxApprovalMailer();
  readonly approvalServices: ApprovalServices;
  /** Every approval request made, in order (each attempt of an approval state makes one). */
  readonly approvalIds: string[] = [];
  /** The approval timers the Scheduler holds. */
  readonly schedules: Array<{ readonly approvalId: string; readonly at: string; readonly action: string }> = [];
  private schedulerFailures = 0;
  readonly msk = (() => {
    const cluster = mskCluster({
      clusterArn: SOURCE_ARN,
      clusterName: 'payments-2-8',
      bootstrapBrokers: { saslIam: SOURCE_BOOTSTRAP.join(',') },
      vpc: { subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0123456789abcdef0'] },
    });
    return {
      async describeCluster(arn: string) {
        if (arn !== SOURCE_ARN) throw new Error(`no cluster ${arn}`);
        return cluster;
      },
      async findClusterArn() {
        return undefined;
      },
    };
  })();
  private clockMs = Date.parse('2026-11-20T09:00:00.000Z');
  readonly now = (): Date => new Date(this.clockMs);

  constructor(readonly scenario: Scenario = {}) {
    // The source: two replicated topics with records, two consumer groups that committed part of them.
    this.source.addTopic('payments', 3, { 'retention.ms': '1209600000' }).fill('payments', 20);
    this.source.addTopic('ledger.entries', 2, { 'cleanup.policy': 'delete' }).fill('ledger.entries', 10);
    this.source
      .commit('payments-app', 'payments', 0, 10)
      .commit('payments-app', 'payments', 1, 15)
      .commit('payments-app', 'payments', 2, 20);
    this.source.commit('ledger-writer', 'ledger.entries', 0, 5).commit('ledger-writer', 'ledger.entries', 1, 10);
    this.source.beforeCall = () => this.replicator.pump();
    this.target.beforeCall = () => this.replicator.pump();
    // A cluster that is not ours, named like the ones this tool creates: never deleted.
    this.provisioner.addForeign({
      clusterArn:
        'arn:aws:kafka:us-east-1:123456789012:cluster/payments-kafka-4-target-0ther/11111111-2222-3333-4444-555555555555-1',
      clusterName: 'payments-kafka-4-target-0ther',
      tags: { 'msk-migration:migration-id': 'payments-kafka-4', 'msk-migration:execution': 'exec-0' },
    });
    if (scenario.cluster) this.provisioner.fate = scenario.cluster;
    if (scenario.replicator) this.replicator.fate = scenario.replicator;
    if (scenario.lagConvergesAfter !== undefined) this.lagSignals.convergesAfter = scenario.lagConvergesAfter;
    this.approvalServices = {
      store: new MemoryApprovalStore(),
      artifacts: this.artifacts,
      callback: this.approvalCallback,
      mailer: this.mailer,
      signingKey: async () => 'workflow-test-signing-key-0123456789abcdef',
      baseUrl: 'http://127.0.0.1:9',
      now: this.now,
      warn: () => undefined,
      newId: () => {
        const id = newApprovalId();
        this.approvalIds.push(id);
        return id;
      },
      reminders: {
        schedule: async (approvalId, at, action) => {
          if (this.schedulerFailures > 0) {
            this.schedulerFailures--;
            throw new Error('ThrottlingException: Rate exceeded (Scheduler CreateSchedule)');
          }
          this.schedules.push({ approvalId, at: at.toISOString(), action });
        },
        cancel: async () => undefined,
      },
    };
    this.schedulerFailures = scenario.schedulerFailures ?? 0;
  }

  /** The SSM pointer of that parameter name (each wave's own; created holding the source's bootstrap servers). */
  pointerAt(parameterName: string): MemorySwitch {
    let p = this.pointers.get(parameterName);
    if (!p) {
      p = new MemorySwitch(`ssm:${parameterName}`, { value: SOURCE_BOOTSTRAP.join(','), revision: '3' });
      this.pointers.set(parameterName, p);
    }
    return p;
  }

  /** The current wave of the execution state an event carries, and its entry of the plan; none without waves. */
  private waveOf(
    event: Raw,
  ): { name: string; topics: string[]; consumerGroups: string[]; switch?: Raw; consumersFirst?: boolean } | undefined {
    const name = event.state?.waves?.current?.name as string | undefined;
    return name ? ((event.state.input.waves as Raw[]).find((w) => w.name === name) as never) : undefined;
  }

  advance(seconds: number): void {
    this.clockMs += seconds * 1000;
  }

  /**
   * The Task states this world serves, by ASL state name: each by its function's task module as the workflow
   * catalogue wires it (lambdas/workflow/tasks.ts), over this world's ports; the approval states by a person.
   */
  tasks(): Record<string, LocalTask> {
    const { source, target, artifacts, replicator, lagSignals, provisioner, msk, now } = this;
    // The pointer port routes to the pointer of the wave being served (set per call by `recorded`).
    const routed = (): MemorySwitch => this.servedPointer;
    const pointer = {
      get pointer() {
        return routed().pointer;
      },
      read: () => routed().read(),
      set: (value: string, options?: Parameters<MemorySwitch['set']>[1]) => routed().set(value, options),
      revert: (previous: Parameters<MemorySwitch['revert']>[0]) => routed().revert(previous),
    };
    // The local composition root (lambdas/runtime/local.ts), in the workflow tests' variant: the AWS runtime's plans
    // (an SSM pointer, IAM fences) served over in-memory fakes, approvals decided by this world, and none of the
    // rehearsal's default ports (no ACL reads on the target, no pacer unless the scenario sets one).
    const served: Record<string, (event: Raw) => Promise<unknown>> = localStates(
      {
        source,
        target,
        artifacts,
        replicator,
        lagSignals,
        provisioner,
        msk,
        pointer,
        locks: this.locks,
        aborts: this.aborts,
        clock: now,
        clientSwitches: this.scenario.clientSwitches,
        runtime: 'AWS',
        targetAcls: undefined,
        pacer: this.scenario.pacerEveryMs
          ? {
              everyMs: this.scenario.pacerEveryMs,
              budgetMs: 60_000,
              sleep: async (ms: number) => this.advance(ms / 1000),
            }
          : undefined,
      },
      {
        portsFor: {
          // no CloudWatch alarms on the target in this world: the rollback window reads the target itself
          CheckTargetHealth: { lagSignals: undefined },
          // the reverse replication is removed through the replicator only
          StopFailback: { source: undefined },
        },
        instead: {
          CutoverApproval: (event) => this.approve(event as Raw),
          FinalizeApproval: (event) => this.approve(event as Raw),
          FailbackDecision: (event) => this.approve(event as Raw),
        },
      },
    );
    const validateTarget = served['ValidateTarget']!;
    served['ValidateTarget'] = async (event) => {
      const loss = this.scenario.loseOnTarget;
      if (loss)
        target.deleteRecordsBefore(
          loss.topic,
          loss.partition,
          Number(target.log(loss.topic, loss.partition).low) + loss.records,
        );
      return validateTarget(event);
    };
    const switchToTarget = served['SwitchToTarget']!;
    served['SwitchToTarget'] = async (event) => {
      const switched = await switchToTarget(event);
      this.workloadMovesToTarget(this.waveOf(event));
      return switched;
    };
    // The one-invocation cutover moves the workload when it got as far as the switch.
    const cutover = served['Cutover']!;
    served['Cutover'] = async (event) => {
      const out = (await cutover(event)) as Raw;
      if (out?.oneInvocation?.reached === 'SWITCHED') this.workloadMovesToTarget(this.waveOf(event));
      return out;
    };
    return Object.fromEntries(Object.entries(served).map(([name, run]) => [name, this.recorded(name, run)]));
  }

  /**
   * The workload after the switch: producers write to the target (`writesAfterSwitch` records per payments partition)
   * and, unless the scenario says otherwise, the consumer groups join on the target.
   */
  private workloadMovesToTarget(wave?: { topics: string[]; consumerGroups: string[]; consumersFirst?: boolean }): void {
    const count = this.scenario.writesAfterSwitch ?? 3;
    // A wave moves its own clients only: its topics' producers and its groups' consumers. A consumers-first wave's
    // producers stay: they go on writing to the source, and the replication copies it.
    const written = wave?.consumersFirst ? this.source : this.target;
    for (const topic of wave ? wave.topics : ['payments']) {
      const t = written.topics.get(topic);
      t?.partitions.forEach((log, p) =>
        written.append(
          topic,
          p,
          Array.from({ length: count }, (_, i) => ({
            key: `k-${p}-after-${i}`,
            value: JSON.stringify({ topic, partition: p, afterSwitch: i, offset: log.low + log.records.length + i }),
          })),
        ),
      );
    }
    if (this.scenario.consumersResumeOnTarget !== false)
      for (const group of wave ? wave.consumerGroups : ['payments-app', 'ledger-writer'])
        this.target.activeMembers.set(group, 1);
  }

  /**
   * Each call as Lambda would see it: the event and the result through JSON, the clock moved by the Wait before it,
   * the error's name as `Error` and Lambda's `{errorType, errorMessage}` document as `Cause`.
   */
  private recorded(name: string, run: (event: Raw) => Promise<unknown>): LocalTask {
    const lambda = !['CutoverApproval', 'FinalizeApproval', 'FailbackDecision'].includes(name);
    return async (raw) => {
      const event = JSON.parse(JSON.stringify(raw)) as Raw;
      const waited = WAIT_BEFORE[name];
      const seconds = waited ? Number(event.state?.settings?.[waited] ?? 0) : 0;
      this.advance(seconds + 1);
      const abort = this.scenario.abortBefore;
      if (abort?.state === name && this.calls.filter((c) => c.state === name).length + 1 === abort.call)
        await this.aborts.request({
          executionArn: String(event.state?.execution?.id),
          reason: abort.reason ?? 'Operator abort in the workflow test.',
          requestedBy: 'arn:aws:iam::123456789012:user/payments-oncall',
          requestedAt: this.now().toISOString(),
        });
      const wave = this.waveOf(event);
      // A wave of its own pointer reads that one; every other call the plan's (`pointer`, at POINTER).
      this.servedPointer = wave?.switch ? this.pointerAt(String(wave.switch.parameterName)) : this.pointer;
      try {
        const fault = this.scenario.failState;
        if (fault?.state === name) throw fault.error;
        const inWave = this.scenario.failInWave;
        if (inWave && inWave.state === name && inWave.wave === wave?.name) throw inWave.error;
        const failure = this.scenario.failStates?.[name];
        if (failure) throw failure;
        const result = await run(event);
        this.calls.push({ state: name, event, at: this.now().toISOString(), outcome: 'OK' });
        const stop = this.scenario.stopAfter;
        if (stop?.state === name && this.calls.filter((c) => c.state === name).length === stop.call)
          this.stopped = true;
        return JSON.parse(JSON.stringify(result ?? null));
      } catch (err) {
        const e = err as Error;
        this.calls.push({ state: name, event, at: this.now().toISOString(), outcome: 'ERROR', error: e.name });
        if (!lambda) throw err;
        // As the handler's middleware trims it and the Lambda runtime serializes it (lambdas/middleware/lambda-error.ts).
        const document = lambdaErrorDocument(trimForStepFunctions(e));
        throw Object.assign(new Error(JSON.stringify(document)), { name: e.name });
      }
    };
  }

  /**
   * An approval state: RequestApproval's real module stores the token and mails the approver; then the scenario's
   * person decides through the approval service's own `decide` (or lets the deadline pass: `expireApproval` at the
   * expiry), and the waiting state gets what SendTaskSuccess / SendTaskFailure would give it.
   */
  private async approve(event: Raw): Promise<unknown> {
    const input = parseEvent<Parameters<typeof RequestApprovalTask.run>[0]>(
      RequestApprovalTask,
      'RequestApproval',
      event,
    );
    const requested = await RequestApprovalTask.run(input, { approvals: this.approvalServices });
    const waiting = this.approvalCallback.waitFor(input.taskToken);
    await this.scenario.whileApprovalWaits?.[input.kind]?.();
    const wave = input.kind === 'CUTOVER' ? this.waveOf(event)?.name : undefined;
    const decision =
      (wave ? this.scenario.waveApprovals?.[wave] : undefined) ?? this.scenario.approvals?.[input.kind] ?? 'APPROVE';
    if (decision === 'NONE') {
      // Nobody decides: only what `whileApprovalWaits` did (an abort) can have settled the state.
    } else if (decision === 'EXPIRE') {
      this.clockMs = Date.parse(requested.expiresAt) + 1000;
      await expireApproval(requested.approvalId, this.approvalServices);
    } else {
      this.advance(300);
      const decided = await decide(
        {
          approvalId: requested.approvalId,
          outcome: decision,
          identity: { channel: 'EMAIL', id: APPROVER },
          comment: `${decision} in the workflow test`,
          context: {},
        },
        this.approvalServices,
      );
      if (decided.status !== 'DECIDED') throw new Error(`the test's decision was refused: ${decided.refusal.message}`);
    }
    const result = await waiting;
    if (result.kind === 'SUCCESS') return result.output;
    throw Object.assign(new Error(result.cause), { name: result.error });
  }

  /** Runs the real ASL against this world. */
  run(input: unknown = this.scenario.plan ?? examplePlan(), executionName = EXECUTION_NAME): Promise<RunResult> {
    return runWorkflow(input, {
      tasks: this.tasks(),
      executionName,
      now: this.now,
      ...(this.scenario.lambdaFaults ? { faults: this.scenario.lambdaFaults } : {}),
      ...(this.scenario.historyEventLimit ? { historyEventLimit: this.scenario.historyEventLimit } : {}),
      stopRequested: () => this.stopped,
    });
  }

  /** The Task states called, in order, and how each ended. */
  called(): string[] {
    return this.calls.map((c) => c.state);
  }

  /** The wave each call of `state` ran in, in order. */
  wavesOf(state: string): string[] {
    return this.calls.filter((c) => c.state === state).map((c) => String(c.event.state?.waves?.current?.name));
  }

  /**
   * The compensator as EventBridge invokes it with the status change of `result` (an execution that ended other than
   * SUCCEEDED), over this world's ports; a wave with its own SSM pointer has it undone there.
   */
  compensate(result: RunResult): Promise<Compensation> {
    return runCompensator(result.statusChange as unknown as ExecutionStatusChange, {
      artifacts: this.artifacts,
      locks: this.locks,
      pointer: this.pointer,
      pointerFor: (plan) =>
        plan.cutover.switch.type === 'SSM_PARAMETER' ? this.pointerAt(plan.cutover.switch.parameterName) : this.pointer,
      replicator: this.replicator,
      lagSignals: this.lagSignals,
      source: this.source,
      target: this.target,
      provisioner: this.provisioner,
      ...(this.scenario.clientSwitches ? { clientSwitches: this.scenario.clientSwitches } : {}),
      now: this.now,
    });
  }

  /** The last event a state received (its input: the whole execution state under `state`). */
  lastEvent(state: string): Raw | undefined {
    return [...this.calls].reverse().find((c) => c.state === state)?.event;
  }

  async report(): Promise<Raw | undefined> {
    return this.artifacts.getJson<Raw>(`migrations/payments-kafka-4/${EXECUTION_NAME}/report/report.json`);
  }

  /** Writes through the port to the source, other than to this execution's canary topic. */
  sourceWritesBesidesCanary(): PortWrite[] {
    return this.source.writes.filter((w) => !w.subject.startsWith('msk-migration.canary.'));
  }
}

/** Every Task state of the ASL, by name. */
export function aslTaskStates(): string[] {
  return Object.entries(loadDefinition().States)
    .filter(([, s]) => s.Type === 'Task')
    .map(([name]) => name);
}
