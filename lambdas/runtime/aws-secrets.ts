import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedSecrets } from '../adapters/aws/secrets';

/**
 * The SCRAM credentials' reader of the data planes (lambdas/runtime/aws-clusters.ts loads this module with `import()`
 * when a cluster's auth is SCRAM, so that a function whose clusters use IAM or TLS loads no Secrets Manager client).
 */
export function cachedSecrets(client?: SecretsManagerClient): CachedSecrets {
  return new CachedSecrets(client ?? new SecretsManagerClient({}));
}
