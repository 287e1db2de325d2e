import type { IAMClient } from '@aws-sdk/client-iam';
import { InputInvalidError } from '../../core/errors';
import { aclFencePrincipals, iamFenceRoleNames, type MigrationPlan } from '../../core/plan/migration-plan';
import { kindIssue, type FenceRegistry } from '../../core/plan/runtimes';
import type { KafkaConnection } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';

/**
 * The choice of the plan's write fence among the AWS runtime's kinds, apart from their adapters: each kind's adapter
 * is a module of its own (lambdas/tasks/shared/kinds/fence-*.ts), which lambdas/tasks/shared/write-fence.ts imports
 * for its registry and the `writeFence` port (lambdas/runtime/aws-ports/cutover.ts) loads with `import()`, the plan's
 * kind only.
 */

export interface WriteFenceClients {
  readonly iam?: IAMClient;
}

export interface FenceDeps {
  readonly plan: Pick<MigrationPlan, 'source'>;
  readonly sourceConnection: () => Promise<KafkaConnection>;
  readonly clients: WriteFenceClients;
}

export type AwsFenceRegistry = FenceRegistry<'AWS', FenceDeps, Promise<WriteFence>>;
export type AwsFenceMaker<K extends keyof AwsFenceRegistry> = AwsFenceRegistry[K];

/** The plan's write fence from `registry` (every kind, or the ones loaded); undefined for POINTER (the pointer only). */
export async function writeFenceFrom(
  registry: Partial<AwsFenceRegistry>,
  plan: Pick<MigrationPlan, 'cutover' | 'source'>,
  sourceConnection: () => Promise<KafkaConnection>,
  clients: WriteFenceClients = {},
): Promise<WriteFence | undefined> {
  const spec = plan.cutover.fence;
  const refused = kindIssue('fence', spec.type, 'AWS');
  if (refused) throw new InputInvalidError(`${refused.path}: ${refused.message}`);
  if (spec.type === 'POINTER') return undefined;
  const factory = (registry as Partial<Record<string, (s: typeof spec, d: FenceDeps) => Promise<WriteFence>>>)[
    spec.type
  ];
  if (!factory) throw new Error(`cutover.fence.type: the adapter of ${spec.type} was not loaded in this function.`);
  // The plan's principals / roles and those its producer switches declare (aclFencePrincipals, iamFenceRoleNames).
  const fence =
    spec.type === 'KAFKA_ACL'
      ? { ...spec, principals: aclFencePrincipals(plan.cutover) }
      : { ...spec, roleNames: iamFenceRoleNames(plan.cutover) };
  return factory(fence, { plan, sourceConnection, clients });
}
