import type { DescribedGroup, Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * Consumer groups nobody seems to own. One snapshot cannot see commits happen, so the rule reads what the snapshot
 * proves: a committed offset below the log start means no commit for longer than the topic's retention; a group with
 * no members and a backlog is not being consumed. Both would still be migrated (their offsets synced) and count
 * against the target's group quota.
 */

function lagOf(g: DescribedGroup): string {
  return g.totalLag === null ? 'lag unknown' : `lag ${g.totalLag.toLocaleString('en-US')}`;
}

export function idleGroupRule(inventory: Inventory, _profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const groups = scopeOf(inventory, options).groups.filter((g) => g.offsets.length > 0);
  const findings: Finding[] = [];
  const stale = groups.filter((g) => g.partitionsBehindLogStart > 0);
  if (stale.length > 0) {
    const items = stale.map(
      (g) =>
        `${g.groupId}: ${g.partitionsBehindLogStart} of ${g.offsets.length} partitions committed below the log start (${g.state}, ${g.members.length} members)`,
    );
    findings.push({
      id: 'groups.no-recent-commits',
      severity: 'WARNING',
      subject: plural(stale.length, 'consumer group'),
      criterion: 'dataControlAndCost',
      evidence: `Committed offsets older than the retained data, so no commit for longer than the retention: ${firstFew(items, 3)}.`,
      remediation:
        'Find each owner. Delete abandoned groups on the source before the migration (kafka-consumer-groups --delete --group), or leave them out with the group patterns; a group that is still wanted will restart from its auto.offset.reset position.',
      items,
    });
  }
  const abandoned = groups.filter(
    (g) => g.partitionsBehindLogStart === 0 && g.members.length === 0 && g.state === 'Empty' && (g.totalLag ?? 0) > 0,
  );
  if (abandoned.length > 0) {
    const items = abandoned.map((g) => `${g.groupId}: no members, ${lagOf(g)} on ${plural(g.topics.length, 'topic')}`);
    findings.push({
      id: 'groups.empty-with-backlog',
      severity: 'WARNING',
      subject: plural(abandoned.length, 'consumer group'),
      criterion: 'dataControlAndCost',
      evidence: `No member is consuming, and records are waiting: ${firstFew(items, 3)}.`,
      remediation:
        'Confirm whether these consumers are stopped for a reason (batch jobs run later) or abandoned; migrate only the ones that are wanted (group patterns).',
      items,
    });
  }
  const idle = groups.filter(
    (g) => g.partitionsBehindLogStart === 0 && g.members.length === 0 && g.state === 'Empty' && g.totalLag === 0,
  );
  if (idle.length > 0) {
    findings.push({
      id: 'groups.idle',
      severity: 'INFO',
      subject: plural(idle.length, 'consumer group'),
      criterion: 'dataControlAndCost',
      evidence: `No members and nothing to read (caught up): ${firstFew(idle.map((g) => g.groupId))}.`,
      remediation: 'Nothing to change; they will resume on the target from their synced offsets.',
      items: idle.map((g) => g.groupId),
    });
  }
  return findings;
}
