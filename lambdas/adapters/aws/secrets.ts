import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Secrets Manager reads, cached per warm Lambda (five minutes by default) so a burst of clicks costs one read.
 * The value is never logged; errors name the secret's ARN only.
 */
export class CachedSecrets {
  private readonly cache = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async read(secretId: string): Promise<string> {
    const hit = this.cache.get(secretId);
    if (hit && hit.until > this.now()) return hit.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString)
      throw new Error(`Secret ${secretId} has no string value (binary secrets are not supported here).`);
    this.cache.set(secretId, { value: out.SecretString, until: this.now() + this.ttlMs });
    return out.SecretString;
  }

  /** A provider for one secret, in the shape the approval services take. */
  provider(secretId: string): () => Promise<string> {
    return () => this.read(secretId);
  }
}
