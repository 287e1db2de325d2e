import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { GlueSchemaRegistry } from '../../adapters/aws/glue-schema-registry';
import { IamPolicySimulator } from '../../adapters/aws/iam-policy-simulator';
import { perContainer } from '../aws';

/**
 * The AWS readers of the schema registries (./schema-registries.ts loads this module on their first call): AWS Glue
 * Schema Registry in each registry's Region, and IAM's policy simulator for the plan's client roles.
 */

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

let glue: GlueSchemaRegistry | undefined;
export const glueRegistry = (): GlueSchemaRegistry => (glue ??= new GlueSchemaRegistry(glueIn));

export const accessSimulator = async (): Promise<IamPolicySimulator> =>
  new IamPolicySimulator(await perContainer('iam', async () => new IAMClient({})));
