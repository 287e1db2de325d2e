import type { AclBinding as AclBindingRecord } from '../access/acl-binding';
import type { Inventory } from './model';

/**
 * The clients of each migrated topic, from what the source exposes: the principals its ACLs let write (producers) or
 * read it, the members of the consumer groups that commit offsets on it (client ID and host), the client IDs and
 * users with a quota of their own, and whether CloudWatch's per-topic BytesInPerSec shows it written. Kafka records no producer list: an ACL principal, a quota entity or a member is
 * evidence of a client, never proof that every client is listed (a source without an authorizer names nobody).
 */

export interface TopicClients {
  readonly topic: string;
  /** Principals an ALLOW WRITE (or ALL) binding matches for this topic: its producers as far as the ACLs say. */
  readonly producerPrincipals: readonly string[];
  /** Principals an ALLOW READ (or ALL) binding matches for this topic. */
  readonly consumerPrincipals: readonly string[];
  /** Consumer group members committing on this topic: `group: clientId@host`. */
  readonly consumers: readonly string[];
  /** Its peak BytesInPerSec in CloudWatch's window (someone writes it), when per-topic metrics were collected. */
  readonly peakBytesInPerSec?: number;
}

export interface ClientInventory {
  readonly topics: readonly TopicClients[];
  /** Client IDs and users with a quota (producer_byte_rate …): clients of the cluster, topic unknown. */
  readonly quotaClients: readonly string[];
  /** Why some evidence is missing (no authorizer, ACLs not collected …). */
  readonly gaps: readonly string[];
}

function matches(binding: AclBindingRecord, topic: string): boolean {
  if (binding.resourceType !== 'TOPIC') return false;
  if (binding.patternType === 'PREFIXED') return topic.startsWith(binding.resourceName);
  return binding.resourceName === '*' || binding.resourceName === topic;
}

function principalsWith(bindings: readonly AclBindingRecord[], topic: string, operation: string): string[] {
  const allow = bindings.filter(
    (b) => b.permissionType === 'ALLOW' && (b.operation === operation || b.operation === 'ALL') && matches(b, topic),
  );
  return [...new Set(allow.map((b) => b.principal))].sort();
}

export function clientsOfTopics(
  inventory: Pick<Inventory, 'dataPlane'> & Partial<Pick<Inventory, 'throughput'>>,
  topics: readonly string[],
): ClientInventory {
  const { acls, groups, clientQuotas } = inventory.dataPlane;
  const throughput = inventory.throughput;
  const bytesIn = new Map(
    throughput?.status === 'COLLECTED'
      ? throughput.topics.flatMap((t) => (t.bytesInPerSec ? [[t.topic, t.bytesInPerSec.peak] as const] : []))
      : [],
  );
  const gaps: string[] = [];
  let bindings: AclBindingRecord[] = [];
  if (acls.status === 'NOT_COLLECTED') gaps.push(`ACLs not collected (${acls.reason}): producers are not named.`);
  else if (!acls.authorizerEnabled) gaps.push('The source has no authorizer: no ACL names its producers.');
  else bindings = acls.bindings;
  const quotaClients =
    clientQuotas.status === 'COLLECTED'
      ? [
          ...new Set(
            clientQuotas.quotas.flatMap((q) =>
              q.entity.filter((e) => e.name !== null).map((e) => `${e.type}=${e.name ?? ''}`),
            ),
          ),
        ].sort()
      : [];
  if (clientQuotas.status !== 'COLLECTED') gaps.push('Client quotas not collected.');
  return {
    topics: [...topics].sort().map((topic) => ({
      topic,
      producerPrincipals: principalsWith(bindings, topic, 'WRITE'),
      consumerPrincipals: principalsWith(bindings, topic, 'READ'),
      consumers: groups.flatMap((g) =>
        g.status === 'DESCRIBED' && g.topics.includes(topic)
          ? g.members.map((m) => `${g.groupId}: ${m.clientId}@${m.clientHost}`)
          : [],
      ),
      ...(bytesIn.has(topic) ? { peakBytesInPerSec: bytesIn.get(topic) } : {}),
    })),
    quotaClients,
    gaps,
  };
}
