import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaEsmClientSwitch } from '../../adapters/aws/client-switch-lambda-esm';
import { MskConnectClientSwitch } from '../../adapters/aws/client-switch-msk-connect';
import { InputInvalidError } from '../../core/errors';
import type { ClientSwitchSpec } from '../../core/plan/migration-plan';
import type { ClientSwitch, ClientSwitchFactory } from '../../ports/client-switch';

/**
 * The AWS adapters of the switches whose consumers CommitConsumerOffsets holds at the source's end (Lambda event
 * source mappings, MSK Connect connectors), apart from the ECS one: that task bundles only these two SDK clients.
 * lambdas/tasks/shared/client-switches.ts builds the same adapters for the other tasks.
 */

let lambdaClient: LambdaClient | undefined;
let connectClient: KafkaConnectClient | undefined;

export interface ConsumerHoldClients {
  readonly lambda?: LambdaClient;
  readonly kafkaConnect?: KafkaConnectClient;
}

export function lambdaEsmSwitch(
  spec: Extract<ClientSwitchSpec, { type: 'LAMBDA_EVENT_SOURCE_MAPPING' }>,
  clients: ConsumerHoldClients,
): LambdaEsmClientSwitch {
  return new LambdaEsmClientSwitch(clients.lambda ?? (lambdaClient ??= new LambdaClient({})), {
    uuid: spec.uuid,
    role: spec.role,
    ...(spec.targetAuth
      ? { targetSourceAccessConfigurations: [{ Type: spec.targetAuth.type, URI: spec.targetAuth.secretArn }] }
      : {}),
  });
}

export function mskConnectSwitch(
  spec: Extract<ClientSwitchSpec, { type: 'MSK_CONNECT_CONNECTOR' }>,
  clients: ConsumerHoldClients,
): MskConnectClientSwitch {
  return new MskConnectClientSwitch(clients.kafkaConnect ?? (connectClient ??= new KafkaConnectClient({})), {
    connectorArn: spec.connectorArn,
    role: spec.role,
    ...(spec.targetVpc ? { targetVpc: spec.targetVpc } : {}),
    targetAuthentication: spec.targetAuthentication,
  });
}

/** CommitConsumerOffsets' ClientSwitchFactory: only the kinds it holds (holdsAtFence); any other is a wiring error. */
export function awsConsumerHolds(clients: ConsumerHoldClients = {}): ClientSwitchFactory {
  return (spec): ClientSwitch => {
    if (spec.type === 'LAMBDA_EVENT_SOURCE_MAPPING') return lambdaEsmSwitch(spec, clients);
    if (spec.type === 'MSK_CONNECT_CONNECTOR') return mskConnectSwitch(spec, clients);
    throw new InputInvalidError(
      `cutover.switches (${spec.name}): a ${spec.type} switch is not held by CommitConsumerOffsets (its consumers stop at the fence with stopAtFence).`,
    );
  };
}
