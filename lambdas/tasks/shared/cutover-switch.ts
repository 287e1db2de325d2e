import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SSMClient } from '@aws-sdk/client-ssm';
import { HookCutoverSwitch, type HookCallScope } from '../../adapters/aws/cutover-switch-hook';
import { Route53CutoverSwitch } from '../../adapters/aws/cutover-switch-route53';
import { SsmCutoverSwitch } from '../../adapters/aws/cutover-switch-ssm';
import { InputInvalidError } from '../../core/errors';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import { kindIssue, type SwitchRegistry } from '../../core/plan/runtimes';
import type { CutoverSwitch } from '../../ports/cutover-switch';

/**
 * The AWS runtime's registry of cutover switches (lambdas/core/plan/runtimes.ts declares its kinds): the pointer the
 * plan names (`cutover.switch`) as a CutoverSwitch port, an SSM parameter, a Route 53 CNAME or the user's hook Lambda.
 * The local rehearsal's file pointer is registered in lambdas/adapters/local/registry.ts and never bundled here. SDK
 * clients are made once per container, on first use; tests pass their own.
 */

export interface CutoverSwitchClients {
  readonly ssm?: SSMClient;
  readonly route53?: Route53Client;
  readonly lambda?: LambdaClient;
}

interface SwitchDeps {
  readonly clients: CutoverSwitchClients;
  /** The execution and step calling: a HOOK switch derives its idempotency key from it. */
  readonly scope?: HookCallScope;
}

let ssmClient: SSMClient | undefined;
let route53Client: Route53Client | undefined;
let lambdaClient: LambdaClient | undefined;

export const AWS_SWITCHES: SwitchRegistry<'AWS', SwitchDeps, CutoverSwitch> = {
  SSM_PARAMETER: (spec, { clients }) =>
    new SsmCutoverSwitch(clients.ssm ?? (ssmClient ??= new SSMClient({})), spec.parameterName),
  ROUTE53: (spec, { clients }) =>
    new Route53CutoverSwitch(clients.route53 ?? (route53Client ??= new Route53Client({})), {
      hostedZoneId: spec.hostedZoneId,
      recordName: spec.recordName,
      ...(spec.ttlSeconds !== undefined ? { ttlSeconds: spec.ttlSeconds } : {}),
      ...(spec.weighted ? { weighted: spec.weighted } : {}),
    }),
  HOOK: (spec, { clients, scope }) =>
    new HookCutoverSwitch(clients.lambda ?? (lambdaClient ??= new LambdaClient({})), spec.functionArn, scope),
};

/**
 * The plan's pointer in AWS. A kind the AWS runtime does not register (ValidateInput refuses such a plan first) is
 * Migration.InputInvalid naming the field, never a local adapter.
 */
export function cutoverSwitchFor(
  plan: Pick<MigrationPlan, 'cutover'>,
  clients: CutoverSwitchClients = {},
  scope?: HookCallScope,
): CutoverSwitch {
  const spec = plan.cutover.switch;
  const factory = (AWS_SWITCHES as Partial<Record<string, (s: typeof spec, d: SwitchDeps) => CutoverSwitch>>)[
    spec.type
  ];
  const refused = kindIssue('switch', spec.type, 'AWS');
  if (!factory || refused)
    throw new InputInvalidError(`${refused?.path ?? 'cutover.switch.type'}: ${refused?.message}`);
  return factory(spec, { clients, ...(scope ? { scope } : {}) });
}
