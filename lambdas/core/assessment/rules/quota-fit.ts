import type { DescribedTopic, Inventory, Peak } from '../../inventory/model';
import type { Quota, QuotaName, TargetProfile } from '../../profiles/profile';
import { bytes, percent, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * Quota fit with headroom: the source's peak (or count) against each of the target's quotas. Over the quota is a
 * BLOCKER; within it but using more than `1 − headroom` of it is a WARNING; a quota the profile cannot know (a
 * Kafka-compatible platform, an unsized provisioned target) is an INFO that says what to supply.
 * Compacted partitions have their own rule (compaction.ts), message size too (message-size.ts).
 */

interface Measure {
  readonly quota: QuotaName;
  readonly id: string;
  readonly subject: string;
  readonly label: string;
  readonly value: number | null;
  readonly format: (n: number) => string;
  readonly remediation: string;
  readonly items?: string[];
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const rate = (n: number): string => `${bytes(n)}/s`;

/** In-scope share of a cluster peak: the sum of the in-scope topics' peaks, capped by the cluster's own peak. */
function inScopePeak(
  inventory: Inventory,
  topics: readonly DescribedTopic[],
  pick: 'bytesInPerSec' | 'bytesOutPerSec',
): number | null {
  if (inventory.throughput.status !== 'COLLECTED') return null;
  const cluster = inventory.throughput.cluster[pick]?.peak ?? null;
  const names = new Set(topics.map((t) => t.name));
  const perTopic = inventory.throughput.topics.filter((t) => names.has(t.topic));
  if (perTopic.length === 0) return cluster;
  const sum = perTopic.reduce((s, t) => s + (t[pick]?.peak ?? 0), 0);
  return cluster === null ? sum : Math.min(sum, cluster);
}

/** The busiest partition, assuming a topic's traffic is spread evenly over its partitions (keys may skew it). */
function busiestPartition(
  inventory: Inventory,
  topics: readonly DescribedTopic[],
  pick: 'bytesInPerSec' | 'bytesOutPerSec',
): { value: number; topic: string } | null {
  if (inventory.throughput.status !== 'COLLECTED' || inventory.throughput.topics.length === 0) return null;
  const partitionsOf = new Map(topics.map((t) => [t.name, t.partitionCount]));
  let best: { value: number; topic: string } | null = null;
  for (const t of inventory.throughput.topics) {
    const partitions = partitionsOf.get(t.topic);
    const peak: Peak | null = t[pick];
    if (!partitions || !peak) continue;
    const perPartition = peak.peak / partitions;
    if (!best || perPartition > best.value) best = { value: perPartition, topic: t.topic };
  }
  return best ?? { value: 0, topic: '(none with traffic)' };
}

function measures(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Measure[] {
  const scope = scopeOf(inventory, options);
  const topics = scope.topics;
  const out: Measure[] = [];
  const byReplicas = profile.quotas.partitionReplicasPerBroker !== undefined;
  const compactedApart = profile.quotas.compactedPartitions !== undefined;
  const counted = compactedApart ? topics.filter((t) => !t.compacted) : topics;
  out.push({
    quota: 'partitions',
    id: 'quota.partitions',
    subject: 'cluster',
    label: byReplicas
      ? 'partition replicas (partitions × replication factor)'
      : compactedApart
        ? 'non-compacted partitions'
        : 'partitions',
    value: counted.reduce((n, t) => n + t.partitionCount * (byReplicas ? Math.max(1, t.replicationFactor) : 1), 0),
    format: count,
    remediation:
      'Reduce partitions on low-traffic topics (the target scales per partition, not per broker), split the topics over more than one target cluster with the include patterns, or request a quota increase before the migration.',
  });
  const busiestTopics = [...topics].sort((a, b) => b.partitionCount - a.partitionCount).slice(0, 5);
  if (busiestTopics.length > 0)
    out[out.length - 1] = {
      ...(out[out.length - 1] as Measure),
      items: busiestTopics.map((t) => `${t.name}: ${t.partitionCount} partitions`),
    };

  out.push({
    quota: 'ingressBytesPerSec',
    id: 'quota.ingress',
    subject: 'cluster',
    label: 'peak ingress (BytesInPerSec, summed over brokers)',
    value: inScopePeak(inventory, topics, 'bytesInPerSec'),
    format: rate,
    remediation:
      'Split the topics over more than one target cluster, or choose a provisioned target sized for the peak; ingress quotas of MSK Serverless are not adjustable.',
  });
  out.push({
    quota: 'egressBytesPerSec',
    id: 'quota.egress',
    subject: 'cluster',
    label: 'peak egress (BytesOutPerSec, summed over brokers)',
    value: inScopePeak(inventory, topics, 'bytesOutPerSec'),
    format: rate,
    remediation:
      'Reduce fan-out (consumer groups re-reading the same data), split the topics over more than one target cluster, or choose a provisioned target.',
  });
  for (const [quota, pick, id, what] of [
    ['partitionIngressBytesPerSec', 'bytesInPerSec', 'quota.partition-ingress', 'ingress'],
    ['partitionEgressBytesPerSec', 'bytesOutPerSec', 'quota.partition-egress', 'egress'],
  ] as const) {
    const busiest = busiestPartition(inventory, topics, pick);
    out.push({
      quota,
      id,
      subject: busiest?.topic ?? 'partitions',
      label: `peak ${what} per partition (topic peak ÷ partitions, assuming an even spread)`,
      value: busiest?.value ?? null,
      format: rate,
      remediation: `Add partitions to ${busiest?.topic ?? 'the busiest topics'} before the migration so that each partition stays under the quota (keyed producers: adding partitions moves keys to other partitions).`,
    });
  }
  out.push({
    quota: 'consumerGroups',
    id: 'quota.consumer-groups',
    subject: 'cluster',
    label: 'consumer groups selected by the group patterns',
    value: scope.groups.length,
    format: count,
    remediation:
      'Delete abandoned groups (see groups.no-recent-commits) or narrow the group patterns; the quota is adjustable on request.',
  });
  out.push({
    quota: 'clientConnections',
    id: 'quota.connections',
    subject: 'cluster',
    label:
      'peak client connections (ConnectionCount, summed over brokers: a client connected to three brokers counts three times)',
    value:
      inventory.throughput.status === 'COLLECTED' ? (inventory.throughput.cluster.connectionCount?.peak ?? null) : null,
    format: count,
    remediation:
      'Share producer and consumer instances across threads, lower the number of client instances, or request a quota increase.',
  });
  return out;
}

function judge(m: Measure, quota: Quota | undefined, headroom: number): Finding | undefined {
  if (!quota || m.value === null) return undefined;
  const base = {
    id: m.id,
    subject: m.subject,
    criterion: 'elasticCapacity' as const,
    ...(m.items ? { items: m.items } : {}),
  };
  if (quota.value === null) {
    if (m.value <= 0) return undefined;
    return {
      ...base,
      severity: 'INFO',
      evidence: `${m.label}: ${m.format(m.value)}; the target's limit is not known (${quota.note ?? quota.source}).`,
      remediation: `Give the target's ${m.quota} in assessment.profileOverrides.quotas so this is checked, or prove it in the rehearsal.`,
    };
  }
  const limit = quota.value;
  const allowed = limit * (1 - headroom);
  if (m.value <= allowed) return undefined;
  const used = limit === 0 ? Infinity : m.value / limit;
  const severity = m.value > limit ? 'BLOCKER' : 'WARNING';
  const evidence =
    `${m.label}: ${m.format(m.value)} against the target's quota of ${m.format(limit)} (${Number.isFinite(used) ? percent(used) : 'over'} of it; ` +
    `keeping ${percent(headroom)} headroom allows ${m.format(allowed)}). Quota source: ${quota.source}${quota.adjustable ? ' (adjustable)' : ''}.`;
  return { ...base, severity, evidence, remediation: m.remediation };
}

export function quotaFitRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const findings: Finding[] = [];
  for (const m of measures(inventory, profile, options)) {
    const f = judge(m, profile.quotas[m.quota], options.headroom);
    if (f) findings.push(f);
  }
  // How fast the target can lay out the partitions is not a fit question, but it sets the replication start-up time.
  const rateQuota = profile.quotas.partitionChangesPer5Min?.value;
  const partitions = scopeOf(inventory, options).topics.reduce((n, t) => n + t.partitionCount, 0);
  if (rateQuota && partitions > rateQuota) {
    const minutes = Math.ceil(partitions / rateQuota) * 5;
    findings.push({
      id: 'quota.partition-creation-rate',
      severity: 'INFO',
      subject: 'cluster',
      criterion: 'elasticCapacity',
      evidence: `${plural(partitions, 'partition')} to create at ${rateQuota} per five minutes: about ${minutes} minutes before every topic exists on the target.`,
      remediation: 'Allow for it in the catch-up timeout, or create the topics ahead of the replication.',
    });
  }
  return findings;
}

/** Exposed for the criteria table: the figures the rule compared. */
export function quotaMeasures(
  inventory: Inventory,
  profile: TargetProfile,
  options: AssessmentOptions,
): Array<{ label: string; value: string; limit: string | null }> {
  return measures(inventory, profile, options).map((m) => {
    const limit = profile.quotas[m.quota]?.value;
    return {
      label: m.label,
      value: m.value === null ? 'not measured' : m.format(m.value),
      limit: limit === undefined || limit === null ? null : m.format(limit),
    };
  });
}
