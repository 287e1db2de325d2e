import { UnreachableError } from '../../core/errors';
import type { HttpEndpoint, JsonHttpReads, JsonResponse } from '../../ports/http-json';

/** How long one request may take (connect and answer). */
export const HTTP_REQUEST_TIMEOUT_MS = 10_000;
/** The largest body parsed (a registry's subject list of a big estate is a few hundred KB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A JSON REST service the plan names (a Confluent-compatible schema registry: Confluent Schema Registry, Karapace,
 * Apicurio's ccompat API, Redpanda's; a Kafka Connect cluster's REST API): GET only, with HTTP Basic credentials read
 * from a Secrets Manager secret (`{"username": …, "password": …}`) when the plan names one. The credentials are sent
 * to that URL and nowhere else: never logged, never in an error.
 */
export class BasicAuthJsonHttp implements JsonHttpReads {
  constructor(
    /** The secret's string value (lambdas/adapters/aws/secrets.ts CachedSecrets.read in AWS). */
    private readonly readSecret: (secretArn: string) => Promise<string>,
    private readonly timeoutMs = HTTP_REQUEST_TIMEOUT_MS,
  ) {}

  private async authorization(endpoint: HttpEndpoint): Promise<string | undefined> {
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
        `Secret ${endpoint.credentialsSecretArn} is not {"username": "…", "password": "…"} (HTTP Basic credentials).`,
      );
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async get(endpoint: HttpEndpoint, path: string): Promise<JsonResponse> {
    const auth = await this.authorization(endpoint);
    const url = `${endpoint.url.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'GET',
        headers: {
          accept: 'application/json, application/vnd.schemaregistry.v1+json',
          ...(auth ? { authorization: auth } : {}),
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).name ?? String(err);
      throw new UnreachableError(
        `GET ${url} failed: ${why}. Check that the Inventory function can reach it (its VPC's routes and security groups, DNS).`,
        { url: endpoint.url },
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
