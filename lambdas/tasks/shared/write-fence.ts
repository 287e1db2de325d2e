import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { KafkaConnection } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';
import { iamPolicyFence } from './kinds/fence-iam-policy';
import { kafkaAclFence } from './kinds/fence-kafka-acl';
import { writeFenceFrom, type AwsFenceRegistry, type WriteFenceClients } from './write-fence-kinds';

export type { WriteFenceClients } from './write-fence-kinds';

/**
 * The AWS runtime's registry of write fences (lambdas/core/plan/runtimes.ts declares its kinds): the fence the plan
 * names (`cutover.fence`) as a WriteFence port, or undefined for POINTER (the pointer only). KAFKA_ACL speaks to the
 * source with the orchestrator's own connection (asked for only then); IAM_POLICY calls IAM. The task functions'
 * `writeFence` port loads the plan's kind only (lambdas/runtime/aws-ports/cutover.ts); this registry holds every kind.
 */
export const AWS_FENCES: AwsFenceRegistry = {
  KAFKA_ACL: kafkaAclFence,
  IAM_POLICY: iamPolicyFence,
};

export function writeFenceFor(
  plan: Pick<MigrationPlan, 'cutover' | 'source'>,
  sourceConnection: () => Promise<KafkaConnection>,
  clients: WriteFenceClients = {},
): Promise<WriteFence | undefined> {
  return writeFenceFrom(AWS_FENCES, plan, sourceConnection, clients);
}
