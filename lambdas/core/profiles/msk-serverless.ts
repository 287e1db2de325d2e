import type { TargetProfile } from './profile';

/**
 * Amazon MSK Serverless as a target. Figures checked against the MSK developer guide (quota page, serverless topic
 * configuration page, MSK Replicator's Serverless requirements); REFERENCE.md (Nov 2026) for the current partition and
 * connection quotas, which AWS has raised since the guide's 2023 snapshot (120 partitions, 1,000 connections).
 * AWS states throughput in "MBps": taken as 10^6 bytes per second, the lower reading, so headroom is never overstated.
 */

const QUOTAS = 'https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#serverless-quota';
const CONFIGS = 'https://docs.aws.amazon.com/msk/latest/developerguide/serverless-config.html';
const REPLICATOR = 'https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator-serverless-requirements.html';
const IAM_ONLY = 'https://docs.aws.amazon.com/msk/latest/developerguide/serverless.html';
const MB = 1_000_000;

export const mskServerlessProfile: TargetProfile = {
  id: 'msk-serverless',
  name: 'Amazon MSK Serverless',
  summary:
    'Kafka API with capacity managed by AWS: IAM access only, per-cluster and per-partition throughput quotas, an allow-list of topic configs.',
  access: { authModes: ['IAM'], acls: 'NONE', source: IAM_ONLY },
  topicConfigs: {
    policy: 'ALLOW_LIST',
    editable: [
      'cleanup.policy',
      'compression.type',
      'max.message.bytes',
      'message.timestamp.difference.max.ms',
      'message.timestamp.type',
      'retention.bytes',
      'retention.ms',
    ],
    creationOnly: ['cleanup.policy'],
    source: CONFIGS,
  },
  quotas: {
    maxMessageBytes: {
      value: 8_388_608,
      unit: 'bytes',
      scope: 'partition',
      adjustable: false,
      source: CONFIGS,
      note: 'max.message.bytes up to 8 MiB.',
    },
    partitions: {
      value: 2400,
      unit: 'count',
      scope: 'cluster',
      adjustable: true,
      source: QUOTAS,
      note: 'Non-compacted partitions.',
    },
    compactedPartitions: { value: 120, unit: 'count', scope: 'cluster', adjustable: true, source: QUOTAS },
    replicatorCompactedPartitions: {
      value: 83,
      unit: 'count',
      scope: 'cluster',
      adjustable: false,
      source: REPLICATOR,
      note: 'MSK Replicator keeps its own state in compacted partitions on a Serverless target.',
    },
    ingressBytesPerSec: { value: 200 * MB, unit: 'bytes/s', scope: 'cluster', adjustable: false, source: QUOTAS },
    egressBytesPerSec: { value: 400 * MB, unit: 'bytes/s', scope: 'cluster', adjustable: false, source: QUOTAS },
    partitionIngressBytesPerSec: {
      value: 5 * MB,
      unit: 'bytes/s',
      scope: 'partition',
      adjustable: false,
      source: QUOTAS,
    },
    partitionEgressBytesPerSec: {
      value: 10 * MB,
      unit: 'bytes/s',
      scope: 'partition',
      adjustable: false,
      source: QUOTAS,
    },
    consumerGroups: { value: 500, unit: 'count', scope: 'cluster', adjustable: true, source: QUOTAS },
    clientConnections: { value: 3000, unit: 'count', scope: 'cluster', adjustable: true, source: QUOTAS },
    connectionAttemptsPerSec: { value: 100, unit: 'per second', scope: 'cluster', adjustable: true, source: QUOTAS },
    requestsPerSec: { value: 15_000, unit: 'per second', scope: 'cluster', adjustable: true, source: QUOTAS },
    partitionChangesPer5Min: {
      value: 120,
      unit: 'count',
      scope: 'cluster',
      adjustable: true,
      source: QUOTAS,
      note: 'Partitions created or deleted per five minutes.',
    },
    partitionSizeBytes: {
      value: 250 * 1024 ** 3,
      unit: 'bytes',
      scope: 'partition',
      adjustable: false,
      source: QUOTAS,
    },
  },
  capabilities: {
    transactions: {
      support: 'UNKNOWN',
      note: 'Not stated in the Serverless guide; prove a transactional producer and read_committed consumer in the rehearsal.',
    },
    compaction: {
      support: 'LIMITED',
      note: 'Compacted topics count against a separate, small quota; cleanup.policy can be set only when the topic is created.',
      source: CONFIGS,
    },
    kafkaStreams: {
      support: 'LIMITED',
      note: 'segment.bytes cannot be set: Kafka Streams applications that create internal topics with it fail until configured for MSK Serverless.',
      source: CONFIGS,
    },
    clientQuotas: {
      support: 'UNSUPPORTED',
      note: 'Broker settings, client quotas included, are managed by AWS.',
      source: CONFIGS,
    },
    mskReplicator: {
      support: 'SUPPORTED',
      note: 'Target of MSK Replicator (IAM on both clusters, same account).',
      source: REPLICATOR,
    },
  },
  criteria: {
    apiCompatibility:
      'Apache Kafka protocol; only the allow-listed topic configs; no broker configs; no Kafka ACL or client-quota APIs.',
    elasticCapacity:
      'Capacity follows traffic up to fixed quotas per cluster (ingress, egress, partitions, groups, connections) and per partition.',
    storageModel: 'Managed storage, no disks to size; retention set per topic; partition size capped.',
    networkAndIdentity:
      'Private VPC endpoints (up to 5 client VPCs); SASL/IAM on port 9098 only; access by IAM policies, not ACLs.',
    dataControlAndCost:
      'Data stays in the account and Region, encrypted by AWS; billed per cluster-hour, partition-hour, GB in, GB out and GB stored.',
  },
  mustTest: [
    'Client libraries in use can authenticate with SASL/IAM (OAUTHBEARER or AWS_MSK_IAM).',
    'Transactional and idempotent producers, if any.',
    'Kafka Streams applications, if any, against the config allow-list.',
  ],
};
