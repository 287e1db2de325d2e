import { KafkaClient } from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { MskReplicator } from '../../lambdas/adapters/aws/msk-replicator';

/**
 * The MSK Replicator adapter against a mocked MSK API, as the forward replication and the failback tests drive it:
 * one account and Region, one execution, the clusters it replicates between. Reset `kafka` in each `beforeEach`.
 */

export const kafka = mockClient(KafkaClient);
export const roleArn = 'arn:aws:iam::111122223333:role/msk-migration-replicator';
export const replicator = new MskReplicator(new KafkaClient({ region: 'eu-west-1' }), {
  serviceExecutionRoleArn: roleArn,
});
export const identity = { migrationId: 'orders', executionName: 'exec-1' };
export const sourceArn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/src/abc';
export const targetArn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/tgt/def';

/** The ARN MSK gives the replicator named `name` in this account and Region. */
export function replicatorArnOf(name: string): string {
  return `arn:aws:kafka:eu-west-1:111122223333:replicator/${name}/uuid`;
}
