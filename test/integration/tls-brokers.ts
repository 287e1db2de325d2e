import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { PlatformaticDataPlane } from '../../lambdas/adapters/kafka/platformatic-data-plane';
import type { KafkaConnection, KafkaDataPlane } from '../../lambdas/ports/kafka';
import { startKafkaClusters, stopAllKafkaClusters, type KafkaCluster } from '../../rehearsal/kafka/cluster';
import { createCertificateAuthority } from '../../rehearsal/kafka/test-pki';
import { KAFKA_VERSIONS } from '../../rehearsal/kafka/versions';

/**
 * One broker per harness version (3.9.x, 4.x) with a TLS listener, an mTLS one (client certificate required), a
 * SASL_SSL one (SCRAM and PLAIN) and a SASL_PLAINTEXT one, certified by a private CA this test makes
 * (rehearsal/kafka/test-pki.ts); plus a foreign CA's client certificate and the users the listeners know. Shared by the
 * identity and preflight integration tests: `useTlsBrokers` registers the suite's beforeAll/afterAll.
 */

export type AdapterName = 'kafkajs' | 'platformatic';

/** A data plane of the named adapter (kafkajs quiet). */
export const openDataPlane = (adapter: AdapterName, connection: KafkaConnection): KafkaDataPlane =>
  adapter === 'kafkajs'
    ? new KafkajsDataPlane(connection, { log: () => undefined })
    : new PlatformaticDataPlane(connection);

export function useTlsBrokers(name: string) {
  const ca = createCertificateAuthority(`${name} test CA`);
  const foreignCa = createCertificateAuthority('someone else CA');
  const serverCert = ca.issueServer('broker');
  const fixture = {
    ca,
    /** A CA that signed none of the brokers' certificates. */
    foreignCa,
    clientCert: ca.issueClient('orders-app'),
    foreignClient: foreignCa.issueClient('stranger'),
    alice: { username: 'alice', password: 'alice-secret' },
    plainUser: { username: 'plain-user', password: 'plain-secret' },
    /** The brokers, by Kafka version (started in beforeAll). */
    clusters: new Map<string, KafkaCluster>(),
  };

  beforeAll(async () => {
    const started = await startKafkaClusters(
      KAFKA_VERSIONS.map((version) => ({
        name: `${name}-${version}`,
        version,
        scram: { users: [fixture.alice] },
        plainUsers: [fixture.plainUser],
        tls: { certificate: serverCert.certificate, privateKey: serverCert.privateKey, ca: ca.certificate },
      })),
    );
    for (const cluster of started) fixture.clusters.set(cluster.version, cluster);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...fixture.clusters.values()].map((c) => c.stop()));
    await stopAllKafkaClusters();
  });

  return fixture;
}
