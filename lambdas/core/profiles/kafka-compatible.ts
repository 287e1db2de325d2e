import type { TargetProfile } from './profile';

/**
 * A generic Kafka-compatible target: self-managed Apache Kafka, or an elastic platform speaking the Kafka protocol
 * (AutoMQ and the like). Little can be known from documentation alone: the profile assumes Kafka semantics where the
 * protocol defines them, leaves capacity unknown, and lists what the rehearsal must prove.
 */

export const kafkaCompatibleProfile: TargetProfile = {
  id: 'kafka-compatible',
  name: 'Kafka-compatible (AutoMQ, self-managed Kafka)',
  summary:
    'A cluster that speaks the Kafka protocol; capacity and limits are the platform’s, to be given as overrides or proven in the rehearsal.',
  access: {
    authModes: ['SCRAM', 'MTLS', 'PLAIN', 'OAUTHBEARER', 'UNAUTHENTICATED'],
    acls: 'SUPPORTED',
    source: 'https://kafka.apache.org/documentation/#security_authz',
  },
  topicConfigs: {
    policy: 'ANY',
    editable: [],
    creationOnly: [],
    source: 'https://kafka.apache.org/documentation/#topicconfigs',
  },
  quotas: {
    maxMessageBytes: {
      value: null,
      unit: 'bytes',
      scope: 'partition',
      adjustable: true,
      source: 'platform documentation',
      note: 'Set by the broker’s message.max.bytes on the target.',
    },
    partitions: {
      value: null,
      unit: 'count',
      scope: 'cluster',
      adjustable: true,
      source: 'platform documentation',
      note: 'Give the platform’s partition limit in assessment.profileOverrides.',
    },
    ingressBytesPerSec: {
      value: null,
      unit: 'bytes/s',
      scope: 'cluster',
      adjustable: true,
      source: 'platform documentation',
    },
    egressBytesPerSec: {
      value: null,
      unit: 'bytes/s',
      scope: 'cluster',
      adjustable: true,
      source: 'platform documentation',
    },
    consumerGroups: {
      value: null,
      unit: 'count',
      scope: 'cluster',
      adjustable: true,
      source: 'platform documentation',
    },
    clientConnections: {
      value: null,
      unit: 'count',
      scope: 'cluster',
      adjustable: true,
      source: 'platform documentation',
    },
  },
  capabilities: {
    transactions: {
      support: 'UNKNOWN',
      note: 'Apache Kafka supports them; a Kafka-compatible platform may not: prove in the rehearsal.',
    },
    compaction: { support: 'UNKNOWN', note: 'Apache Kafka supports it; check the platform’s storage engine.' },
    kafkaStreams: {
      support: 'UNKNOWN',
      note: 'Needs every topic config Streams sets (segment.bytes, cleanup.policy, retention.ms).',
    },
    clientQuotas: { support: 'UNKNOWN', note: 'Kafka client quotas where the platform implements AlterClientQuotas.' },
    mskReplicator: {
      support: 'UNSUPPORTED',
      note: 'MSK Replicator needs MSK on both sides: use MirrorMaker 2.',
      source: 'https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator.html',
    },
  },
  criteria: {
    apiCompatibility:
      'Kafka protocol as the platform implements it: the API versions and features must be proven with the real clients.',
    elasticCapacity:
      'Platform-specific (AutoMQ scales stateless brokers over shared storage; self-managed Kafka scales by adding brokers and reassigning partitions).',
    storageModel:
      'Platform-specific (object storage with a write-ahead log for AutoMQ; local disks for self-managed Kafka).',
    networkAndIdentity: 'Whatever the platform is deployed with: SASL/SCRAM, mTLS, OAuth, Kafka ACLs.',
    dataControlAndCost:
      'Runs where you deploy it (your account for BYOC and self-managed); cost is infrastructure plus licence or support.',
  },
  mustTest: [
    'API versions of every client library in use (Kafka 4.0 removed old protocol versions).',
    'Transactions and idempotent producers, if the source uses them.',
    'Log compaction on compacted topics.',
    'Throughput at the source’s peak with headroom, and partition and connection limits.',
    'Consumer-group offset sync through MirrorMaker 2.',
  ],
};
