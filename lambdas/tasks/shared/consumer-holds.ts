import type { ClientSwitchFactory } from '../../ports/client-switch';
import {
  clientSwitchesFrom,
  notHeld,
  type AwsClientSwitchRegistry,
  type ClientSwitchClients,
  type HeldKind,
} from './client-switch-kinds';
import { lambdaEsmSwitch } from './kinds/client-switch-lambda-esm';
import { mskConnectSwitch } from './kinds/client-switch-msk-connect';

/**
 * The AWS adapters of the switches whose consumers CommitConsumerOffsets holds at the source's end (Lambda event
 * source mappings, MSK Connect connectors), apart from the ECS one. The task function's `clientSwitches` port loads
 * the plan's kinds among these two only (lambdas/runtime/aws-ports/consumer-holds.ts).
 */

export const AWS_CONSUMER_HOLDS: Pick<AwsClientSwitchRegistry, HeldKind> = {
  LAMBDA_EVENT_SOURCE_MAPPING: lambdaEsmSwitch,
  MSK_CONNECT_CONNECTOR: mskConnectSwitch,
};

/** CommitConsumerOffsets' ClientSwitchFactory: only the kinds it holds (holdsAtFence); any other is a wiring error. */
export function awsConsumerHolds(clients: ClientSwitchClients = {}): ClientSwitchFactory {
  return clientSwitchesFrom(AWS_CONSUMER_HOLDS, clients, notHeld);
}
