import type { KafkaDataPlaneFactory } from '../../ports/kafka';
import type { IamTokenProvider } from './kafkajs-data-plane';
import { KAFKA_CLIENTS, TASK_ENV, type KafkaClientName } from '../../contract/env';

/**
 * Which Kafka client implements the data-plane port: kafkajs (the default) or @platformatic/kafka. Both pass the same
 * contract on Kafka 3.9 and 4.x (test/integration/kafka-port-contract.test.ts; docs/kafka-clients.md).
 *
 * The choice is the `KAFKA_CLIENT` environment variable, read by `kafkaClientFrom` and nowhere else. The adapter not
 * chosen is never loaded: each one is imported only when its factory is asked for, so a kafkajs function does not
 * evaluate @platformatic/kafka (an ES module that reads a .wasm file when it loads) at cold start.
 */

export const KAFKA_CLIENT_ENV = TASK_ENV.KAFKA_CLIENT;
export { KAFKA_CLIENTS, type KafkaClientName };
export const DEFAULT_KAFKA_CLIENT: KafkaClientName = 'kafkajs';

function isKafkaClientName(value: string): value is KafkaClientName {
  return (KAFKA_CLIENTS as readonly string[]).includes(value);
}

/** The client named by `KAFKA_CLIENT` (trimmed, any case); kafkajs when unset or empty; any other value is refused. */
export function kafkaClientFrom(env: NodeJS.ProcessEnv): KafkaClientName {
  const value = env[KAFKA_CLIENT_ENV]?.trim().toLowerCase();
  if (!value) return DEFAULT_KAFKA_CLIENT;
  if (isKafkaClientName(value)) return value;
  throw new Error(
    `Task function misconfigured: ${KAFKA_CLIENT_ENV} must be one of ${KAFKA_CLIENTS.join(', ')}, got "${env[KAFKA_CLIENT_ENV]}".`,
  );
}

/** What both adapters accept. */
export interface DataPlaneFactoryOptions {
  /** MSK IAM tokens (SASL/OAUTHBEARER). @default aws-msk-iam-sasl-signer-js with the default credentials */
  readonly iamTokenProvider?: IamTokenProvider;
  /** @default `msk-migration-<connection name>` */
  readonly clientId?: string;
}

/**
 * The data-plane factory of the named client. Asynchronous because the adapter is loaded on demand; call it once per
 * container (at cold start) and keep the factory.
 */
export async function dataPlaneFactoryFor(
  name: KafkaClientName,
  options: DataPlaneFactoryOptions = {},
): Promise<KafkaDataPlaneFactory> {
  switch (name) {
    case 'kafkajs': {
      const { kafkajsDataPlaneFactory } = await import('./kafkajs-data-plane');
      return kafkajsDataPlaneFactory(options);
    }
    case 'platformatic': {
      const { platformaticDataPlaneFactory } = await import('./platformatic-data-plane');
      return platformaticDataPlaneFactory(options);
    }
  }
}
