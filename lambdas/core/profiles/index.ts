import { kafkaCompatibleProfile } from './kafka-compatible';
import { mskProvisionedProfile, type ProvisionedTargetSpec } from './msk-provisioned';
import { mskServerlessProfile } from './msk-serverless';
import { withOverrides, type ProfileOverrides, type TargetProfile } from './profile';

export type TargetProfileId = TargetProfile['id'];
export const TARGET_PROFILE_IDS: readonly TargetProfileId[] = ['msk-serverless', 'msk-provisioned', 'kafka-compatible'];

/** The profile for a target kind, with the broker spec of a provisioned target and the execution input's overrides applied. */
export function resolveProfile(
  id: TargetProfileId,
  options: { provisioned?: ProvisionedTargetSpec; overrides?: ProfileOverrides } = {},
): TargetProfile {
  const base =
    id === 'msk-serverless'
      ? mskServerlessProfile
      : id === 'msk-provisioned'
        ? mskProvisionedProfile(options.provisioned)
        : kafkaCompatibleProfile;
  return withOverrides(base, options.overrides);
}

export { kafkaCompatibleProfile, mskProvisionedProfile, mskServerlessProfile };
export type { ProvisionedTargetSpec };
