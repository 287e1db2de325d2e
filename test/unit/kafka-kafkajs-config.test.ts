import { kafkajsConfig } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { KafkaConnection } from '../../lambdas/ports/kafka';

const connection = (auth: KafkaConnection['auth'], requestTimeoutMs?: number): KafkaConnection => ({
  name: 'source',
  bootstrapServers: ['b-1:9096', 'b-2:9096'],
  auth,
  requestTimeoutMs,
});

describe('kafkajs client settings of a connection', () => {
  it('uses neither TLS nor SASL for PLAINTEXT, and bounds requests by the connection timeout', () => {
    // Act
    const config = kafkajsConfig(connection({ mechanism: 'PLAINTEXT' }, 4_000));

    // Assess
    expect(config).toMatchObject({
      brokers: ['b-1:9096', 'b-2:9096'],
      ssl: false,
      sasl: undefined,
      requestTimeout: 4_000,
      connectionTimeout: 4_000,
      clientId: 'msk-migration-source',
    });
    expect(config.retry?.retries).toBeLessThanOrEqual(3);
  });

  it('turns TLS on for TLS', () => {
    // Act
    const config = kafkajsConfig(connection({ mechanism: 'TLS' }));

    // Assess
    expect(config).toMatchObject({ ssl: true, sasl: undefined, requestTimeout: 10_000 });
  });

  it('logs in with SCRAM-SHA-512 over TLS when asked, and SCRAM-SHA-256 in plaintext otherwise', () => {
    // Act
    const sha512 = kafkajsConfig(connection({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p', tls: true }));
    const sha256 = kafkajsConfig(connection({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' }));

    // Assess
    expect(sha512).toMatchObject({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    expect(sha256).toMatchObject({ ssl: false, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } });
  });

  it('uses OAUTHBEARER over TLS with an MSK IAM token for the region, generated at each login', async () => {
    // Prepare
    const regions: string[] = [];
    const iamTokenProvider = async (region: string): Promise<{ token: string; expiryTime: number }> => {
      regions.push(region);
      return { token: `token-${regions.length}`, expiryTime: Date.now() + 900_000 };
    };
    const config = kafkajsConfig(connection({ mechanism: 'IAM', region: 'eu-west-1' }), { iamTokenProvider });
    const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };

    // Act
    const first = await sasl.oauthBearerProvider();
    const second = await sasl.oauthBearerProvider();

    // Assess
    expect(config.ssl).toBe(true);
    expect(sasl.mechanism).toBe('oauthbearer');
    expect([first.value, second.value]).toEqual(['token-1', 'token-2']);
    expect(regions).toEqual(['eu-west-1', 'eu-west-1']);
  });

  it('passes kafkajs log lines to the given sink with their level and namespace', () => {
    // Prepare
    const lines: Array<{ level: string; namespace: string; message: string }> = [];
    const config = kafkajsConfig(connection({ mechanism: 'PLAINTEXT' }), { log: (entry) => lines.push(entry) });
    const logger = config.logCreator?.(1);

    // Act
    logger?.({
      namespace: 'Connection',
      level: 1,
      label: 'ERROR',
      log: { message: 'Connection error', timestamp: 'now' },
    });

    // Assess
    expect(lines).toEqual([{ level: 'ERROR', namespace: 'Connection', message: 'Connection error' }]);
  });
});
