import type { ClientSwitchFactory } from '../../ports/client-switch';
import { clientSwitchesFrom, type AwsClientSwitchRegistry, type ClientSwitchClients } from './client-switch-kinds';
import { ecsServiceSwitch } from './kinds/client-switch-ecs';
import { lambdaEsmSwitch } from './kinds/client-switch-lambda-esm';
import { mskConnectSwitch } from './kinds/client-switch-msk-connect';

export type { ClientSwitchClients } from './client-switch-kinds';

/**
 * The AWS adapter of each `cutover.switches` entry (the ClientSwitchFactory port of SwitchToTarget, RollbackCutover
 * and FenceProducers). One SDK client per service and container, created on first use. The task functions'
 * `clientSwitches` port loads the plan's kinds only (lambdas/runtime/aws-ports/cutover.ts); this registry holds every
 * kind (tests).
 */

/** The AWS runtime's client switches, one factory per kind lambdas/core/plan/runtimes.ts declares for it. */
export const AWS_CLIENT_SWITCHES: AwsClientSwitchRegistry = {
  LAMBDA_EVENT_SOURCE_MAPPING: lambdaEsmSwitch,
  ECS_SERVICE: ecsServiceSwitch,
  MSK_CONNECT_CONNECTOR: mskConnectSwitch,
};

export function awsClientSwitches(clients: ClientSwitchClients = {}): ClientSwitchFactory {
  return clientSwitchesFrom(AWS_CLIENT_SWITCHES, clients);
}
