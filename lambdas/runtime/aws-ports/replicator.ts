import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { MskConnectMirrorMaker2 } from '../../adapters/aws/msk-connect-mm2';
import { MskReplicator } from '../../adapters/aws/msk-replicator';
import { engineOf, perContainer, requireEnv, type AwsPortFactory } from '../aws';
import { mskOf } from '../aws-msk';

/** The replicator of the engine this invocation acts on: MSK Replicator, or MirrorMaker 2 on MSK Connect. */
export const replicator: AwsPortFactory = async (inv) => {
  const clusters = mskOf(inv);
  if (engineOf(inv) === 'MSK_REPLICATOR')
    return new MskReplicator(clusters.kafka, {
      serviceExecutionRoleArn: requireEnv(inv, 'REPLICATOR_SERVICE_ROLE_ARN'),
      region: clusters.region,
    });
  const connect = await perContainer('kafkaconnect', async () => new KafkaConnectClient({}));
  return new MskConnectMirrorMaker2(connect, {
    serviceExecutionRoleArn: inv.env.MSK_CONNECT_SERVICE_ROLE_ARN ?? requireEnv(inv, 'REPLICATOR_SERVICE_ROLE_ARN'),
    region: clusters.region,
    ...(inv.env.MSK_CONNECT_LOG_GROUP ? { logGroupName: inv.env.MSK_CONNECT_LOG_GROUP } : {}),
  });
};
