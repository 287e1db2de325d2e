import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { HookCallScope } from '../../adapters/aws/cutover-switch-hook';
import { InputInvalidError } from '../../core/errors';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import { kindIssue, type SwitchRegistry } from '../../core/plan/runtimes';
import type { CutoverSwitch } from '../../ports/cutover-switch';

/**
 * The choice of the plan's pointer among the AWS runtime's kinds, apart from their adapters: each kind's adapter is a
 * module of its own (lambdas/tasks/shared/kinds/pointer-*.ts), which lambdas/tasks/shared/cutover-switch.ts imports
 * for its registry and the `pointer` port (lambdas/runtime/aws-ports/cutover.ts) loads with `import()`, the plan's
 * kind only, so that a bundle loads an SDK client only when the plan names its kind.
 */

export interface CutoverSwitchClients {
  readonly ssm?: SSMClient;
  readonly route53?: Route53Client;
  readonly lambda?: LambdaClient;
}

export interface SwitchDeps {
  readonly clients: CutoverSwitchClients;
  /** The execution and step calling: a HOOK switch derives its idempotency key from it. */
  readonly scope?: HookCallScope;
}

export type AwsSwitchRegistry = SwitchRegistry<'AWS', SwitchDeps, CutoverSwitch>;
export type AwsSwitchMaker<K extends keyof AwsSwitchRegistry> = AwsSwitchRegistry[K];

/**
 * The plan's pointer from `registry` (every kind, or the ones loaded). A kind the AWS runtime does not register
 * (ValidateInput refuses such a plan first) is Migration.InputInvalid naming the field, never a local adapter.
 */
export function cutoverSwitchFrom(
  registry: Partial<AwsSwitchRegistry>,
  plan: Pick<MigrationPlan, 'cutover'>,
  clients: CutoverSwitchClients = {},
  scope?: HookCallScope,
): CutoverSwitch {
  const spec = plan.cutover.switch;
  const refused = kindIssue('switch', spec.type, 'AWS');
  if (refused) throw new InputInvalidError(`${refused.path}: ${refused.message}`);
  const factory = (registry as Partial<Record<string, (s: typeof spec, d: SwitchDeps) => CutoverSwitch>>)[spec.type];
  if (!factory) throw new Error(`cutover.switch.type: the adapter of ${spec.type} was not loaded in this function.`);
  return factory(spec, { clients, ...(scope ? { scope } : {}) });
}
