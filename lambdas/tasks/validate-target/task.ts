import { z } from 'zod';
import { describedTopics, type Inventory } from '../../core/inventory/model';
import { runValidateTarget as validateTargetPhase } from '../../core/replication/phases';
import { ValidationStateSchema } from '../../core/replication/state';
import type { ConfigPolicy } from '../../core/validation/topic-parity';
import type { AccessChecker } from '../../core/validation/validate-target';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import { ExecutionStateSchema, ReplicationPhaseSchema } from '../shared/execution-state';
import { identityOf, targetProfileOf } from '../shared/plan-views';

/**
 * ValidateTarget: topic/partition/config parity, record continuity by content, translated consumer-group offsets.
 * A difference fails with Migration.ValidationFailed (differences listed, evidence in the ArtifactStore). Configs the
 * target profile does not let anyone set (MSK Serverless's allow-list) are not compared: the assessment reported them.
 */

export const Input = z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) });
export type Input = z.infer<typeof Input>;

export const Output = ValidationStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  /** Principals' access on the target, where it can be checked (Kafka ACLs). */
  readonly access?: AccessChecker;
  readonly now: () => Date;
}

export async function runValidateTarget(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const plan = state.input;
  const profile = targetProfileOf(plan);
  const ignored = new Set<string>();
  if (profile.topicConfigs.policy === 'ALLOW_LIST' && state.inventory) {
    const editable = new Set(profile.topicConfigs.editable);
    const inventory = await deps.artifacts.getJson<Inventory>(state.inventory.inventoryKey);
    for (const topic of inventory ? describedTopics(inventory) : [])
      for (const name of Object.keys(topic.configs)) if (!editable.has(name)) ignored.add(name);
  }
  const configPolicy: ConfigPolicy = { ignored: [...ignored].sort() };
  const validation = await validateTargetPhase(
    {
      identity: identityOf(state),
      replication: state.replication,
      consumerGroups: plan.replication.consumerGroups,
      configPolicy,
    },
    {
      source: deps.source,
      target: deps.target,
      artifacts: deps.artifacts,
      now: deps.now,
      ...(deps.access ? { access: deps.access } : {}),
    },
  );
  return Output.parse(validation);
}
