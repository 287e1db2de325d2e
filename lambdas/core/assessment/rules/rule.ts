import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import type { AssessmentOptions, Finding } from '../finding';

/** A rule is a pure function of the inventory, the target profile and the options (cdk-nag's habit). */
export type AssessmentRule = (inventory: Inventory, profile: TargetProfile, options: AssessmentOptions) => Finding[];
