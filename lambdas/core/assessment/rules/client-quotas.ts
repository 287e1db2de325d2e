import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';

/** Client quotas on the source that the target cannot enforce: a noisy client is no longer held back after cutover. */
export function clientQuotaRule(inventory: Inventory, profile: TargetProfile, _options: AssessmentOptions): Finding[] {
  const quotas = inventory.dataPlane.clientQuotas;
  if (quotas.status !== 'COLLECTED' || quotas.quotas.length === 0) return [];
  const items = quotas.quotas.map(
    (q) =>
      `${q.entity.map((e) => `${e.type}=${e.name ?? '<default>'}`).join(',')}: ${Object.entries(q.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
  );
  const support = profile.capabilities.clientQuotas.support;
  if (support === 'SUPPORTED') {
    return [
      {
        id: 'client-quotas.recreate-on-target',
        severity: 'INFO',
        subject: plural(items.length, 'client quota'),
        criterion: 'networkAndIdentity',
        evidence: `Client quotas on the source: ${firstFew(items, 3)}.`,
        remediation:
          'Set the same quotas on the target (kafka-configs --alter --entity-type users/clients) before cutover.',
        items,
      },
    ];
  }
  return [
    {
      id: 'client-quotas.not-enforceable',
      severity: 'WARNING',
      subject: plural(items.length, 'client quota'),
      criterion: 'networkAndIdentity',
      evidence: `The source throttles clients (${firstFew(items, 3)}); ${profile.name}: ${profile.capabilities.clientQuotas.note}`,
      remediation:
        'Decide whether the throttled clients may run unthrottled on the target (they share its per-cluster quotas), or throttle them in the client (producer buffer, fetch sizes) before cutover.',
      items,
    },
  ];
}
