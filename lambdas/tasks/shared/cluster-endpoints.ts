import { AuthFailedError, InputInvalidError } from '../../core/errors';
import type { ClusterAuth } from '../../core/plan/migration-plan';
import type { KafkaAuth, KafkaConnection } from '../../ports/kafka';
import type { ReplicationAuth } from '../../ports/replicator';

/**
 * From the plan's cluster references to what the adapters take: the bootstrap servers of the listener that matches the
 * plan's auth mechanism, a Kafka connection (SCRAM credentials read through `readSecret`, never kept in the state) and
 * the replicator's auth reference (the secret's ARN, resolved by the engine itself).
 */

/** MSK's GetBootstrapBrokers strings (as core/inventory MskCluster.bootstrapBrokers names them) per auth mechanism, in order of preference. */
const LISTENERS: Record<ClusterAuth['mechanism'], readonly string[]> = {
  IAM: ['saslIam', 'vpcConnectivitySaslIam', 'publicSaslIam'],
  'SCRAM-SHA-512': ['saslScram', 'vpcConnectivitySaslScram', 'publicSaslScram'],
  'SCRAM-SHA-256': ['saslScram', 'vpcConnectivitySaslScram', 'publicSaslScram'],
  TLS: ['tls', 'vpcConnectivityTls', 'publicTls'],
  PLAINTEXT: ['plaintext'],
};

/** The bootstrap servers of an MSK cluster's listener for this auth mechanism. */
export function bootstrapServersFor(
  clusterArn: string,
  auth: ClusterAuth,
  bootstrapBrokers: Readonly<Record<string, string>>,
): string[] {
  for (const listener of LISTENERS[auth.mechanism]) {
    const value = bootstrapBrokers[listener];
    if (value)
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
  }
  const offered = Object.keys(bootstrapBrokers).join(', ') || 'none';
  throw new InputInvalidError(
    `Cluster ${clusterArn} has no ${auth.mechanism} listener (bootstrap brokers offered: ${offered}). Enable ${auth.mechanism} on the cluster or change the plan's auth.mechanism.`,
    { clusterArn, mechanism: auth.mechanism },
  );
}

/** `arn:aws:kafka:<region>:…` → the region (MSK IAM tokens are signed for the cluster's region). */
export function regionOfArn(arn: string | undefined, fallback: string): string {
  const region = arn?.split(':')[3];
  return region && region.length > 0 ? region : fallback;
}

/** The replicator's view of the plan's auth: secrets stay ARNs (MSK Connect resolves them with a config provider). */
export function replicationAuthOf(auth: ClusterAuth): ReplicationAuth {
  return auth.mechanism === 'SCRAM-SHA-512' || auth.mechanism === 'SCRAM-SHA-256'
    ? { mechanism: auth.mechanism, secretArn: auth.secretArn, tls: auth.tls }
    : { mechanism: auth.mechanism };
}

/** SCRAM credentials from a Secrets Manager secret with `username` and `password` (the value is never logged). */
export function scramCredentials(secretArn: string, secretString: string): { username: string; password: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new AuthFailedError(`Secret ${secretArn} is not JSON: expected {"username": …, "password": …}.`, {
      secretArn,
    });
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
    throw new AuthFailedError(`Secret ${secretArn} lacks a string "username" or "password".`, { secretArn });
  }
  return { username, password };
}

/** A Kafka connection for one side, credentials resolved. */
export async function kafkaConnectionFor(
  name: 'source' | 'target',
  bootstrapServers: readonly string[],
  auth: ClusterAuth,
  region: string,
  readSecret: (secretArn: string) => Promise<string>,
  requestTimeoutMs?: number,
): Promise<KafkaConnection> {
  let kafkaAuth: KafkaAuth;
  switch (auth.mechanism) {
    case 'IAM':
      kafkaAuth = { mechanism: 'IAM', region };
      break;
    case 'SCRAM-SHA-512':
    case 'SCRAM-SHA-256':
      kafkaAuth = {
        mechanism: auth.mechanism,
        ...scramCredentials(auth.secretArn, await readSecret(auth.secretArn)),
        tls: auth.tls,
      };
      break;
    case 'TLS':
      kafkaAuth = { mechanism: 'TLS' };
      break;
    case 'PLAINTEXT':
      kafkaAuth = { mechanism: 'PLAINTEXT' };
      break;
  }
  return {
    name,
    bootstrapServers: [...bootstrapServers],
    auth: kafkaAuth,
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  };
}
