import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SSMClient } from '@aws-sdk/client-ssm';
import { HookCutoverSwitch, type HookCallScope } from '../../adapters/aws/cutover-switch-hook';
import { Route53CutoverSwitch } from '../../adapters/aws/cutover-switch-route53';
import { SsmCutoverSwitch } from '../../adapters/aws/cutover-switch-ssm';
import { FileCutoverSwitch } from '../../adapters/local/file-cutover-switch';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { CutoverSwitch } from '../../ports/cutover-switch';

/**
 * The pointer the plan names (`cutover.switch`), as a CutoverSwitch port: an SSM parameter, a Route 53 CNAME, the
 * user's hook Lambda, or a file (the local rehearsal). SDK clients are made once per container, on first use; tests
 * and the rehearsal pass their own.
 */

export interface CutoverSwitchClients {
  readonly ssm?: SSMClient;
  readonly route53?: Route53Client;
  readonly lambda?: LambdaClient;
  /** The file pointer's clock. @default () => new Date() */
  readonly now?: () => Date;
}

let ssmClient: SSMClient | undefined;
let route53Client: Route53Client | undefined;
let lambdaClient: LambdaClient | undefined;

export function cutoverSwitchFor(
  plan: Pick<MigrationPlan, 'cutover'>,
  clients: CutoverSwitchClients = {},
  /** The execution and step calling: a HOOK switch derives its idempotency key from it. */
  scope?: HookCallScope,
): CutoverSwitch {
  const spec = plan.cutover.switch;
  switch (spec.type) {
    case 'SSM_PARAMETER':
      return new SsmCutoverSwitch(clients.ssm ?? (ssmClient ??= new SSMClient({})), spec.parameterName);
    case 'ROUTE53':
      return new Route53CutoverSwitch(clients.route53 ?? (route53Client ??= new Route53Client({})), {
        hostedZoneId: spec.hostedZoneId,
        recordName: spec.recordName,
        ...(spec.ttlSeconds !== undefined ? { ttlSeconds: spec.ttlSeconds } : {}),
        ...(spec.weighted ? { weighted: spec.weighted } : {}),
      });
    case 'HOOK':
      return new HookCutoverSwitch(clients.lambda ?? (lambdaClient ??= new LambdaClient({})), spec.functionArn, scope);
    case 'LOCAL_FILE':
      return new FileCutoverSwitch(spec.path, clients.now);
  }
}
