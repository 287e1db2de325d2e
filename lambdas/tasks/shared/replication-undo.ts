import { replicatorAlarms } from '../../core/gates/replicator-alarms';
import {
  alarmNamePrefix,
  canaryTopicName,
  isOwnedBy,
  ownershipTags,
  replicatorName,
  type ExecutionIdentity,
} from '../../core/replication/naming';
import { teardownReplication, type ReplicationResources } from '../../core/replication/teardown';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { Replicator } from '../../ports/replicator';
import type { ExecutionState, ReplicationTeardownState } from './execution-state';

/**
 * Undoing the replication phase (RollbackReplication, Finalize): the replicator, its alarms and the canary topic,
 * each only when this execution's ownership tags or names say it created them; idempotent (a second run finds
 * them gone). Source data is never touched: the canary topic is the only thing this tool writes to the source.
 */

export interface ReplicationUndoDeps {
  readonly replicator?: Replicator;
  readonly lagSignals?: LagSignals;
  readonly source?: KafkaDataPlane;
  readonly target?: KafkaDataPlane;
  readonly now: () => Date;
}

const SENTENCE: Record<ReplicationTeardownState['replicator'], (name: string) => string> = {
  DELETED: (name) => `Replicator ${name} deleted (created by this execution).`,
  ALREADY_GONE: (name) => `Replicator ${name} was already gone.`,
  NOT_OURS: (name) => `Replicator ${name} carries another execution's tags: left untouched.`,
  KEPT: (name) => `Replicator ${name} kept.`,
  NONE: () => 'No replicator to delete.',
};

export async function undoReplication(
  state: ExecutionState,
  deps: ReplicationUndoDeps,
): Promise<ReplicationTeardownState> {
  const identity: ExecutionIdentity = {
    migrationId: state.identity.migrationId,
    executionName: state.identity.executionName,
  };
  const at = () => deps.now().toISOString();
  const replication = state.replication;
  if (replication)
    return tearDown(
      {
        identity,
        handle: replication.handle,
        alarmNames: replication.alarmNames,
        ...(replication.canaryTopic ? { canaryTopic: replication.canaryTopic } : {}),
      },
      [],
      deps,
    );
  // StartReplication is reached only with a ready target: it never ran, so nothing of it can exist.
  if (state.target?.ready !== true)
    return nothingToUndo(false, [], 'StartReplication never ran: nothing to undo.', at());
  // StartReplication failed part-way: look for what it may have created under this execution's names.
  const found = await leftoversOrNothing(
    state.input,
    identity,
    deps,
    "StartReplication created nothing (no replicator or canary topic under this execution's names).",
  );
  if ('done' in found) return found.done;
  found.notes.push(
    "StartReplication had failed part-way; what it created was found by this execution's names and tags.",
  );
  return tearDown(found.resources, found.notes, deps);
}

/** Nothing to delete: the result says why (or that what carries this execution's name is another's). */
function nothingToUndo(foreign: boolean, notes: string[], why: string, at: string): ReplicationTeardownState {
  return {
    outcome: foreign ? 'NOT_OURS' : 'NOTHING_TO_DO',
    replicator: foreign ? 'NOT_OURS' : 'NONE',
    alarmsDeleted: 0,
    canaryTopicDeleted: false,
    notes: foreign ? notes : [why],
    at,
  };
}

/** What is left of the replication under this execution's names, or the result when nothing is (`why` says so). */
async function leftoversOrNothing(
  plan: ExecutionState['input'],
  identity: ExecutionIdentity,
  deps: ReplicationUndoDeps,
  why: string,
): Promise<
  { readonly resources: ReplicationResources; readonly notes: string[] } | { readonly done: ReplicationTeardownState }
> {
  const { foreign, ...resources } = await leftoversOf(plan, identity, deps);
  const notes: string[] = [];
  if (foreign)
    notes.push(`A replicator named ${replicatorName(identity)} carries another execution's tags: left untouched.`);
  if (!resources.handle && !resources.canaryTopic && (resources.alarmNames ?? []).length === 0)
    return { done: nothingToUndo(foreign, notes, why, deps.now().toISOString()) };
  return { resources, notes };
}

/** Deletes what `resources` names (the replicator only when it is this execution's) and says what was done. */
async function tearDown(
  resources: ReplicationResources,
  notes: string[],
  deps: ReplicationUndoDeps,
): Promise<ReplicationTeardownState> {
  const result = await teardownReplication(resources, deps);
  const name = resources.handle?.name ?? replicatorName(resources.identity);
  notes.push(SENTENCE[result.replicator](name));
  if (result.alarmsDeleted > 0)
    notes.push(`${result.alarmsDeleted} alarm${result.alarmsDeleted === 1 ? '' : 's'} deleted.`);
  if (result.canaryTopicDeleted) notes.push(`Canary topic ${resources.canaryTopic ?? ''} deleted.`);
  notes.push('Topics copied to the target and all source topics are left as they are.');
  return {
    outcome: result.replicator === 'NOT_OURS' ? 'NOT_OURS' : 'DONE',
    replicator: result.replicator,
    ...(resources.handle ? { replicatorName: resources.handle.name } : {}),
    alarmsDeleted: result.alarmsDeleted,
    canaryTopicDeleted: result.canaryTopicDeleted,
    notes,
    at: deps.now().toISOString(),
  };
}

async function leftoversOf(
  plan: ExecutionState['input'],
  identity: ExecutionIdentity,
  deps: ReplicationUndoDeps,
): Promise<ReplicationResources & { readonly foreign: boolean }> {
  const name = replicatorName(identity);
  const found = deps.replicator ? await deps.replicator.find(name) : undefined;
  const handle = found && isOwnedBy(found.tags, identity) ? found.handle : undefined;
  const canary = canaryTopicName(identity);
  const canaryExists = deps.source ? (await deps.source.listTopics()).includes(canary) : false;
  const alarmNames =
    plan.replication.engine === 'MSK_REPLICATOR' && deps.lagSignals
      ? replicatorAlarms(
          name,
          alarmNamePrefix(identity),
          { maxLagRecords: plan.gates.maxLagRecords, syncGroupOffsets: true },
          ownershipTags(identity),
        ).map((a) => a.alarmName)
      : [];
  const existing =
    alarmNames.length > 0 && deps.lagSignals
      ? (await deps.lagSignals.describeAlarms(alarmNames)).filter((a) => a.state !== 'MISSING').map((a) => a.alarmName)
      : [];
  return {
    identity,
    foreign: found !== undefined && handle === undefined,
    ...(handle ? { handle } : {}),
    alarmNames: existing,
    ...(canaryExists ? { canaryTopic: canary } : {}),
  };
}

/**
 * The compensator's undo of the replication phase, when no execution state says what StartReplication created (the
 * execution was stopped, or failed outside any Catch): the replicator, its alarms and the canary topic are looked
 * for under this execution's names and removed only when its ownership tags say so. Idempotent.
 */
export async function undoReplicationByNames(
  plan: ExecutionState['input'],
  identity: ExecutionIdentity,
  deps: ReplicationUndoDeps,
): Promise<ReplicationTeardownState> {
  const found = await leftoversOrNothing(
    plan,
    identity,
    deps,
    "Nothing of the replication is left under this execution's names.",
  );
  if ('done' in found) return found.done;
  return tearDown(found.resources, found.notes, deps);
}
