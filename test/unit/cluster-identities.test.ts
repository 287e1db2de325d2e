import { clientSettings } from '../../lambdas/adapters/aws/msk-connect-mm2';
import { kafkajsConfig } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { platformaticOptions } from '../../lambdas/adapters/kafka/platformatic-data-plane';
import { validateMigrationPlan, type MigrationPlanInput } from '../../lambdas/core/plan/migration-plan';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import { kafkaConnectionFor, replicationAuthOf } from '../../lambdas/tasks/shared/cluster-endpoints';

/**
 * Identities real targets use: SASL/PLAIN, a private CA and client certificates (mTLS), from the plan through the
 * task wiring (secrets read, never in the state) to both Kafka clients' settings and MirrorMaker 2's.
 */

const SOURCE_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5f2a9c1e-7b3d-4e8f-9a01-2b3c4d5e6f70-2';
const secret = (name: string): string => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIGHkey\n-----END PRIVATE KEY-----\n';
const MSK_CONNECT = {
  customPluginArn:
    'arn:aws:kafkaconnect:eu-west-1:123456789012:custom-plugin/mm2/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-1',
  customPluginRevision: 1,
  vpc: { subnetIds: ['subnet-0f1e2d3c4b5a69788'], securityGroupIds: ['sg-0fedcba9876543210'] },
};

function planTo(auth: unknown, extra: Partial<MigrationPlanInput> = {}): unknown {
  return {
    migrationId: 'orders-to-automq',
    source: { clusterArn: SOURCE_ARN },
    target: { type: 'KAFKA', bootstrapServers: ['automq-0.internal:9093'], auth },
    replication: { engine: 'MIRROR_MAKER_2' },
    approval: { email: ['platform-lead@example.com'] },
    cutover: { switch: { type: 'LOCAL_FILE', path: '/tmp/pointer.json' } },
    ...extra,
  };
}

const issuesOf = (input: unknown): Array<{ path: string; message: string }> => [...validateMigrationPlan(input).issues];

describe('the plan names identities by secret', () => {
  it('accepts SASL/PLAIN over TLS with a private CA, and mTLS with a client certificate', () => {
    // Act
    const plain = validateMigrationPlan(
      planTo({ mechanism: 'PLAIN', secretArn: secret('automq-plain'), caSecretArn: secret('automq-ca') }),
    );
    const mtls = validateMigrationPlan(
      planTo({
        mechanism: 'TLS',
        clientCertificateSecretArn: secret('automq-client'),
        caSecretArn: secret('automq-ca'),
      }),
    );

    // Assess
    expect(plain.issues).toEqual([]);
    expect(plain.valid && plain.plan.target.auth).toEqual({
      mechanism: 'PLAIN',
      secretArn: secret('automq-plain'),
      tls: true,
      caSecretArn: secret('automq-ca'),
    });
    expect(mtls.issues).toEqual([]);
  });

  it('refuses SASL/PLAIN on the MSK source, which has no such listener', () => {
    // Act
    const issues = issuesOf({
      ...(planTo({ mechanism: 'TLS' }) as object),
      source: { clusterArn: SOURCE_ARN, auth: { mechanism: 'PLAIN', secretArn: secret('x') } },
    });

    // Assess
    expect(issues).toEqual([
      { path: 'source.auth.mechanism', message: expect.stringContaining('MSK has no SASL/PLAIN listener') },
    ]);
  });

  it('refuses a CA bundle on a connection without TLS, naming the field', () => {
    // Act
    const issues = issuesOf(
      planTo({ mechanism: 'PLAIN', secretArn: secret('p'), tls: false, caSecretArn: secret('ca') }),
    );

    // Assess
    expect(issues).toEqual([{ path: 'target.auth.caSecretArn', message: expect.stringContaining('needs TLS') }]);
  });

  it('refuses a secret reference that is not a Secrets Manager ARN (no inline PEM)', () => {
    // Act
    const issues = issuesOf(planTo({ mechanism: 'TLS', clientCertificateSecretArn: CERT_PEM }));

    // Assess
    expect(issues).toEqual([
      {
        path: 'target.auth.clientCertificateSecretArn',
        message: expect.stringContaining('Secrets Manager secret ARN'),
      },
    ]);
  });

  it('refuses MirrorMaker 2 on MSK Connect hosted by a target that needs PLAIN, a private CA or a client certificate', () => {
    // Act
    const plain = issuesOf(
      planTo(
        { mechanism: 'PLAIN', secretArn: secret('p') },
        {
          replication: { engine: 'MIRROR_MAKER_2', mskConnect: MSK_CONNECT },
          cutover: { switch: { type: 'SSM_PARAMETER', parameterName: '/orders/bootstrap' } },
        },
      ),
    );
    const mtls = issuesOf(
      planTo(
        { mechanism: 'TLS', clientCertificateSecretArn: secret('c'), caSecretArn: secret('ca') },
        {
          replication: { engine: 'MIRROR_MAKER_2', mskConnect: MSK_CONNECT },
          cutover: { switch: { type: 'SSM_PARAMETER', parameterName: '/orders/bootstrap' } },
        },
      ),
    );

    // Assess
    expect(plain.map((i) => i.path)).toEqual(['target.auth.mechanism']);
    expect(mtls.map((i) => i.path)).toEqual(['target.auth.clientCertificateSecretArn', 'target.auth.caSecretArn']);
  });
});

describe('the task wiring reads the identities from Secrets Manager', () => {
  const secrets: Record<string, string> = {
    [secret('plain')]: JSON.stringify({ username: 'migrator', password: 'pl4in-secret' }),
    [secret('ca')]: JSON.stringify({ caCertificates: CA_PEM }),
    [secret('client')]: JSON.stringify({ certificate: CERT_PEM, privateKey: KEY_PEM }),
    [secret('pkcs1')]: JSON.stringify({
      certificate: CERT_PEM,
      privateKey: '-----BEGIN RSA PRIVATE KEY-----\nsecret-bits\n-----END RSA PRIVATE KEY-----',
    }),
    [secret('not-json')]: '-----BEGIN CERTIFICATE----- secret-bits',
  };
  const read = async (arn: string): Promise<string> => {
    const value = secrets[arn];
    if (value === undefined) throw new Error(`no secret ${arn}`);
    return value;
  };

  it('builds a SASL/PLAIN connection over TLS that trusts the private CA', async () => {
    // Act
    const connection = await kafkaConnectionFor(
      'target',
      ['automq-0:9093'],
      { mechanism: 'PLAIN', secretArn: secret('plain'), tls: true, caSecretArn: secret('ca') },
      'eu-west-1',
      read,
    );

    // Assess
    expect(connection).toEqual({
      name: 'target',
      bootstrapServers: ['automq-0:9093'],
      auth: { mechanism: 'PLAIN', username: 'migrator', password: 'pl4in-secret', tls: true },
      tls: { ca: CA_PEM },
    });
  });

  it('builds an mTLS connection with the client certificate and key', async () => {
    // Act
    const connection = await kafkaConnectionFor(
      'source',
      ['b-1:9094'],
      { mechanism: 'TLS', clientCertificateSecretArn: secret('client') },
      'eu-west-1',
      read,
    );

    // Assess
    expect(connection.auth).toEqual({ mechanism: 'TLS' });
    expect(connection.tls).toEqual({ certificate: CERT_PEM, privateKey: KEY_PEM });
  });

  it.each([
    ['pkcs1', /PKCS#8/],
    ['not-json', /is not JSON/],
  ])('fails with Migration.AuthFailed naming the %s secret, never its value', async (name, reason) => {
    // Act
    const failure = kafkaConnectionFor(
      'source',
      ['b-1:9094'],
      { mechanism: 'TLS', clientCertificateSecretArn: secret(name) },
      'eu-west-1',
      read,
    ).catch((err: Error) => err);

    // Assess
    const err = (await failure) as Error;
    expect(err.name).toBe('Migration.AuthFailed');
    expect(err.message).toMatch(reason);
    expect(err.message).toContain(secret(name));
    expect(JSON.stringify(err)).not.toContain('secret-bits');
    expect(err.message).not.toContain('secret-bits');
  });

  it('keeps only secret ARNs in what the replicator is given (the execution state)', () => {
    // Act
    const auth = replicationAuthOf({
      mechanism: 'TLS',
      clientCertificateSecretArn: secret('client'),
      caSecretArn: secret('ca'),
    });

    // Assess
    expect(auth).toEqual({
      mechanism: 'TLS',
      clientCertificateSecretArn: secret('client'),
      caSecretArn: secret('ca'),
    });
  });
});

describe("both Kafka clients' settings", () => {
  const mtls: KafkaConnection = {
    name: 'target',
    bootstrapServers: ['automq-0:9094'],
    auth: { mechanism: 'TLS' },
    tls: { ca: CA_PEM, certificate: CERT_PEM, privateKey: KEY_PEM },
  };
  const plain: KafkaConnection = {
    name: 'target',
    bootstrapServers: ['automq-0:9093'],
    auth: { mechanism: 'PLAIN', username: 'u', password: 'p', tls: true },
    tls: { ca: CA_PEM },
  };

  it('kafkajs: presents the client certificate and trusts the private CA; PLAIN is its plain mechanism', () => {
    // Act
    const mtlsConfig = kafkajsConfig(mtls);
    const plainConfig = kafkajsConfig(plain);

    // Assess
    expect(mtlsConfig.ssl).toEqual({ ca: CA_PEM, cert: CERT_PEM, key: KEY_PEM });
    expect(mtlsConfig.sasl).toBeUndefined();
    expect(plainConfig.ssl).toEqual({ ca: CA_PEM });
    expect(plainConfig.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
  });

  it('@platformatic/kafka: the same TLS material, and its PLAIN mechanism', () => {
    // Act
    const mtlsOptions = platformaticOptions(mtls);
    const plainOptions = platformaticOptions(plain);

    // Assess
    expect(mtlsOptions.tls).toEqual({ ca: CA_PEM, cert: CERT_PEM, key: KEY_PEM });
    expect(mtlsOptions.sasl).toBeUndefined();
    expect(plainOptions.tls).toEqual({ ca: CA_PEM });
    expect(plainOptions.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: 'p' });
  });
});

describe("MirrorMaker 2's client settings on MSK Connect", () => {
  it('names the PEM stores and the PLAIN login through the Secrets Manager config provider, never the values', () => {
    // Act
    const plainSettings = clientSettings(
      'source.cluster.',
      { mechanism: 'PLAIN', secretArn: secret('plain'), tls: true, caSecretArn: secret('ca') },
      'eu-west-1',
    );
    const mtlsSettings = clientSettings(
      'target.cluster.',
      { mechanism: 'TLS', clientCertificateSecretArn: secret('client') },
      'eu-west-1',
    );

    // Assess
    expect(plainSettings).toEqual({
      'source.cluster.security.protocol': 'SASL_SSL',
      'source.cluster.sasl.mechanism': 'PLAIN',
      'source.cluster.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="\${secretsmanager:${secret('plain')}:username}" password="\${secretsmanager:${secret('plain')}:password}";`,
      'source.cluster.ssl.truststore.type': 'PEM',
      'source.cluster.ssl.truststore.certificates': `\${secretsmanager:${secret('ca')}:caCertificates}`,
    });
    expect(mtlsSettings).toEqual({
      'target.cluster.security.protocol': 'SSL',
      'target.cluster.ssl.keystore.type': 'PEM',
      'target.cluster.ssl.keystore.certificate.chain': `\${secretsmanager:${secret('client')}:certificate}`,
      'target.cluster.ssl.keystore.key': `\${secretsmanager:${secret('client')}:privateKey}`,
    });
  });
});
