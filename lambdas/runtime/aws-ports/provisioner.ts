import { MskTargetProvisioner } from '../../adapters/aws/msk-provisioner';
import type { AwsPortFactory } from '../aws';
import { clustersOf } from '../aws-clusters';

/** The target's creation and deletion (MSK), with the function's MSK client. */
export const provisioner: AwsPortFactory = async (inv) => new MskTargetProvisioner(clustersOf(inv).kafka);
