/**
 * Pure generators of the harness's configuration files: a single-node KRaft broker's server.properties, the
 * StorageTool's SCRAM arguments, the logging configuration of each Kafka line, and MirrorMaker 2's mm2.properties.
 * No I/O here, so that the unit tier checks them without a JVM.
 */

export interface ScramUser {
  readonly username: string;
  readonly password: string;
}

export type ScramMechanism = 'SCRAM-SHA-512' | 'SCRAM-SHA-256';

/** The broker's super user on the SASL listener (created at format time with every other SCRAM user). */
export const DEFAULT_ADMIN: ScramUser = { username: 'admin', password: 'admin-secret' };

export interface BrokerLayout {
  readonly controllerPort: number;
  /** The PLAINTEXT client listener (`CLIENT`), when there is one. */
  readonly plaintextPort?: number;
  /** The SASL_PLAINTEXT listener (`SASL`, SCRAM-SHA-512 and -256), when there is one. */
  readonly saslPort?: number;
  readonly dataDir: string;
  /** An SSL listener (`TLS`) without client authentication. Needs `tls`. */
  readonly tlsPort?: number;
  /** An SSL listener (`MTLS`) that requires a client certificate signed by `tls.ca`. Needs `tls`. */
  readonly mtlsPort?: number;
  /** A SASL_SSL listener (`SASLTLS`, SCRAM-SHA-512/256 and, with `plainUsers`, PLAIN). Needs `tls`. */
  readonly saslTlsPort?: number;
  /** The brokers' certificate and key, and the CA that client certificates must chain to (PEM, key PKCS#8). */
  readonly tls?: { readonly certificate: string; readonly privateKey: string; readonly ca: string };
  /** SASL/PLAIN users (PlainLoginModule's `user_<name>` entries) on the SASL listeners. */
  readonly plainUsers?: readonly ScramUser[];
  /** StandardAuthorizer on, with `admin` (and the unauthenticated listeners) as super users. */
  readonly acls: boolean;
  readonly admin?: ScramUser;
  /** Applied last: any broker setting a test needs. */
  readonly overrides?: Readonly<Record<string, string>>;
}

export function scramJaasConfig(user: ScramUser): string {
  const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username=${quote(user.username)} password=${quote(user.password)};`;
}

/** The server side of SASL/PLAIN: PlainLoginModule with one `user_<name>="<password>"` per user. */
export function plainServerJaasConfig(users: readonly ScramUser[]): string {
  const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  for (const u of users)
    if (!/^[A-Za-z0-9_.-]+$/.test(u.username))
      throw new Error(`PLAIN user name ${u.username}: letters, digits, _ . - only (a JAAS option name)`);
  return `org.apache.kafka.common.security.plain.PlainLoginModule required ${users.map((u) => `user_${u.username}=${quote(u.password)}`).join(' ')};`;
}

/**
 * server.properties of a combined broker+controller (KRaft, node 1, static quorum: works on 3.9 and 4.x alike).
 * Everything is sized for one broker on a shared 2-core machine: RF 1 everywhere, few threads, no rebalance delay.
 */
export function brokerProperties(layout: BrokerLayout): Record<string, string> {
  if (layout.plaintextPort === undefined && layout.saslPort === undefined) {
    throw new Error('A broker needs a client listener: a plaintext port, a SASL port, or both.');
  }
  const admin = layout.admin ?? DEFAULT_ADMIN;
  const listeners: string[] = [];
  const advertised: string[] = [];
  const protocols = ['CONTROLLER:PLAINTEXT'];
  if (layout.plaintextPort !== undefined) {
    listeners.push(`CLIENT://127.0.0.1:${layout.plaintextPort}`);
    advertised.push(`CLIENT://127.0.0.1:${layout.plaintextPort}`);
    protocols.push('CLIENT:PLAINTEXT');
  }
  if (layout.saslPort !== undefined) {
    listeners.push(`SASL://127.0.0.1:${layout.saslPort}`);
    advertised.push(`SASL://127.0.0.1:${layout.saslPort}`);
    protocols.push('SASL:SASL_PLAINTEXT');
  }
  const tlsListeners: Array<[string, number | undefined, string]> = [
    ['TLS', layout.tlsPort, 'SSL'],
    ['MTLS', layout.mtlsPort, 'SSL'],
    ['SASLTLS', layout.saslTlsPort, 'SASL_SSL'],
  ];
  for (const [name, port, protocol] of tlsListeners) {
    if (port === undefined) continue;
    if (!layout.tls) throw new Error(`The ${name} listener needs the brokers' certificate: give layout.tls.`);
    listeners.push(`${name}://127.0.0.1:${port}`);
    advertised.push(`${name}://127.0.0.1:${port}`);
    protocols.push(`${name}:${protocol}`);
  }
  listeners.push(`CONTROLLER://127.0.0.1:${layout.controllerPort}`);

  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${layout.controllerPort}`,
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'listener.security.protocol.map': protocols.join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': layout.plaintextPort !== undefined ? 'CLIENT' : 'SASL',
    'log.dirs': layout.dataDir,
    'num.partitions': '1',
    'default.replication.factor': '1',
    'min.insync.replicas': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '3',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    'num.network.threads': '2',
    'num.io.threads': '2',
    'background.threads': '2',
    'num.recovery.threads.per.data.dir': '1',
    'log.cleaner.threads': '1',
    'log.cleaner.dedupe.buffer.size': String(8 * 1024 * 1024),
  };
  const plain = (layout.plainUsers ?? []).length > 0;
  if (layout.saslPort !== undefined || layout.saslTlsPort !== undefined) {
    props['sasl.enabled.mechanisms'] = `SCRAM-SHA-512,SCRAM-SHA-256${plain ? ',PLAIN' : ''}`;
    props['sasl.mechanism.inter.broker.protocol'] = 'SCRAM-SHA-512';
    // The login module is needed by the server side of each mechanism; the credentials serve inter-broker requests.
    for (const listener of [
      ...(layout.saslPort !== undefined ? ['sasl'] : []),
      ...(layout.saslTlsPort !== undefined ? ['sasltls'] : []),
    ]) {
      props[`listener.name.${listener}.scram-sha-512.sasl.jaas.config`] = scramJaasConfig(admin);
      props[`listener.name.${listener}.scram-sha-256.sasl.jaas.config`] = scramJaasConfig(admin);
      if (plain)
        props[`listener.name.${listener}.plain.sasl.jaas.config`] = plainServerJaasConfig(layout.plainUsers ?? []);
    }
  }
  if (layout.tls) {
    // Kafka's PEM stores (KIP-651), inline: the same keys MirrorMaker 2 gets on MSK Connect.
    props['ssl.keystore.type'] = 'PEM';
    props['ssl.keystore.certificate.chain'] = layout.tls.certificate;
    props['ssl.keystore.key'] = layout.tls.privateKey;
    props['ssl.truststore.type'] = 'PEM';
    props['ssl.truststore.certificates'] = layout.tls.ca;
    if (layout.mtlsPort !== undefined) props['listener.name.mtls.ssl.client.auth'] = 'required';
  }
  if (layout.acls) {
    props['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
    props['allow.everyone.if.no.acl.found'] = 'false';
    // The controller listener (and the plaintext one, when enabled) is unauthenticated: its principal is ANONYMOUS,
    // which must stay a super user for the broker to register with its own controller. ACL tests use the SASL listener.
    props['super.users'] = [`User:${admin.username}`, 'User:ANONYMOUS'].join(';');
  }
  return { ...props, ...layout.overrides };
}

/** `--add-scram` arguments of `StorageTool format`: each user gets both SCRAM mechanisms. */
export function formatScramArguments(users: readonly ScramUser[]): string[] {
  const escape = (s: string): string => {
    if (/[,[\]="]/.test(s))
      throw new Error(
        'SCRAM user names and passwords of the harness must not contain , [ ] = or " (StorageTool syntax).',
      );
    return s;
  };
  return users.flatMap((u) =>
    (['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const).flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${escape(u.username)},password=${escape(u.password)}]`,
    ]),
  );
}

/** A .properties file: keys escaped, values kept literal but for backslashes and newlines. Sorted for stable diffs. */
export function formatProperties(props: Readonly<Record<string, string>>): string {
  const escapeKey = (k: string): string => k.replace(/\\/g, '\\\\').replace(/([:= ])/g, '\\$1');
  const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return Object.keys(props)
    .sort()
    .map((k) => `${escapeKey(k)}=${escapeValue(props[k] ?? '')}`)
    .join('\n')
    .concat('\n');
}

export interface LoggingConfig {
  /** The JVM flag that points the logging framework at the file. */
  readonly flag: string;
  readonly fileName: string;
  readonly content: string;
}

/**
 * Console logging (the harness sends stdout to a file), for the line's framework: reload4j on 3.x, log4j2 on 4.x.
 * `rootLevel` for everything; `loggers` lower or raise some packages.
 */
export function loggingConfig(
  major: number,
  filePath: string,
  rootLevel: string,
  loggers: Readonly<Record<string, string>> = {},
): LoggingConfig {
  const pattern = '[%d] %p %m (%c)%n';
  if (major >= 4) {
    const named = Object.entries(loggers).flatMap(([name, level], i) => [
      `logger.l${i}.name = ${name}`,
      `logger.l${i}.level = ${level}`,
    ]);
    return {
      flag: `-Dlog4j2.configurationFile=${filePath}`,
      fileName: 'log4j2.properties',
      content: [
        'status = error',
        'appender.console.type = Console',
        'appender.console.name = STDOUT',
        'appender.console.layout.type = PatternLayout',
        `appender.console.layout.pattern = ${pattern}`,
        `rootLogger.level = ${rootLevel}`,
        'rootLogger.appenderRef.stdout.ref = STDOUT',
        ...named,
        '',
      ].join('\n'),
    };
  }
  return {
    flag: `-Dlog4j.configuration=file:${filePath}`,
    fileName: 'log4j.properties',
    content: [
      `log4j.rootLogger=${rootLevel}, stdout`,
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      `log4j.appender.stdout.layout.ConversionPattern=${pattern}`,
      ...Object.entries(loggers).map(([name, level]) => `log4j.logger.${name}=${level}`),
      '',
    ].join('\n'),
  };
}

export interface Mm2Endpoint {
  readonly bootstrap: string;
  /** SASL/SCRAM credentials; plaintext when absent. */
  readonly scram?: ScramUser & { readonly mechanism?: ScramMechanism };
}

export interface Mm2Options {
  readonly source: Mm2Endpoint;
  readonly target: Mm2Endpoint;
  /** Topics to copy (a regex or comma-separated list). @default '.*' */
  readonly topics?: string;
  /** Consumer groups whose offsets are checkpointed and synced. @default '.*' */
  readonly groups?: string;
  /** Checkpoint emission and group offset sync period. @default 1 */
  readonly syncIntervalSeconds?: number;
  /** New topics and groups picked up this often. @default 2 */
  readonly refreshIntervalSeconds?: number;
  /** Applied last. */
  readonly overrides?: Readonly<Record<string, string>>;
}

function clientSecurity(alias: string, endpoint: Mm2Endpoint): Record<string, string> {
  if (!endpoint.scram) return {};
  return {
    [`${alias}.security.protocol`]: 'SASL_PLAINTEXT',
    [`${alias}.sasl.mechanism`]: endpoint.scram.mechanism ?? 'SCRAM-SHA-512',
    [`${alias}.sasl.jaas.config`]: scramJaasConfig(endpoint.scram),
  };
}

/**
 * mm2.properties for MirrorMaker 2 in dedicated mode: one flow source→target with identical topic names
 * (IdentityReplicationPolicy), checkpoints and group offset sync every `syncIntervalSeconds`, every internal topic at
 * RF 1, offset syncs kept on the target, and Connect settings that make a killed-and-restarted MM2 resume quickly.
 */
export function mirrorMakerProperties(options: Mm2Options): Record<string, string> {
  const sync = String(options.syncIntervalSeconds ?? 1);
  const refresh = String(options.refreshIntervalSeconds ?? 2);
  return {
    clusters: 'source, target',
    'source.bootstrap.servers': options.source.bootstrap,
    'target.bootstrap.servers': options.target.bootstrap,
    ...clientSecurity('source', options.source),
    ...clientSecurity('target', options.target),
    'source->target.enabled': 'true',
    'target->source.enabled': 'false',
    'source->target.topics': options.topics ?? '.*',
    'source->target.groups': options.groups ?? '.*',
    'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
    'offset-syncs.topic.location': 'target',
    // Exact offset translation: an offset sync for every record (test volumes are small).
    'offset.lag.max': '0',
    'emit.checkpoints.enabled': 'true',
    'emit.checkpoints.interval.seconds': sync,
    'sync.group.offsets.enabled': 'true',
    'sync.group.offsets.interval.seconds': sync,
    'emit.heartbeats.enabled': 'false',
    'sync.topic.configs.enabled': 'true',
    'sync.topic.configs.interval.seconds': refresh,
    'sync.topic.acls.enabled': 'false',
    'refresh.topics.interval.seconds': refresh,
    'refresh.groups.interval.seconds': refresh,
    'replication.factor': '1',
    'checkpoints.topic.replication.factor': '1',
    'heartbeats.topic.replication.factor': '1',
    'offset-syncs.topic.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'config.storage.replication.factor': '1',
    'tasks.max': '1',
    // Connect worker: commit source offsets every second, and reassign a killed worker's tasks at once on restart.
    'offset.flush.interval.ms': '1000',
    'scheduled.rebalance.max.delay.ms': '0',
    ...options.overrides,
  };
}
