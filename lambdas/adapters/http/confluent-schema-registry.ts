import { UnreachableError } from '../../core/errors';
import type {
  ConfluentRegistryEndpoint,
  ConfluentRegistryReads,
  RegistryResponse,
} from '../../ports/schema-registries';

/** How long one request may take (connect and answer). */
export const REGISTRY_REQUEST_TIMEOUT_MS = 10_000;
/** The largest body read (a registry's subject list of a big estate is a few hundred KB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A Confluent-compatible schema registry over its REST API (Confluent Schema Registry, Karapace, Apicurio's ccompat
 * API, Redpanda's): GET only, with HTTP Basic credentials read from a Secrets Manager secret
 * (`{"username": …, "password": …}`) when the plan names one. The credentials are sent to the registry and nowhere
 * else: never logged, never in an error.
 */
export class ConfluentSchemaRegistryHttp implements ConfluentRegistryReads {
  constructor(
    /** The secret's string value (lambdas/adapters/aws/secrets.ts CachedSecrets.read in AWS). */
    private readonly readSecret: (secretArn: string) => Promise<string>,
    private readonly timeoutMs = REGISTRY_REQUEST_TIMEOUT_MS,
  ) {}

  private async authorization(endpoint: ConfluentRegistryEndpoint): Promise<string | undefined> {
    if (!endpoint.credentialsSecretArn) return undefined;
    const raw = await this.readSecret(endpoint.credentialsSecretArn);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string')
      throw new Error(
        `Secret ${endpoint.credentialsSecretArn} is not {"username": "…", "password": "…"} (the registry's HTTP Basic credentials).`,
      );
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async get(endpoint: ConfluentRegistryEndpoint, path: string): Promise<RegistryResponse> {
    const auth = await this.authorization(endpoint);
    const url = `${endpoint.url.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'GET',
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(auth ? { authorization: auth } : {}),
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).name ?? String(err);
      throw new UnreachableError(
        `GET ${url} failed: ${why}. Check that the Inventory function can reach the registry (its VPC's routes and security groups, DNS).`,
        { registry: endpoint.url },
      );
    }
    const text = await res.text();
    let body: unknown;
    if (text.length > 0 && text.length <= MAX_BODY_BYTES) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: res.status, body };
  }
}
