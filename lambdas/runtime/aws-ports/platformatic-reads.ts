import { closedAfter, type AwsPortFactory } from '../aws';
import { unavailableClientBehaviour } from '../../ports/client-behaviour';
import type { ProducerActivity } from '../../ports/producer-activity';
import type { TaskDataPlane } from '../aws-clusters';

/**
 * The ports on @platformatic/kafka whatever KAFKA_CLIENT says (kafkajs has these requests not): CheckDrain's and the
 * Cutover's producer activity and the Inventory's client behaviour, each loading the adapter with `import()` on first
 * use: in the deployed bundle, @platformatic/kafka with ajv and its wasm helper is a chunk that a cold start does not
 * load (lib/handler-bundles.ts), and that a warm-up loads ahead (`preload`).
 */

/**
 * The source's producers (DescribeProducers, on @platformatic/kafka: kafkajs has none), asked only when the drain
 * sees a partition move after the fence. The adapter is loaded on that first ask, not when the port is built: loading
 * @platformatic/kafka (its wasm helper, its option schemas) costs 150-250 ms of CPU, which a cold start would otherwise
 * pay; the warm-up before the fence loads it (`preload`), so that a drain that asks inside the pause does not.
 */
const producerActivityModule = (): Promise<typeof import('../../adapters/kafka/platformatic-producer-activity')> =>
  import('../../adapters/kafka/platformatic-producer-activity');

export const producerActivity: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) => {
    const plane = (await inv.port('source')) as TaskDataPlane;
    let adapter: Promise<ProducerActivity> | undefined;
    const load = (): Promise<ProducerActivity> =>
      (adapter ??= producerActivityModule().then(
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
  },
  { preload: async () => void (await producerActivityModule()) },
);

/**
 * The source's producers, transactions, record batches and group types (the Inventory), on @platformatic/kafka, which
 * has these requests (kafkajs has none), loaded only here. Where the bundle cannot load it (docs/kafka-clients.md,
 * "Loading @platformatic/kafka in the bundles"), every part is reported not collected with that reason.
 */
const clientBehaviourModule = (): Promise<typeof import('../../adapters/kafka/platformatic-client-behaviour')> =>
  import('../../adapters/kafka/platformatic-client-behaviour');

export const clientBehaviour: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) => {
    const plane = (await inv.port('source')) as TaskDataPlane;
    try {
      const { PlatformaticClientBehaviour } = await clientBehaviourModule();
      return closedAfter(inv, Promise.resolve(new PlatformaticClientBehaviour(plane.connection)));
    } catch (err) {
      return unavailableClientBehaviour(
        `@platformatic/kafka could not be loaded in this function (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  },
  { preload: async () => void (await clientBehaviourModule()) },
);
