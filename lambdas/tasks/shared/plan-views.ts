import type { MigrationPlan } from '../../core/plan/migration-plan';
import { resolveProfile, type TargetProfileId } from '../../core/profiles';
import type { ProfileOverrides, TargetProfile } from '../../core/profiles/profile';
import type { ExecutionIdentity } from '../../core/replication/naming';

/** Small views of the plan several task modules share. */

export function identityOf(state: { readonly identity: ExecutionIdentity }): ExecutionIdentity {
  const { migrationId, executionName, wave } = state.identity;
  return { migrationId, executionName, ...(wave ? { wave } : {}) };
}

const PROFILE_OF: Record<MigrationPlan['target']['type'], TargetProfileId> = {
  MSK_SERVERLESS: 'msk-serverless',
  MSK_PROVISIONED: 'msk-provisioned',
  KAFKA: 'kafka-compatible',
};

/** The target profile the plan's target type names, sized by the brokers the plan creates. */
export function targetProfileOf(plan: MigrationPlan, overrides?: ProfileOverrides): TargetProfile {
  const provisioned = plan.target.create?.provisioned;
  return resolveProfile(PROFILE_OF[plan.target.type], {
    ...(provisioned
      ? { provisioned: { brokerType: provisioned.brokerInstanceType, brokerCount: provisioned.numberOfBrokerNodes } }
      : {}),
    ...(overrides ? { overrides } : {}),
  });
}

/** Minutes between two ISO instants. */
export function minutesBetween(fromIso: string, to: Date): number {
  return (to.getTime() - Date.parse(fromIso)) / 60_000;
}
