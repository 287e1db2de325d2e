/**
 * Read-only JSON REST services a plan names by URL (Confluent-compatible schema registries, Kafka Connect clusters),
 * with optional HTTP Basic credentials from a Secrets Manager secret. Adapter: adapters/http/json-http.ts.
 */

export interface HttpEndpoint {
  readonly url: string;
  /** A Secrets Manager secret holding `{"username": …, "password": …}` (HTTP Basic), when the service needs one. */
  readonly credentialsSecretArn?: string;
}

/** One HTTP answer: its status and its parsed JSON body (`undefined` when the body was not JSON). */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface JsonHttpReads {
  /**
   * GET `path` (with its query) on the endpoint, authenticated as it says. An answer of any status is returned; a
   * connection that fails (refused, DNS, TLS, timeout) throws UnreachableError naming the URL.
   */
  get(endpoint: HttpEndpoint, path: string): Promise<JsonResponse>;
}
