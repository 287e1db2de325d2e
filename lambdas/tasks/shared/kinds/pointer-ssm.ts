import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmCutoverSwitch } from '../../../adapters/aws/cutover-switch-ssm';
import type { AwsSwitchMaker } from '../cutover-switch-kinds';

/** An SSM parameter as the cutover's pointer (one SDK client per container, made on first use). */
let ssmClient: SSMClient | undefined;

export const ssmPointer: AwsSwitchMaker<'SSM_PARAMETER'> = (spec, { clients }) =>
  new SsmCutoverSwitch(clients.ssm ?? (ssmClient ??= new SSMClient({})), spec.parameterName);
