import type { KafkaDataPlaneFactory } from '../../ports/kafka';
import { kafkajsDataPlaneFactory, type IamTokenProvider } from './kafkajs-data-plane';
import { KAFKA_CLIENTS, TASK_ENV, type KafkaClientName } from '../../contract/env';

/**
 * Which Kafka client implements the data-plane port: kafkajs (the default) or @platformatic/kafka. Both pass the same
 * contract on Kafka 3.9 and 4.x (test/integration/kafka-port-contract.test.ts; docs/kafka-clients.md).
 *
 * The choice is the `KAFKA_CLIENT` environment variable, read by `kafkaClientFrom` and nowhere else. @platformatic/kafka
 * (an ES module that reads a .wasm file when it loads) is imported only when its factory is asked for, so a kafkajs
 * function does not evaluate it at cold start. The kafkajs adapter is imported statically: every AWS task function
 * that speaks Kafka holds it anyway (the Inventory's reads, the ACL write fence), and an `import()` of it would make
 * esbuild keep the whole index of every package it reaches (the MSK client's every command, docs/cutover.md, "Bundles").
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
  /** MSK IAM tokens (SASL/OAUTHBEARER). @default mskIamTokenFromDefaultCredentials (msk-iam-token.ts) */
  readonly iamTokenProvider?: IamTokenProvider;
  /** @default `msk-migration-<connection name>` */
  readonly clientId?: string;
}

/**
 * The data-plane factory of the named client. Asynchronous because @platformatic/kafka is loaded on demand; call it
 * once per container (at cold start) and keep the factory.
 *
 * A deployed function is bundled for its deployment's client (lib/handler-bundles.ts, BundleTarget): esbuild defines
 * `process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT` to it, the other client's branch below is dead and its adapter is
 * not in the bundle. Asking such a bundle for the other client is a misconfigured function, named. Unbundled (tests,
 * the rehearsal), the variable is unset and both adapters load.
 */
export async function dataPlaneFactoryFor(
  name: KafkaClientName,
  options: DataPlaneFactoryOptions = {},
): Promise<KafkaDataPlaneFactory> {
  // Each condition reads process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT itself: esbuild drops an import() only in a
  // branch it can tell is dead where it parses it.
  switch (name) {
    case 'kafkajs':
      if (process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT !== 'platformatic') {
        return kafkajsDataPlaneFactory(options);
      }
      break;
    case 'platformatic':
      if (process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT !== 'kafkajs') {
        const { platformaticDataPlaneFactory } = await import('./platformatic-data-plane');
        return platformaticDataPlaneFactory(options);
      }
      break;
  }
  throw new Error(
    `Task function misconfigured: ${KAFKA_CLIENT_ENV} is "${name}" but this function was bundled for ${String(process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT)} only (the construct's kafkaClient): deploy it again with kafkaClient "${name}".`,
  );
}
