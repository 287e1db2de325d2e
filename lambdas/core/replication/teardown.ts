import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { Replicator, ReplicatorHandle } from '../../ports/replicator';
import { deleteCanaryTopic } from '../gates/canary';
import type { ExecutionIdentity } from './naming';
import { stopReplication, type ReplicatorDeletion } from './replication';

/**
 * What a rollback or a finalize calls to undo this phase's resources, each step idempotent: the replicator (only
 * if this execution created it), the alarms the execution put, and the canary topic on both clusters. Source data
 * is never touched: the canary topic is the only thing on the source that this execution created.
 */

export interface ReplicationResources {
  readonly identity: ExecutionIdentity;
  /** `$.replication.handle`, absent when StartReplication never created one. */
  readonly handle?: ReplicatorHandle;
  /** `$.replication.alarmNames`. */
  readonly alarmNames?: readonly string[];
  /** `$.replication.canaryTopic`. */
  readonly canaryTopic?: string;
  /** Keep the replicator running (finalize after a successful cutover may keep it for failback). @default false */
  readonly keepReplicator?: boolean;
}

export interface ReplicationTeardown {
  readonly replicator: ReplicatorDeletion | 'KEPT' | 'NONE';
  readonly alarmsDeleted: number;
  readonly canaryTopicDeleted: boolean;
}

export async function teardownReplication(
  resources: ReplicationResources,
  deps: {
    readonly replicator?: Replicator;
    readonly lagSignals?: LagSignals;
    readonly source?: KafkaDataPlane;
    readonly target?: KafkaDataPlane;
  },
): Promise<ReplicationTeardown> {
  let replicator: ReplicationTeardown['replicator'] = 'NONE';
  if (resources.handle && deps.replicator) {
    replicator = resources.keepReplicator
      ? 'KEPT'
      : await stopReplication(resources.handle, resources.identity, deps.replicator);
  }
  const alarmNames = resources.alarmNames ?? [];
  if (alarmNames.length > 0 && deps.lagSignals) await deps.lagSignals.deleteAlarms(alarmNames);
  let canaryTopicDeleted = false;
  if (resources.canaryTopic && deps.source) {
    // The target's copy goes only once nothing replicates it back into existence.
    const clusters = replicator === 'KEPT' || !deps.target ? [deps.source] : [deps.source, deps.target];
    await deleteCanaryTopic(clusters, resources.canaryTopic);
    canaryTopicDeleted = true;
  }
  return { replicator, alarmsDeleted: deps.lagSignals ? alarmNames.length : 0, canaryTopicDeleted };
}
