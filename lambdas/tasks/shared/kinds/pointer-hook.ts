import { LambdaClient } from '@aws-sdk/client-lambda';
import { HookCutoverSwitch } from '../../../adapters/aws/cutover-switch-hook';
import type { AwsSwitchMaker } from '../cutover-switch-kinds';

/** The user's hook Lambda as the cutover's pointer (one SDK client per container, made on first use). */
let lambdaClient: LambdaClient | undefined;

export const hookPointer: AwsSwitchMaker<'HOOK'> = (spec, { clients, scope }) =>
  new HookCutoverSwitch(clients.lambda ?? (lambdaClient ??= new LambdaClient({})), spec.functionArn, scope);
