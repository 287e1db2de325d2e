import { clientSettings } from '../../lambdas/adapters/aws/msk-connect-mm2';
import { TransientError } from '../../lambdas/core/errors';
import type { KafkaConnection, KafkaTlsMaterial } from '../../lambdas/ports/kafka';
import type { KafkaCluster } from '../../rehearsal/kafka/cluster';
import { launchMirrorMaker, type MirrorMaker } from '../../rehearsal/kafka/mirror-maker';
import { mirrorMakerProperties } from '../../rehearsal/kafka/properties';
import { openDataPlane, useTlsBrokers } from './tls-brokers';
import { KAFKA_VERSIONS, LATEST_KAFKA_VERSION } from '../../rehearsal/kafka/versions';

/**
 * Identities on real brokers: each harness version (3.9.x, 4.x) runs a broker with a TLS listener, an mTLS listener
 * (client certificate required), a SASL_SSL listener (SCRAM and PLAIN) and a SASL_PLAINTEXT one, with certificates of
 * a private CA made by this test (rehearsal/kafka/test-pki.ts). Both data-plane adapters log in with each identity
 * and round-trip a record; the wrong CA, a missing or foreign client certificate and a wrong password are refused.
 * MirrorMaker 2 copies a topic from the mTLS listener to the SASL_SSL/PLAIN one with the settings MSK Connect gets.
 */
jest.setTimeout(240_000);

const { ca, clientCert, foreignClient, alice, plainUser, clusters } = useTlsBrokers('identities');
const open = openDataPlane;

const trustCa: KafkaTlsMaterial = { ca: ca.certificate };
const mtls: KafkaTlsMaterial = { ca: ca.certificate, ...clientCert };

/** The identities a plan can name, each on its listener of `cluster`. */
function identities(cluster: KafkaCluster): Record<string, KafkaConnection> {
  const at = (
    name: string,
    server: string | undefined,
  ): Pick<KafkaConnection, 'name' | 'bootstrapServers' | 'requestTimeoutMs'> => ({
    name,
    bootstrapServers: [server as string],
    requestTimeoutMs: 8_000,
  });
  return {
    'TLS with the private CA': { ...at('tls', cluster.tlsBootstrap), auth: { mechanism: 'TLS' }, tls: trustCa },
    'mTLS with a client certificate': { ...at('mtls', cluster.mtlsBootstrap), auth: { mechanism: 'TLS' }, tls: mtls },
    'SASL/PLAIN over TLS': {
      ...at('plain-tls', cluster.saslTlsBootstrap),
      auth: { mechanism: 'PLAIN', ...plainUser, tls: true },
      tls: trustCa,
    },
    'SCRAM-SHA-512 over TLS with the private CA': {
      ...at('scram-tls', cluster.saslTlsBootstrap),
      auth: { mechanism: 'SCRAM-SHA-512', ...alice, tls: true },
      tls: trustCa,
    },
    'SASL/PLAIN without TLS': {
      ...at('plain', cluster.saslBootstrap),
      auth: { mechanism: 'PLAIN', ...plainUser, tls: false },
    },
  };
}

function refusals(cluster: KafkaCluster): Record<string, KafkaConnection> {
  return {
    'TLS against the public CAs (the private CA not given)': {
      name: 'no-ca',
      bootstrapServers: [cluster.tlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      requestTimeoutMs: 5_000,
    },
    'mTLS without a client certificate': {
      name: 'no-cert',
      bootstrapServers: [cluster.mtlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: trustCa,
      requestTimeoutMs: 5_000,
    },
    'mTLS with a certificate of a foreign CA': {
      name: 'foreign-cert',
      bootstrapServers: [cluster.mtlsBootstrap as string],
      auth: { mechanism: 'TLS' },
      tls: { ca: ca.certificate, ...foreignClient },
      requestTimeoutMs: 5_000,
    },
    'SASL/PLAIN with a wrong password': {
      name: 'plain-wrong',
      bootstrapServers: [cluster.saslTlsBootstrap as string],
      auth: { mechanism: 'PLAIN', username: plainUser.username, password: 'not-it', tls: true },
      tls: trustCa,
      requestTimeoutMs: 5_000,
    },
  };
}

const CASES = KAFKA_VERSIONS.flatMap((version) =>
  (['kafkajs', 'platformatic'] as const).map((adapter) => ({ version, adapter })),
);

describe.each(CASES)('Kafka $version, $adapter adapter', ({ version, adapter }) => {
  const cluster = (): KafkaCluster => clusters.get(version) as KafkaCluster;

  it.each(Object.keys(identities({} as KafkaCluster)))('logs in with %s and round-trips a record', async (identity) => {
    // Prepare
    const plane = open(adapter, identities(cluster())[identity] as KafkaConnection);
    const topic = `id-${adapter}-${identity.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    try {
      // Act
      await plane.createTopics([{ topic, numPartitions: 1 }]);
      const [written] = await plane.produce(topic, [{ key: 'k', value: `through ${identity}` }]);
      const read = await plane.readPartition({ topic, partition: 0, fromOffset: '0', maxRecords: 1 });

      // Assess
      expect(written?.offset).toBe('0');
      expect(read.map((r) => r.value?.toString())).toEqual([`through ${identity}`]);
      expect(await plane.listTopics()).toContain(topic);
    } finally {
      await plane.close();
    }
  });

  it.each(Object.keys(refusals({} as KafkaCluster)))('refuses %s', async (refusal) => {
    // Prepare
    const plane = open(adapter, refusals(cluster())[refusal] as KafkaConnection);
    try {
      // Act
      const failure = await plane.listTopics().then(
        () => undefined,
        (err: Error) => err,
      );

      // Assess
      expect(failure).toBeDefined();
      expect(failure?.name).toMatch(/^Migration\.(AuthFailed|Unreachable|Transient)$/);
    } finally {
      await plane.close();
    }
  });
});

describe(`MirrorMaker 2 with the MSK Connect settings (Kafka ${LATEST_KAFKA_VERSION})`, () => {
  let mm2: MirrorMaker | undefined;
  afterAll(async () => mm2?.stop());

  it('copies a topic from an mTLS source to a SASL/PLAIN-over-TLS target with a private CA', async () => {
    // Prepare: one broker plays both sides through different listeners; the topics are told apart by name.
    const broker = clusters.get(LATEST_KAFKA_VERSION) as KafkaCluster;
    const secrets: Record<string, Record<string, string>> = {
      'arn:client': { certificate: clientCert.certificate, privateKey: clientCert.privateKey },
      'arn:ca': { caCertificates: ca.certificate },
      'arn:plain': plainUser,
    };
    const resolve = (arn: string, key: string): string => secrets[arn]?.[key] as string;
    const source = open('kafkajs', identities(broker)['mTLS with a client certificate'] as KafkaConnection);
    const target = open('kafkajs', identities(broker)['SASL/PLAIN over TLS'] as KafkaConnection);
    try {
      await source.createTopics([{ topic: 'mm2-identities.orders', numPartitions: 1 }]);
      await source.produce('mm2-identities.orders', [{ value: 'one' }, { value: 'two' }]);
      const properties = mirrorMakerProperties({
        source: { bootstrap: broker.mtlsBootstrap as string },
        target: { bootstrap: broker.saslTlsBootstrap as string },
        topics: 'mm2-identities\\.orders',
        groups: 'none',
        overrides: {
          ...clientSettings(
            'source.',
            { mechanism: 'TLS', clientCertificateSecretArn: 'arn:client', caSecretArn: 'arn:ca' },
            'eu-west-1',
            resolve,
          ),
          ...clientSettings(
            'target.',
            { mechanism: 'PLAIN', secretArn: 'arn:plain', tls: true, caSecretArn: 'arn:ca' },
            'eu-west-1',
            resolve,
          ),
          // Source and target are one broker: the copy goes to a prefixed name instead of onto itself.
          'replication.policy.class': 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
        },
      });

      // Act
      mm2 = launchMirrorMaker(properties, { name: 'mm2-identities', version: LATEST_KAFKA_VERSION });
      const copied = 'source.mm2-identities.orders';
      const deadline = Date.now() + 120_000;
      let values: string[] = [];
      while (Date.now() < deadline && values.length < 2) {
        if (!mm2.running()) throw new Error(`MirrorMaker 2 exited:\n${mm2.logTail(40)}`);
        // A topic MirrorMaker 2 just created is listed before its leader is elected: a read then fails as
        // Migration.Transient ("not the leader"), which the workflow retries, and so does this loop.
        const records = (await target.listTopics()).includes(copied)
          ? await target
              .readPartition({ topic: copied, partition: 0, fromOffset: '0', maxRecords: 2, timeoutMs: 2_000 })
              .catch((err: unknown) => {
                if (err instanceof TransientError) return undefined;
                throw err;
              })
          : undefined;
        if (records) values = records.map((r) => r.value?.toString() ?? '');
        else await new Promise((resolve) => setTimeout(resolve, 500));
      }

      // Assess
      expect(values).toEqual(['one', 'two']);
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  });
});
