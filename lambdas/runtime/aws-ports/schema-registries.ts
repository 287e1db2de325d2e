import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GlueSchemaRegistry } from '../../adapters/aws/glue-schema-registry';
import { IamPolicySimulator } from '../../adapters/aws/iam-policy-simulator';
import { CachedSecrets } from '../../adapters/aws/secrets';
import { BasicAuthJsonHttp } from '../../adapters/http/json-http';
import type { SchemaRegistryReaders } from '../../core/inventory/schema-registries';
import { perContainer, type AwsPortFactory } from '../aws';

/** One Glue client per Region, made on first use (a registry is read in its own Region). */
const glueClients = new Map<string, GlueClient>();
const glueIn = (region: string): GlueClient => {
  let client = glueClients.get(region);
  if (!client) {
    client = new GlueClient({ region });
    glueClients.set(region, client);
  }
  return client;
};

/**
 * The schema registries' readers (Inventory): AWS Glue Schema Registry in each registry's Region, and
 * Confluent-compatible REST registries with their credentials from Secrets Manager.
 */
const secrets = () => perContainer('http-secrets', async () => new CachedSecrets(new SecretsManagerClient({})));

export const schemaRegistries: AwsPortFactory = async (inv) => {
  const cached = await secrets();
  const readers: SchemaRegistryReaders = {
    glue: new GlueSchemaRegistry(glueIn),
    confluent: new BasicAuthJsonHttp((arn) => cached.read(arn)),
    access: new IamPolicySimulator(await perContainer('iam', async () => new IAMClient({}))),
    ...(inv.env.AWS_REGION ? { region: inv.env.AWS_REGION } : {}),
  };
  return readers;
};

/** The Kafka Connect clusters' REST APIs (Inventory), with their credentials from Secrets Manager. */
export const connectClusters: AwsPortFactory = async () => {
  const cached = await secrets();
  return new BasicAuthJsonHttp((arn) => cached.read(arn));
};
