import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { bytes, firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

const KAFKA_DEFAULT_MAX = 1_048_588;

/**
 * Topics that accept larger records than the target can: a record the target refuses stops the replication of its
 * partition. The effective max.message.bytes (topic, else broker default) is what producers may send today.
 */
export function messageSizeRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const scope = scopeOf(inventory, options);
  const limit = profile.quotas.maxMessageBytes?.value ?? null;
  const large = scope.topics
    .filter((t) => t.maxMessageBytes !== null && t.maxMessageBytes > (limit ?? KAFKA_DEFAULT_MAX))
    .sort((a, b) => (b.maxMessageBytes ?? 0) - (a.maxMessageBytes ?? 0));
  if (large.length === 0) return [];
  const items = large.map((t) => `${t.name}: max.message.bytes=${t.maxMessageBytes}`);
  const largest = large[0]?.maxMessageBytes ?? 0;
  if (limit === null) {
    return [
      {
        id: 'message-size.check-target',
        severity: 'INFO',
        subject: plural(large.length, 'topic'),
        criterion: 'apiCompatibility',
        evidence: `${plural(large.length, 'topic')} accept records above Kafka's default 1 MB, up to ${bytes(largest)} (${firstFew(items, 3)}); the target's limit is not known.`,
        remediation: `Set message.max.bytes ≥ ${largest} on the target (and replica.fetch.max.bytes), or give maxMessageBytes in assessment.profileOverrides.`,
        items,
      },
    ];
  }
  return [
    {
      id: 'message-size.exceeds-target',
      severity: 'BLOCKER',
      subject: plural(large.length, 'topic'),
      criterion: 'apiCompatibility',
      evidence: `${plural(large.length, 'topic')} accept records up to ${bytes(largest)} (${firstFew(items, 3)}); ${profile.name} accepts at most ${bytes(limit)} (${profile.quotas.maxMessageBytes?.source}).`,
      remediation: `Confirm producers never send records above ${bytes(limit)} (producer max.request.size, record sizes in the metrics), then lower max.message.bytes on these topics to ≤ ${limit} on the source; otherwise keep them on a target that accepts them. Then acknowledge message-size.exceeds-target.`,
      items,
    },
  ];
}
