import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MigrationPlanSchema, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { isOwnedBy, type ExecutionIdentity } from '../../lambdas/core/replication/naming';
import type { MskControlPlane } from '../../lambdas/ports/msk-control-plane';
import type { Replicator, ReplicatorHandle, ReplicatorSpec, ReplicatorState } from '../../lambdas/ports/replicator';
import type { TargetClusterInfo, TargetProvisioner } from '../../lambdas/ports/target-provisioner';
import type { ExecutionState, TargetState } from '../../lambdas/tasks/shared/execution-state';
import { mskCluster } from './inventory-fixtures';
import { FakeKafka, replicate } from './validation-fake-kafka';

/** Execution states and in-memory ports for the task-module tests (test/unit/task-*.test.ts). */

export const identity: ExecutionIdentity = { migrationId: 'orders-to-serverless', executionName: 'exec-1' };

export type ExampleName =
  'msk-to-serverless-replicator' | 'msk-to-msk-new-version' | 'msk-to-automq-mirrormaker2' | 'msk-to-serverless-waves';

export function examplePlan(
  name: ExampleName,
  change: (raw: Record<string, unknown>) => void = () => undefined,
): MigrationPlan {
  const raw = JSON.parse(readFileSync(path.join(__dirname, '../../examples', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  raw.migrationId = identity.migrationId;
  change(raw);
  return MigrationPlanSchema.parse(raw);
}

/**
 * A Kafka-compatible target behind SASL/SCRAM, as the local rehearsal runs it (MirrorMaker 2 run by the tool, the
 * file pointer): MSK Connect cannot host its workers on such a target, so no AWS example has one.
 */
export function scramTargetPlan(): MigrationPlan {
  return examplePlan('msk-to-automq-mirrormaker2', (raw) => {
    const target = raw.target as Record<string, unknown>;
    target.bootstrapServers = ['automq-0.clickstream.internal:9092'];
    target.auth = {
      mechanism: 'SCRAM-SHA-512',
      secretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:AmazonMSK_automq-migration-AbCdEf',
      tls: true,
    };
    delete (raw.replication as Record<string, unknown>).mskConnect;
    (raw.cutover as Record<string, unknown>).switch = { type: 'LOCAL_FILE', path: '/tmp/rehearsal/bootstrap' };
  });
}

/** The state as ValidateInput leaves it, plus any phase results. */
export function stateOf<P extends Partial<ExecutionState>>(
  plan: MigrationPlan,
  phases: P = {} as P,
): ExecutionState & P {
  return {
    input: plan,
    identity,
    execution: {
      id: `arn:aws:states:eu-west-1:123456789012:execution:migration:${identity.executionName}`,
      name: identity.executionName,
      startedAt: '2026-11-01T10:00:00.000Z',
    },
    settings: {
      provisionPollSeconds: 60,
      replicatorPollSeconds: 60,
      pollIntervalSeconds: 60,
      drainPollSeconds: 10,
      healthPollSeconds: 60,
    },
    ...phases,
  } as ExecutionState & P;
}

export const at = (iso: string) => () => new Date(iso);

/** `$.target` as ProvisionTarget leaves it for a Kafka-compatible target named by address (the AutoMQ example). */
export function readyKafkaTarget(): TargetState {
  return {
    type: 'KAFKA',
    source: 'BOOTSTRAP',
    created: false,
    state: 'REACHABLE_BY_ADDRESS',
    ready: true,
    bootstrapServers: ['automq-0:9092'],
    startedAt: '2026-11-01T10:00:00.000Z',
  };
}

/** `$.target` as ProvisionTarget leaves it for an existing MSK Serverless cluster that is ACTIVE. */
export function readyServerlessTarget(clusterArn: string): TargetState {
  return {
    type: 'MSK_SERVERLESS',
    source: 'EXISTING_MSK',
    clusterArn,
    created: false,
    state: 'ACTIVE',
    ready: true,
    bootstrapServers: ['t:9098'],
    startedAt: '2026-11-01T10:00:00.000Z',
  };
}

/** MSK's target clusters in memory: create, describe, delete, with tags; counts the calls that change something. */
export class FakeProvisioner implements TargetProvisioner {
  readonly clusters: Array<
    { -readonly [K in keyof TargetClusterInfo]: TargetClusterInfo[K] } & { bootstrap: string[] }
  > = [];
  creates = 0;
  deletes: string[] = [];

  add(
    info: Partial<TargetClusterInfo> & { clusterArn: string; clusterName: string; tags: Record<string, string> },
  ): this {
    this.clusters.push({ kind: 'SERVERLESS', state: 'ACTIVE', bootstrap: ['t-1:9098'], ...info });
    return this;
  }
  async findClusters(filter: string): Promise<TargetClusterInfo[]> {
    return this.clusters.filter((c) => c.clusterName.includes(filter));
  }
  async createCluster(request: Parameters<TargetProvisioner['createCluster']>[0]): Promise<{ clusterArn: string }> {
    this.creates++;
    const clusterArn = `arn:aws:kafka:us-east-1:123456789012:cluster/${request.clusterName}/${this.creates}`;
    this.clusters.push({
      clusterArn,
      clusterName: request.clusterName,
      kind: request.kind,
      state: 'CREATING',
      tags: { ...request.tags },
      bootstrap: ['t-1:9098', 't-2:9098'],
    });
    return { clusterArn };
  }
  async describeCluster(clusterArn: string): Promise<TargetClusterInfo | undefined> {
    return this.clusters.find((c) => c.clusterArn === clusterArn);
  }
  async getIamBootstrapBrokers(clusterArn: string): Promise<string[]> {
    const c = this.clusters.find((x) => x.clusterArn === clusterArn);
    return c?.state === 'ACTIVE' ? c.bootstrap : [];
  }
  async deleteCluster(clusterArn: string): Promise<void> {
    this.deletes.push(clusterArn);
    const c = this.clusters.find((x) => x.clusterArn === clusterArn);
    if (c) c.state = 'DELETING';
  }
  setState(clusterArn: string, state: TargetClusterInfo['state']): void {
    const c = this.clusters.find((x) => x.clusterArn === clusterArn);
    if (c) c.state = state;
  }
}

/** A replicator engine in memory that copies topics between two FakeKafka clusters when created. */
export class FakeReplicator implements Replicator {
  readonly specs: ReplicatorSpec[] = [];
  readonly replicators = new Map<
    string,
    { handle: ReplicatorHandle; state: ReplicatorState; tags: Record<string, string> }
  >();
  deleted: string[] = [];

  constructor(
    readonly engine: 'MSK_REPLICATOR' | 'MIRROR_MAKER_2',
    private readonly source?: FakeKafka,
    private readonly target?: FakeKafka,
  ) {}

  async find(name: string) {
    const r = this.replicators.get(name);
    return r ? { handle: r.handle, state: r.state, tags: r.tags } : undefined;
  }
  async countExisting() {
    return this.replicators.size;
  }
  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    this.specs.push(spec);
    const handle = { engine: this.engine, name: spec.name, id: `id-${spec.name}` };
    this.replicators.set(spec.name, { handle, state: 'CREATING', tags: { ...spec.tags } });
    if (this.source && this.target) replicate(this.source, this.target, await this.source.listTopics());
    return handle;
  }
  async describe(handle: ReplicatorHandle) {
    const r = this.replicators.get(handle.name);
    return r ? { state: r.state } : undefined;
  }
  async delete(handle: ReplicatorHandle): Promise<void> {
    this.deleted.push(handle.name);
    this.replicators.delete(handle.name);
  }
  setState(name: string, state: ReplicatorState): void {
    const r = this.replicators.get(name);
    if (r) r.state = state;
  }
  /** A replicator someone else created under a name. */
  addForeign(name: string, tags: Record<string, string>): void {
    this.replicators.set(name, {
      handle: { engine: this.engine, name, id: `foreign-${name}` },
      state: 'RUNNING',
      tags,
    });
  }
  owns(name: string, who: ExecutionIdentity): boolean {
    return isOwnedBy(this.replicators.get(name)?.tags, who);
  }
}

/** The MSK control plane over a few described clusters. */
export function fakeMsk(...clusters: ReturnType<typeof mskCluster>[]): MskControlPlane & { described: string[] } {
  const described: string[] = [];
  return {
    described,
    async describeCluster(arn: string) {
      described.push(arn);
      const c = clusters.find((x) => x.clusterArn === arn);
      if (!c) throw new Error(`no cluster ${arn}`);
      return c;
    },
    async findClusterArn() {
      return undefined;
    },
  };
}

export { FakeKafka, mskCluster };
