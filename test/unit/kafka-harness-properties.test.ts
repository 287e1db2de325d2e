import {
  brokerProperties,
  formatProperties,
  formatScramArguments,
  loggingConfig,
  mirrorMakerProperties,
  scramJaasConfig,
} from '../../rehearsal/kafka/properties';
import { newClusterId } from '../../rehearsal/kafka/cluster';

describe('broker properties of the Kafka harness', () => {
  it('makes a combined broker and controller with a plaintext client listener and RF 1 internals', () => {
    // Act
    const props = brokerProperties({ controllerPort: 9093, plaintextPort: 9092, dataDir: '/tmp/data', acls: false });

    // Assess
    expect(props).toMatchObject({
      'process.roles': 'broker,controller',
      'controller.quorum.voters': '1@127.0.0.1:9093',
      listeners: 'CLIENT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners': 'CLIENT://127.0.0.1:9092',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT',
      'inter.broker.listener.name': 'CLIENT',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'group.initial.rebalance.delay.ms': '0',
      'log.dirs': '/tmp/data',
    });
    expect(props).not.toHaveProperty('authorizer.class.name');
    expect(props).not.toHaveProperty('sasl.enabled.mechanisms');
  });

  it('adds a SCRAM listener that also carries inter-broker traffic when there is no plaintext one', () => {
    // Act
    const props = brokerProperties({
      controllerPort: 1,
      saslPort: 2,
      dataDir: '/d',
      acls: false,
      admin: { username: 'root', password: 'pw' },
    });

    // Assess
    expect(props).toMatchObject({
      listeners: 'SASL://127.0.0.1:2,CONTROLLER://127.0.0.1:1',
      'inter.broker.listener.name': 'SASL',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'listener.name.sasl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="root" password="pw";',
    });
  });

  it('turns on the KRaft StandardAuthorizer with the admin and the unauthenticated listeners as super users', () => {
    // Act
    const props = brokerProperties({ controllerPort: 1, plaintextPort: 2, saslPort: 3, dataDir: '/d', acls: true });

    // Assess
    expect(props).toMatchObject({
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'false',
      'super.users': 'User:admin;User:ANONYMOUS',
    });
  });

  it('applies overrides last', () => {
    // Act
    const props = brokerProperties({
      controllerPort: 1,
      plaintextPort: 2,
      dataDir: '/d',
      acls: false,
      overrides: { 'num.partitions': '6' },
    });

    // Assess
    expect(props['num.partitions']).toBe('6');
  });

  it('refuses a broker without any client listener', () => {
    // Act
    const build = (): unknown => brokerProperties({ controllerPort: 1, dataDir: '/d', acls: false });

    // Assess
    expect(build).toThrow(/needs a client listener/);
  });

  it('adds TLS, mTLS and SASL_SSL listeners with inline PEM stores, and PLAIN users on the SASL listeners', () => {
    // Act
    const props = brokerProperties({
      controllerPort: 9093,
      plaintextPort: 9092,
      saslPort: 9094,
      tlsPort: 9095,
      mtlsPort: 9096,
      saslTlsPort: 9097,
      tls: { certificate: 'CERT', privateKey: 'KEY', ca: 'CA' },
      plainUsers: [{ username: 'plain-user', password: 'p"w' }],
      dataDir: '/d',
      acls: false,
    });

    // Assess
    expect(props['listener.security.protocol.map']).toBe(
      'CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT,SASL:SASL_PLAINTEXT,TLS:SSL,MTLS:SSL,SASLTLS:SASL_SSL',
    );
    expect(props).toMatchObject({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': 'CERT',
      'ssl.keystore.key': 'KEY',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': 'CA',
      'listener.name.mtls.ssl.client.auth': 'required',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
      'listener.name.sasltls.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_plain-user="p\\"w";',
    });
    expect(props['listener.name.tls.ssl.client.auth']).toBeUndefined();
  });

  it("refuses a TLS listener without the brokers' certificate", () => {
    // Act
    const build = (): unknown =>
      brokerProperties({ controllerPort: 1, plaintextPort: 2, tlsPort: 3, dataDir: '/d', acls: false });

    // Assess
    expect(build).toThrow(/needs the brokers' certificate/);
  });

  it('quotes SCRAM credentials in the JAAS line, escaping quotes and backslashes', () => {
    // Act
    const jaas = scramJaasConfig({ username: 'a"b', password: 'c\\d' });

    // Assess
    expect(jaas).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="a\\"b" password="c\\\\d";',
    );
  });
});

describe('StorageTool SCRAM arguments', () => {
  it('creates each user with both SCRAM mechanisms', () => {
    // Act
    const args = formatScramArguments([{ username: 'alice', password: 'secret' }]);

    // Assess
    expect(args).toEqual([
      '--add-scram',
      'SCRAM-SHA-512=[name=alice,password=secret]',
      '--add-scram',
      'SCRAM-SHA-256=[name=alice,password=secret]',
    ]);
  });

  it('rejects a password that would break the StorageTool syntax', () => {
    // Act
    const build = (): unknown => formatScramArguments([{ username: 'alice', password: 'a,b' }]);

    // Assess
    expect(build).toThrow(/must not contain/);
  });
});

describe('properties files', () => {
  it('escapes separators in keys and newlines in values, sorted by key', () => {
    // Act
    const text = formatProperties({ 'source->target.enabled': 'true', 'a key': 'x=y', b: 'line1\nline2' });

    // Assess
    expect(text).toBe('a\\ key=x=y\nb=line1\\nline2\nsource->target.enabled=true\n');
  });

  it('configures reload4j for Kafka 3 and log4j2 for Kafka 4', () => {
    // Act
    const three = loggingConfig(3, '/x/log4j.properties', 'INFO', { 'kafka.request.logger': 'WARN' });
    const four = loggingConfig(4, '/x/log4j2.properties', 'WARN', { 'org.apache.kafka.connect.mirror': 'INFO' });

    // Assess
    expect(three.flag).toBe('-Dlog4j.configuration=file:/x/log4j.properties');
    expect(three.content).toContain('log4j.rootLogger=INFO, stdout');
    expect(three.content).toContain('log4j.logger.kafka.request.logger=WARN');
    expect(four.flag).toBe('-Dlog4j2.configurationFile=/x/log4j2.properties');
    expect(four.content).toContain('rootLogger.level = WARN');
    expect(four.content).toContain('logger.l0.name = org.apache.kafka.connect.mirror');
  });
});

describe('mm2.properties of the harness', () => {
  it('replicates source to target only, with identical topic names, offset sync and RF 1 for every internal topic', () => {
    // Act
    const props = mirrorMakerProperties({
      source: { bootstrap: 's:1' },
      target: { bootstrap: 't:2' },
      topics: 'orders|payments',
      groups: 'billing',
    });

    // Assess
    expect(props).toMatchObject({
      clusters: 'source, target',
      'source.bootstrap.servers': 's:1',
      'target.bootstrap.servers': 't:2',
      'source->target.enabled': 'true',
      'target->source.enabled': 'false',
      'source->target.topics': 'orders|payments',
      'source->target.groups': 'billing',
      'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      'sync.group.offsets.enabled': 'true',
      'sync.group.offsets.interval.seconds': '1',
      'emit.checkpoints.interval.seconds': '1',
      'offset-syncs.topic.location': 'target',
    });
    for (const key of [
      'replication.factor',
      'checkpoints.topic.replication.factor',
      'heartbeats.topic.replication.factor',
      'offset-syncs.topic.replication.factor',
      'offset.storage.replication.factor',
      'status.storage.replication.factor',
      'config.storage.replication.factor',
    ]) {
      expect(props[key]).toBe('1');
    }
    expect(Object.keys(props).some((k) => k.includes('sasl'))).toBe(false);
  });

  it('gives each SCRAM cluster its own client security settings', () => {
    // Act
    const props = mirrorMakerProperties({
      source: { bootstrap: 's:1', scram: { username: 'mm2', password: 'pw', mechanism: 'SCRAM-SHA-256' } },
      target: { bootstrap: 't:2' },
    });

    // Assess
    expect(props).toMatchObject({
      'source.security.protocol': 'SASL_PLAINTEXT',
      'source.sasl.mechanism': 'SCRAM-SHA-256',
      'source.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="pw";',
    });
    expect(props).not.toHaveProperty('target.security.protocol');
  });
});

describe('KRaft cluster IDs of the harness', () => {
  it('never start with "-", which StorageTool would read as an option, and are 22 URL-safe characters', () => {
    // Prepare: a random source whose first draw encodes to a leading "-" (0xf8 → index 62 in base64url)
    const draws = [Buffer.alloc(16, 0xf8), Buffer.from('0123456789abcdef')];
    const random = (size: number): Buffer => (draws.shift() ?? Buffer.alloc(size, 1)).subarray(0, size);
    // Act
    const id = newClusterId(random);
    // Assess
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(id).toBe(Buffer.from('0123456789abcdef').toString('base64url').slice(0, 22));
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('refuses a source that only ever gives IDs starting with "-" instead of looping forever', () => {
    expect(() => newClusterId((size) => Buffer.alloc(size, 0xf8))).toThrow(/not random/);
  });
});
