import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { MskConnectClientSwitch } from '../../../adapters/aws/client-switch-msk-connect';
import type { AwsClientSwitchMaker } from '../client-switch-kinds';

/** An MSK Connect connector as a client switch (one SDK client per container, made on first use). */
let connectClient: KafkaConnectClient | undefined;

export const mskConnectSwitch: AwsClientSwitchMaker<'MSK_CONNECT_CONNECTOR'> = (spec, clients) =>
  new MskConnectClientSwitch(clients.kafkaConnect ?? (connectClient ??= new KafkaConnectClient({})), {
    connectorArn: spec.connectorArn,
    role: spec.role,
    ...(spec.targetVpc ? { targetVpc: spec.targetVpc } : {}),
    targetAuthentication: spec.targetAuthentication,
  });
