import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, percent, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * Compacted partitions against the target's compacted-partition quota, including those MSK Replicator takes on a
 * Serverless target for itself (83 of the default 120). Compaction on a platform whose support is unknown must be
 * proven in the rehearsal.
 */
export function compactionRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const scope = scopeOf(inventory, options);
  const compacted = scope.topics.filter((t) => t.compacted);
  const partitions = compacted.reduce((n, t) => n + t.partitionCount, 0);
  const items = compacted.map((t) => `${t.name}: ${t.partitionCount} partitions (cleanup.policy=${t.cleanupPolicy})`);
  const findings: Finding[] = [];
  const quota = profile.quotas.compactedPartitions;
  const replicatorShare =
    options.replicator === 'MSK_REPLICATOR' ? (profile.quotas.replicatorCompactedPartitions?.value ?? 0) : 0;
  const needed = partitions + replicatorShare;
  if (quota && quota.value !== null && needed > 0) {
    const allowed = quota.value * (1 - options.headroom);
    if (needed > allowed) {
      const over = needed > quota.value;
      findings.push({
        id: 'compaction.partitions',
        severity: over ? 'BLOCKER' : 'WARNING',
        subject: plural(compacted.length, 'compacted topic'),
        criterion: 'storageModel',
        evidence:
          `${plural(partitions, 'compacted partition')} to migrate (${firstFew(
            compacted.map((t) => t.name),
            4,
          )})` +
          `${replicatorShare > 0 ? ` + ${replicatorShare} that MSK Replicator uses on the target = ${needed}` : ''}, against a quota of ${quota.value} compacted partitions ` +
          `(${percent(needed / Math.max(1, quota.value))}; ${percent(options.headroom)} headroom allows ${Math.floor(allowed)}). Source: ${quota.source}.`,
        remediation: `Reduce the partitions of compacted topics, move some to another cluster, ${replicatorShare > 0 ? 'replicate with MirrorMaker 2 (no replicator partitions on the target), ' : ''}or request a quota increase${quota.adjustable ? ' (adjustable)' : ''}.`,
        items,
      });
    }
  }
  if (compacted.length > 0 && profile.capabilities.compaction.support === 'UNKNOWN') {
    findings.push({
      id: 'compaction.support-unknown',
      severity: 'WARNING',
      subject: plural(compacted.length, 'compacted topic'),
      criterion: 'storageModel',
      evidence: `${plural(compacted.length, 'topic')} rely on log compaction (${firstFew(
        compacted.map((t) => t.name),
        4,
      )}); ${profile.name}: ${profile.capabilities.compaction.note}`,
      remediation:
        'Prove compaction on the target in the rehearsal (write keys twice, check only the latest survives after the cleaner runs).',
      items,
    });
  }
  return findings;
}
