import { MskReplicator } from '../../adapters/aws/msk-replicator';
import { requireEnv, type AwsInvocation } from '../aws';
import type { AwsMsk } from '../aws-msk';

/** MSK Replicator as the replicator (./replicator.ts loads this module on first use). */
export function mskReplicator(inv: AwsInvocation, clusters: AwsMsk): MskReplicator {
  return new MskReplicator(clusters.kafka, {
    serviceExecutionRoleArn: requireEnv(inv, 'REPLICATOR_SERVICE_ROLE_ARN'),
    region: clusters.region,
  });
}
