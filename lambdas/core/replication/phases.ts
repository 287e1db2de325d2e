import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { ReplicationEndpoint, ReplicationEngine, Replicator, ReplicatorSpec } from '../../ports/replicator';
import type { TargetProvisioner } from '../../ports/target-provisioner';
import { ensureCanaryTopic } from '../gates/canary';
import type { CatchUpPolicy } from '../gates/catch-up';
import { evaluateCatchUp } from '../gates/evaluate-catch-up';
import type { LagGateThresholds } from '../gates/lag-gate';
import { replicatorAlarms } from '../gates/replicator-alarms';
import { checkTargetCluster, ensureTargetCluster, type TargetClusterPlan } from '../provisioning/target-cluster';
import type { ConfigPolicy } from '../validation/topic-parity';
import type { AccessChecker } from '../access/access-checker';
import { validateTarget, type ValidationRequest } from '../validation/validate-target';
import { alarmNamePrefix, canaryTopicName, ownershipTags, type ExecutionIdentity } from './naming';
import { checkReplication, planReplication, startReplication, type ReplicationLimits } from './replication';
import type { CatchUpState, ProvisionedTarget, ReplicationState, ValidationState } from './state';
import type { NameFilter } from './topic-selection';

/**
 * The replication phases as the task modules call them, one function per ASL Task state, each taking the part of
 * the execution input it needs and the ports, and returning what goes to its ResultPath (schemas in ./state.ts).
 * A task module is then: parse with zod, build the ports, call one of these.
 */

// ---- ProvisionTarget / CheckTargetStatus ----

export async function runProvisionTarget(
  identity: ExecutionIdentity,
  plan: TargetClusterPlan,
  provisioner: TargetProvisioner,
): Promise<ProvisionedTarget> {
  const result = await ensureTargetCluster(plan, identity, provisioner);
  return { ...result, state: 'CREATING', ready: false };
}

export async function runCheckTargetStatus(
  target: ProvisionedTarget,
  provisioner: TargetProvisioner,
): Promise<ProvisionedTarget> {
  const check = await checkTargetCluster(target.clusterArn, provisioner);
  return check.ready
    ? { ...target, state: check.state, ready: true, bootstrapServers: check.bootstrapServers }
    : { ...target, state: check.state, ready: false };
}

// ---- StartReplication / CheckReplicationStatus ----

export interface StartReplicationRequest {
  readonly identity: ExecutionIdentity;
  readonly engine: ReplicationEngine;
  readonly source: ReplicationEndpoint;
  readonly target: ReplicationEndpoint;
  readonly topics: NameFilter;
  readonly consumerGroups: NameFilter;
  readonly startingPosition?: 'EARLIEST' | 'LATEST';
  readonly offsetSyncMode?: 'LEGACY' | 'ENHANCED';
  /** Create and use the execution's canary topic on the source. @default true */
  readonly canary?: boolean;
  /** Alarm thresholds (MSK Replicator). */
  readonly maxLagRecords: number;
  readonly maxReplicationLatencyMs?: number;
  readonly mskConnect?: ReplicatorSpec['mskConnect'];
  readonly limits?: ReplicationLimits;
  /** Input tags added to everything created (ours win on conflict). */
  readonly tags?: Readonly<Record<string, string>>;
  /** The inventory's topic list (its artifact); when absent the source is listed now. */
  readonly sourceTopics?: readonly string[];
}

export interface StartReplicationDeps {
  readonly replicator: Replicator;
  readonly artifacts: ArtifactStore;
  /** The source's data plane: its topic list, and the canary topic. */
  readonly source: KafkaDataPlane;
  /** Required for MSK Replicator (its alarms). */
  readonly lagSignals?: LagSignals;
}

export async function runStartReplication(
  request: StartReplicationRequest,
  deps: StartReplicationDeps,
): Promise<ReplicationState> {
  const { identity } = request;
  const canaryTopic = request.canary === false ? undefined : canaryTopicName(identity);
  // The canary topic exists before the replicator starts, so that both engines pick it up at once.
  if (canaryTopic) await ensureCanaryTopic(deps.source, canaryTopic);
  const plan = planReplication(
    {
      identity,
      engine: request.engine,
      source: request.source,
      target: request.target,
      topics: request.topics,
      consumerGroups: request.consumerGroups,
      ...(request.startingPosition ? { startingPosition: request.startingPosition } : {}),
      ...(request.offsetSyncMode ? { offsetSyncMode: request.offsetSyncMode } : {}),
      sourceTopics: request.sourceTopics ?? (await deps.source.listTopics()),
      ...(canaryTopic ? { canaryTopic } : {}),
      ...(request.mskConnect ? { mskConnect: request.mskConnect } : {}),
      ...(request.tags ? { tags: request.tags } : {}),
    },
    request.limits,
  );
  const topicsKey = artifactKey(identity.migrationId, identity.executionName, 'replication/topics.json');
  await deps.artifacts.putJson(topicsKey, plan.topics);
  await deps.artifacts.putJson(
    artifactKey(identity.migrationId, identity.executionName, 'replication/spec.json'),
    plan.spec,
  );
  const started = await startReplication(plan.spec, identity, deps.replicator, request.limits);

  let alarmNames: string[] = [];
  if (request.engine === 'MSK_REPLICATOR' && deps.lagSignals) {
    const alarms = replicatorAlarms(
      plan.spec.name,
      alarmNamePrefix(identity),
      {
        maxLagRecords: request.maxLagRecords,
        syncGroupOffsets: plan.spec.syncGroupOffsets,
        ...(request.maxReplicationLatencyMs ? { maxReplicationLatencyMs: request.maxReplicationLatencyMs } : {}),
      },
      ownershipTags(identity),
    );
    await deps.lagSignals.putAlarms(alarms);
    alarmNames = alarms.map((a) => a.alarmName);
  }
  return {
    handle: started.handle,
    created: started.created,
    state: 'CREATING',
    running: false,
    startingPosition: plan.spec.startingPosition,
    topicsKey,
    topicCount: plan.topics.length,
    ...(canaryTopic && plan.canaryReplicated ? { canaryTopic } : {}),
    alarmNames,
  };
}

export async function runCheckReplicationStatus(
  state: ReplicationState,
  replicator: Replicator,
): Promise<ReplicationState> {
  const check = await checkReplication(state.handle, replicator);
  return { ...state, state: check.state, running: check.running };
}

// ---- EvaluateCatchUp ----

export interface EvaluateCatchUpDeps {
  readonly artifacts: ArtifactStore;
  readonly lagSignals?: LagSignals;
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly now: () => Date;
}

export async function runEvaluateCatchUp(
  identity: ExecutionIdentity,
  replication: ReplicationState,
  gates: LagGateThresholds & CatchUpPolicy & { readonly canaryTimeoutSeconds?: number },
  previous: CatchUpState | undefined,
  deps: EvaluateCatchUpDeps,
): Promise<CatchUpState> {
  const topics = (await deps.artifacts.getJson<string[]>(replication.topicsKey)) ?? [];
  const { progress } = await evaluateCatchUp(
    {
      identity,
      engine: replication.handle.engine,
      startingPosition: replication.startingPosition,
      replicatorName: replication.handle.name,
      alarmNames: replication.alarmNames,
      topics,
      ...(replication.canaryTopic
        ? { canary: { topic: replication.canaryTopic, timeoutMs: (gates.canaryTimeoutSeconds ?? 15) * 1000 } }
        : {}),
      thresholds: {
        maxLagRecords: gates.maxLagRecords,
        ...(gates.maxReplicationLatencyMs !== undefined
          ? { maxReplicationLatencyMs: gates.maxReplicationLatencyMs }
          : {}),
        ...(gates.maxCanaryRoundTripMs !== undefined ? { maxCanaryRoundTripMs: gates.maxCanaryRoundTripMs } : {}),
      },
      policy: {
        consecutiveHealthyChecks: gates.consecutiveHealthyChecks,
        catchUpTimeoutMinutes: gates.catchUpTimeoutMinutes,
      },
      ...(previous ? { previous } : {}),
    },
    deps,
  );
  return progress;
}

// ---- ValidateTarget ----

export interface ValidateTargetRequest {
  readonly identity: ExecutionIdentity;
  readonly replication: ReplicationState;
  readonly consumerGroups: NameFilter;
  /** From the target profile (configs it manages or rewrites). */
  readonly configPolicy: ConfigPolicy;
  readonly maxRewindRecords?: number;
  /** The plan's recovery tolerances (duplicates per topic). */
  readonly recovery?: ValidationRequest['recovery'];
  /** Whose access is checked (see ValidationRequest.principals), how it is decided, or why it is not. */
  readonly principals?: ValidationRequest['principals'];
  readonly accessBasis?: string;
  readonly accessSkipped?: string;
}

export async function runValidateTarget(
  request: ValidateTargetRequest,
  deps: {
    readonly source: KafkaDataPlane;
    readonly target: KafkaDataPlane;
    readonly artifacts: ArtifactStore;
    readonly access?: AccessChecker;
    readonly now: () => Date;
  },
): Promise<ValidationState> {
  const topics = (await deps.artifacts.getJson<string[]>(request.replication.topicsKey)) ?? [];
  return validateTarget(
    {
      identity: request.identity,
      topics,
      consumerGroups: request.consumerGroups,
      startingPosition: request.replication.startingPosition,
      configPolicy: request.configPolicy,
      ...(request.maxRewindRecords !== undefined ? { maxRewindRecords: request.maxRewindRecords } : {}),
      ...(request.recovery ? { recovery: request.recovery } : {}),
      ...(request.principals ? { principals: request.principals } : {}),
      ...(request.accessBasis !== undefined ? { accessBasis: request.accessBasis } : {}),
      ...(request.accessSkipped !== undefined ? { accessSkipped: request.accessSkipped } : {}),
    },
    deps,
  );
}
