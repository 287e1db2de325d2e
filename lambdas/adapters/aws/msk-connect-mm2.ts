import {
  CreateConnectorCommand,
  DeleteConnectorCommand,
  DescribeConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  ListTagsForResourceCommand,
  type ConnectorSummary,
  type CreateConnectorRequest,
} from '@aws-sdk/client-kafkaconnect';
import { ReplicationFailedError, TransientError } from '../../core/errors';
import type {
  ReplicationAuth,
  ReplicationEndpoint,
  Replicator,
  ReplicatorHandle,
  ReplicatorSpec,
  ReplicatorState,
  ReplicatorStatus,
  ReplicatorSummary,
} from '../../ports/replicator';
import { MM2_DEFAULT_GROUPS_EXCLUDE, MM2_DEFAULT_TOPICS_EXCLUDE } from '../../core/replication/mm2-config';
import { toMigrationError } from './msk-provisioner';

/**
 * MirrorMaker 2 on MSK Connect, for targets that are not MSK (AutoMQ, self-managed Kafka). Two connectors per
 * migration: MirrorSourceConnector (records, topic configs) and MirrorCheckpointConnector (consumer-group offsets).
 *
 * The Connect workers run against the TARGET cluster: in Connect mode the source connector's records are produced by
 * the workers to their own cluster, and Connect's internal topics land there too. Offset syncs are kept on the target
 * as well (`offset-syncs.topic.location=target`), so nothing is written to the source.
 */

export interface MskConnectMm2Options {
  /** The role the connectors assume (lib/replicator-role.ts with the MSK Connect principal). */
  readonly serviceExecutionRoleArn: string;
  /** CloudWatch Logs group for the workers' logs. @default no log delivery */
  readonly logGroupName?: string;
  /** AWS Region (for the MSK IAM auth module and the Secrets Manager config provider). */
  readonly region: string;
}

const SOURCE_SUFFIX = '-source';

const CHECKPOINT_SUFFIX = '-checkpoint';
const MAX_PAGES = 20;

function bootstrap(side: 'source' | 'target', endpoint: ReplicationEndpoint): string {
  if (!endpoint.bootstrapServers || endpoint.bootstrapServers.length === 0) {
    throw new ReplicationFailedError(
      `MirrorMaker 2 needs the ${side} cluster's bootstrap servers (${side}.bootstrapServers).`,
    );
  }
  return endpoint.bootstrapServers.join(',');
}

/** How a setting names a secret's key: MSK Connect's Secrets Manager config provider (declared in the worker configuration). */
export type SecretReference = (secretArn: string, key: string) => string;
export const configProviderReference: SecretReference = (secretArn, key) => `\${secretsmanager:${secretArn}:${key}}`;

/** Kafka's JAAS quoting of a value: backslashes and double quotes escaped. */
const jaasQuote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * The TLS settings of a private CA and a client certificate as Kafka's PEM stores (KIP-651): no keystore file on the
 * workers, the PEM text comes from the secrets through `secret`.
 */
function pemSettings(
  prefix: string,
  a: { readonly caSecretArn?: string; readonly clientCertificateSecretArn?: string },
  secret: SecretReference,
): Record<string, string> {
  return {
    ...(a.caSecretArn
      ? {
          [`${prefix}ssl.truststore.type`]: 'PEM',
          [`${prefix}ssl.truststore.certificates`]: secret(a.caSecretArn, 'caCertificates'),
        }
      : {}),
    ...(a.clientCertificateSecretArn
      ? {
          [`${prefix}ssl.keystore.type`]: 'PEM',
          [`${prefix}ssl.keystore.certificate.chain`]: secret(a.clientCertificateSecretArn, 'certificate'),
          [`${prefix}ssl.keystore.key`]: secret(a.clientCertificateSecretArn, 'privateKey'),
        }
      : {}),
  };
}

const LOGIN_MODULES = {
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
} as const;

/**
 * Client settings for one cluster, prefixed for MM2 (`source.cluster.` / `target.cluster.`). Secrets stay references
 * (`secret`, MSK Connect's config provider by default); the rehearsal's tests pass a resolver of their own to run the
 * same settings on a local MirrorMaker 2.
 */
export function clientSettings(
  prefix: string,
  auth: ReplicationAuth | undefined,
  region: string,
  secret: SecretReference = configProviderReference,
): Record<string, string> {
  const a = auth ?? { mechanism: 'PLAINTEXT' };
  switch (a.mechanism) {
    case 'PLAINTEXT':
      return { [`${prefix}security.protocol`]: 'PLAINTEXT' };
    case 'TLS':
      return { [`${prefix}security.protocol`]: 'SSL', ...pemSettings(prefix, a, secret) };
    case 'IAM':
      return {
        [`${prefix}security.protocol`]: 'SASL_SSL',
        [`${prefix}sasl.mechanism`]: 'AWS_MSK_IAM',
        [`${prefix}sasl.jaas.config`]: 'software.amazon.msk.auth.iam.IAMLoginModule required;',
        [`${prefix}sasl.client.callback.handler.class`]: 'software.amazon.msk.auth.iam.IAMClientCallbackHandler',
        [`${prefix}aws.region`]: region,
      };
    default:
      return {
        [`${prefix}security.protocol`]: a.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT',
        [`${prefix}sasl.mechanism`]: a.mechanism,
        [`${prefix}sasl.jaas.config`]: `${LOGIN_MODULES[a.mechanism]} required username=${jaasQuote(secret(a.secretArn, 'username'))} password=${jaasQuote(secret(a.secretArn, 'password'))};`,
        ...(a.tls ? pemSettings(prefix, a, secret) : {}),
      };
  }
}

/** Connector configurations (MM2's own vocabulary) for the source and checkpoint connectors. */
export function mm2ConnectorConfigs(
  spec: ReplicatorSpec,
  region: string,
): { source: Record<string, string>; checkpoint: Record<string, string> } {
  const common: Record<string, string> = {
    'source.cluster.alias': 'source',
    'target.cluster.alias': 'target',
    'source.cluster.bootstrap.servers': bootstrap('source', spec.source),
    'target.cluster.bootstrap.servers': bootstrap('target', spec.target),
    ...clientSettings('source.cluster.', spec.source.auth, region),
    ...clientSettings('target.cluster.', spec.target.auth, region),
    'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
    'offset-syncs.topic.location': 'target',
    'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'header.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
  };
  const source: Record<string, string> = {
    ...common,
    'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    'tasks.max': '4',
    topics: spec.topics.include.join(','),
    'topics.exclude': [...spec.topics.exclude, ...MM2_DEFAULT_TOPICS_EXCLUDE].join(','),
    'refresh.topics.enabled': String(spec.detectAndCopyNewTopics),
    'sync.topic.configs.enabled': String(spec.copyTopicConfigurations),
    'sync.topic.acls.enabled': 'false',
    'emit.offset-syncs.enabled': 'true',
    // Partitions without a replication offset start here (MM2's source consumer, `consumer.` prefix).
    'consumer.auto.offset.reset': spec.startingPosition === 'EARLIEST' ? 'earliest' : 'latest',
  };
  const checkpoint: Record<string, string> = {
    ...common,
    'connector.class': 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
    'tasks.max': '1',
    groups: spec.consumerGroups.include.join(','),
    'groups.exclude': [...spec.consumerGroups.exclude, ...MM2_DEFAULT_GROUPS_EXCLUDE].join(','),
    'emit.checkpoints.enabled': 'true',
    'sync.group.offsets.enabled': String(spec.syncGroupOffsets),
    'refresh.groups.enabled': 'true',
  };
  return { source, checkpoint };
}

function workerAuthentication(
  target: ReplicationEndpoint,
): Pick<CreateConnectorRequest, 'kafkaClusterClientAuthentication' | 'kafkaClusterEncryptionInTransit'> {
  const auth = target.auth ?? { mechanism: 'PLAINTEXT' };
  switch (auth.mechanism) {
    case 'IAM':
      return {
        kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
        kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
      };
    case 'TLS':
      if (auth.caSecretArn || auth.clientCertificateSecretArn)
        throw new ReplicationFailedError(
          'MSK Connect workers connect to their Kafka cluster (the target) with TLS against the public CAs and without a client certificate; a target that needs a private CA or mTLS cannot host them. Open a listener they can use, or run MirrorMaker 2 yourself.',
        );
      return {
        kafkaClusterClientAuthentication: { authenticationType: 'NONE' },
        kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
      };
    case 'PLAINTEXT':
      return {
        kafkaClusterClientAuthentication: { authenticationType: 'NONE' },
        kafkaClusterEncryptionInTransit: { encryptionType: 'PLAINTEXT' },
      };
    default:
      throw new ReplicationFailedError(
        'MSK Connect workers authenticate to their Kafka cluster (the target) with IAM or without authentication only; a SCRAM-only target or a PLAIN-only one cannot host them. Open a TLS or IAM listener on the target, or run MirrorMaker 2 yourself.',
      );
  }
}

export function createConnectorRequests(
  spec: ReplicatorSpec,
  options: MskConnectMm2Options,
): { source: CreateConnectorRequest; checkpoint: CreateConnectorRequest } {
  const connect = spec.mskConnect;
  if (!connect) {
    throw new ReplicationFailedError(
      'replication.mskConnect.customPluginArn is required for MirrorMaker 2 on MSK Connect (a plugin holding connect-mirror and the MSK IAM auth jar).',
    );
  }
  if (!spec.target.vpc)
    throw new ReplicationFailedError(
      'MirrorMaker 2 on MSK Connect needs target.vpc (subnets and security groups that reach the target).',
    );
  const configs = mm2ConnectorConfigs(spec, options.region);
  const base = {
    kafkaCluster: {
      apacheKafkaCluster: {
        bootstrapServers: bootstrap('target', spec.target),
        vpc: { subnets: [...spec.target.vpc.subnetIds], securityGroups: [...spec.target.vpc.securityGroupIds] },
      },
    },
    ...workerAuthentication(spec.target),
    kafkaConnectVersion: connect.kafkaConnectVersion ?? '3.7.x',
    capacity: { provisionedCapacity: { mcuCount: connect.mcuCount ?? 1, workerCount: connect.workerCount ?? 1 } },
    plugins: [{ customPlugin: { customPluginArn: connect.customPluginArn, revision: connect.customPluginRevision } }],
    serviceExecutionRoleArn: options.serviceExecutionRoleArn,
    ...(connect.workerConfigurationArn
      ? {
          workerConfiguration: {
            workerConfigurationArn: connect.workerConfigurationArn,
            revision: connect.workerConfigurationRevision ?? 1,
          },
        }
      : {}),
    ...(options.logGroupName
      ? { logDelivery: { workerLogDelivery: { cloudWatchLogs: { enabled: true, logGroup: options.logGroupName } } } }
      : {}),
    tags: { ...spec.tags },
  };
  return {
    source: {
      ...base,
      connectorName: `${spec.name}${SOURCE_SUFFIX}`,
      connectorDescription: 'MSK migration: MirrorMaker 2 records and topic configs',
      connectorConfiguration: configs.source,
    },
    checkpoint: {
      ...base,
      connectorName: `${spec.name}${CHECKPOINT_SUFFIX}`,
      connectorDescription: 'MSK migration: MirrorMaker 2 consumer-group offsets',
      connectorConfiguration: configs.checkpoint,
    },
  };
}

/** Both connectors' states folded into one: FAILED wins, then DELETING, then anything not yet RUNNING. */
export function combinedState(states: ReadonlyArray<string | undefined>): ReplicatorState {
  if (states.some((s) => s === 'FAILED' || s === 'PAUSED' || s === 'PAUSING')) return 'FAILED';
  if (states.some((s) => s === 'DELETING')) return 'DELETING';
  if (states.some((s) => s === 'CREATING')) return 'CREATING';
  if (states.length > 0 && states.every((s) => s === 'RUNNING')) return 'RUNNING';
  return 'UPDATING';
}

export class MskConnectMirrorMaker2 implements Replicator {
  readonly engine = 'MIRROR_MAKER_2' as const;

  constructor(
    private readonly connect: KafkaConnectClient,
    private readonly options: MskConnectMm2Options,
  ) {}

  async find(name: string): Promise<ReplicatorSummary | undefined> {
    const connectors = await this.connectorsOf(name);
    const first = connectors[0];
    if (!first?.connectorArn) return undefined;
    const tags = await this.call(`ListTagsForResource ${first.connectorName}`, () =>
      this.connect.send(new ListTagsForResourceCommand({ resourceArn: first.connectorArn })),
    );
    return {
      handle: { engine: this.engine, name, id: connectors.map((c) => c.connectorArn).join(',') },
      state: connectors.length < 2 ? 'CREATING' : combinedState(connectors.map((c) => c.connectorState)),
      tags: tags.tags ?? {},
    };
  }

  /** MSK Connect has per-account connector quotas, not a replicator count: nothing to check here. */
  async countExisting(): Promise<undefined> {
    return undefined;
  }

  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    const requests = createConnectorRequests(spec, this.options);
    // Idempotent per connector: a retry after a partial create only creates the missing one.
    const existing = await this.connectorsOf(spec.name);
    const arns: string[] = [];
    for (const request of [requests.source, requests.checkpoint]) {
      const found = existing.find((c) => c.connectorName === request.connectorName);
      if (found?.connectorArn) {
        arns.push(found.connectorArn);
        continue;
      }
      try {
        const out = await this.connect.send(new CreateConnectorCommand(request));
        if (!out.connectorArn)
          throw new ReplicationFailedError(`CreateConnector ${request.connectorName} returned no ARN.`);
        arns.push(out.connectorArn);
      } catch (err) {
        if ((err as { name?: string }).name === 'ConflictException')
          throw new TransientError(
            `CreateConnector ${request.connectorName}: it already exists; retrying to adopt it.`,
          );
        throw toMigrationError(err, `CreateConnector ${request.connectorName}`, ReplicationFailedError);
      }
    }
    return { engine: this.engine, name: spec.name, id: arns.join(',') };
  }

  async describe(handle: ReplicatorHandle): Promise<ReplicatorStatus | undefined> {
    const states: Array<string | undefined> = [];
    const details: string[] = [];
    for (const arn of handle.id.split(',').filter(Boolean)) {
      try {
        const out = await this.connect.send(new DescribeConnectorCommand({ connectorArn: arn }));
        states.push(out.connectorState);
        if (out.stateDescription?.message || out.stateDescription?.code) {
          details.push(
            `${out.connectorName}: ${[out.stateDescription.code, out.stateDescription.message].filter(Boolean).join(': ')}`,
          );
        } else if (out.connectorState === 'PAUSED')
          details.push(`${out.connectorName}: paused by someone; it copies nothing while paused`);
      } catch (err) {
        if ((err as { name?: string }).name === 'NotFoundException') return undefined;
        throw toMigrationError(err, `DescribeConnector ${arn}`, ReplicationFailedError);
      }
    }
    return { state: combinedState(states), ...(details.length > 0 ? { detail: details.join('; ') } : {}) };
  }

  async delete(handle: ReplicatorHandle): Promise<void> {
    for (const arn of handle.id.split(',').filter(Boolean)) {
      try {
        await this.connect.send(new DeleteConnectorCommand({ connectorArn: arn }));
      } catch (err) {
        if ((err as { name?: string }).name === 'NotFoundException') continue;
        throw toMigrationError(err, `DeleteConnector ${arn}`, ReplicationFailedError);
      }
    }
  }

  private async connectorsOf(name: string): Promise<ConnectorSummary[]> {
    const wanted = new Set([`${name}${SOURCE_SUFFIX}`, `${name}${CHECKPOINT_SUFFIX}`]);
    const found: ConnectorSummary[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call('ListConnectors', () =>
        this.connect.send(new ListConnectorsCommand({ connectorNamePrefix: name, maxResults: 100, nextToken })),
      );
      found.push(...(out.connectors ?? []).filter((c) => c.connectorName !== undefined && wanted.has(c.connectorName)));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return found.sort((a, b) =>
      (a.connectorName ?? '').endsWith(SOURCE_SUFFIX) ? -1 : (b.connectorName ?? '').endsWith(SOURCE_SUFFIX) ? 1 : 0,
    );
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMigrationError(err, what, ReplicationFailedError);
    }
  }
}
