import { MskTargetProvisioner } from '../../adapters/aws/msk-provisioner';
import type { AwsPortFactory } from '../aws';
import { mskOf } from '../aws-msk';

/** The target's creation and deletion (MSK), with the function's MSK client. */
export const provisioner: AwsPortFactory = async (inv) => new MskTargetProvisioner(mskOf(inv).kafka);
