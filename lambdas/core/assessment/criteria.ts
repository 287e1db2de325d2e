import * as z from 'zod';
import type { Inventory } from '../inventory/model';
import { CRITERIA, type Criterion, type TargetProfile } from '../profiles/profile';
import { bytes, type AssessmentOptions, type Finding } from './finding';
import { quotaMeasures } from './rules/quota-fit';
import { scopeOf } from './scope';
import { lazySchema } from '../lazy-schema';

/**
 * The five criteria a platform team weighs a serverless or elastic Kafka target on, each with what was measured on
 * the source, what the target offers, and a verdict from the findings filed under it.
 */

export const CRITERION_TITLES: Record<Criterion, string> = {
  apiCompatibility: 'API compatibility',
  elasticCapacity: 'Elastic capacity',
  storageModel: 'Storage model',
  networkAndIdentity: 'Network and identity',
  dataControlAndCost: 'Data control and cost',
};

export const CriterionResultSchema = lazySchema(() =>
  z.object({
    criterion: z.enum(CRITERIA),
    title: z.string(),
    verdict: z.enum(['FITS', 'FITS_WITH_CHANGES', 'DOES_NOT_FIT']),
    target: z.string(),
    measured: z.array(z.object({ label: z.string(), value: z.string() })),
    findingIds: z.array(z.string()),
  }),
);
export type CriterionResult = z.infer<typeof CriterionResultSchema>;

const n = (v: number): string => v.toLocaleString('en-US');
const days = (ms: number): string =>
  ms < 0
    ? 'unlimited'
    : ms >= 86_400_000
      ? `${(ms / 86_400_000).toFixed(ms % 86_400_000 === 0 ? 0 : 1)} days`
      : `${(ms / 3_600_000).toFixed(1)} hours`;

function measured(
  criterion: Criterion,
  inventory: Inventory,
  profile: TargetProfile,
  options: AssessmentOptions,
): Array<{ label: string; value: string }> {
  const scope = scopeOf(inventory, options);
  const topics = scope.topics;
  const cluster = inventory.controlPlane.status === 'COLLECTED' ? inventory.controlPlane.cluster : undefined;
  const throughput = inventory.throughput.status === 'COLLECTED' ? inventory.throughput : undefined;
  const acls = inventory.dataPlane.acls;
  switch (criterion) {
    case 'apiCompatibility': {
      const allowed = new Set(profile.topicConfigs.editable);
      const rejected =
        profile.topicConfigs.policy === 'ALLOW_LIST'
          ? topics.filter((t) => Object.keys(t.configs).some((c) => !allowed.has(c))).length
          : 0;
      const largest = Math.max(0, ...topics.map((t) => t.maxMessageBytes ?? 0));
      const transactional = inventory.dataPlane.topics.find((t) => t.name === '__transaction_state');
      return [
        {
          label: 'Source Kafka version',
          value: cluster?.kafkaVersion ?? (cluster ? 'n/a (Serverless)' : 'unknown (no MSK control plane)'),
        },
        {
          label: 'Topics with non-default configs',
          value: n(topics.filter((t) => Object.keys(t.configs).length > 0).length),
        },
        { label: 'Topics with configs the target does not accept', value: n(rejected) },
        {
          label: 'Kafka Streams internal topics',
          value: n(topics.filter((t) => /-(changelog|repartition)$/.test(t.name)).length),
        },
        { label: 'Largest max.message.bytes', value: largest > 0 ? bytes(largest) : 'n/a' },
        { label: '__transaction_state present', value: transactional ? 'yes' : 'no' },
      ];
    }
    case 'elasticCapacity':
      return quotaMeasures(inventory, profile, options).map((m) => ({
        label: m.label,
        value: m.limit ? `${m.value} (target quota ${m.limit})` : m.value,
      }));
    case 'storageModel': {
      const retention = topics.map((t) => t.retentionMs ?? 0);
      const compacted = topics.filter((t) => t.compacted);
      const retained = topics.reduce((s, t) => s + (t.retainedRecords ?? 0), 0);
      return [
        {
          label: 'Source storage',
          value: cluster?.brokers
            ? `${cluster.brokers.count} × ${cluster.brokers.storageGiB ?? '?'} GiB EBS (${cluster.brokers.storageMode ?? 'LOCAL'})`
            : 'unknown',
        },
        {
          label: 'Longest retention.ms',
          value:
            retention.length === 0
              ? 'n/a'
              : retention.some((r) => r < 0)
                ? 'unlimited (-1)'
                : days(Math.max(...retention)),
        },
        {
          label: 'Topics with unlimited retention',
          value: n(topics.filter((t) => (t.retentionMs ?? 0) < 0 && (t.retentionBytes ?? -1) < 0).length),
        },
        {
          label: 'Compacted topics / partitions',
          value: `${n(compacted.length)} / ${n(compacted.reduce((s, t) => s + t.partitionCount, 0))}`,
        },
        { label: 'Records retained (in scope)', value: n(retained) },
      ];
    }
    case 'networkAndIdentity': {
      const a = cluster?.authentication;
      const modes = a
        ? (['iam', 'scram', 'mtls', 'unauthenticated'] as const).filter((k) => a[k]).map((k) => k.toUpperCase())
        : [inventory.source.authMechanism];
      const principals = acls.status === 'COLLECTED' ? new Set(acls.bindings.map((b) => b.principal)).size : null;
      const quotas = inventory.dataPlane.clientQuotas;
      return [
        { label: 'Source authentication', value: modes.join(', ') },
        { label: 'Target authentication', value: profile.access.authModes.join(', ') },
        {
          label: 'ACL bindings / principals',
          value:
            acls.status === 'COLLECTED'
              ? acls.authorizerEnabled
                ? `${n(acls.bindings.length)} / ${n(principals ?? 0)}`
                : 'no authorizer'
              : 'not collected',
        },
        { label: 'Client quotas', value: quotas.status === 'COLLECTED' ? n(quotas.quotas.length) : 'not collected' },
        { label: 'Public access on the source', value: cluster ? (cluster.publicAccess ? 'on' : 'off') : 'unknown' },
      ];
    }
    case 'dataControlAndCost': {
      const inMean = throughput?.cluster.bytesInPerSec?.mean ?? null;
      const outMean = throughput?.cluster.bytesOutPerSec?.mean ?? null;
      return [
        {
          label: 'Topics selected / not selected / excluded',
          value: `${n(topics.length)} / ${n(scope.unmatched.length)} / ${n(scope.excluded.length)}`,
        },
        { label: 'Partitions selected (partition-hours)', value: n(topics.reduce((s, t) => s + t.partitionCount, 0)) },
        { label: 'Consumer groups selected', value: n(scope.groups.length) },
        { label: 'Mean ingress per day (GB in)', value: inMean === null ? 'not measured' : bytes(inMean * 86_400) },
        { label: 'Mean egress per day (GB out)', value: outMean === null ? 'not measured' : bytes(outMean * 86_400) },
        {
          label: 'Encryption at rest',
          value: cluster ? (cluster.encryptionAtRestKmsKeyArn ? 'customer KMS key' : 'AWS-owned key') : 'unknown',
        },
      ];
    }
  }
}

export function evaluateCriteria(
  inventory: Inventory,
  profile: TargetProfile,
  options: AssessmentOptions,
  findings: readonly Finding[],
): CriterionResult[] {
  return CRITERIA.map((criterion) => {
    const mine = findings.filter((f) => f.criterion === criterion);
    const verdict = mine.some((f) => f.severity === 'BLOCKER')
      ? 'DOES_NOT_FIT'
      : mine.some((f) => f.severity === 'WARNING')
        ? 'FITS_WITH_CHANGES'
        : 'FITS';
    return {
      criterion,
      title: CRITERION_TITLES[criterion],
      verdict,
      target: profile.criteria[criterion],
      measured: measured(criterion, inventory, profile, options),
      findingIds: [...new Set(mine.map((f) => f.id))],
    };
  });
}
