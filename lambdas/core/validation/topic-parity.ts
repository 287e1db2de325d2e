import type { ConfigEntry, TopicDescription } from '../../ports/kafka';
import type { Difference } from './differences';

/**
 * Structural parity of the replicated topics: each exists on the target with the same partition count, and each
 * topic config set on the source has the same value on the target — except the configs the target profile changes
 * or the replicators never copy.
 */

/**
 * Topic configs MirrorMaker 2 does not copy by default (`config.properties.exclude`) and that MSK sets per cluster:
 * comparing them would report differences that are by design.
 */
export const CONFIGS_NOT_REPLICATED: readonly string[] = [
  'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas',
  'message.timestamp.difference.max.ms',
  'message.timestamp.type',
  'unclean.leader.election.enable',
  'min.insync.replicas',
];

export interface ConfigPolicy {
  /** Configs not compared at all (the target profile manages them, e.g. `segment.bytes` on MSK Serverless). */
  readonly ignored: readonly string[];
  /** Configs whose target value may differ but must then be one of these values (`*` allows any). */
  readonly allowedTargetValues?: Readonly<Record<string, readonly string[]>>;
}

export function topicParity(
  topics: readonly string[],
  source: readonly TopicDescription[],
  target: readonly TopicDescription[],
): Difference[] {
  const src = new Map(source.map((t) => [t.name, t]));
  const tgt = new Map(target.map((t) => [t.name, t]));
  const differences: Difference[] = [];
  for (const topic of topics) {
    const s = src.get(topic);
    const t = tgt.get(topic);
    if (!s) continue; // deleted on the source since the plan: nothing to compare
    if (!t) {
      differences.push({
        check: 'TOPIC',
        subject: topic,
        detail: 'Topic is missing on the target.',
        source: `${s.partitions.length} partitions`,
        target: 'absent',
      });
      continue;
    }
    if (s.partitions.length !== t.partitions.length) {
      differences.push({
        check: 'PARTITIONS',
        subject: topic,
        detail: 'Partition counts differ: keyed records would land on other partitions and per-key order would break.',
        source: String(s.partitions.length),
        target: String(t.partitions.length),
      });
    }
  }
  return differences;
}

export function configParity(
  topics: readonly string[],
  source: Readonly<Record<string, readonly ConfigEntry[]>>,
  target: Readonly<Record<string, readonly ConfigEntry[]>>,
  policy: ConfigPolicy,
): Difference[] {
  const ignored = new Set([...CONFIGS_NOT_REPLICATED, ...policy.ignored]);
  const differences: Difference[] = [];
  for (const topic of topics) {
    const targetEntries = target[topic];
    if (!source[topic] || !targetEntries) continue; // a missing topic is reported by topicParity
    const targetValues = new Map(targetEntries.map((e) => [e.name, e.value]));
    for (const entry of source[topic]) {
      if (entry.isDefault || entry.isSensitive || ignored.has(entry.name)) continue;
      const actual = targetValues.has(entry.name) ? (targetValues.get(entry.name) ?? null) : null;
      if (actual === entry.value) continue;
      const allowed = policy.allowedTargetValues?.[entry.name];
      if (allowed && (allowed.includes('*') || (actual !== null && allowed.includes(actual)))) continue;
      differences.push({
        check: 'CONFIG',
        subject: `${topic}:${entry.name}`,
        detail: `Topic config ${entry.name} differs.`,
        source: entry.value ?? 'null',
        target: actual ?? 'unset',
      });
    }
  }
  return differences;
}
