import type { ReplicatorSpec } from '../../ports/replicator';

/**
 * MirrorMaker 2 in dedicated mode (`connect-mirror-maker.sh mm2.properties`), for the local rehearsal: one flow
 * `source->target`, identical topic names, offsets translated and synchronised for inactive groups.
 *
 * Nothing is written to the source: Connect's internal topics and the offset syncs live on the target, and
 * heartbeats are off (MM2 would otherwise run a heartbeat-only herder in the disabled reverse flow, writing to the
 * source).
 */

export interface Mm2LocalTuning {
  /** How often new topics and groups are picked up. @default 5 */
  readonly refreshIntervalSeconds?: number;
  /** How often checkpoints are emitted and group offsets synced to the target. @default 5 */
  readonly syncIntervalSeconds?: number;
  /** Replication factor of the topics MM2 creates on the target. @default 1 (single-broker rehearsal clusters) */
  readonly replicationFactor?: number;
  /** How often Connect stores the flow's progress (its source offsets) on the cluster it writes to. @default Connect's 60 s */
  readonly offsetFlushIntervalMs?: number;
  /**
   * Exactly-once source support (KIP-618, for dedicated MirrorMaker 2 since Kafka 3.5; docs/replication-restarts.md):
   * the flow's records and its source offsets are written in one transaction on the target, so a killed and restarted
   * worker resumes exactly where the last committed transaction ended and writes no duplicate. Needs the internal
   * REST server of KIP-710 (the port given here, loopback only) and a source consumer reading committed records.
   * Consumers of the target then read with isolation.level=read_committed (the Java default is read_uncommitted;
   * aborted records stay in the log). @default off (at-least-once)
   */
  readonly exactlyOnce?: { readonly restPort: number };
}

/** MM2's default excludes, kept when the input adds its own (setting the property replaces the default list). */
export const MM2_DEFAULT_TOPICS_EXCLUDE: readonly string[] = ['.*[\\-\\.]internal', '.*\\.replica', '__.*'];
export const MM2_DEFAULT_GROUPS_EXCLUDE: readonly string[] = ['console-consumer-.*', 'connect-.*', '__.*'];

export function mm2DedicatedProperties(spec: ReplicatorSpec, tuning: Mm2LocalTuning = {}): Record<string, string> {
  const source = spec.source.bootstrapServers;
  const target = spec.target.bootstrapServers;
  if (!source?.length || !target?.length) throw new Error('MirrorMaker 2 needs bootstrap servers for both clusters.');
  const refresh = String(tuning.refreshIntervalSeconds ?? 5);
  const sync = String(tuning.syncIntervalSeconds ?? 5);
  const rf = String(tuning.replicationFactor ?? 1);
  const { source: from, target: to } = spec.flowAliases ?? { source: 'source', target: 'target' };
  const flow = `${from}->${to}`;
  return {
    clusters: `${from}, ${to}`,
    [`${from}.bootstrap.servers`]: source.join(','),
    [`${to}.bootstrap.servers`]: target.join(','),
    [`${flow}.enabled`]: 'true',
    [`${to}->${from}.enabled`]: 'false',
    [`${flow}.topics`]: spec.topics.include.join(','),
    // Kafka 4 refuses a list with a value twice ("values must not be duplicated"): the plan's defaults overlap MM2's.
    [`${flow}.topics.exclude`]: [...new Set([...spec.topics.exclude, ...MM2_DEFAULT_TOPICS_EXCLUDE])].join(','),
    [`${flow}.groups`]: spec.consumerGroups.include.join(','),
    [`${flow}.groups.exclude`]: [...new Set([...spec.consumerGroups.exclude, ...MM2_DEFAULT_GROUPS_EXCLUDE])].join(','),
    'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
    'offset-syncs.topic.location': 'target',
    'emit.heartbeats.enabled': 'false',
    'emit.checkpoints.enabled': 'true',
    'emit.checkpoints.interval.seconds': sync,
    'sync.group.offsets.enabled': String(spec.syncGroupOffsets),
    'sync.group.offsets.interval.seconds': sync,
    'sync.topic.configs.enabled': String(spec.copyTopicConfigurations),
    'sync.topic.configs.interval.seconds': refresh,
    'sync.topic.acls.enabled': 'false',
    'refresh.topics.enabled': String(spec.detectAndCopyNewTopics),
    'refresh.topics.interval.seconds': refresh,
    'refresh.groups.interval.seconds': refresh,
    // An offset sync for every record keeps translated offsets exact (the rehearsal's volumes are small).
    'offset.lag.max': '0',
    [`${flow}.consumer.auto.offset.reset`]: spec.startingPosition === 'EARLIEST' ? 'earliest' : 'latest',
    'replication.factor': rf,
    'checkpoints.topic.replication.factor': rf,
    'heartbeats.topic.replication.factor': rf,
    'offset-syncs.topic.replication.factor': rf,
    'offset.storage.replication.factor': rf,
    'status.storage.replication.factor': rf,
    'config.storage.replication.factor': rf,
    'tasks.max': '2',
    // Cluster-prefixed properties reach the worker of the flows that write to that cluster (MirrorMakerConfig.workerConfig).
    ...(tuning.offsetFlushIntervalMs !== undefined
      ? { [`${to}.offset.flush.interval.ms`]: String(tuning.offsetFlushIntervalMs) }
      : {}),
    ...(tuning.exactlyOnce ? exactlyOnceProperties(from, to, tuning.exactlyOnce.restPort) : {}),
  };
}

/**
 * What Kafka's documentation (ops.html, "Exactly once" under geo-replication) asks of a dedicated MirrorMaker 2 for
 * exactly-once writes to `to`: `<to>.exactly.once.source.support = enabled`, the KIP-710 internal REST server
 * (`dedicated.mode.enable.internal.rest`, `listeners`), and a source consumer with `isolation.level=read_committed`
 * (MirrorSourceConnector.exactlyOnceSupport() answers UNSUPPORTED without it).
 */
export function exactlyOnceProperties(from: string, to: string, restPort: number): Record<string, string> {
  return {
    [`${to}.exactly.once.source.support`]: 'enabled',
    'dedicated.mode.enable.internal.rest': 'true',
    listeners: `http://127.0.0.1:${restPort}`,
    [`${from}.consumer.isolation.level`]: 'read_committed',
  };
}

/**
 * The topics MirrorMaker 2 (dedicated mode, the properties above) creates on the cluster its flow writes to: Connect's
 * three internal topics (MirrorMakerConfig.workerConfig: `mm2-{offsets,status,configs}.<source alias>.internal`), the
 * offset syncs (MirrorSourceConfig with `offset-syncs.topic.location=target`: `mm2-offset-syncs.<source alias>.internal`)
 * and the checkpoints (`<source alias>.checkpoints.internal`). With heartbeats off, the heartbeat connector still
 * creates `heartbeats`, and the source connector its remote copy `<source alias>.heartbeats` (seen on Kafka 4.3).
 */
export function mm2InternalTopics(sourceAlias: string): string[] {
  return [
    'heartbeats',
    `${sourceAlias}.heartbeats`,
    `mm2-offsets.${sourceAlias}.internal`,
    `mm2-status.${sourceAlias}.internal`,
    `mm2-configs.${sourceAlias}.internal`,
    `mm2-offset-syncs.${sourceAlias}.internal`,
    `${sourceAlias}.checkpoints.internal`,
  ];
}

/**
 * Records that make MirrorMaker 2 start each given partition at a given offset, written to its Connect offsets topic
 * before it starts. As in Kafka's connect-mirror: MirrorSourceTask reads the stored offset of
 * `MirrorUtils.wrapPartition(tp, sourceClusterAlias)` (a map `{cluster, partition, topic}`) under the connector's name
 * and seeks to stored + 1, so the next offset to copy N is stored as N − 1; a partition to copy from offset 0 gets no
 * record (nothing stored: the consumer's `auto.offset.reset=earliest` applies). Connect's offset store matches keys by
 * their bytes, so the key is the JsonConverter (schemas off) form of `[connector, partition map]` with the map's
 * fields in Java HashMap order (cluster, partition, topic), values `{"offset":N}`.
 */
export function mm2StartOffsetRecords(spec: ReplicatorSpec): {
  topic: string;
  records: Array<{ key: string; value: string }>;
} {
  const alias = spec.flowAliases?.source ?? 'source';
  const records = (spec.startOffsets ?? [])
    .filter((o) => BigInt(o.offset) > 0n)
    .map((o) => ({
      key: JSON.stringify(['MirrorSourceConnector', { cluster: alias, partition: o.partition, topic: o.topic }]),
      value: JSON.stringify({ offset: Number(BigInt(o.offset) - 1n) }),
    }));
  return { topic: `mm2-offsets.${alias}.internal`, records };
}
