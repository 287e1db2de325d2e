import { IAMClient } from '@aws-sdk/client-iam';
import { IamPolicyWriteFence } from '../../../adapters/aws/iam-write-fence';
import type { AwsFenceMaker } from '../write-fence-kinds';

/** An IAM policy on the producers' roles as the write fence (one SDK client per container, made on first use). */
let iamClient: IAMClient | undefined;

export const iamPolicyFence: AwsFenceMaker<'IAM_POLICY'> = (spec, { plan, clients }) =>
  Promise.resolve(
    new IamPolicyWriteFence(clients.iam ?? (iamClient ??= new IAMClient({})), {
      clusterArn: plan.source.clusterArn,
      roleNames: spec.roleNames,
      policyName: spec.policyName,
    }),
  );
