import { IAMClient } from '@aws-sdk/client-iam';
import { IamPolicyWriteFence } from '../../adapters/aws/iam-write-fence';
import { KafkajsAclWriteFence } from '../../adapters/kafka/kafkajs-acl-write-fence';
import { InputInvalidError } from '../../core/errors';
import { aclFencePrincipals, iamFenceRoleNames, type MigrationPlan } from '../../core/plan/migration-plan';
import { kindIssue, type FenceRegistry } from '../../core/plan/runtimes';
import type { KafkaConnection } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';

/**
 * The AWS runtime's registry of write fences (lambdas/core/plan/runtimes.ts declares its kinds): the fence the plan
 * names (`cutover.fence`) as a WriteFence port, or undefined for POINTER (the pointer only). KAFKA_ACL speaks to the
 * source with the orchestrator's own connection (asked for only then); IAM_POLICY calls IAM.
 */

export interface WriteFenceClients {
  readonly iam?: IAMClient;
}

interface FenceDeps {
  readonly plan: Pick<MigrationPlan, 'source'>;
  readonly sourceConnection: () => Promise<KafkaConnection>;
  readonly clients: WriteFenceClients;
}

let iamClient: IAMClient | undefined;

export const AWS_FENCES: FenceRegistry<'AWS', FenceDeps, Promise<WriteFence>> = {
  KAFKA_ACL: async (spec, { sourceConnection }) =>
    new KafkajsAclWriteFence(await sourceConnection(), { principals: spec.principals, host: spec.host }),
  IAM_POLICY: (spec, { plan, clients }) =>
    Promise.resolve(
      new IamPolicyWriteFence(clients.iam ?? (iamClient ??= new IAMClient({})), {
        clusterArn: plan.source.clusterArn,
        roleNames: spec.roleNames,
        policyName: spec.policyName,
      }),
    ),
};

export async function writeFenceFor(
  plan: Pick<MigrationPlan, 'cutover' | 'source'>,
  sourceConnection: () => Promise<KafkaConnection>,
  clients: WriteFenceClients = {},
): Promise<WriteFence | undefined> {
  const spec = plan.cutover.fence;
  const refused = kindIssue('fence', spec.type, 'AWS');
  if (refused) throw new InputInvalidError(`${refused.path}: ${refused.message}`);
  if (spec.type === 'POINTER') return undefined;
  const factory = (AWS_FENCES as Record<string, (s: typeof spec, d: FenceDeps) => Promise<WriteFence>>)[spec.type];
  // The plan's principals / roles and those its producer switches declare (aclFencePrincipals, iamFenceRoleNames).
  const fence =
    spec.type === 'KAFKA_ACL'
      ? { ...spec, principals: aclFencePrincipals(plan.cutover) }
      : { ...spec, roleNames: iamFenceRoleNames(plan.cutover) };
  return factory!(fence, { plan, sourceConnection, clients });
}
