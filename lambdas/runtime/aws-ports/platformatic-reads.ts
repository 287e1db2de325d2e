import { closedAfter, type AwsPortFactory } from '../aws';
import { unavailableClientBehaviour } from '../../ports/client-behaviour';
import type { ProducerActivity } from '../../ports/producer-activity';
import type { TaskDataPlane } from '../aws-clusters';

/**
 * The ports on @platformatic/kafka whatever KAFKA_CLIENT says (kafkajs has these requests not): CheckDrain's producer
 * activity and the Inventory's client behaviour, each loading the adapter with `import()` on first use. Apart from
 * lambdas/runtime/aws-ports/clusters.ts so that only those two handlers hold an `import()`: in a CommonJS bundle, a
 * module reached by one (even one tree-shaken away) is wrapped for lazy evaluation, and a package index it imports is
 * then kept whole (every command of the MSK client, docs/cutover.md, "Bundles").
 */

/**
 * The source's producers (DescribeProducers, on @platformatic/kafka: kafkajs has none), asked only when the drain
 * sees a partition move after the fence. The adapter is loaded on that first ask, not when the port is built: loading
 * @platformatic/kafka (its wasm helper, its option schemas) costs 150-250 ms of CPU, which every CheckDrain invocation
 * would otherwise pay while producers hold their writes, and which the warm-up does not pay ahead.
 */
export const producerActivity: AwsPortFactory = async (inv) => {
  const plane = (await inv.port('source')) as TaskDataPlane;
  let adapter: Promise<ProducerActivity> | undefined;
  const load = (): Promise<ProducerActivity> =>
    (adapter ??= import('../../adapters/kafka/platformatic-producer-activity').then(
      ({ PlatformaticProducerActivity }) => new PlatformaticProducerActivity(plane.connection),
    ));
  const activity: ProducerActivity = {
    describeProducers: async (partitions) => (await load()).describeProducers(partitions),
    close: async () => {
      if (adapter) await (await adapter).close();
    },
  };
  inv.onClose(() => activity.close());
  return activity;
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
