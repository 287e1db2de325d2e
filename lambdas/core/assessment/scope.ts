import { matchesFilter, selectGroups, selectTopics } from '../replication/topic-selection';
import { describedGroups, type DescribedGroup, type DescribedTopic, type Inventory } from '../inventory/model';
import type { AssessmentOptions } from './finding';

/**
 * Which part of the source migrates: the topics the include/exclude patterns select (the same matching the
 * replicators do, without Kafka's and the replicators' own topics), and the consumer groups the group patterns select.
 */
export interface Scope {
  readonly topics: DescribedTopic[];
  /** Selected by name but not describable: the rules cannot vouch for them. */
  readonly undescribable: Array<{ name: string; reason: string }>;
  /** User topics no include pattern matches. */
  readonly unmatched: DescribedTopic[];
  /** Matched by an include pattern and by an exclude pattern: left out on purpose. */
  readonly excluded: DescribedTopic[];
  readonly groups: DescribedGroup[];
}

export function scopeOf(
  inventory: Pick<Inventory, 'dataPlane'>,
  options: Pick<AssessmentOptions, 'topics' | 'groups'>,
): Scope {
  const all = inventory.dataPlane.topics;
  const names = all.map((t) => t.name);
  // Every name the replicators would consider at all (no Kafka-internal or replicator bookkeeping topics).
  const candidates = new Set(selectTopics(names, { include: ['.*'], exclude: [] }));
  const selected = new Set(selectTopics(names, options.topics));
  const topics: DescribedTopic[] = [];
  const undescribable: Array<{ name: string; reason: string }> = [];
  const unmatched: DescribedTopic[] = [];
  const excluded: DescribedTopic[] = [];
  for (const t of all) {
    if (!candidates.has(t.name)) continue;
    if (selected.has(t.name)) {
      if (t.status === 'DESCRIBED') topics.push(t);
      else undescribable.push({ name: t.name, reason: t.reason });
    } else if (t.status === 'DESCRIBED' && !t.internal) {
      (matchesFilter(t.name, { include: options.topics.include, exclude: [] }) ? excluded : unmatched).push(t);
    }
  }
  const groupsById = new Map(describedGroups(inventory).map((g) => [g.groupId, g]));
  const groups = selectGroups([...groupsById.keys()], options.groups).map((id) => groupsById.get(id) as DescribedGroup);
  return { topics, undescribable, unmatched, excluded, groups };
}
