import { requirePlan, stepOf, type AwsPortFactory } from '../aws';
import { clustersOf } from '../aws-clusters';
import { awsClientSwitches } from '../../tasks/shared/client-switches';
import { cutoverSwitchFor } from '../../tasks/shared/cutover-switch';
import { writeFenceFor } from '../../tasks/shared/write-fence';

/**
 * The cutover's ports, from the AWS runtime's registries (lambdas/tasks/shared/): the plan's pointer (SSM, Route 53, a
 * hook Lambda), its write fence on the source (Kafka ACLs, IAM policies; none for POINTER) and its client switches.
 */

export const pointer: AwsPortFactory = async (inv) => {
  const execution = inv.executionId ?? inv.state?.execution?.id;
  return cutoverSwitchFor(requirePlan(inv, 'pointer'), {}, execution ? { execution, step: stepOf(inv) } : undefined);
};

export const writeFence: AwsPortFactory = async (inv) => {
  const plan = requirePlan(inv, 'writeFence');
  return writeFenceFor(plan, () => clustersOf(inv).sourceConnection(plan));
};

export const clientSwitches: AwsPortFactory = async () => awsClientSwitches();
