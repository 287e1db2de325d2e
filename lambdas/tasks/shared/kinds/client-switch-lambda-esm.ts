import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaEsmClientSwitch } from '../../../adapters/aws/client-switch-lambda-esm';
import type { AwsClientSwitchMaker } from '../client-switch-kinds';

/** A Lambda event source mapping as a client switch (one SDK client per container, made on first use). */
let lambdaClient: LambdaClient | undefined;

export const lambdaEsmSwitch: AwsClientSwitchMaker<'LAMBDA_EVENT_SOURCE_MAPPING'> = (spec, clients) =>
  new LambdaEsmClientSwitch(clients.lambda ?? (lambdaClient ??= new LambdaClient({})), {
    uuid: spec.uuid,
    role: spec.role,
    ...(spec.targetAuth
      ? { targetSourceAccessConfigurations: [{ Type: spec.targetAuth.type, URI: spec.targetAuth.secretArn }] }
      : {}),
  });
