/**
 * Which topics and consumer groups a replicator takes, computed the way the engines do: an item is replicated when
 * it matches an include pattern and no exclude pattern, each pattern matched against the whole name (Java
 * `Pattern.matches`). Knowing the set up front lets us check limits and validate exactly what was replicated.
 */

export interface NameFilter {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** Kafka's internal topics and the replicators' own bookkeeping topics: never part of a migration's topic set. */
const INTERNAL_TOPIC = /^(__.*|.*[-.]internal|.*\.replica|mm2-.*|heartbeats|.*\.checkpoints\.internal)$/;

function compile(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => new RegExp(`^(?:${p})$`));
}

export function matchesFilter(name: string, filter: NameFilter): boolean {
  return compile(filter.include).some((r) => r.test(name)) && !compile(filter.exclude).some((r) => r.test(name));
}

/** Topics of `available` (sorted) that the filter selects, without internal topics. */
export function selectTopics(available: readonly string[], filter: NameFilter): string[] {
  const include = compile(filter.include);
  const exclude = compile(filter.exclude);
  return available
    .filter((t) => !INTERNAL_TOPIC.test(t))
    .filter((t) => include.some((r) => r.test(t)) && !exclude.some((r) => r.test(t)))
    .sort();
}

export function selectGroups(available: readonly string[], filter: NameFilter): string[] {
  const include = compile(filter.include);
  const exclude = compile(filter.exclude);
  return available.filter((g) => include.some((r) => r.test(g)) && !exclude.some((r) => r.test(g))).sort();
}
