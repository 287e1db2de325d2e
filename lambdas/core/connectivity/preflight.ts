import { AuthFailedError, UnreachableError } from '../errors';

/**
 * The connectivity preflight: before anything is created, each cluster the execution talks to is tried in four
 * stages, in order, and the first that breaks is named with the address it broke on:
 * 1. TCP: a connection to each bootstrap server (host:port, DNS, routes, security groups);
 * 2. TLS: the handshake with the plan's CA bundle and client certificate, then one Kafka request (ApiVersions) over
 *    it, which also proves the listener speaks Kafka in the protocol the plan expects (TLS or plaintext);
 * 3. AUTH: the plan's credentials accepted (SASL; for mTLS, the broker accepting the client certificate);
 * 4. METADATA: a metadata call answered for this principal.
 * Pure: the adapters (lambdas/adapters/kafka/connectivity-probe.ts) run the stages, this module says what failed.
 */

export const CONNECTIVITY_STAGES = ['TCP', 'TLS', 'AUTH', 'METADATA'] as const;
export type ConnectivityStage = (typeof CONNECTIVITY_STAGES)[number];

export interface StageResult {
  readonly stage: ConnectivityStage;
  readonly passed: boolean;
  /** The bootstrap server it was tried on (`host:port`). */
  readonly endpoint: string;
  /** What was seen: for a failure, the reason. */
  readonly detail: string;
}

export interface ConnectivityCheck {
  /** `source`, `target`. */
  readonly cluster: string;
  readonly bootstrapServers: readonly string[];
  /**
   * The stages tried, in order; a failure is the last entry. On a connection without TLS the TLS stage checks that
   * the listener answers Kafka in plaintext (a TLS listener does not).
   */
  readonly stages: readonly StageResult[];
}

/** Something that runs the four stages on one cluster (a data-plane adapter, with the connection it holds). */
export interface ConnectivityProbe {
  checkConnectivity(): Promise<ConnectivityCheck>;
}

export const failureOf = (check: ConnectivityCheck): StageResult | undefined => check.stages.find((s) => !s.passed);

const WHAT_TO_DO: Record<ConnectivityStage, string> = {
  TCP: 'check the address and port of the listener for this auth mode, DNS, routes and the security groups between the orchestrator and the cluster',
  TLS: "check the plan's caSecretArn (the CA that signed the brokers' certificates), that the certificates name this host, and that the listener is TLS exactly when the plan says so (auth.tls, mechanism TLS or PLAINTEXT)",
  AUTH: "check the credentials in the plan's secret (username and password, or the client certificate and the CA the brokers trust) and the SASL mechanism the listener expects",
  METADATA:
    'the cluster accepted the login but answered no metadata: check the ACLs or IAM policy for this principal (DescribeCluster / Describe on topics) and the broker logs',
};

/** One line per cluster, for the evidence and the logs: `target: TCP ok, TLS ok, AUTH failed at 127.0.0.1:9093 (…)`. */
export function describeCheck(check: ConnectivityCheck): string {
  const parts = check.stages.map((s) =>
    s.passed ? `${s.stage} ok` : `${s.stage} FAILED at ${s.endpoint}: ${s.detail}`,
  );
  return `${check.cluster}: ${parts.join(', ')}`;
}

/**
 * Throws for the first cluster whose preflight failed: Migration.Unreachable for TCP and TLS (the network or the
 * listener), Migration.AuthFailed for AUTH and METADATA (who the orchestrator is, and what it may see). The message
 * names the cluster, the host:port, the stage and what to do; `details` carries every stage for the evidence.
 */
export function assertConnected(checks: readonly ConnectivityCheck[]): void {
  for (const check of checks) {
    const failed = failureOf(check);
    if (!failed) continue;
    const passed = check.stages.filter((s) => s.passed).map((s) => s.stage);
    const message = `Connectivity preflight: the ${check.cluster} cluster failed at ${failed.stage} on ${failed.endpoint}: ${failed.detail}. ${passed.length > 0 ? `Passed: ${[...new Set(passed)].join(', ')}. ` : ''}Nothing was created; ${WHAT_TO_DO[failed.stage]}.`;
    const details = {
      cluster: check.cluster,
      stage: failed.stage,
      endpoint: failed.endpoint,
      bootstrapServers: [...check.bootstrapServers],
      stages: check.stages.map((s) => ({ ...s })),
    };
    if (failed.stage === 'TCP' || failed.stage === 'TLS') throw new UnreachableError(message, details);
    throw new AuthFailedError(message, { ...details, kind: failed.stage === 'AUTH' ? 'authentication' : 'metadata' });
  }
}

/**
 * Runs the preflight of each probe given (those without one, such as test fakes, are skipped), in order, and throws
 * as assertConnected does for the first cluster that failed. Returns the checks of a preflight that passed.
 */
export async function runPreflight(
  probes: ReadonlyArray<Partial<ConnectivityProbe> | undefined>,
): Promise<ConnectivityCheck[]> {
  const checks: ConnectivityCheck[] = [];
  for (const probe of probes) {
    if (!probe?.checkConnectivity) continue;
    const check = await probe.checkConnectivity();
    checks.push(check);
    assertConnected([check]);
  }
  return checks;
}
