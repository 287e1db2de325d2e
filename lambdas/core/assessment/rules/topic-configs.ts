import { describedGroups, type Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * Topic configs the target rejects. A target with an allow-list (MSK Serverless) refuses any other topic config: the
 * replicator leaves them out and the target's default applies, and a client that sets one when it creates a topic
 * fails. Kafka Streams is the common victim: it creates its internal topics (`-changelog`, `-repartition`) with
 * configs such as segment.bytes.
 */

const STREAMS_INTERNAL = /-(changelog|repartition)$/;

export function topicConfigRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const findings: Finding[] = [];
  const scope = scopeOf(inventory, options);
  if (profile.topicConfigs.policy === 'ALLOW_LIST') {
    const allowed = new Set(profile.topicConfigs.editable);
    const topicsByConfig = new Map<string, string[]>();
    for (const t of scope.topics) {
      for (const [name, value] of Object.entries(t.configs)) {
        if (allowed.has(name)) continue;
        topicsByConfig.set(name, [...(topicsByConfig.get(name) ?? []), `${t.name}=${value ?? '(sensitive)'}`]);
      }
    }
    for (const [config, topics] of [...topicsByConfig.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      findings.push({
        id: 'config.not-settable-on-target',
        severity: 'WARNING',
        subject: config,
        criterion: 'apiCompatibility',
        evidence: `${config} is set on ${plural(topics.length, 'topic')} (${firstFew(topics, 4)}); ${profile.name} accepts only ${profile.topicConfigs.editable.join(', ')} (${profile.topicConfigs.source}).`,
        remediation: `Check that the topics work with the target's default ${config}; remove the setting from any tooling or application that creates these topics, or it fails on the target.`,
        items: topics,
      });
    }
    const creationOnly = profile.topicConfigs.creationOnly;
    const fixedAtCreation = scope.topics.filter((t) => creationOnly.some((c) => t.configs[c] !== undefined));
    if (fixedAtCreation.length > 0) {
      findings.push({
        id: 'config.creation-only',
        severity: 'INFO',
        subject: creationOnly.join(', '),
        criterion: 'apiCompatibility',
        evidence: `${plural(fixedAtCreation.length, 'topic')} set ${creationOnly.join(', ')}, which ${profile.name} accepts only when the topic is created: ${firstFew(fixedAtCreation.map((t) => t.name))}.`,
        remediation:
          'Let the replicator create these topics with their configs (copy topic configurations on), or create them yourself with the right value before replication starts; it cannot be changed afterwards.',
        items: fixedAtCreation.map((t) => t.name),
      });
    }
  }
  const streamsSupport = profile.capabilities.kafkaStreams.support;
  const streamsTopics = scope.topics.filter((t) => STREAMS_INTERNAL.test(t.name)).map((t) => t.name);
  if (streamsTopics.length > 0 && streamsSupport !== 'SUPPORTED') {
    // A Streams application's group id is its application.id, the prefix of its internal topics.
    const applications = describedGroups(inventory)
      .map((g) => g.groupId)
      .filter((id) => streamsTopics.some((t) => t.startsWith(`${id}-`)))
      .sort();
    findings.push({
      id: 'config.kafka-streams-internal-topics',
      severity: streamsSupport === 'LIMITED' ? 'BLOCKER' : 'WARNING',
      subject:
        applications.length > 0 ? `Kafka Streams: ${firstFew(applications, 3)}` : 'Kafka Streams internal topics',
      criterion: 'apiCompatibility',
      evidence: `${plural(streamsTopics.length, 'Kafka Streams internal topic')} (${firstFew(streamsTopics, 4)})${
        applications.length > 0 ? ` of ${plural(applications.length, 'application')}` : ''
      }. ${profile.name}: ${profile.capabilities.kafkaStreams.note}`,
      remediation:
        'Before cutover, run each application against the target in the rehearsal; configure it so that it creates internal topics only with configs the target accepts (no segment.bytes), or keep these applications on a target that accepts every topic config. Then acknowledge config.kafka-streams-internal-topics.',
      items: streamsTopics,
    });
  }
  return findings;
}
