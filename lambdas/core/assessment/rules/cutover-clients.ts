import type { Inventory } from '../../inventory/model';
import { clientsOfTopics } from '../../inventory/topic-clients';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * The cutover's hold on producers, judged before anything is created:
 * - a fence can hold producers up to the drain timeout; a default Kafka producer drops what it buffered once its
 *   `delivery.timeout.ms` (120 s) has passed, so a longer hold can lose records the application thought were sent;
 * - producers of a migrated topic that neither the write fence nor a pointer the producer is known to read holds: the
 *   drain refuses them when they keep writing (CheckDrain names them), but the migration then rolls back — better
 *   known now (kcp warns about unrouted producers the same way);
 * - the clients of each migrated topic, as the source shows them (ACL principals, group members, quota entities).
 */

/** The expected pause is worth a warning from this share of the producers' delivery.timeout.ms on. */
export const PAUSE_APPROACH_SHARE = 0.5;

export function cutoverHoldRule(inventory: Inventory, _profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const cutover = options.cutover;
  if (!cutover) return [];
  const findings: Finding[] = [];
  const timeoutSeconds = cutover.producerDeliveryTimeoutMs / 1000;
  const holdOutlasts = cutover.maxHoldSeconds * 1000 > cutover.producerDeliveryTimeoutMs;
  const pauseApproaches =
    cutover.expectedPauseMs !== undefined &&
    cutover.expectedPauseMs >= PAUSE_APPROACH_SHARE * cutover.producerDeliveryTimeoutMs;
  if (holdOutlasts || pauseApproaches) {
    const said: string[] = [];
    if (pauseApproaches)
      said.push(
        `The cutover is expected to hold producers about ${((cutover.expectedPauseMs ?? 0) / 1000).toFixed(1)} s even when all goes well (the modeled AWS pause: settle, drain polls, function starts, clients' notice), ${Math.round(((cutover.expectedPauseMs ?? 0) / cutover.producerDeliveryTimeoutMs) * 100)}% of their delivery.timeout.ms of ${timeoutSeconds} s.`,
      );
    if (holdOutlasts)
      said.push(
        `The fence can hold producers up to ${cutover.maxHoldSeconds} s (cutover.drainTimeoutMinutes), longer than their delivery.timeout.ms of ${timeoutSeconds} s.`,
      );
    findings.push({
      id: 'cutover.fence-outlasts-delivery-timeout',
      severity: 'WARNING',
      subject: `cutover.fence ${cutover.fence.type}`,
      criterion: 'dataControlAndCost',
      evidence: `${said.join(' ')} A default Kafka producer drops the records it buffered after that and reports them failed to the application.`,
      remediation: pauseApproaches
        ? 'Shorten the pause: a fence the broker enforces (cutover.fence KAFKA_ACL) needs no settle, and with a pointer declare how often clients read it (a shorter cutover.fenceSettleSeconds); or raise delivery.timeout.ms on the producers for the cutover. Set cutover.producerDeliveryTimeoutMs to what the producers use.'
        : 'Lower cutover.drainTimeoutMinutes below the producers’ delivery.timeout.ms, raise delivery.timeout.ms on the producers for the cutover, or make sure the applications retry failed sends; set cutover.producerDeliveryTimeoutMs to what the producers use.',
    });
  }
  const topics = scopeOf(inventory, options).topics.map((t) => t.name);
  const clients = clientsOfTopics(inventory, topics);
  const fence = cutover.fence;
  const coveredByFence = (principal: string): boolean =>
    fence.type === 'KAFKA_ACL' && (fence.principals.includes('User:*') || fence.principals.includes(principal));
  const uncovered = clients.topics.flatMap((t) =>
    t.producerPrincipals.filter((p) => !coveredByFence(p)).map((p) => `${t.topic}: ${p}`),
  );
  if (uncovered.length > 0) {
    findings.push({
      id: 'cutover.uncovered-producers',
      severity: 'WARNING',
      subject: plural(uncovered.length, 'producer'),
      criterion: 'dataControlAndCost',
      evidence: `The source's ACLs let these principals write migrated topics, and ${fence.type === 'POINTER' ? 'the cutover holds them only if they read the pointer' : `the ${fence.type} fence does not cover them`}: ${firstFew(uncovered, 5)}.`,
      remediation:
        fence.type === 'IAM_POLICY'
          ? 'Kafka ACL principals (SCRAM, mTLS) are not IAM roles: stop them before the cutover, or have them read the pointer. A producer still writing after the fence fails the drain, and the migration rolls back.'
          : 'Use cutover.fence KAFKA_ACL (User:* or these principals), have these producers read the pointer, or stop them before the cutover. A producer still writing after the fence fails the drain (named by CheckDrain), and the migration rolls back.',
      items: uncovered,
    });
  }
  const listed = clients.topics.map(
    (t) =>
      `${t.topic}: producers ${t.producerPrincipals.length > 0 ? t.producerPrincipals.join(', ') : 'not named by ACLs'}; consumers ${t.consumers.length > 0 ? firstFew(t.consumers, 3) : 'no group members'}`,
  );
  if (listed.length > 0)
    findings.push({
      id: 'cutover.topic-clients',
      severity: 'INFO',
      subject: plural(listed.length, 'migrated topic'),
      criterion: 'dataControlAndCost',
      evidence: `The clients the source shows for each migrated topic (ACL principals, group members${clients.quotaClients.length > 0 ? `; quota entities ${firstFew(clients.quotaClients, 5)}` : ''})${clients.gaps.length > 0 ? `. ${clients.gaps.join(' ')}` : ''}: ${firstFew(listed, 3)}.`,
      remediation:
        'Check the list against the applications you know: every producer must be fenced, switched or stopped.',
      items: listed,
    });
  return findings;
}
