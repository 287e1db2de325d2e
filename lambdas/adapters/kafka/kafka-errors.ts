import { AuthFailedError, TransientError, UnreachableError, type MigrationError } from '../../core/errors';

/**
 * Maps a Kafka client's error (kafkajs or @platformatic/kafka) to the workflow's taxonomy, by what the error says
 * rather than by its class, so both clients share one mapping:
 * - the cluster cannot be reached (connection refused, unknown host, connect timeout) → Migration.Unreachable
 * - credentials refused (SASL, TLS certificate) or an ACL denies the operation → Migration.AuthFailed
 * - worth a retry (the client calls it retriable: leader election, request timeout, coordinator loading) →
 *   Migration.Transient
 * Anything else is returned unchanged (a bad topic name is a bug to see, not to retry).
 */

export interface KafkaCallContext {
  /** The cluster's name (`source`, `target`). */
  readonly cluster: string;
  readonly bootstrapServers: readonly string[];
  /** The port method: `listTopics`, `readPartition`… */
  readonly operation: string;
}

interface ErrorFacts {
  readonly name?: string;
  readonly message?: string;
  /** A Node errno (`ECONNREFUSED`) or a Kafka protocol code (number). */
  readonly code?: string | number;
  /** kafkajs's protocol error type (`TOPIC_AUTHORIZATION_FAILED`). */
  readonly type?: string;
  readonly retriable?: boolean;
  /** @platformatic/kafka: the protocol error's name (`SASL_AUTHENTICATION_FAILED`) and whether it can be retried. */
  readonly apiId?: string;
  readonly apiCode?: number;
  readonly canRetry?: boolean;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly errors?: unknown;
}

/** The error and everything it wraps (cause, originalError, aggregated errors), breadth first, at most 20. */
export function errorChain(err: unknown): ErrorFacts[] {
  const out: ErrorFacts[] = [];
  const queue: unknown[] = [err];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < 20) {
    const next = queue.shift();
    if (next === null || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const facts = next as ErrorFacts;
    out.push(facts);
    queue.push(facts.cause, facts.originalError);
    if (Array.isArray(facts.errors)) queue.push(...facts.errors);
    else if (facts.errors && typeof facts.errors === 'object')
      queue.push(...Object.values(facts.errors as Record<string, unknown>));
  }
  return out;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
const AUTHENTICATION_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);
/** Kafka protocol codes: 33 UNSUPPORTED_SASL_MECHANISM, 34 ILLEGAL_SASL_STATE, 58 SASL_AUTHENTICATION_FAILED. */
const AUTHENTICATION_CODES = new Set([33, 34, 58]);
/** 29 TOPIC, 30 GROUP, 31 CLUSTER, 53 TRANSACTIONAL_ID, 65 DELEGATION_TOKEN authorization failed. */
const AUTHORIZATION_CODES = new Set([29, 30, 31, 53, 65]);
/** Retriable by Kafka's definition but a fact about the request, not the moment: not retried. */
const NOT_TRANSIENT_TYPES = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID', 'OFFSET_OUT_OF_RANGE']);
const TRANSIENT_NAMES = new Set([
  'KafkaJSRequestTimeoutError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

type Kind = 'authentication' | 'authorization' | 'unreachable' | 'transient';

function classify(facts: ErrorFacts): Kind | undefined {
  const type = facts.type ?? facts.apiId;
  const message = facts.message ?? '';
  const protocolCode = typeof facts.code === 'number' ? facts.code : facts.apiCode;
  if (facts.name === 'KafkaJSSASLAuthenticationError' || facts.code === 'PLT_KFK_AUTHENTICATION')
    return 'authentication';
  if (type && AUTHENTICATION_TYPES.has(type)) return 'authentication';
  if (protocolCode !== undefined && AUTHENTICATION_CODES.has(protocolCode)) return 'authentication';
  if (/authentication failed|SASL authentication/i.test(message)) return 'authentication';
  if (/CERT_|certificate|self[- ]signed|unable to verify/i.test(`${facts.code ?? ''} ${message}`))
    return 'authentication';
  if (type && type.endsWith('_AUTHORIZATION_FAILED')) return 'authorization';
  if (protocolCode !== undefined && AUTHORIZATION_CODES.has(protocolCode)) return 'authorization';
  if (typeof facts.code === 'string' && UNREACHABLE_CODES.has(facts.code)) return 'unreachable';
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(message)) return 'unreachable';
  if (facts.name === 'KafkaJSConnectionError' && /timeout/i.test(message)) return 'unreachable';
  if (type && NOT_TRANSIENT_TYPES.has(type)) return undefined;
  if (typeof facts.code === 'string' && TRANSIENT_CODES.has(facts.code)) return 'transient';
  if (facts.code === 'PLT_KFK_TIMEOUT') return 'transient';
  if (facts.name && TRANSIENT_NAMES.has(facts.name)) return 'transient';
  // kafkajs throws a bare Error with this message when the broker accepted the TCP connection but never completed the
  // ApiVersions handshake within the request timeout (a hung broker, or a plaintext client on a TLS port).
  if (/^Broker not connected$/.test(message)) return 'transient';
  if (facts.canRetry === true) return 'transient';
  // kafkajs marks every error retriable unless told otherwise; only its protocol errors carry Kafka's own verdict.
  const kafkajsVerdict = facts.name === 'KafkaJSProtocolError' || facts.name === 'KafkaJSConnectionError';
  if (facts.retriable === true && kafkajsVerdict) return 'transient';
  return undefined;
}

/** The most telling kind along the chain: a credential problem beats reachability, which beats a retry. */
function kindOf(chain: readonly ErrorFacts[]): { kind: Kind; facts: ErrorFacts } | undefined {
  const found = chain
    .map((facts) => ({ facts, kind: classify(facts) }))
    .filter((f): f is { facts: ErrorFacts; kind: Kind } => f.kind !== undefined);
  for (const kind of ['authentication', 'authorization', 'unreachable', 'transient'] as const) {
    const hit = found.find((f) => f.kind === kind);
    if (hit) return hit;
  }
  return undefined;
}

/** The taxonomy error for `err`, or `err` itself when it is none of the three. */
export function toMigrationError(err: unknown, context: KafkaCallContext): MigrationError | unknown {
  if (err instanceof Error && err.name.startsWith('Migration.')) return err;
  const chain = errorChain(err);
  const hit = kindOf(chain);
  if (!hit) return err;
  const where = `Kafka cluster ${context.cluster} (${context.bootstrapServers.join(',')})`;
  const cause = hit.facts.message ?? String(err);
  const details = {
    cluster: context.cluster,
    bootstrapServers: [...context.bootstrapServers],
    operation: context.operation,
    cause,
    ...(hit.facts.type || hit.facts.apiId ? { kafkaError: hit.facts.type ?? hit.facts.apiId } : {}),
  };
  switch (hit.kind) {
    case 'authentication':
      return new AuthFailedError(
        `${where} refused the credentials during ${context.operation}: ${cause}. Check the secret's username and password (or the IAM role) and the SASL mechanism the listener expects.`,
        { ...details, kind: 'authentication' },
      );
    case 'authorization':
      return new AuthFailedError(
        `${where} denied ${context.operation} to this principal: ${cause}. Grant the ACL it needs (see the assessment's required permissions) and retry the execution.`,
        { ...details, kind: 'authorization' },
      );
    case 'unreachable':
      return new UnreachableError(
        `${where} is unreachable during ${context.operation}: ${cause}. Check the bootstrap servers, the port of the listener for this auth mode, DNS and the security groups.`,
        details,
      );
    case 'transient':
      return new TransientError(`${where}: ${context.operation} failed with a retriable error: ${cause}.`, details);
  }
}

/**
 * Runs one port call of a Kafka adapter within a deadline and maps its failure to the taxonomy: past the deadline a
 * Migration.Transient naming the cluster and the operation, any other failure through toMigrationError. Shared by the
 * kafkajs and @platformatic/kafka adapters, so both fail alike.
 */
export async function callWithDeadline<T>(
  connection: { readonly name: string; readonly bootstrapServers: readonly string[] },
  operation: string,
  fn: () => Promise<T>,
  deadlineMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TransientError(
            `Kafka cluster ${connection.name}: ${operation} did not complete within ${deadlineMs} ms.`,
            {
              cluster: connection.name,
              operation,
            },
          ),
        ),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (err) {
    throw toMigrationError(err, { cluster: connection.name, bootstrapServers: connection.bootstrapServers, operation });
  } finally {
    clearTimeout(timer);
  }
}
