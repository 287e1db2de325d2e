import { z } from 'zod';
import { windowEndsAt } from './check-target-health';

/**
 * The rollback plan: from what this execution's state says it did, the ordered undo actions, each only for what
 * THIS execution created or changed, and each naming the rollback state that performs it. Pure.
 *
 * Order: the pointers first (clients back on the source before anything they might use goes away), then the
 * replicator, its alarms and the canary topic, and the target cluster last. After the switch the target cluster is
 * kept even when this execution created it: it holds the writes made since the switch, which must be reconciled
 * before anyone deletes them. Past the point of no return (switched, and the rollback window closed) nothing is
 * undone automatically: the only action is to ask a person.
 */

export const RollbackStateSchema = z.looseObject({
  /** `$.target` (ProvisionTarget), present when the plan asked for a new cluster. */
  target: z
    .looseObject({ created: z.boolean(), clusterArn: z.string().optional(), clusterName: z.string().optional() })
    .optional(),
  /** `$.replication`. */
  replication: z
    .looseObject({
      created: z.boolean(),
      handle: z.looseObject({ engine: z.string(), name: z.string(), id: z.string() }).optional(),
      alarmNames: z.array(z.string()).optional(),
      canaryTopic: z.string().optional(),
    })
    .optional(),
  /** `$.cutover`: the records the cutover steps returned. */
  cutover: z
    .looseObject({
      fence: z
        .looseObject({
          fencedAt: z.string(),
          mode: z.enum(['SHARED_POINTER', 'SEPARATE_POINTERS']),
          producers: z.looseObject({ pointer: z.string() }),
          consumers: z.looseObject({ pointer: z.string() }).optional(),
        })
        .optional(),
      offsets: z.looseObject({ complete: z.boolean(), consumersFencedAt: z.string().optional() }).optional(),
      switch: z.looseObject({ switchedAt: z.string() }).optional(),
    })
    .optional(),
});
export type RollbackState = z.input<typeof RollbackStateSchema>;

export type RollbackActionKind =
  | 'REVERT_PRODUCERS_POINTER'
  | 'REVERT_CONSUMERS_POINTER'
  | 'REPORT_TARGET_WRITES'
  | 'REQUEST_FAILBACK_DECISION'
  | 'STOP_REPLICATOR'
  | 'DELETE_ALARMS'
  | 'DELETE_CANARY_TOPIC'
  | 'DELETE_TARGET_CLUSTER';

export type RollbackStateName =
  'RollbackCutover' | 'RollbackReplication' | 'RollbackTarget' | 'PointOfNoReturnApproval';

export interface RollbackAction {
  readonly action: RollbackActionKind;
  readonly state: RollbackStateName;
  /** What it acts on: a pointer, a replicator name, alarm names, a topic, a cluster ARN. */
  readonly subject: string;
  readonly reason: string;
}

export type PhaseReached =
  'NOTHING_CREATED' | 'TARGET_CREATED' | 'REPLICATING' | 'FENCED' | 'SWITCHED' | 'PAST_POINT_OF_NO_RETURN';

export interface RollbackPlan {
  readonly phaseReached: PhaseReached;
  readonly actions: readonly RollbackAction[];
  /** What is deliberately left in place, and why. */
  readonly kept: ReadonlyArray<{ readonly subject: string; readonly reason: string }>;
}

export function planRollback(
  input: RollbackState,
  options: { readonly now: Date; readonly rollbackWindowMinutes: number },
): RollbackPlan {
  const state = RollbackStateSchema.parse(input);
  const { target, replication, cutover } = state;
  const fence = cutover?.fence;
  const switched = cutover?.switch;
  const actions: RollbackAction[] = [];
  const kept: Array<{ subject: string; reason: string }> = [];

  if (switched) {
    const closesAt = windowEndsAt(switched.switchedAt, options.rollbackWindowMinutes);
    if (options.now.getTime() >= Date.parse(closesAt)) {
      return {
        phaseReached: 'PAST_POINT_OF_NO_RETURN',
        actions: [
          {
            action: 'REQUEST_FAILBACK_DECISION',
            state: 'PointOfNoReturnApproval',
            subject: fence?.producers.pointer ?? 'the cutover pointers',
            reason: `The rollback window closed at ${closesAt}: the target has been the clients' cluster since ${switched.switchedAt}. Switching back needs reverse replication and a person's decision.`,
          },
        ],
        kept: [{ subject: 'everything', reason: 'Past the point of no return nothing is undone automatically.' }],
      };
    }
  }

  if (fence) {
    actions.push({
      action: 'REVERT_PRODUCERS_POINTER',
      state: 'RollbackCutover',
      subject: fence.producers.pointer,
      reason: `Fenced at ${fence.fencedAt}${switched ? ` and switched to the target at ${switched.switchedAt}` : ''}: put back the value recorded before the cutover.`,
    });
    if (fence.consumers && (cutover?.offsets || switched)) {
      actions.push({
        action: 'REVERT_CONSUMERS_POINTER',
        state: 'RollbackCutover',
        subject: fence.consumers.pointer,
        reason: 'Fenced for the offset commit: put back the value recorded before the cutover.',
      });
    }
  }
  if (switched) {
    actions.push({
      action: 'REPORT_TARGET_WRITES',
      state: 'RollbackCutover',
      subject: 'target end offsets since the switch',
      reason:
        'Records written to the target after the switch are not on the source: list them, per partition, for reconciliation.',
    });
  }
  if (replication?.created && replication.handle) {
    actions.push({
      action: 'STOP_REPLICATOR',
      state: 'RollbackReplication',
      subject: replication.handle.name,
      reason: 'Created by this execution.',
    });
  } else if (replication?.handle) {
    kept.push({ subject: replication.handle.name, reason: 'The replicator existed before this execution.' });
  }
  if (replication?.alarmNames && replication.alarmNames.length > 0) {
    actions.push({
      action: 'DELETE_ALARMS',
      state: 'RollbackReplication',
      subject: replication.alarmNames.join(', '),
      reason: `${replication.alarmNames.length} alarm(s) put by this execution.`,
    });
  }
  if (replication?.canaryTopic) {
    actions.push({
      action: 'DELETE_CANARY_TOPIC',
      state: 'RollbackReplication',
      subject: replication.canaryTopic,
      reason: "This execution's canary topic, on the source and its copy on the target.",
    });
  }
  if (target?.created) {
    const subject = target.clusterArn ?? target.clusterName ?? 'the target cluster';
    if (switched)
      kept.push({
        subject,
        reason:
          'Created by this execution, but it holds the writes made since the switch: delete it after reconciling them.',
      });
    else
      actions.push({
        action: 'DELETE_TARGET_CLUSTER',
        state: 'RollbackTarget',
        subject,
        reason: 'Created by this execution; no client has written to it.',
      });
  }

  const phaseReached: PhaseReached = switched
    ? 'SWITCHED'
    : fence
      ? 'FENCED'
      : replication
        ? 'REPLICATING'
        : target?.created
          ? 'TARGET_CREATED'
          : 'NOTHING_CREATED';
  return { phaseReached, actions, kept };
}
