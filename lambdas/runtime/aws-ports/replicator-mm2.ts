import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { MskConnectMirrorMaker2 } from '../../adapters/aws/msk-connect-mm2';
import { perContainer, requireEnv, type AwsInvocation } from '../aws';

/** MirrorMaker 2 on MSK Connect as the replicator (./replicator.ts loads this module on first use). */
export async function mirrorMaker2(inv: AwsInvocation, region: string): Promise<MskConnectMirrorMaker2> {
  const connect = await perContainer('kafkaconnect', async () => new KafkaConnectClient({}));
  return new MskConnectMirrorMaker2(connect, {
    serviceExecutionRoleArn: inv.env.MSK_CONNECT_SERVICE_ROLE_ARN ?? requireEnv(inv, 'REPLICATOR_SERVICE_ROLE_ARN'),
    region,
    ...(inv.env.MSK_CONNECT_LOG_GROUP ? { logGroupName: inv.env.MSK_CONNECT_LOG_GROUP } : {}),
  });
}
