import { ECSClient } from '@aws-sdk/client-ecs';
import type { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { EcsServiceClientSwitch } from '../../adapters/aws/client-switch-ecs';
import { InputInvalidError } from '../../core/errors';
import { kindIssue, type ClientSwitchRegistry } from '../../core/plan/runtimes';
import type { ClientSwitch, ClientSwitchFactory } from '../../ports/client-switch';
import { lambdaEsmSwitch, mskConnectSwitch } from './consumer-holds';

/**
 * The AWS adapter of each `cutover.switches` entry (the ClientSwitchFactory port of SwitchToTarget, RollbackCutover
 * and FenceProducers). One SDK client per service and container, created on first use.
 */

let ecsClient: ECSClient | undefined;

export interface ClientSwitchClients {
  readonly lambda?: LambdaClient;
  readonly ecs?: ECSClient;
  readonly kafkaConnect?: KafkaConnectClient;
}

/** The AWS runtime's client switches, one factory per kind lambdas/core/plan/runtimes.ts declares for it. */
export const AWS_CLIENT_SWITCHES: ClientSwitchRegistry<'AWS', ClientSwitchClients, ClientSwitch> = {
  LAMBDA_EVENT_SOURCE_MAPPING: (spec, clients) => lambdaEsmSwitch(spec, clients),
  ECS_SERVICE: (spec, clients) =>
    new EcsServiceClientSwitch(clients.ecs ?? (ecsClient ??= new ECSClient({})), {
      cluster: spec.cluster,
      service: spec.service,
      role: spec.role,
      environment: spec.environment,
      ...(spec.containerName ? { containerName: spec.containerName } : {}),
      stopAtFence: spec.stopAtFence,
    }),
  MSK_CONNECT_CONNECTOR: (spec, clients) => mskConnectSwitch(spec, clients),
};

export function awsClientSwitches(clients: ClientSwitchClients = {}): ClientSwitchFactory {
  return (spec) => {
    switch (spec.type) {
      case 'LAMBDA_EVENT_SOURCE_MAPPING':
        return AWS_CLIENT_SWITCHES.LAMBDA_EVENT_SOURCE_MAPPING(spec, clients);
      case 'ECS_SERVICE':
        return AWS_CLIENT_SWITCHES.ECS_SERVICE(spec, clients);
      case 'MSK_CONNECT_CONNECTOR':
        return AWS_CLIENT_SWITCHES.MSK_CONNECT_CONNECTOR(spec, clients);
      default: {
        // ValidateInput refuses a kind AWS does not serve (LOCAL_PROCESS) before anything runs.
        const refused = kindIssue('clientSwitch', spec.type, 'AWS', `cutover.switches (${spec.name})`);
        throw new InputInvalidError(`${refused?.path ?? 'cutover.switches'}: ${refused?.message ?? spec.type}`);
      }
    }
  };
}
