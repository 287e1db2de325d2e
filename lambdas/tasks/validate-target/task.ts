import * as z from 'zod';
import { describedTopics, type Inventory } from '../../core/inventory/model';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import { runValidateTarget as validateTargetPhase, type ValidateTargetRequest } from '../../core/replication/phases';
import { ValidationStateSchema } from '../../core/replication/state';
import { securityInventoryFrom } from '../../core/security-mapping/from-inventory';
import { writeSecurityMappingEvidence } from '../../core/security-mapping/report';
import { notCheckable, type AccessChecker } from '../../core/access/access-checker';
import { authorizerBindings } from '../../core/access/acl-binding';
import { generatedPolicyAccess, targetAclAccess } from '../../core/validation/principal-access';
import type { ConfigPolicy } from '../../core/validation/topic-parity';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane, KafkaInventoryReads } from '../../ports/kafka';
import { ExecutionStateSchema, ReplicationPhaseSchema } from '../shared/execution-state';
import { identityOf, targetProfileOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';

/**
 * ValidateTarget: topic/partition/config parity, record continuity by content, translated consumer-group offsets,
 * principals' access. A difference fails with Migration.ValidationFailed (differences listed, evidence in the
 * ArtifactStore). Configs the target profile does not let anyone set (MSK Serverless's allow-list) are not compared:
 * the assessment reported them.
 *
 * Access: the plan's validation.principals, or else the principals the source's ACLs name (from the inventory). A
 * target reached with IAM has no ACLs: the IAM policies generated from the source's ACLs are checked (and written as
 * evidence), the live IAM configuration is not. Any other target has its ACLs read through `targetAcls`.
 */

export const Input = z.object({ state: ExecutionStateSchema.extend({ replication: ReplicationPhaseSchema }) });
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
  const access = await accessCheckOf(input, inventory, deps);
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

type AccessRequest = Pick<ValidateTargetRequest, 'principals' | 'accessBasis' | 'accessSkipped'>;

/** Whose access is checked, and the checker that decides on the target (nothing is read when nobody is checked). */
async function accessCheckOf(
  input: Input,
  inventory: Inventory | undefined,
  deps: Deps,
): Promise<{ request: AccessRequest; checker?: AccessChecker }> {
  const { state } = input;
  const plan = state.input;
  const listed = plan.validation?.principals;
  const security = inventory ? securityInventoryFrom(inventory) : undefined;
  const mappable = security?.status === 'MAPPABLE' ? security.security : undefined;
  let principals: AccessRequest['principals'];
  if (listed !== undefined) {
    if (listed.length === 0) return { request: { principals: [] } };
    principals = listed;
  } else if (!security) {
    return {
      request: {
        accessSkipped: 'validation.principals is absent and there is no inventory to read the principals from',
      },
    };
  } else if (security.status === 'NOT_MAPPABLE') {
    return {
      request: {
        accessSkipped: `validation.principals is absent and the source's ACLs name nobody: ${security.reason.replace(/\.$/, '')}`,
      },
    };
  } else {
    principals = { fromSourceAcls: authorizerBindings(security.security.acls) };
  }
  if (deps.access) return { request: { principals }, checker: deps.access };
  const decision = isIamTarget(plan)
    ? generatedPolicyAccess(
        mappable,
        state.target?.clusterArn ?? plan.target.clusterArn,
        plan.target.type === 'MSK_SERVERLESS',
        security?.status === 'NOT_MAPPABLE' ? security.reason : undefined,
      )
    : deps.targetAcls
      ? await targetAclAccess(deps.targetAcls, plan.validation?.superUsers ?? [])
      : { checker: notCheckable, basis: "no reader of the target's ACLs is wired for this target" };
  let basis = decision.basis;
  if (decision.mapping) {
    const evidence = await writeSecurityMappingEvidence(decision.mapping, identityOf(state), deps.artifacts);
    basis = `${basis} (policies: ${evidence.mappingKey})`;
  }
  return { request: { principals, accessBasis: basis }, checker: decision.checker };
}

/** MSK Serverless, and any target the tasks reach with IAM: access lives in IAM policies, not in Kafka ACLs. */
function isIamTarget(plan: MigrationPlan): boolean {
  return plan.target.type === 'MSK_SERVERLESS' || plan.target.auth?.mechanism === 'IAM';
}

/** ValidateTarget as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'ValidateTarget',
  Input,
  Output,
  needs: { source: 'source', target: 'target', artifacts: 'artifacts', targetAcls: 'targetAcls', now: 'clock' },
  run: runValidateTarget,
});
