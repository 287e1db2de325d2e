import { matchesFilter } from '../../replication/topic-selection';
import { describedGroups, type Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * Topics the include patterns leave behind. After cutover, producers and consumers of a topic that was not migrated
 * find nothing on the target: a topic with data or a consumer group on it is a WARNING, an empty unused one an INFO.
 * An include pattern that matches nothing is probably a typo.
 */
export function topicSelectionRule(
  inventory: Inventory,
  _profile: TargetProfile,
  options: AssessmentOptions,
): Finding[] {
  const scope = scopeOf(inventory, options);
  const findings: Finding[] = [];
  const readers = new Map<string, string[]>();
  for (const g of describedGroups(inventory))
    for (const t of g.topics) readers.set(t, [...(readers.get(t) ?? []), g.groupId]);
  const used = scope.unmatched.filter((t) => (t.retainedRecords ?? 1) > 0 || readers.has(t.name));
  const unused = scope.unmatched.filter((t) => !used.includes(t));
  if (used.length > 0) {
    const items = used.map(
      (t) =>
        `${t.name}: ${t.retainedRecords === null ? 'records unknown' : `${t.retainedRecords.toLocaleString('en-US')} records`}${readers.has(t.name) ? `, read by ${firstFew(readers.get(t.name) ?? [], 3)}` : ''}`,
    );
    findings.push({
      id: 'topics.not-selected',
      severity: 'WARNING',
      subject: plural(used.length, 'topic'),
      criterion: 'dataControlAndCost',
      evidence: `No include pattern (${options.topics.include.join(', ')}) matches these topics, which hold data or have readers: ${firstFew(items, 3)}.`,
      remediation:
        'Add them to the include patterns, or confirm they stay on the source (and that their producers and consumers do not move at cutover).',
      items,
    });
  }
  if (unused.length > 0) {
    findings.push({
      id: 'topics.not-selected-empty',
      severity: 'INFO',
      subject: plural(unused.length, 'topic'),
      criterion: 'dataControlAndCost',
      evidence: `Empty topics no group reads, not selected: ${firstFew(unused.map((t) => t.name))}.`,
      remediation: 'Nothing to do if they are unused; delete them on the source to keep it tidy.',
      items: unused.map((t) => t.name),
    });
  }
  if (scope.excluded.length > 0) {
    findings.push({
      id: 'topics.excluded',
      severity: 'INFO',
      subject: plural(scope.excluded.length, 'topic'),
      criterion: 'dataControlAndCost',
      evidence: `Left out by the exclude patterns (${options.topics.exclude.join(', ')}): ${firstFew(scope.excluded.map((t) => t.name))}.`,
      remediation: 'None if intended.',
      items: scope.excluded.map((t) => t.name),
    });
  }
  const names = inventory.dataPlane.topics.map((t) => t.name);
  const dead = options.topics.include.filter(
    (p) => !names.some((n) => matchesFilter(n, { include: [p], exclude: [] })),
  );
  if (dead.length > 0) {
    findings.push({
      id: 'topics.pattern-matches-nothing',
      severity: 'WARNING',
      subject: dead.join(', '),
      criterion: 'dataControlAndCost',
      evidence: `The include ${dead.length === 1 ? 'pattern' : 'patterns'} ${dead.map((p) => `"${p}"`).join(', ')} ${dead.length === 1 ? 'matches' : 'match'} no topic on the source (patterns match the whole name).`,
      remediation: 'Fix the pattern (for a prefix, write "orders\\..*", not "orders.").',
    });
  }
  return findings;
}
