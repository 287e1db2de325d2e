import * as z from 'zod';
import { describedTopics, type Inventory } from '../../core/inventory/model';
import { runValidateTarget as validateTargetPhase } from '../../core/replication/phases';
import { ValidationStateSchema } from '../../core/replication/state';
import type { AccessChecker } from '../../core/access/access-checker';
import { targetAccessOf } from '../../core/access/target-access';
import type { ConfigPolicy } from '../../core/validation/topic-parity';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane, KafkaInventoryReads } from '../../ports/kafka';
import { ExecutionStateSchema, ReplicationPhaseSchema } from '../shared/execution-state';
import { identityOf, targetProfileOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * ValidateTarget: topic/partition/config parity, record continuity by content, translated consumer-group offsets,
 * principals' access. A difference fails with Migration.ValidationFailed (differences listed, evidence in the
 * ArtifactStore). Configs the target profile does not let anyone set (MSK Serverless's allow-list) are not compared:
 * the assessment reported them.
 *
 * Access: whose, and how the target decides, is the core's targetAccessOf (lambdas/core/access/target-access.ts): the
 * plan's validation.principals or the source's ACLs' principals; the generated IAM policies on a target reached with
 * IAM, else the target's ACLs read through `targetAcls`.
 */

export const Input = lazySchema(() =>
  z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) }),
);
export type Input = z.infer<typeof Input>;

export const Output = ValidationStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  /** The target's ACLs (DescribeAcls), for a target with Kafka ACLs. Absent: access there is reported as not checkable. */
  readonly targetAcls?: Pick<KafkaInventoryReads, 'describeAcls'>;
  /** Decides access instead of the target's ACLs or the generated IAM policies. */
  readonly access?: AccessChecker;
  readonly now: () => Date;
}

export async function runValidateTarget(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const plan = state.input;
  const profile = targetProfileOf(plan);
  const inventory = state.inventory ? await deps.artifacts.getJson<Inventory>(state.inventory.inventoryKey) : undefined;
  const ignored = new Set<string>();
  if (profile.topicConfigs.policy === 'ALLOW_LIST') {
    const editable = new Set(profile.topicConfigs.editable);
    for (const topic of inventory ? describedTopics(inventory) : [])
      for (const name of Object.keys(topic.configs)) if (!editable.has(name)) ignored.add(name);
  }
  const configPolicy: ConfigPolicy = { ignored: [...ignored].sort() };
  const access = await targetAccessOf(
    {
      plan,
      identity: identityOf(state),
      ...(state.target?.clusterArn !== undefined ? { targetClusterArn: state.target.clusterArn } : {}),
      ...(inventory ? { inventory } : {}),
    },
    deps,
  );
  const validation = await validateTargetPhase(
    {
      identity: identityOf(state),
      replication: state.replication,
      consumerGroups: plan.replication.consumerGroups,
      configPolicy,
      ...(plan.recovery ? { recovery: plan.recovery } : {}),
      ...access.request,
    },
    {
      source: deps.source,
      target: deps.target,
      artifacts: deps.artifacts,
      now: deps.now,
      ...(access.checker ? { access: access.checker } : {}),
    },
  );
  return Output.parse(validation);
}

/** ValidateTarget as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'ValidateTarget',
  Input,
  Output,
  needs: { source: 'source', target: 'target', artifacts: 'artifacts', targetAcls: 'targetAcls', now: 'clock' },
  run: runValidateTarget,
});
