import type { Inventory } from '../../inventory/model';
import { holdsAtFence } from '../../cutover/client-switches';
import { clientsOfTopics } from '../../inventory/topic-clients';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { IAM_PRODUCERS_UNSEEN } from '../../plan/migration-plan';
import { scopeOf } from '../scope';

/**
 * The cutover's hold on producers, judged before anything is created:
 * - a fence can hold producers up to the drain timeout; a default Kafka producer drops what it buffered once its
 *   `delivery.timeout.ms` (120 s) has passed, so a longer hold can lose records the application thought were sent;
 * - producers of a migrated topic that neither the write fence nor a pointer the producer is known to read holds: the
 *   drain refuses them when they keep writing (CheckDrain names them), but the migration then rolls back — better
 *   known now (kcp warns about unrouted producers the same way);
 * - migrated topics CloudWatch shows written while no ACL names their producers;
 * - switched applications (cutover.switches) the fence does not hold: producers that read no pointer under a POINTER
 *   fence without stopAtFence, and consumers still in their group on the source when CommitConsumerOffsets runs;
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
        `The cutover is expected to hold producers about ${((cutover.expectedPauseMs ?? 0) / 1000).toFixed(1)} s even when all goes well (the modeled AWS pause: settle, drain looks, function starts, S3 and pointer round trips, clients' notice), ${Math.round(((cutover.expectedPauseMs ?? 0) / cutover.producerDeliveryTimeoutMs) * 100)}% of their delivery.timeout.ms of ${timeoutSeconds} s.`,
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
  // A producer switch that declares the principal (cutover.switches[].principals) and stops its application at the
  // fence holds it; one that does not stop it is named with the principal (it writes until SwitchToTarget).
  const producerSwitches = cutover.switches.filter((s) => s.role !== 'CONSUMERS');
  const switchOf = (principal: string) => producerSwitches.find((s) => s.principals.includes(principal));
  const uncovered = clients.topics.flatMap((t) =>
    t.producerPrincipals
      .filter((p) => !coveredByFence(p) && !switchOf(p)?.stopAtFence)
      .map((p) => {
        const sw = switchOf(p);
        return `${t.topic}: ${p}${sw ? ` (switch ${sw.name}, not stopped at the fence)` : ''}`;
      }),
  );
  // IAM identities are not ACL principals: the producer roles the inventory knows (the plan's Glue client roles of
  // PRODUCERS / BOTH) are covered by an IAM_POLICY fence that denies them (its roleNames and the producer switches'
  // roles), or by a producer switch declaring the role that stops its application at the fence.
  if (fence.type !== 'KAFKA_ACL')
    for (const role of producerRolesOf(inventory)) {
      const sw = producerSwitches.find((s) => s.roles.includes(role));
      if ((fence.type === 'IAM_POLICY' && fence.roleNames.includes(role)) || sw?.stopAtFence) continue;
      uncovered.push(
        `role ${role} (a PRODUCERS client role of schemaRegistries.clientRoles${sw ? `; switch ${sw.name}, not stopped at the fence` : ''})`,
      );
    }
  if (uncovered.length > 0) {
    findings.push({
      id: 'cutover.uncovered-producers',
      severity: 'WARNING',
      subject: plural(uncovered.length, 'producer'),
      criterion: 'dataControlAndCost',
      evidence: `The source's ACLs let these principals write migrated topics (or the plan names these producer roles), and ${fence.type === 'POINTER' ? 'the cutover holds them only if they read the pointer' : `the ${fence.type} fence does not cover them`}: ${firstFew(uncovered, 5)}.`,
      remediation:
        fence.type === 'IAM_POLICY'
          ? "Add each role to cutover.fence.roleNames or to its switch's roles (cutover.switches[].roles). Kafka ACL principals (SCRAM, mTLS) are not IAM roles: stop them before the cutover, or have them read the pointer. A producer still writing after the fence fails the drain, and the migration rolls back."
          : 'Use cutover.fence KAFKA_ACL (User:* or these principals; a switch declaring a principal adds it to the fence), have these producers read the pointer, or stop them at the fence (a switch declaring the principal, with stopAtFence). A producer still writing after the fence fails the drain (named by CheckDrain), and the migration rolls back.',
      items: uncovered,
    });
  }
  // IAM_POLICY: the source shows no IAM principal for its clients, so the roles the fence denies are the plan's alone.
  if (fence.type === 'IAM_POLICY')
    findings.push({
      id: 'cutover.iam-producer-roles-unseen',
      severity: 'INFO',
      subject: `cutover.fence IAM_POLICY (${plural(fence.roleNames.length, 'role')})`,
      criterion: 'dataControlAndCost',
      evidence: `The IAM_POLICY fence denies writes to exactly the roles the plan names: ${firstFew(fence.roleNames, 5)} (cutover.fence.roleNames and the producer switches' roles). ${IAM_PRODUCERS_UNSEEN}`,
      remediation:
        "List every producer's role in cutover.fence.roleNames or its switch's roles: the roles whose IAM policies allow kafka-cluster:WriteData on the migrated topics (IAM Access Analyzer, or iam:SimulatePrincipalPolicy over the account's roles). A role left out keeps writing after the fence: CheckDrain names its producer IDs and the migration rolls back.",
    });
  // CloudWatch shows writes to a migrated topic whose producers no ACL names (no authorizer, or User:* grants): who
  // they are is unknown, and only a fence on every principal (or the pointer, if they read it) holds them.
  const fenceHoldsAll = fence.type === 'KAFKA_ACL' && fence.principals.includes('User:*');
  const unnamed = clients.topics
    .filter((t) => (t.peakBytesInPerSec ?? 0) > 0 && t.producerPrincipals.length === 0)
    .map((t) => `${t.topic} (peak ${Math.round(t.peakBytesInPerSec ?? 0)} B/s in)`);
  if (unnamed.length > 0 && !fenceHoldsAll)
    findings.push({
      id: 'cutover.unnamed-producers',
      severity: 'WARNING',
      subject: plural(unnamed.length, 'migrated topic'),
      criterion: 'dataControlAndCost',
      evidence: `CloudWatch shows writes to these migrated topics, and no ACL of the source names who writes them: ${firstFew(unnamed, 5)}.`,
      remediation:
        'Find their producers (quota entities, the teams; MSK broker logs at INFO do not name a producer that writes): each must read the pointer, be moved by a switch that stops it at the fence, or be held by cutover.fence KAFKA_ACL on User:*. A producer still writing after the fence fails the drain, and the migration rolls back.',
      items: unnamed,
    });
  // Switched applications the fence does not hold: they read no pointer, so only the broker or a stop holds them.
  const switches = cutover.switches;
  // Under a KAFKA_ACL fence on named principals, a producer switch that declares none may write as someone else.
  const aclOnNamed = fence.type === 'KAFKA_ACL' && fence.principals.length > 0 && !fence.principals.includes('User:*');
  const producersUnheld = switches
    .filter(
      (s) =>
        s.role !== 'CONSUMERS' &&
        !s.stopAtFence &&
        (fence.type === 'POINTER' ||
          (aclOnNamed && s.principals.length === 0) ||
          (fence.type === 'IAM_POLICY' && s.roles.length === 0)),
    )
    .map((s) => `${s.name} (${s.type})`);
  if (producersUnheld.length > 0)
    findings.push({
      id: 'cutover.switched-producers-unheld',
      severity: 'WARNING',
      subject: plural(producersUnheld.length, 'client switch', 'client switches'),
      criterion: 'dataControlAndCost',
      evidence: `These applications' producers read no pointer, are not stopped at the fence (stopAtFence) and ${fence.type === 'POINTER' ? 'the fence is the pointer alone' : fence.type === 'IAM_POLICY' ? 'their switch declares no role for the IAM_POLICY fence' : 'their switch declares no principal for the KAFKA_ACL fence on named principals'}: they write to the source until SwitchToTarget moves them, so the drain never settles: ${firstFew(producersUnheld, 5)}.`,
      remediation:
        'Give their switch stopAtFence, or declare the principals or IAM roles they write as (cutover.switches[].principals / roles: the KAFKA_ACL / IAM_POLICY fence then denies them), or use cutover.fence KAFKA_ACL on User:*.',
      items: producersUnheld,
    });
  // Lambda event source mappings and sink connectors are held at the source's end by CommitConsumerOffsets.
  const consumersActive = switches
    .filter((s) => s.role !== 'PRODUCERS' && !s.stopAtFence && !holdsAtFence(s))
    .map((s) => `${s.name} (${s.type})`);
  if (consumersActive.length > 0)
    findings.push({
      id: 'cutover.switched-consumers-active',
      severity: 'WARNING',
      subject: plural(consumersActive.length, 'client switch', 'client switches'),
      criterion: 'dataControlAndCost',
      evidence: `These applications consume on the source until SwitchToTarget moves them, after CommitConsumerOffsets, which waits until no group in scope has a member on the source: if their group is in replication.consumerGroups, the cutover fails after the groups' timeout: ${firstFew(consumersActive, 5)}.`,
      remediation:
        'Give the switch stopAtFence: its tasks commit and leave their group at the fence, and start on the target at SwitchToTarget.',
      items: consumersActive,
    });
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

/** The producer IAM roles the inventory knows (names): the plan's Glue client roles of PRODUCERS or BOTH. */
function producerRolesOf(inventory: Inventory): string[] {
  const access = inventory.schemaRegistries?.clientAccess ?? [];
  return [
    ...new Set(access.filter((a) => a.role !== 'CONSUMERS').map((a) => a.roleArn.split('/').pop() ?? a.roleArn)),
  ].sort();
}
