import * as z from 'zod';
import { AclBindingSchema } from '../access/acl-binding';
import { lazySchema } from '../lazy-schema';

/**
 * The inventory of a source cluster: what the control plane (MSK), the data plane (Kafka admin) and the metrics
 * service (CloudWatch) say about it. It is written to the artifact store as JSON and read back by the Assess task,
 * so it is a schema, parsed at both ends.
 *
 * Nothing is silently missing: every part that could not be read is `NOT_COLLECTED` with the reason, and a topic or
 * group that could not be described is listed with `status: 'UNDESCRIBABLE'`. `gaps` repeats all of them, so that
 * `complete` is true only when every part was read.
 */

export const INVENTORY_SCHEMA_VERSION = 1;

export const NotCollectedSchema = lazySchema(() =>
  z.object({
    status: z.literal('NOT_COLLECTED'),
    /** Why, and what to do to collect it next time. */
    reason: z.string(),
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Control plane (MSK DescribeClusterV2, GetBootstrapBrokers, DescribeConfigurationRevision)

export const MskClusterSchema = lazySchema(() =>
  z.object({
    clusterArn: z.string(),
    clusterName: z.string(),
    clusterType: z.enum(['PROVISIONED', 'SERVERLESS']),
    /** ACTIVE, CREATING, UPDATING, … as MSK reports it. */
    state: z.string(),
    /** Kafka version of a provisioned cluster (`3.9.x`, `4.1.x.kraft`); Serverless has none. */
    kafkaVersion: z.string().optional(),
    brokers: z
      .object({
        count: z.number().int().nonnegative(),
        instanceType: z.string(),
        /** EBS volume per broker. */
        storageGiB: z.number().optional(),
        /** LOCAL or TIERED. */
        storageMode: z.string().optional(),
        provisionedThroughputMiBps: z.number().optional(),
      })
      .optional(),
    /** Client authentication modes enabled on the cluster. */
    authentication: z.object({
      iam: z.boolean(),
      scram: z.boolean(),
      mtls: z.boolean(),
      unauthenticated: z.boolean(),
    }),
    encryptionInTransit: z.object({
      /** TLS, TLS_PLAINTEXT or PLAINTEXT. */
      clientBroker: z.string().optional(),
      inCluster: z.boolean().optional(),
    }),
    encryptionAtRestKmsKeyArn: z.string().optional(),
    /** The MSK configuration the brokers run with, and its server.properties (non-secret broker settings). */
    configuration: z
      .object({
        arn: z.string(),
        revision: z.number().int(),
        serverProperties: z.record(z.string(), z.string()),
      })
      .optional(),
    /** Bootstrap strings by listener, as GetBootstrapBrokers returns them (only those that exist). */
    bootstrapBrokers: z.record(z.string(), z.string()),
    /** DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER, PER_TOPIC_PER_PARTITION: decides which metrics exist. */
    enhancedMonitoring: z.string().optional(),
    vpc: z.object({ subnetIds: z.array(z.string()), securityGroupIds: z.array(z.string()) }),
    publicAccess: z.boolean(),
    tags: z.record(z.string(), z.string()),
  }),
);
export type MskCluster = z.infer<typeof MskClusterSchema>;

export const ControlPlaneInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('COLLECTED'), cluster: MskClusterSchema }),
    NotCollectedSchema,
  ]),
);
export type ControlPlaneInventory = z.infer<typeof ControlPlaneInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Data plane (Kafka admin)

export const BrokerSchema = lazySchema(() =>
  z.object({
    nodeId: z.number().int(),
    host: z.string(),
    port: z.number().int(),
    rack: z.string().nullable().optional(),
  }),
);

export const PartitionSchema = lazySchema(() =>
  z.object({
    partition: z.number().int(),
    leader: z.number().int(),
    replicas: z.array(z.number().int()),
    isr: z.array(z.number().int()),
    /** Log start offset (earliest retained); null when offsets could not be read. */
    logStartOffset: z.string().nullable(),
    /** Log end offset (next offset to be written). */
    logEndOffset: z.string().nullable(),
  }),
);
export type PartitionInventory = z.infer<typeof PartitionSchema>;

export const DescribedTopicSchema = lazySchema(() =>
  z.object({
    status: z.literal('DESCRIBED'),
    name: z.string(),
    internal: z.boolean(),
    partitionCount: z.number().int(),
    /** The smallest replica count over the partitions (what the topic guarantees). */
    replicationFactor: z.number().int(),
    /** Only the configs set on the topic (non-default), as Kafka reports them; sensitive values are null. */
    configs: z.record(z.string(), z.string().nullable()),
    /** Effective values (topic override, else the broker's default). */
    cleanupPolicy: z.string(),
    compacted: z.boolean(),
    maxMessageBytes: z.number().nullable(),
    retentionMs: z.number().nullable(),
    retentionBytes: z.number().nullable(),
    underReplicatedPartitions: z.number().int(),
    offlinePartitions: z.number().int(),
    /** Σ (log end − log start) over partitions: records retained (approximate for compacted topics). */
    retainedRecords: z.number().nullable(),
    partitions: z.array(PartitionSchema),
  }),
);
export type DescribedTopic = z.infer<typeof DescribedTopicSchema>;

export const UndescribableSchema = lazySchema(() =>
  z.object({
    status: z.literal('UNDESCRIBABLE'),
    name: z.string(),
    reason: z.string(),
  }),
);

export const TopicInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [DescribedTopicSchema, UndescribableSchema]),
);
export type TopicInventory = z.infer<typeof TopicInventorySchema>;

export const GroupOffsetSchema = lazySchema(() =>
  z.object({
    topic: z.string(),
    partition: z.number().int(),
    committedOffset: z.string(),
    /** Null when the topic's offsets are unknown (topic deleted or undescribable). */
    logEndOffset: z.string().nullable(),
    logStartOffset: z.string().nullable(),
    /** Log end − committed, never negative; null when unknown. */
    lag: z.number().nullable(),
  }),
);

export const DescribedGroupSchema = lazySchema(() =>
  z.object({
    status: z.literal('DESCRIBED'),
    groupId: z.string(),
    /** `consumer`, `connect`, or '' for a group that only commits offsets (no membership). */
    protocolType: z.string(),
    /** Stable, Empty, Dead, PreparingRebalance, CompletingRebalance. */
    state: z.string(),
    members: z.array(z.object({ memberId: z.string(), clientId: z.string(), clientHost: z.string() })),
    offsets: z.array(GroupOffsetSchema),
    topics: z.array(z.string()),
    totalLag: z.number().nullable(),
    /** Partitions whose committed offset is below the log start: the group has not committed for longer than retention. */
    partitionsBehindLogStart: z.number().int(),
  }),
);
export type DescribedGroup = z.infer<typeof DescribedGroupSchema>;

export const GroupInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    DescribedGroupSchema,
    z.object({ status: z.literal('UNDESCRIBABLE'), groupId: z.string(), reason: z.string() }),
  ]),
);
export type GroupInventory = z.infer<typeof GroupInventorySchema>;

export const AclInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      /** False when the cluster has no authorizer (every authenticated principal may do everything). */
      authorizerEnabled: z.boolean(),
      bindings: z.array(AclBindingSchema),
    }),
    NotCollectedSchema,
  ]),
);
export type AclInventory = z.infer<typeof AclInventorySchema>;

export const ClientQuotaSchema = lazySchema(() =>
  z.object({
    /** The entity the quota applies to: `user`, `client-id`, `ip`; a null name is the default for that type. */
    entity: z.array(z.object({ type: z.string(), name: z.string().nullable() })),
    /** `producer_byte_rate`, `consumer_byte_rate`, `request_percentage`, `connection_creation_rate`, … */
    values: z.record(z.string(), z.number()),
  }),
);

export const ClientQuotaInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('COLLECTED'), quotas: z.array(ClientQuotaSchema) }),
    NotCollectedSchema,
  ]),
);

export const DataPlaneInventorySchema = lazySchema(() =>
  z.object({
    clusterId: z.string().nullable(),
    controllerId: z.number().int().nullable(),
    brokers: z.array(BrokerSchema),
    /** Non-default configs of one broker (`super.users`, `allow.everyone.if.no.acl.found`, `message.max.bytes`, …). */
    brokerConfigs: z.discriminatedUnion('status', [
      z.object({
        status: z.literal('COLLECTED'),
        brokerId: z.number().int(),
        configs: z.record(z.string(), z.string().nullable()),
      }),
      NotCollectedSchema,
    ]),
    topics: z.array(TopicInventorySchema),
    groups: z.array(GroupInventorySchema),
    acls: AclInventorySchema,
    clientQuotas: ClientQuotaInventorySchema,
  }),
);
export type DataPlaneInventory = z.infer<typeof DataPlaneInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Throughput (CloudWatch AWS/Kafka)

export const PeakSchema = lazySchema(() =>
  z.object({
    /** The highest value over the window (per second for rates, a count for connections). */
    peak: z.number(),
    peakAt: z.string().nullable(),
    /** The mean of the datapoints (for the cost estimate); null when there were none. */
    mean: z.number().nullable(),
    datapoints: z.number().int(),
  }),
);
export type Peak = z.infer<typeof PeakSchema>;

export const ThroughputInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      window: z.object({ start: z.string(), end: z.string(), periodSeconds: z.number().int() }),
      /** Sums over brokers at each period, then the peak: an upper bound (brokers may peak at different minutes). */
      cluster: z.object({
        bytesInPerSec: PeakSchema.nullable(),
        bytesOutPerSec: PeakSchema.nullable(),
        messagesInPerSec: PeakSchema.nullable(),
        connectionCount: PeakSchema.nullable(),
      }),
      /** Per topic (summed over brokers); empty when the cluster does not publish per-topic metrics. */
      topics: z.array(
        z.object({
          topic: z.string(),
          bytesInPerSec: PeakSchema.nullable(),
          bytesOutPerSec: PeakSchema.nullable(),
          messagesInPerSec: PeakSchema.nullable(),
        }),
      ),
      /** What the figures cannot tell (e.g. MessagesInPerSec per topic needs PER_TOPIC_PER_BROKER monitoring). */
      notes: z.array(z.string()),
    }),
    NotCollectedSchema,
  ]),
);
export type ThroughputInventory = z.infer<typeof ThroughputInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------------
// Client behaviour (DescribeProducers, ListTransactions / DescribeTransactions, sampled record batches, group types)

export const CompressionCodecSchema = lazySchema(() => z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']));

export const ProducersInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      /** Partitions asked (the selected user topics, up to `maxPartitions`) and those the leaders answered for. */
      partitionsAsked: z.number().int(),
      partitionsRead: z.number().int(),
      /** Per topic, the producer IDs with state on its partitions: idempotent or transactional producers. */
      topics: z.array(z.object({ topic: z.string(), producerIds: z.array(z.string()) })),
      /** Why some partitions were not read (their errors, the bound). */
      notes: z.array(z.string()),
    }),
    NotCollectedSchema,
  ]),
);

export const TransactionsInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      transactions: z.array(
        z.object({
          transactionalId: z.string(),
          producerId: z.string(),
          state: z.string(),
          /** From DescribeTransactions; null when it was not described. */
          timeoutMs: z.number().int().nullable(),
          /** The topics of its open transaction (empty when none is open). */
          topics: z.array(z.string()),
        }),
      ),
      notes: z.array(z.string()),
    }),
    NotCollectedSchema,
  ]),
);

export const TopicRecordSampleSchema = lazySchema(() =>
  z.object({
    topic: z.string(),
    partitionsSampled: z.number().int(),
    batches: z.number().int(),
    records: z.number().int(),
    /** Batches per codec (the batch attribute bits 0-2, as the producers or the broker compressed them). */
    codecs: z.partialRecord(CompressionCodecSchema, z.number().int()),
    /** Stored batch sizes (compressed): what a broker's max.message.bytes limits. Null when no batch was read. */
    maxBatchBytes: z.number().int().nullable(),
    p99BatchBytes: z.number().int().nullable(),
    /** Record sizes uncompressed (key, value, headers and the record's framing). */
    maxRecordBytes: z.number().int().nullable(),
    p99RecordBytes: z.number().int().nullable(),
    /** Batches written with a producer ID (idempotent or transactional producers) and those in a transaction. */
    idempotentBatches: z.number().int(),
    transactionalBatches: z.number().int(),
    /**
     * Record values in a schema registry's wire format: Confluent's (magic byte 0, schema ID) or the AWS Glue Schema
     * Registry serde's (header 3, schema version UUID); `schemaIds` the first 20 distinct IDs. Absent when no value was read.
     */
    wireFormats: z
      .object({
        confluent: z.number().int(),
        glue: z.number().int(),
        other: z.number().int(),
        schemaIds: z.array(z.string()),
      })
      .optional(),
    /** Why a partition could not be sampled (the first error). */
    error: z.string().optional(),
  }),
);
export type TopicRecordSample = z.infer<typeof TopicRecordSampleSchema>;

export const RecordSamplesInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      /** Bytes fetched at the tail of each sampled partition. */
      bytesPerPartition: z.number().int(),
      topics: z.array(TopicRecordSampleSchema),
      notes: z.array(z.string()),
    }),
    NotCollectedSchema,
  ]),
);

export const GroupTypesInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      /** `classic` or `consumer` (KIP-848); null when the brokers predate ListGroups v5 (Kafka < 3.8). */
      groups: z.array(z.object({ groupId: z.string(), groupType: z.string().nullable(), protocolType: z.string() })),
    }),
    NotCollectedSchema,
  ]),
);

export const ClientBehaviourInventorySchema = lazySchema(() =>
  z.object({
    /** The client library that read these parts, and why it is not the inventory's main one. */
    client: z.string(),
    note: z.string(),
    producers: ProducersInventorySchema,
    transactions: TransactionsInventorySchema,
    records: RecordSamplesInventorySchema,
    groupTypes: GroupTypesInventorySchema,
    /** What the brokers do not expose to an Admin client (offset-reset policies, client software versions, …). */
    notVisible: z.array(z.string()),
  }),
);
export type ClientBehaviourInventory = z.infer<typeof ClientBehaviourInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Connectors (MSK Connect ListConnectors / DescribeConnector)

export const ConnectorSchema = lazySchema(() =>
  z.object({
    name: z.string(),
    arn: z.string(),
    state: z.string(),
    /** SINK reads topics, SOURCE writes them; from `topics` / `topics.regex` and the class name. */
    kind: z.enum(['SINK', 'SOURCE', 'UNKNOWN']),
    connectorClass: z.string().nullable(),
    /** Topics it reads (a sink's `topics`), and its `topics.regex`. */
    reads: z.array(z.string()),
    readsPattern: z.string().nullable(),
    /** Topics or prefixes it writes, from the keys that name them (`topic`, `kafka.topic`, `topic.prefix` + `.*`, a DLQ). */
    writes: z.array(z.string()),
    /** True when its workers connect to the source (a bootstrap broker in common). */
    boundToSource: z.boolean(),
    bootstrapServers: z.array(z.string()),
  }),
);
export type Connector = z.infer<typeof ConnectorSchema>;

export const ConnectorsInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('COLLECTED'), platform: z.string(), connectors: z.array(ConnectorSchema) }),
    NotCollectedSchema,
  ]),
);
export type ConnectorsInventory = z.infer<typeof ConnectorsInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Kafka Connect clusters the plan names (connectClusters), read over their REST API

export const ConnectClusterConnectorSchema = lazySchema(() =>
  ConnectorSchema.extend({
    /** The topics Connect says it has used (GET /connectors/<name>/topics, Kafka 2.5+); null when not answered. */
    activeTopics: z.array(z.string()).nullable(),
    /** Its tasks' states (RUNNING, FAILED, PAUSED, …). */
    taskStates: z.array(z.string()),
  }),
);
export type ConnectClusterConnector = z.infer<typeof ConnectClusterConnectorSchema>;

export const ConnectClusterInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      url: z.string(),
      /** The workers' Kafka Connect version (GET /). */
      version: z.string().nullable(),
      /** The Kafka cluster its workers use (GET / kafka_cluster_id). */
      kafkaClusterId: z.string().nullable(),
      /** Its workers use the source (the same cluster id); null when either id is unknown. */
      boundToSource: z.boolean().nullable(),
      connectors: z.array(ConnectClusterConnectorSchema),
      /** More connectors than were described (MAX_CONNECT_CONNECTORS). */
      truncated: z.boolean(),
      /** What was read only in part, with why. */
      partial: z.array(z.string()),
    }),
    z.object({ status: z.literal('NOT_COLLECTED'), url: z.string(), reason: z.string() }),
  ]),
);
export type ConnectClusterInventory = z.infer<typeof ConnectClusterInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Schema registries the plan names (schemaRegistries), and those the records' Glue schema version ids lead to

export const GlueSchemaInventorySchema = lazySchema(() =>
  z.object({
    schemaArn: z.string(),
    schemaName: z.string(),
    status: z.string(),
    dataFormat: z.string(),
    compatibility: z.string(),
    latestVersion: z.number().int().nullable(),
    versions: z.array(z.object({ versionNumber: z.number().int(), status: z.string() })),
  }),
);

export const GlueRegistryInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      registryArn: z.string(),
      registryName: z.string(),
      region: z.string(),
      /** PLAN: named by the plan; RECORDS: a sampled record's schema version belongs to it. */
      namedBy: z.enum(['PLAN', 'RECORDS']),
      /** The registry's own status (AVAILABLE, DELETING). */
      registryStatus: z.string(),
      schemas: z.array(GlueSchemaInventorySchema),
      /** More schemas than were described (MAX_SCHEMAS_PER_REGISTRY). */
      truncated: z.boolean(),
    }),
    z.object({
      status: z.literal('NOT_COLLECTED'),
      registryArn: z.string(),
      region: z.string(),
      namedBy: z.enum(['PLAN', 'RECORDS']),
      reason: z.string(),
    }),
  ]),
);
export type GlueRegistryInventory = z.infer<typeof GlueRegistryInventorySchema>;

/** A Glue schema version id read from records (the serde's header), and where it was found. */
export const GlueVersionLookupSchema = lazySchema(() =>
  z.object({
    schemaVersionId: z.string(),
    /** The topics whose sampled values carry it. */
    topics: z.array(z.string()),
    /** FOUND in `region`; NOT_FOUND in every Region looked in; NOT_LOOKED_UP when a lookup failed (`reason`). */
    result: z.enum(['FOUND', 'NOT_FOUND', 'NOT_LOOKED_UP']),
    /** The Regions looked in. */
    regions: z.array(z.string()),
    region: z.string().optional(),
    schemaArn: z.string().optional(),
    versionNumber: z.number().int().nullable().optional(),
    versionStatus: z.string().optional(),
    reason: z.string().optional(),
  }),
);
export type GlueVersionLookup = z.infer<typeof GlueVersionLookupSchema>;

export const ConfluentSubjectSchema = lazySchema(() =>
  z.object({
    subject: z.string(),
    versions: z.array(z.number().int()),
    /** The subject's own compatibility level; null when it has none (the global one applies). */
    compatibility: z.string().nullable(),
  }),
);

export const ConfluentSchemaIdSchema = lazySchema(() =>
  z.object({
    id: z.string(),
    /** FOUND, NOT_FOUND (the registry answered 404), or UNREADABLE (another answer: `reason`). */
    result: z.enum(['FOUND', 'NOT_FOUND', 'UNREADABLE']),
    /** sha256 of the schema text, first 16 hex digits: compares registries without keeping schemas. */
    schemaDigest: z.string().optional(),
    reason: z.string().optional(),
  }),
);

export const ConfluentRegistryInventorySchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('COLLECTED'),
      url: z.string(),
      /** Which side's clients use it (the plan's `usedBy`). */
      usedBy: z.enum(['SOURCE', 'TARGET', 'BOTH']),
      globalCompatibility: z.string().nullable(),
      /** READWRITE, READONLY, IMPORT; null when the registry has no /mode. */
      mode: z.string().nullable(),
      subjectCount: z.number().int(),
      /** The subjects of the source's topics under the topic name strategy (`<topic>-key`, `<topic>-value`). */
      topicSubjects: z.array(ConfluentSubjectSchema),
      /** The schema ids read from records, looked up by id. */
      schemaIds: z.array(ConfluentSchemaIdSchema),
      /** What was read only in part (a subject's versions or config that did not answer), with why. */
      partial: z.array(z.string()),
    }),
    z.object({
      status: z.literal('NOT_COLLECTED'),
      url: z.string(),
      usedBy: z.enum(['SOURCE', 'TARGET', 'BOTH']),
      reason: z.string(),
    }),
  ]),
);
export type ConfluentRegistryInventory = z.infer<typeof ConfluentRegistryInventorySchema>;

/** A client application's IAM role, simulated for the Glue calls its serde makes on the schemas read. */
export const ClientAccessSchema = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('SIMULATED'),
      roleArn: z.string(),
      role: z.enum(['CONSUMERS', 'PRODUCERS', 'BOTH']),
      decisions: z.array(z.object({ action: z.string(), resource: z.string(), decision: z.string() })),
    }),
    z.object({
      status: z.literal('NOT_SIMULATED'),
      roleArn: z.string(),
      role: z.enum(['CONSUMERS', 'PRODUCERS', 'BOTH']),
      reason: z.string(),
    }),
  ]),
);
export type ClientAccess = z.infer<typeof ClientAccessSchema>;

export const SchemaRegistriesInventorySchema = lazySchema(() =>
  z.object({
    /** The Region the Inventory ran in (the default Region of a Glue lookup). */
    region: z.string().nullable(),
    glue: z.array(GlueRegistryInventorySchema),
    glueVersions: z.array(GlueVersionLookupSchema),
    confluent: z.array(ConfluentRegistryInventorySchema),
    /** The plan's schemaRegistries.clientRoles, simulated against the Glue schemas read. */
    clientAccess: z.array(ClientAccessSchema),
    /** Why a kind was not read at all (no reader in this runtime). */
    notRead: z.array(z.string()),
  }),
);
export type SchemaRegistriesInventory = z.infer<typeof SchemaRegistriesInventorySchema>;

// ---------------------------------------------------------------------------------------------------------------

export const InventoryGapSchema = lazySchema(() =>
  z.object({
    /** `controlPlane`, `throughput`, `acls`, `clientQuotas`, `topic:<name>`, `group:<id>`. */
    part: z.string(),
    reason: z.string(),
  }),
);
export type InventoryGap = z.infer<typeof InventoryGapSchema>;

export const InventorySchema = lazySchema(() =>
  z.object({
    schemaVersion: z.literal(INVENTORY_SCHEMA_VERSION),
    collectedAt: z.string(),
    /** How long the collection took (seconds), for the report. */
    durationSeconds: z.number(),
    source: z.object({
      name: z.string(),
      bootstrapServers: z.array(z.string()),
      authMechanism: z.string(),
      clusterArn: z.string().optional(),
    }),
    controlPlane: ControlPlaneInventorySchema,
    dataPlane: DataPlaneInventorySchema,
    throughput: ThroughputInventorySchema,
    /** How the clients behave, as the brokers tell it; absent when the runtime has no reader for it (test fakes). */
    clientBehaviour: ClientBehaviourInventorySchema.optional(),
    /** The MSK Connect connectors of the Region, those bound to the source marked; absent where there is no reader. */
    connectors: ConnectorsInventorySchema.optional(),
    /** The schema registries the plan names and those the records lead to; absent when there are none to read. */
    schemaRegistries: SchemaRegistriesInventorySchema.optional(),
    /** The Kafka Connect clusters the plan names (connectClusters); absent when it names none. */
    connectClusters: z.array(ConnectClusterInventorySchema).optional(),
    /** True only when nothing is NOT_COLLECTED or UNDESCRIBABLE. */
    complete: z.boolean(),
    gaps: z.array(InventoryGapSchema),
  }),
);
export type Inventory = z.infer<typeof InventorySchema>;

/** What the Inventory task puts in the execution state (`$.inventory`): counts and the artifact key, never the lists. */
export const InventorySummarySchema = lazySchema(() =>
  z.object({
    inventoryKey: z.string(),
    /** Where a person can open it (s3://… or a path). */
    location: z.string(),
    collectedAt: z.string(),
    complete: z.boolean(),
    gaps: z.array(z.string()),
    cluster: z.object({
      clusterType: z.string(),
      kafkaVersion: z.string().nullable(),
      brokers: z.number().int(),
      authentication: z.array(z.string()),
    }),
    counts: z.object({
      topics: z.number().int(),
      internalTopics: z.number().int(),
      undescribableTopics: z.number().int(),
      partitions: z.number().int(),
      compactedTopics: z.number().int(),
      compactedPartitions: z.number().int(),
      groups: z.number().int(),
      aclBindings: z.number().int().nullable(),
      clientQuotas: z.number().int().nullable(),
    }),
    peakBytesInPerSec: z.number().nullable(),
    peakBytesOutPerSec: z.number().nullable(),
  }),
);
export type InventorySummary = z.infer<typeof InventorySummarySchema>;

/** User topics: everything but Kafka's own (`__consumer_offsets`, `__transaction_state`, …). */
export function describedTopics(
  inventory: Pick<Inventory, 'dataPlane'>,
  opts: { includeInternal?: boolean } = {},
): DescribedTopic[] {
  return inventory.dataPlane.topics.filter(
    (t): t is DescribedTopic => t.status === 'DESCRIBED' && (opts.includeInternal === true || !t.internal),
  );
}

export function describedGroups(inventory: Pick<Inventory, 'dataPlane'>): DescribedGroup[] {
  return inventory.dataPlane.groups.filter((g): g is DescribedGroup => g.status === 'DESCRIBED');
}
