import { probeConnectivity } from '../../lambdas/adapters/kafka/connectivity-probe';
import { AuthFailedError } from '../../lambdas/core/errors';
import { runPreflight, type ConnectivityCheck } from '../../lambdas/core/connectivity/preflight';
import type { KafkaConnection } from '../../lambdas/ports/kafka';
import { freePorts, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { openDataPlane, useTlsBrokers, type AdapterName } from './tls-brokers';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';

/**
 * The connectivity preflight on real brokers (3.9.x and 4.x) with TLS, mTLS, SASL_SSL and SASL_PLAINTEXT listeners
 * whose certificates a private CA of this test signed: every identity passes the four stages, and each way a plan can
 * be wrong fails at its stage, naming the host:port: a closed port (TCP), the wrong CA or the wrong protocol (TLS), a
 * missing or foreign client certificate and a wrong password (AUTH).
 */
jest.setTimeout(240_000);

const { ca, foreignCa, clientCert, foreignClient, alice, plainUser, clusters } = useTlsBrokers('preflight');
const open = openDataPlane;

async function preflight(adapter: AdapterName, connection: KafkaConnection): Promise<ConnectivityCheck> {
  const plane = open(adapter, { requestTimeoutMs: 5_000, ...connection });
  try {
    return await (plane.checkConnectivity as () => Promise<ConnectivityCheck>)();
  } finally {
    await plane.close();
  }
}

const stagesOf = (check: ConnectivityCheck): string[] =>
  check.stages.map((s) => `${s.stage} ${s.passed ? 'ok' : 'FAILED'}`);
const failureOf = (check: ConnectivityCheck) => check.stages.find((s) => !s.passed);

const ALL_PASSED = ['TCP ok', 'TLS ok', 'AUTH ok', 'METADATA ok'];

const CASES = KAFKA_VERSIONS.flatMap((version) =>
  (['kafkajs', 'platformatic'] as const).map((adapter) => ({ version, adapter })),
);

describe.each(CASES)('the connectivity preflight on Kafka $version through $adapter', ({ version, adapter }) => {
  const cluster = (): KafkaCluster => clusters.get(version) as KafkaCluster;
  const identities = (): Record<string, KafkaConnection> => {
    const c = cluster();
    return {
      PLAINTEXT: { name: 'target', bootstrapServers: [c.bootstrap as string], auth: { mechanism: 'PLAINTEXT' } },
      'TLS with the private CA': {
        name: 'target',
        bootstrapServers: [c.tlsBootstrap as string],
        auth: { mechanism: 'TLS' },
        tls: { ca: ca.certificate },
      },
      mTLS: {
        name: 'target',
        bootstrapServers: [c.mtlsBootstrap as string],
        auth: { mechanism: 'TLS' },
        tls: { ca: ca.certificate, ...clientCert },
      },
      'SASL/PLAIN over TLS': {
        name: 'target',
        bootstrapServers: [c.saslTlsBootstrap as string],
        auth: { mechanism: 'PLAIN', ...plainUser, tls: true },
        tls: { ca: ca.certificate },
      },
      'SCRAM-SHA-256 without TLS': {
        name: 'target',
        bootstrapServers: [c.saslBootstrap as string],
        auth: { mechanism: 'SCRAM-SHA-256', ...alice, tls: false },
      },
    };
  };

  it.each(['PLAINTEXT', 'TLS with the private CA', 'mTLS', 'SASL/PLAIN over TLS', 'SCRAM-SHA-256 without TLS'])(
    'passes TCP, TLS, AUTH and METADATA with %s',
    async (identity) => {
      // Act
      const check = await preflight(adapter, identities()[identity] as KafkaConnection);

      // Assess
      expect(stagesOf(check)).toEqual(ALL_PASSED);
    },
  );

  it('fails at TCP on a closed port, naming it', async () => {
    // Prepare: a port nobody listens on.
    const [closed] = await freePorts(1);

    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [`127.0.0.1:${closed}`],
      auth: { mechanism: 'PLAINTEXT' },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP FAILED']);
    expect(failureOf(check)).toMatchObject({
      endpoint: `127.0.0.1:${closed}`,
      detail: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it("fails at TLS with a CA that did not sign the brokers' certificates", async () => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster().tlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: foreignCa.certificate },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS FAILED']);
    expect(failureOf(check)?.endpoint).toBe(cluster().tlsBootstrap);
    expect(failureOf(check)?.detail).toMatch(/handshake failed: .*(certificate|verify)/i);
  });

  it('fails at TLS with the public CAs only (the plan forgot caSecretArn)', async () => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster().saslTlsBootstrap as string],
      auth: { mechanism: 'PLAIN', ...plainUser, tls: true },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS FAILED']);
  });

  it('fails at TLS when the plan says TLS and the listener is plaintext', async () => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster().bootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: ca.certificate },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS FAILED']);
  });

  it('fails at TLS when the plan says plaintext and the listener is TLS', async () => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster().tlsBootstrap as string],
      auth: { mechanism: 'PLAINTEXT' },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS FAILED']);
    expect(failureOf(check)?.detail).toMatch(/is this a TLS listener/);
  });

  it('fails at AUTH on an mTLS listener when the plan gives no client certificate', async () => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster().mtlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: ca.certificate },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS ok', 'AUTH FAILED']);
    expect(failureOf(check)?.detail).toMatch(/set clientCertificateSecretArn/);
  });

  it('fails at AUTH with a client certificate of a foreign CA', async () => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster().mtlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: ca.certificate, ...foreignClient },
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS ok', 'AUTH FAILED']);
    expect(failureOf(check)?.detail).toMatch(/refused the client certificate/);
  });

  it.each([
    [
      'SASL/PLAIN over TLS',
      'saslTlsBootstrap',
      { mechanism: 'PLAIN', username: plainUser.username, password: 'wrong', tls: true },
    ],
    [
      'SCRAM-SHA-512 without TLS',
      'saslBootstrap',
      { mechanism: 'SCRAM-SHA-512', username: alice.username, password: 'wrong', tls: false },
    ],
  ] as const)('fails at AUTH with a wrong %s password', async (_what, listener, auth) => {
    // Act
    const check = await preflight(adapter, {
      name: 'target',
      bootstrapServers: [cluster()[listener] as string],
      auth,
      ...(auth.tls ? { tls: { ca: ca.certificate } } : {}),
    });

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS ok', 'AUTH FAILED']);
  });
});

describe('the preflight verdict on a real broker', () => {
  it('fails at METADATA when the login is accepted but the metadata call is refused', async () => {
    // Prepare: the real TCP and TLS stages; the metadata call answers as a broker denying this principal would.
    const cluster = clusters.get(KAFKA_VERSIONS[KAFKA_VERSIONS.length - 1] as string) as KafkaCluster;
    const connection: KafkaConnection = {
      name: 'target',
      bootstrapServers: [cluster.tlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: ca.certificate },
    };
    const denied = async (): Promise<never> => {
      throw new AuthFailedError('denied DescribeTopic to this principal', { kind: 'authorization' });
    };

    // Act
    const check = await probeConnectivity(connection, denied);

    // Assess
    expect(stagesOf(check)).toEqual(['TCP ok', 'TLS ok', 'AUTH ok', 'METADATA FAILED']);
  });

  it('stops the execution with Migration.Unreachable naming the cluster, host:port and stage', async () => {
    // Prepare
    const cluster = clusters.get(KAFKA_VERSIONS[0] as string) as KafkaCluster;
    const source = open('kafkajs', {
      name: 'source',
      bootstrapServers: [cluster.bootstrap as string],
      auth: { mechanism: 'PLAINTEXT' },
    });
    const target = open('kafkajs', {
      name: 'target',
      bootstrapServers: [cluster.tlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: foreignCa.certificate },
    });

    // Act
    const failure = await runPreflight([source, target]).then(
      () => undefined,
      (err: Error) => err,
    );
    await Promise.all([source.close(), target.close()]);

    // Assess
    expect(failure?.name).toBe('Migration.Unreachable');
    expect(failure?.message).toContain(`the target cluster failed at TLS on ${cluster.tlsBootstrap}`);
  });
});
