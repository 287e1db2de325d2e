import type { Quota, TargetProfile } from './profile';

/**
 * Amazon MSK provisioned (Standard or Express brokers) as a target. Most limits follow from the broker type and count
 * chosen for the target, so the profile is built from them (`mskProvisionedProfile({brokerType, brokerCount})`);
 * without them those quotas are unknown and the assessment says what to supply.
 */

const QUOTAS = 'https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#msk-provisioned-quota';
const SIZING = 'https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html#partitions-per-broker';
const REPLICATOR = 'https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator.html';

/** Recommended maximum partition replicas (leaders and followers) per Standard broker, by instance size. */
const REPLICAS_PER_BROKER: ReadonlyArray<[RegExp, number]> = [
  [/^kafka\.t3\.small$/, 300],
  [/^kafka\.(m5|m7g)\.(large|xlarge)$/, 1000],
  [/^kafka\.(m5|m7g)\.2xlarge$/, 2000],
  [/^kafka\.(m5|m7g)\.(4|8|12|16|24)xlarge$/, 4000],
];

export interface ProvisionedTargetSpec {
  readonly brokerType?: string;
  readonly brokerCount?: number;
}

export function mskProvisionedProfile(spec: ProvisionedTargetSpec = {}): TargetProfile {
  const perBroker = spec.brokerType
    ? REPLICAS_PER_BROKER.find(([pattern]) => pattern.test(spec.brokerType ?? ''))?.[1]
    : undefined;
  const unknown = (what: string): string => `Depends on ${what}; give it in assessment.profileOverrides.`;
  const replicas: Quota = {
    value: perBroker ?? null,
    unit: 'count',
    scope: 'broker',
    adjustable: false,
    source: SIZING,
    note: perBroker
      ? `Recommended maximum for ${spec.brokerType}.`
      : unknown(
          spec.brokerType
            ? `the broker type ${spec.brokerType} (Express brokers: see the Express quota page)`
            : 'the target broker type',
        ),
  };
  const count = spec.brokerCount;
  return {
    id: 'msk-provisioned',
    name:
      spec.brokerType && count ? `Amazon MSK provisioned (${count} × ${spec.brokerType})` : 'Amazon MSK provisioned',
    summary:
      'Kafka brokers sized by you: every Kafka topic config, ACLs with SCRAM or mTLS, IAM access control, limits that follow the broker type and count.',
    access: {
      authModes: ['IAM', 'SCRAM', 'MTLS', 'UNAUTHENTICATED'],
      acls: 'SUPPORTED',
      source: 'https://docs.aws.amazon.com/msk/latest/developerguide/kafka_apis_iam.html',
    },
    topicConfigs: {
      policy: 'ANY',
      editable: [],
      creationOnly: [],
      source: 'https://kafka.apache.org/documentation/#topicconfigs',
    },
    quotas: {
      partitionReplicasPerBroker: replicas,
      partitions: {
        value: perBroker && count ? perBroker * count : null,
        unit: 'count',
        scope: 'cluster',
        adjustable: false,
        source: SIZING,
        note: 'Partition replicas over the cluster (replicas per broker × brokers); the assessment multiplies the source partitions by their replication factor.',
      },
      clientConnections: {
        value: count ? 3000 * count : null,
        unit: 'count',
        scope: 'cluster',
        adjustable: true,
        source: QUOTAS,
        note: 'With IAM access control: 3,000 TCP connections per broker (listener.name.client_iam.max.connections).',
      },
      storagePerBrokerGiB: { value: 16384, unit: 'GiB', scope: 'broker', adjustable: false, source: QUOTAS },
      brokersPerCluster: {
        value: 60,
        unit: 'count',
        scope: 'cluster',
        adjustable: true,
        source: QUOTAS,
        note: 'KRaft clusters (30 for ZooKeeper clusters).',
      },
      ingressBytesPerSec: {
        value: null,
        unit: 'bytes/s',
        scope: 'cluster',
        adjustable: false,
        source: 'https://aws.amazon.com/msk/pricing/',
        note: unknown('the broker type, count and storage throughput'),
      },
      egressBytesPerSec: {
        value: null,
        unit: 'bytes/s',
        scope: 'cluster',
        adjustable: false,
        source: 'https://aws.amazon.com/msk/pricing/',
        note: unknown('the broker type, count and storage throughput'),
      },
    },
    capabilities: {
      transactions: { support: 'SUPPORTED', note: 'Apache Kafka brokers.' },
      compaction: { support: 'SUPPORTED', note: 'Apache Kafka log compaction.' },
      kafkaStreams: { support: 'SUPPORTED', note: 'Every topic config is settable.' },
      clientQuotas: { support: 'SUPPORTED', note: 'Kafka client quotas (AlterClientQuotas).' },
      mskReplicator: {
        support: 'SUPPORTED',
        note: 'Needs IAM access control enabled on the target.',
        source: REPLICATOR,
      },
    },
    criteria: {
      apiCompatibility:
        'Apache Kafka at the chosen version; all topic and most broker configs; ACL and client-quota APIs.',
      elasticCapacity:
        'Fixed brokers: capacity changes by adding brokers or changing the broker type (rolling, minutes per broker); storage auto-scales upward only.',
      storageModel:
        'EBS volumes per broker (up to 16 TiB), optional tiered storage; replication factor chosen per topic.',
      networkAndIdentity: 'In your VPC; IAM, SASL/SCRAM, mTLS, or unauthenticated; Kafka ACLs with SCRAM/mTLS.',
      dataControlAndCost:
        'Data in your account and Region; billed per broker-hour and GB-month of storage, whether used or not.',
    },
    mustTest: count
      ? []
      : ['Size the target: broker type and count decide partition, connection and throughput limits.'],
  };
}
