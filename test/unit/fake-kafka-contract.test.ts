import { describeKafkaDataPlaneContract } from '../contracts/kafka-data-plane';
import { FakeKafka } from './validation-fake-kafka';

/**
 * The FakeKafka behind the unit and workflow tests runs the same KafkaDataPlane contract as the kafkajs and
 * @platformatic/kafka adapters on real brokers (test/integration/kafka-port-contract.test.ts): a behaviour the cores
 * rely on cannot differ between the fake and Kafka.
 */
describe('the KafkaDataPlane contract with FakeKafka', () => {
  const fake = new FakeKafka();
  describeKafkaDataPlaneContract(() => ({
    plane: fake,
    own: (base) => `fake-${base}`,
    member: async (group, topic, options = {}) => {
      const joined = fake.join(group, `contract-${group}`);
      if (options.commitAfter !== undefined) fake.commit(group, topic, 0, options.commitAfter);
      return joined;
    },
  }));
});
