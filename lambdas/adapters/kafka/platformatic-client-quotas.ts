import type { ClientQuotaEntry, KafkaConnection } from '../../ports/kafka';

/**
 * Client quotas (DescribeClientQuotas, Kafka API 48) through @platformatic/kafka: kafkajs 2.2.4 has no client-quota
 * API. One short-lived admin client on the same connection settings as the kafkajs data plane (TLS, SASL/SCRAM,
 * SASL/OAUTHBEARER with an MSK IAM token). The match-all filter (no component, not strict) returns every quota: user,
 * client-id, ip, and their defaults.
 */

export type IamToken = (region: string) => Promise<{ token: string }>;

export async function describeClientQuotasWithPlatformatic(
  connection: KafkaConnection,
  iamToken: IamToken,
  clientId: string,
): Promise<ClientQuotaEntry[]> {
  const { Admin } = await import('@platformatic/kafka');
  const auth = connection.auth;
  const timeout = connection.requestTimeoutMs ?? 10_000;
  const security =
    auth.mechanism === 'PLAINTEXT'
      ? {}
      : auth.mechanism === 'TLS'
        ? { tls: {} }
        : auth.mechanism === 'IAM'
          ? {
              tls: {},
              sasl: { mechanism: 'OAUTHBEARER' as const, token: async () => (await iamToken(auth.region)).token },
            }
          : {
              ...(auth.tls ? { tls: {} } : {}),
              sasl: { mechanism: auth.mechanism, username: auth.username, password: auth.password },
            };
  const admin = new Admin({
    clientId,
    bootstrapBrokers: [...connection.bootstrapServers],
    connectTimeout: Math.min(5_000, timeout),
    requestTimeout: timeout,
    timeout,
    retries: 2,
    ...security,
  });
  try {
    const entries = await admin.describeClientQuotas({ components: [], strict: false });
    return entries.map((e) => ({
      entity: e.entity.map((x) => ({ type: String(x.entityType), name: x.entityName ?? null })),
      values: Object.fromEntries(e.values.map((v) => [String(v.key), v.value])),
    }));
  } finally {
    await admin.close().catch(() => undefined);
  }
}
