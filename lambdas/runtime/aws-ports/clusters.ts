import { closedAfter, requirePlan, type AwsPortFactory } from '../aws';
import { clustersOf, loadSecretsModule, type TaskDataPlane } from '../aws-clusters';

/**
 * The Kafka ports of the AWS root: the data planes of the migration's clusters (opened per invocation, closed after
 * it) and the target's ACL reads. KAFKA_CLIENT picks the adapter (MSK's control plane is lambdas/runtime/aws-ports/msk.ts;
 * the ports on @platformatic/kafka whatever it says, producer activity and client behaviour, are
 * lambdas/runtime/aws-ports/platformatic-reads.ts).
 */

/** What a warm-up loads ahead for a data plane: the SCRAM credentials' reader, loaded on first use otherwise. */
const preload = async (): Promise<void> => void (await loadSecretsModule());

export const source: AwsPortFactory = Object.assign(
  (inv: Parameters<AwsPortFactory>[0]) => closedAfter(inv, clustersOf(inv).sourceDataPlane(requirePlan(inv, 'source'))),
  { preload },
);

export const target: AwsPortFactory = Object.assign(
  (inv: Parameters<AwsPortFactory>[0]) =>
    closedAfter(inv, clustersOf(inv).targetDataPlane(requirePlan(inv, 'target'), inv.state?.target)),
  { preload },
);

export const targetAcls: AwsPortFactory = async (inv) => {
  const reader = clustersOf(inv).targetAclReader(
    requirePlan(inv, 'targetAcls'),
    inv.state?.target,
    (await inv.port('target')) as TaskDataPlane,
  );
  inv.onClose(() => reader.close());
  return reader.reads;
};
