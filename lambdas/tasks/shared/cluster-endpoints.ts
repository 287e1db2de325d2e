import { AuthFailedError, InputInvalidError } from '../../core/errors';
import type { ClusterAuth } from '../../core/plan/migration-plan';
import type { KafkaAuth, KafkaConnection, KafkaTlsMaterial } from '../../ports/kafka';
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
  // MSK has no SASL/PLAIN listener (the plan refuses PLAIN on an MSK cluster).
  PLAIN: [],
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
  switch (auth.mechanism) {
    case 'SCRAM-SHA-512':
    case 'SCRAM-SHA-256':
    case 'PLAIN':
      return {
        mechanism: auth.mechanism,
        secretArn: auth.secretArn,
        tls: auth.tls,
        ...(auth.caSecretArn ? { caSecretArn: auth.caSecretArn } : {}),
      };
    case 'TLS':
      return {
        mechanism: 'TLS',
        ...(auth.clientCertificateSecretArn ? { clientCertificateSecretArn: auth.clientCertificateSecretArn } : {}),
        ...(auth.caSecretArn ? { caSecretArn: auth.caSecretArn } : {}),
      };
    default:
      return { mechanism: auth.mechanism };
  }
}

/** A secret's JSON object (the value is never logged or put in an error). */
function secretJson(secretArn: string, secretString: string, expected: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new AuthFailedError(`Secret ${secretArn} is not JSON: expected ${expected}.`, { secretArn });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new AuthFailedError(`Secret ${secretArn} is not a JSON object: expected ${expected}.`, { secretArn });
  return parsed as Record<string, unknown>;
}

/** SCRAM or PLAIN credentials from a Secrets Manager secret with `username` and `password` (the value is never logged). */
export function scramCredentials(secretArn: string, secretString: string): { username: string; password: string } {
  const { username, password } = secretJson(secretArn, secretString, '{"username": …, "password": …}');
  if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
    throw new AuthFailedError(`Secret ${secretArn} lacks a string "username" or "password".`, { secretArn });
  }
  return { username, password };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_PKCS8_KEY = /-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED )?PRIVATE KEY-----/;

/** The private CA bundle of a secret with `caCertificates` (PEM). */
export function caBundle(secretArn: string, secretString: string): string {
  const { caCertificates } = secretJson(secretArn, secretString, '{"caCertificates": "-----BEGIN CERTIFICATE-----…"}');
  if (typeof caCertificates !== 'string' || !PEM_CERTIFICATE.test(caCertificates))
    throw new AuthFailedError(
      `Secret ${secretArn} lacks "caCertificates" with at least one PEM certificate (-----BEGIN CERTIFICATE-----).`,
      { secretArn },
    );
  return caCertificates;
}

/** A client certificate (mTLS) from a secret with `certificate` (PEM chain) and `privateKey` (PKCS#8 PEM). */
export function clientCertificate(
  secretArn: string,
  secretString: string,
): { certificate: string; privateKey: string } {
  const { certificate, privateKey } = secretJson(
    secretArn,
    secretString,
    '{"certificate": "-----BEGIN CERTIFICATE-----…", "privateKey": "-----BEGIN PRIVATE KEY-----…"}',
  );
  if (typeof certificate !== 'string' || !PEM_CERTIFICATE.test(certificate))
    throw new AuthFailedError(
      `Secret ${secretArn} lacks "certificate" with the client certificate in PEM (-----BEGIN CERTIFICATE-----).`,
      { secretArn },
    );
  if (typeof privateKey !== 'string' || !PEM_PKCS8_KEY.test(privateKey))
    throw new AuthFailedError(
      `Secret ${secretArn} lacks "privateKey" as a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----): MirrorMaker 2 reads PKCS#8 only; convert a PKCS#1 or SEC1 key with \`openssl pkcs8 -topk8 -nocrypt\`.`,
      { secretArn },
    );
  if (/ENCRYPTED PRIVATE KEY/.test(privateKey))
    throw new AuthFailedError(
      `Secret ${secretArn} holds an encrypted private key: store it unencrypted (the secret is the protection; \`openssl pkcs8 -topk8 -nocrypt\`).`,
      { secretArn },
    );
  return { certificate, privateKey };
}

/** The TLS material of the plan's auth, read from its secrets; undefined when the plan names none. */
async function tlsMaterialOf(
  auth: ClusterAuth,
  readSecret: (secretArn: string) => Promise<string>,
): Promise<KafkaTlsMaterial | undefined> {
  const caArn = 'caSecretArn' in auth ? auth.caSecretArn : undefined;
  const certArn = auth.mechanism === 'TLS' ? auth.clientCertificateSecretArn : undefined;
  if (!caArn && !certArn) return undefined;
  return {
    ...(caArn ? { ca: caBundle(caArn, await readSecret(caArn)) } : {}),
    ...(certArn ? clientCertificate(certArn, await readSecret(certArn)) : {}),
  };
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
    case 'PLAIN':
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
  const tls = await tlsMaterialOf(auth, readSecret);
  return {
    name,
    bootstrapServers: [...bootstrapServers],
    auth: kafkaAuth,
    ...(tls ? { tls } : {}),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  };
}
