import type { HookCallScope } from '../../adapters/aws/cutover-switch-hook';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import { cutoverSwitchFrom, type AwsSwitchRegistry, type CutoverSwitchClients } from './cutover-switch-kinds';
import { hookPointer } from './kinds/pointer-hook';
import { route53Pointer } from './kinds/pointer-route53';
import { ssmPointer } from './kinds/pointer-ssm';

export type { CutoverSwitchClients } from './cutover-switch-kinds';

/**
 * The AWS runtime's registry of cutover switches (lambdas/core/plan/runtimes.ts declares its kinds): the pointer the
 * plan names (`cutover.switch`) as a CutoverSwitch port, an SSM parameter, a Route 53 CNAME or the user's hook Lambda.
 * The local rehearsal's file pointer is registered in lambdas/adapters/local/registry.ts and never bundled here. SDK
 * clients are made once per container, on first use; tests pass their own. The task functions' `pointer` port loads
 * the plan's kind only (lambdas/runtime/aws-ports/cutover.ts); this registry holds every kind (the compensator, tests).
 */
export const AWS_SWITCHES: AwsSwitchRegistry = {
  SSM_PARAMETER: ssmPointer,
  ROUTE53: route53Pointer,
  HOOK: hookPointer,
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
  return cutoverSwitchFrom(AWS_SWITCHES, plan, clients, scope);
}
