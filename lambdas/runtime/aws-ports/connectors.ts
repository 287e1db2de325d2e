import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { MskConnectInventory } from '../../adapters/aws/msk-connect-inventory';
import { perContainer, type AwsPortFactory } from '../aws';

/** MSK Connect's connectors of the Region (the Inventory lists those bound to the source). */
export const connectors: AwsPortFactory = async () =>
  new MskConnectInventory(await perContainer('kafkaconnect', async () => new KafkaConnectClient({})));
