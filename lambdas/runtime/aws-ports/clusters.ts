import { closedAfter, requirePlan, type AwsPortFactory } from '../aws';
import { unavailableClientBehaviour } from '../../ports/client-behaviour';
import { clustersOf, type TaskDataPlane } from '../aws-clusters';

/**
 * The Kafka ports of the AWS root: the data planes of the migration's clusters (opened per invocation, closed after
 * it), the target's ACL reads and the source's producer activity. KAFKA_CLIENT picks the adapter (MSK's control plane
 * is lambdas/runtime/aws-ports/msk.ts).
 */

export const source: AwsPortFactory = (inv) =>
  closedAfter(inv, clustersOf(inv).sourceDataPlane(requirePlan(inv, 'source')));

export const target: AwsPortFactory = (inv) =>
  closedAfter(inv, clustersOf(inv).targetDataPlane(requirePlan(inv, 'target'), inv.state?.target));

export const targetAcls: AwsPortFactory = async (inv) => {
  const reader = clustersOf(inv).targetAclReader(
    requirePlan(inv, 'targetAcls'),
    inv.state?.target,
    (await inv.port('target')) as TaskDataPlane,
  );
  inv.onClose(() => reader.close());
  return reader.reads;
};

export const producerActivity: AwsPortFactory = async (inv) => {
  // @platformatic/kafka (an ES module) is loaded only here: kafkajs has no DescribeProducers.
  const { PlatformaticProducerActivity } = await import('../../adapters/kafka/platformatic-producer-activity');
  const plane = (await inv.port('source')) as TaskDataPlane;
  return closedAfter(inv, Promise.resolve(new PlatformaticProducerActivity(plane.connection)));
};

/**
 * The source's producers, transactions, record batches and group types (the Inventory), on @platformatic/kafka, which
 * has these requests (kafkajs has none), loaded only here. Where the bundle cannot load it (docs/kafka-clients.md,
 * "Loading @platformatic/kafka under CommonJS"), every part is reported not collected with that reason.
 */
export const clientBehaviour: AwsPortFactory = async (inv) => {
  const plane = (await inv.port('source')) as TaskDataPlane;
  try {
    const { PlatformaticClientBehaviour } = await import('../../adapters/kafka/platformatic-client-behaviour');
    return closedAfter(inv, Promise.resolve(new PlatformaticClientBehaviour(plane.connection)));
  } catch (err) {
    return unavailableClientBehaviour(
      `@platformatic/kafka could not be loaded in this function (${err instanceof Error ? err.message : String(err)})`,
    );
  }
};
