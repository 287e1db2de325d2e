import { IAMClient } from '@aws-sdk/client-iam';
import { IamPolicyWriteFence } from '../../adapters/aws/iam-write-fence';
import { KafkajsAclWriteFence } from '../../adapters/kafka/kafkajs-acl-write-fence';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { KafkaConnection } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';

/**
 * The write fence the plan names (`cutover.fence`) as a WriteFence port, or undefined for POINTER (the pointer only).
 * KAFKA_ACL speaks to the source with the orchestrator's own connection (asked for only then); IAM_POLICY calls IAM.
 */

export interface WriteFenceClients {
  readonly iam?: IAMClient;
}

let iamClient: IAMClient | undefined;

export async function writeFenceFor(
  plan: Pick<MigrationPlan, 'cutover' | 'source'>,
  sourceConnection: () => Promise<KafkaConnection>,
  clients: WriteFenceClients = {},
): Promise<WriteFence | undefined> {
  const spec = plan.cutover.fence;
  switch (spec.type) {
    case 'POINTER':
      return undefined;
    case 'KAFKA_ACL':
      return new KafkajsAclWriteFence(await sourceConnection(), { principals: spec.principals, host: spec.host });
    case 'IAM_POLICY':
      return new IamPolicyWriteFence(clients.iam ?? (iamClient ??= new IAMClient({})), {
        clusterArn: plan.source.clusterArn,
        roleNames: spec.roleNames,
        policyName: spec.policyName,
      });
  }
}
