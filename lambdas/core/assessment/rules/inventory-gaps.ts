import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * What the inventory could not read, said as findings so that the assessment never vouches for what it did not see.
 * An undescribable topic that would migrate blocks (its configs, compaction and size are unknown). ACL gaps are the
 * ACL rule's (it knows whether they matter for the target).
 */
export function inventoryGapRule(inventory: Inventory, _profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const findings: Finding[] = [];
  const scope = scopeOf(inventory, options);
  if (scope.undescribable.length > 0) {
    const items = scope.undescribable.map((t) => `${t.name}: ${t.reason}`);
    findings.push({
      id: 'inventory.topic-undescribable',
      severity: 'BLOCKER',
      subject: plural(scope.undescribable.length, 'topic'),
      criterion: 'apiCompatibility',
      evidence: `Selected for migration but not describable: ${firstFew(items, 3)}.`,
      remediation:
        'Give the inventory principal DESCRIBE and DESCRIBE_CONFIGS on these topics (or fix the topic) and run again.',
      items,
    });
  }
  const withoutOffsets = scope.topics
    .filter((t) => t.partitions.some((p) => p.logEndOffset === null))
    .map((t) => t.name);
  if (withoutOffsets.length > 0) {
    findings.push({
      id: 'inventory.offsets-unknown',
      severity: 'WARNING',
      subject: plural(withoutOffsets.length, 'topic'),
      criterion: 'dataControlAndCost',
      evidence: `Log offsets not read, so their size and the groups' lag on them are unknown: ${firstFew(withoutOffsets)}.`,
      remediation: 'Run the inventory again; if it persists, check the partitions have a leader.',
      items: withoutOffsets,
    });
  }
  const undescribedGroups = inventory.dataPlane.groups.filter((g) => g.status === 'UNDESCRIBABLE');
  if (undescribedGroups.length > 0) {
    const items = undescribedGroups.map((g) => `${g.groupId}: ${g.status === 'UNDESCRIBABLE' ? g.reason : ''}`);
    findings.push({
      id: 'inventory.group-undescribable',
      severity: 'WARNING',
      subject: plural(undescribedGroups.length, 'consumer group'),
      criterion: 'dataControlAndCost',
      evidence: `Not describable, so their offsets and members are unknown: ${firstFew(items, 3)}.`,
      remediation: 'Give the inventory principal DESCRIBE on these groups and run again.',
      items,
    });
  }
  if (inventory.controlPlane.status === 'NOT_COLLECTED') {
    findings.push({
      id: 'inventory.control-plane-not-collected',
      severity: 'WARNING',
      subject: 'source cluster',
      criterion: 'networkAndIdentity',
      evidence: inventory.controlPlane.reason,
      remediation:
        'Give the source clusterArn in the input (MSK sources) so that the Kafka version, brokers, storage and authentication modes are read from MSK.',
    });
  }
  if (inventory.throughput.status === 'NOT_COLLECTED') {
    findings.push({
      id: 'inventory.throughput-not-collected',
      severity: 'WARNING',
      subject: 'throughput',
      criterion: 'elasticCapacity',
      evidence: `${inventory.throughput.reason} The throughput quotas (ingress, egress, per partition, connections) were not checked.`,
      remediation:
        'Check the source peak throughput against the target quotas by hand, or run the inventory where the metrics can be read.',
    });
  }
  if (inventory.dataPlane.clientQuotas.status === 'NOT_COLLECTED') {
    findings.push({
      id: 'inventory.client-quotas-not-collected',
      severity: 'INFO',
      subject: 'client quotas',
      criterion: 'networkAndIdentity',
      evidence: inventory.dataPlane.clientQuotas.reason,
      remediation:
        'List client quotas by hand (kafka-configs --describe --entity-type users/clients) if the source throttles clients.',
    });
  }
  if (inventory.dataPlane.brokerConfigs.status === 'NOT_COLLECTED') {
    findings.push({
      id: 'inventory.broker-configs-not-collected',
      severity: 'INFO',
      subject: 'broker configs',
      criterion: 'apiCompatibility',
      evidence: `${inventory.dataPlane.brokerConfigs.reason} Topic defaults were taken as Kafka's own.`,
      remediation: 'Grant DESCRIBE_CONFIGS on the cluster to the inventory principal.',
    });
  }
  return findings;
}
