import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * A target profile: what a kind of target cluster accepts, as data. Quotas are today's defaults with the page they
 * come from; every one is a configurable value (an account may have raised a quota, a platform may differ), overridden
 * by the execution input's `assessment.quotaOverrides`.
 */

export const QUOTA_NAMES = [
  /** Largest record batch a topic accepts (max.message.bytes ceiling). */
  'maxMessageBytes',
  /** Non-compacted partitions per cluster (leaders; replicas not counted). */
  'partitions',
  /** Compacted partitions per cluster. */
  'compactedPartitions',
  /** Compacted partitions MSK Replicator takes on the target for its own bookkeeping. */
  'replicatorCompactedPartitions',
  /** Partition replicas per broker (provisioned brokers: leaders and followers). */
  'partitionReplicasPerBroker',
  'ingressBytesPerSec',
  'egressBytesPerSec',
  'partitionIngressBytesPerSec',
  'partitionEgressBytesPerSec',
  'consumerGroups',
  'clientConnections',
  'connectionAttemptsPerSec',
  'requestsPerSec',
  /** Partitions created or deleted per five minutes (how fast a replicator can lay out the topics). */
  'partitionChangesPer5Min',
  'partitionSizeBytes',
  'storagePerBrokerGiB',
  'brokersPerCluster',
] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

export const QuotaSchema = lazySchema(() =>
  z.object({
    /** null: no known limit, or it depends on what this profile cannot know (then `note` says what to supply). */
    value: z.number().nullable(),
    unit: z.enum(['bytes', 'bytes/s', 'count', 'per second', 'GiB']),
    scope: z.enum(['cluster', 'partition', 'broker', 'account']),
    adjustable: z.boolean(),
    /** Where today's default comes from, or `execution input` when overridden. */
    source: z.string(),
    note: z.string().optional(),
  }),
);
export type Quota = z.infer<typeof QuotaSchema>;

export const CapabilitySchema = lazySchema(() =>
  z.object({
    support: z.enum(['SUPPORTED', 'LIMITED', 'UNSUPPORTED', 'UNKNOWN']),
    note: z.string(),
    source: z.string().optional(),
  }),
);

export const CRITERIA = [
  'apiCompatibility',
  'elasticCapacity',
  'storageModel',
  'networkAndIdentity',
  'dataControlAndCost',
] as const;
export type Criterion = (typeof CRITERIA)[number];

export const TargetProfileSchema = lazySchema(() =>
  z.object({
    id: z.enum(['msk-serverless', 'msk-provisioned', 'kafka-compatible']),
    name: z.string(),
    /** What the target is in one sentence. */
    summary: z.string(),
    access: z.object({
      /** Client authentication the target offers. */
      authModes: z.array(z.enum(['IAM', 'SCRAM', 'MTLS', 'UNAUTHENTICATED', 'OAUTHBEARER', 'PLAIN'])),
      /** Kafka ACLs: NONE means access is decided elsewhere (IAM policies). */
      acls: z.enum(['SUPPORTED', 'NONE', 'UNKNOWN']),
      source: z.string(),
    }),
    topicConfigs: z.object({
      /** ALLOW_LIST: only `editable` may be set; ANY: every Kafka topic config. */
      policy: z.enum(['ALLOW_LIST', 'ANY']),
      editable: z.array(z.string()),
      /** Settable only when the topic is created. */
      creationOnly: z.array(z.string()),
      source: z.string(),
    }),
    quotas: z.partialRecord(z.enum(QUOTA_NAMES), QuotaSchema),
    capabilities: z.object({
      transactions: CapabilitySchema,
      compaction: CapabilitySchema,
      kafkaStreams: CapabilitySchema,
      clientQuotas: CapabilitySchema,
      mskReplicator: CapabilitySchema,
    }),
    /** What the target offers under each of the five criteria (the report puts the measured source figures beside it). */
    criteria: z.record(z.enum(CRITERIA), z.string()),
    /** What cannot be known from documentation and must be proven in the rehearsal. */
    mustTest: z.array(z.string()),
  }),
);
export type TargetProfile = z.infer<typeof TargetProfileSchema>;

export const QuotaOverridesSchema = lazySchema(() =>
  z.partialRecord(z.enum(QUOTA_NAMES), z.number().nonnegative().nullable()),
);

export const ProfileOverridesSchema = lazySchema(() =>
  z.object({
    quotas: QuotaOverridesSchema.optional(),
    /** Replaces the editable topic-config allow-list (a platform that allows more, or an AWS change). */
    editableTopicConfigs: z.array(z.string()).optional(),
  }),
);
export type ProfileOverrides = z.infer<typeof ProfileOverridesSchema>;

/** Applies the execution input's overrides; each overridden quota says so in its `source`. */
export function withOverrides(profile: TargetProfile, overrides: ProfileOverrides | undefined): TargetProfile {
  if (!overrides) return profile;
  const quotas = { ...profile.quotas };
  for (const [name, value] of Object.entries(overrides.quotas ?? {}) as Array<[QuotaName, number | null | undefined]>) {
    if (value === undefined) continue;
    const base = quotas[name] ?? {
      unit: 'count' as const,
      scope: 'cluster' as const,
      adjustable: true,
      value: null,
      source: '',
    };
    quotas[name] = {
      ...base,
      value,
      source: 'execution input (assessment.profileOverrides)',
      note: `Default ${base.value ?? 'unknown'} from ${base.source || 'no source'}.`,
    };
  }
  return TargetProfileSchema.parse({
    ...profile,
    quotas,
    topicConfigs: overrides.editableTopicConfigs
      ? {
          ...profile.topicConfigs,
          editable: [...overrides.editableTopicConfigs],
          source: 'execution input (assessment.profileOverrides)',
        }
      : profile.topicConfigs,
  });
}
