import { BasicAuthJsonHttp } from '../../adapters/http/json-http';
import type { SchemaRegistryReaders } from '../../core/inventory/schema-registries';
import { perContainer, type AwsPortFactory } from '../aws';
import { loadSecretsModule } from '../aws-clusters';

/**
 * The schema registries' readers (Inventory): AWS Glue Schema Registry in each registry's Region, IAM's policy
 * simulator, and Confluent-compatible REST registries with their credentials from Secrets Manager. The Glue and IAM
 * clients (./schema-registry-clients.ts) and Secrets Manager's are loaded on their first call, so that an Inventory
 * whose plan names no registry, and whose records carry no Glue schema id, loads none of them.
 */
const clients = (): Promise<typeof import('./schema-registry-clients')> => import('./schema-registry-clients');
const secretRead = (arn: string): Promise<string> =>
  perContainer('http-secrets', async () => (await loadSecretsModule()).cachedSecrets()).then((cached) =>
    cached.read(arn),
  );

export const schemaRegistries: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) => {
    const readers: SchemaRegistryReaders = {
      glue: {
        describeRegistry: async (registryArn) => (await clients()).glueRegistry().describeRegistry(registryArn),
        findSchemaVersion: async (region, schemaVersionId) =>
          (await clients()).glueRegistry().findSchemaVersion(region, schemaVersionId),
      },
      confluent: new BasicAuthJsonHttp(secretRead),
      access: {
        simulate: async (roleArn, actions, resources) =>
          (await (await clients()).accessSimulator()).simulate(roleArn, actions, resources),
      },
      ...(inv.env.AWS_REGION ? { region: inv.env.AWS_REGION } : {}),
    };
    return readers;
  },
  { preload: async () => void (await Promise.all([clients(), loadSecretsModule()])) },
);

/** The Kafka Connect clusters' REST APIs (Inventory), with their credentials from Secrets Manager. */
export const connectClusters: AwsPortFactory = async () => new BasicAuthJsonHttp(secretRead);
