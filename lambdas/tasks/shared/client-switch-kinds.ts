import type { ECSClient } from '@aws-sdk/client-ecs';
import type { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { InputInvalidError } from '../../core/errors';
import { kindIssue, type ClientSwitchRegistry } from '../../core/plan/runtimes';
import type { ClientSwitch, ClientSwitchFactory } from '../../ports/client-switch';

/**
 * The choice of each `cutover.switches` entry's adapter among the AWS runtime's kinds, apart from the adapters: each
 * kind's adapter is a module of its own (lambdas/tasks/shared/kinds/client-switch-*.ts), which
 * lambdas/tasks/shared/client-switches.ts imports for its registry and the `clientSwitches` port
 * (lambdas/runtime/aws-ports/cutover.ts; CommitConsumerOffsets' consumer-holds.ts, two kinds) loads with `import()`,
 * the plan's kinds only.
 */

export interface ClientSwitchClients {
  readonly lambda?: LambdaClient;
  readonly ecs?: ECSClient;
  readonly kafkaConnect?: KafkaConnectClient;
}

export type AwsClientSwitchRegistry = ClientSwitchRegistry<'AWS', ClientSwitchClients, ClientSwitch>;
export type AwsClientSwitchMaker<K extends keyof AwsClientSwitchRegistry> = AwsClientSwitchRegistry[K];

/**
 * A ClientSwitchFactory over `registry` (every kind, or the ones loaded). A kind AWS does not serve (LOCAL_PROCESS;
 * ValidateInput refuses it before anything runs) is Migration.InputInvalid; `refuse` names a kind the caller does not
 * take (CommitConsumerOffsets holds two kinds only).
 */
export function clientSwitchesFrom(
  registry: Partial<AwsClientSwitchRegistry>,
  clients: ClientSwitchClients = {},
  refuse?: (spec: Parameters<ClientSwitchFactory>[0]) => string | undefined,
): ClientSwitchFactory {
  return (spec) => {
    const refused = kindIssue('clientSwitch', spec.type, 'AWS', `cutover.switches (${spec.name})`);
    if (refused) throw new InputInvalidError(`${refused.path}: ${refused.message}`);
    const reason = refuse?.(spec);
    if (reason) throw new InputInvalidError(reason);
    const factory = (registry as Partial<Record<string, (s: typeof spec, c: ClientSwitchClients) => ClientSwitch>>)[
      spec.type
    ];
    if (!factory)
      throw new Error(`cutover.switches (${spec.name}): the adapter of ${spec.type} was not loaded in this function.`);
    return factory(spec, clients);
  };
}

/** The kinds whose consumers CommitConsumerOffsets holds at the source's end. */
export const HELD_KINDS = ['LAMBDA_EVENT_SOURCE_MAPPING', 'MSK_CONNECT_CONNECTOR'] as const;
export type HeldKind = (typeof HELD_KINDS)[number];

/** A kind CommitConsumerOffsets does not hold: its consumers stop at the fence. */
export function notHeld(spec: Parameters<ClientSwitchFactory>[0]): string | undefined {
  return (HELD_KINDS as readonly string[]).includes(spec.type)
    ? undefined
    : `cutover.switches (${spec.name}): a ${spec.type} switch is not held by CommitConsumerOffsets (its consumers stop at the fence with stopAtFence).`;
}
