import { ReplicationFailedError } from '../errors';
import type {
  ReplicationEndpoint,
  ReplicationEngine,
  Replicator,
  ReplicatorHandle,
  ReplicatorSpec,
  ReplicatorState,
} from '../../ports/replicator';
import { ExecutionIdentity, isOwnedBy, literalPattern, ownershipTags, replicatorName } from './naming';
import { NameFilter, matchesFilter, selectTopics } from './topic-selection';

/**
 * StartReplication / CheckReplicationStatus / the replication part of rollback, for every engine behind the
 * Replicator port: plan (what will be copied, limits), create once (idempotent by name and tags), wait until
 * RUNNING, and delete only what this execution created.
 */

export interface ReplicationLimits {
  /** Topics one replicator may take (MSK Replicator: 750). */
  readonly maxTopicsPerReplicator?: number;
  /** Replicators per account and Region (MSK Replicator: 15). */
  readonly maxReplicatorsPerAccount?: number;
}

/** Today's MSK Replicator quotas (REFERENCE.md); configurable because AWS may raise them. */
export const MSK_REPLICATOR_LIMITS: ReplicationLimits = { maxTopicsPerReplicator: 750, maxReplicatorsPerAccount: 15 };

export function defaultLimits(engine: ReplicationEngine): ReplicationLimits {
  return engine === 'MSK_REPLICATOR' ? MSK_REPLICATOR_LIMITS : {};
}

export interface ReplicationPlanInput {
  readonly identity: ExecutionIdentity;
  readonly engine: ReplicationEngine;
  readonly source: ReplicationEndpoint;
  readonly target: ReplicationEndpoint;
  readonly topics: NameFilter;
  readonly consumerGroups: NameFilter;
  /** @default 'EARLIEST' (a migration copies the retained history) */
  readonly startingPosition?: 'EARLIEST' | 'LATEST';
  /** @default 'LEGACY'; ENHANCED when a failback is wanted (it needs a reverse replicator). */
  readonly offsetSyncMode?: 'LEGACY' | 'ENHANCED';
  /** @default true */
  readonly copyTopicConfigurations?: boolean;
  /** @default true */
  readonly detectAndCopyNewTopics?: boolean;
  /** @default true */
  readonly syncGroupOffsets?: boolean;
  /** The source's topics from the inventory: the limit check and the validation use the selected subset. */
  readonly sourceTopics: readonly string[];
  /** The execution's canary topic, added to the include list when it is in use. */
  readonly canaryTopic?: string;
  readonly mskConnect?: ReplicatorSpec['mskConnect'];
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ReplicationPlan {
  readonly spec: ReplicatorSpec;
  /** Source topics the replicator will copy (without the canary topic). */
  readonly topics: string[];
  /** False when the input's exclude patterns exclude the canary topic: the gate then runs without a canary. */
  readonly canaryReplicated: boolean;
}

export function planReplication(
  input: ReplicationPlanInput,
  limits: ReplicationLimits = defaultLimits(input.engine),
): ReplicationPlan {
  const topics = selectTopics(
    input.sourceTopics.filter((t) => t !== input.canaryTopic),
    input.topics,
  );
  if (topics.length === 0) {
    throw new ReplicationFailedError(
      `replication.topics matches none of the source's ${input.sourceTopics.length} topics (include ${JSON.stringify(input.topics.include)}, exclude ${JSON.stringify(input.topics.exclude)}): nothing would be copied. Fix the patterns.`,
      { include: input.topics.include, exclude: input.topics.exclude },
    );
  }
  const canaryCount = input.canaryTopic ? 1 : 0;
  if (limits.maxTopicsPerReplicator !== undefined && topics.length + canaryCount > limits.maxTopicsPerReplicator) {
    throw new ReplicationFailedError(
      `replication.topics selects ${topics.length + canaryCount} topics (canary included) but one ${input.engine} replicator takes at most ${limits.maxTopicsPerReplicator}. Split the migration into several (narrower include patterns) or ask AWS for a higher quota.`,
      { selectedTopics: topics.length + canaryCount, limit: limits.maxTopicsPerReplicator },
    );
  }
  const include = [...input.topics.include];
  let canaryReplicated = false;
  if (input.canaryTopic) {
    include.push(literalPattern(input.canaryTopic));
    canaryReplicated = matchesFilter(input.canaryTopic, { include, exclude: input.topics.exclude });
  }
  const spec: ReplicatorSpec = {
    name: replicatorName(input.identity),
    source: input.source,
    target: input.target,
    topics: { include, exclude: [...input.topics.exclude] },
    consumerGroups: { include: [...input.consumerGroups.include], exclude: [...input.consumerGroups.exclude] },
    startingPosition: input.startingPosition ?? 'EARLIEST',
    copyTopicConfigurations: input.copyTopicConfigurations ?? true,
    detectAndCopyNewTopics: input.detectAndCopyNewTopics ?? true,
    syncGroupOffsets: input.syncGroupOffsets ?? true,
    offsetSyncMode: input.offsetSyncMode ?? 'LEGACY',
    ...(input.mskConnect ? { mskConnect: input.mskConnect } : {}),
    tags: { ...(input.tags ?? {}), ...ownershipTags(input.identity) },
  };
  return { spec, topics, canaryReplicated };
}

export interface StartedReplication {
  readonly handle: ReplicatorHandle;
  /** False when an earlier attempt of this execution had already created it (a retried task). */
  readonly created: boolean;
}

/** Creates the replicator unless this execution already did; checks the per-account limit before creating. */
export async function startReplication(
  spec: ReplicatorSpec,
  identity: ExecutionIdentity,
  replicator: Replicator,
  limits: ReplicationLimits = defaultLimits(replicator.engine),
): Promise<StartedReplication> {
  const existing = await replicator.find(spec.name);
  if (existing) {
    if (!isOwnedBy(existing.tags, identity)) {
      throw new ReplicationFailedError(
        `A replicator named ${spec.name} exists but was not created by execution ${identity.executionName}; it is left untouched. Delete it or use another migrationId.`,
        { replicator: existing.handle.id },
      );
    }
    if (existing.state !== 'DELETING') return { handle: existing.handle, created: false };
  }
  if (limits.maxReplicatorsPerAccount !== undefined) {
    const count = await replicator.countExisting();
    if (count !== undefined && count >= limits.maxReplicatorsPerAccount) {
      throw new ReplicationFailedError(
        `The account already has ${count} ${replicator.engine} replicators, the limit is ${limits.maxReplicatorsPerAccount}: delete an unused one or ask AWS for a higher quota, then start a new execution.`,
        { existing: count, limit: limits.maxReplicatorsPerAccount },
      );
    }
  }
  const handle = await replicator.create(spec);
  return { handle, created: true };
}

export type ReplicationCheck =
  { readonly running: true; readonly state: 'RUNNING' } | { readonly running: false; readonly state: ReplicatorState };

/** One Describe of the Wait/Describe loop: RUNNING → ready; FAILED, DELETING or gone → Migration.ReplicationFailed. */
export async function checkReplication(handle: ReplicatorHandle, replicator: Replicator): Promise<ReplicationCheck> {
  const status = await replicator.describe(handle);
  if (!status) {
    throw new ReplicationFailedError(`Replicator ${handle.name} (${handle.id}) no longer exists.`, {
      replicator: handle.id,
    });
  }
  switch (status.state) {
    case 'RUNNING':
      return { running: true, state: 'RUNNING' };
    case 'FAILED':
      throw new ReplicationFailedError(
        `Replicator ${handle.name} is FAILED: ${status.detail ?? 'no reason given'}. Check its logs, the service execution role and the security groups.`,
        {
          replicator: handle.id,
          detail: status.detail,
        },
      );
    case 'DELETING':
      throw new ReplicationFailedError(
        `Replicator ${handle.name} is being deleted while this execution depends on it.`,
        { replicator: handle.id },
      );
    default:
      return { running: false, state: status.state };
  }
}

export type ReplicatorDeletion = 'DELETED' | 'ALREADY_GONE' | 'NOT_OURS';

/** Rollback / finalize: deletes the replicator only when its tags say this execution created it. */
export async function stopReplication(
  handle: ReplicatorHandle,
  identity: ExecutionIdentity,
  replicator: Replicator,
): Promise<ReplicatorDeletion> {
  const existing = await replicator.find(handle.name);
  if (!existing) return 'ALREADY_GONE';
  if (!isOwnedBy(existing.tags, identity)) return 'NOT_OURS';
  if (existing.state !== 'DELETING') await replicator.delete(existing.handle);
  return 'DELETED';
}
