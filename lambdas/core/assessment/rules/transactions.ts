import type { Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';

/**
 * Signs that producers use transactions or need idempotent writes: records in `__transaction_state`, ACLs on
 * transactional ids, IDEMPOTENT_WRITE grants. Replication copies records, not transactions: during the replication
 * window a read_committed consumer on the target does not get the source's atomicity, and the producers' own
 * transactions work after cutover only if the target supports them.
 */
export function transactionRule(inventory: Inventory, profile: TargetProfile, _options: AssessmentOptions): Finding[] {
  const signals: string[] = [];
  const state = inventory.dataPlane.topics.find((t) => t.name === '__transaction_state');
  if (state?.status === 'DESCRIBED') {
    const written = state.partitions.filter((p) => p.logEndOffset !== null && p.logEndOffset !== '0').length;
    if (written > 0)
      signals.push(
        `__transaction_state has records on ${plural(written, 'partition')} (transaction coordinators have been used)`,
      );
  }
  const acls = inventory.dataPlane.acls.status === 'COLLECTED' ? inventory.dataPlane.acls.bindings : [];
  const transactional = [
    ...new Set(
      acls.filter((b) => b.resourceType === 'TRANSACTIONAL_ID' && b.permissionType === 'ALLOW').map((b) => b.principal),
    ),
  ].sort();
  if (transactional.length > 0) signals.push(`ACLs on transactional ids for ${firstFew(transactional, 4)}`);
  // What the brokers say (inventory clientBehaviour, read with @platformatic/kafka: kafkajs has no such Admin API).
  const behaviour = inventory.clientBehaviour;
  const listed = behaviour?.transactions.status === 'COLLECTED' ? behaviour.transactions.transactions : [];
  const ids = listed.map((t) => t.transactionalId);
  if (listed.length > 0) {
    const open = listed.filter((t) => t.topics.length > 0);
    signals.push(
      `ListTransactions names ${plural(listed.length, 'transactional id')} (${firstFew(
        listed.map((t) => `${t.transactionalId}: ${t.state}`),
        4,
      )})${open.length > 0 ? `, ${plural(open.length, 'transaction')} open on ${firstFew([...new Set(open.flatMap((t) => t.topics))].sort(), 4)}` : ''}`,
    );
  }
  const sampled =
    behaviour?.records.status === 'COLLECTED'
      ? behaviour.records.topics.filter((t) => t.transactionalBatches > 0).map((t) => t.topic)
      : [];
  if (sampled.length > 0) signals.push(`transactional record batches at the tail of ${firstFew(sampled, 4)}`);
  const idempotent = [
    ...new Set(
      acls
        .filter(
          (b) =>
            b.resourceType === 'CLUSTER' &&
            ['IDEMPOTENT_WRITE', 'ALL'].includes(b.operation) &&
            b.permissionType === 'ALLOW',
        )
        .map((b) => b.principal),
    ),
  ].sort();
  const findings: Finding[] = [];
  if (signals.length > 0) {
    const support = profile.capabilities.transactions.support;
    findings.push({
      id: 'transactions.in-use',
      severity: support === 'UNSUPPORTED' ? 'BLOCKER' : 'WARNING',
      subject:
        ids.length > 0
          ? firstFew(ids, 3)
          : transactional.length > 0
            ? firstFew(transactional, 3)
            : 'transactional producers',
      criterion: 'apiCompatibility',
      evidence: `${signals.join('; ')}. ${profile.name}: transactions ${support.toLowerCase()} — ${profile.capabilities.transactions.note}`,
      remediation:
        'Find the transactional producers (transactional.id in their configs) and their read_committed consumers; prove them on the target in the rehearsal; cut them over together, after the replication has caught up (replicated records are not transactional).',
      ...(ids.length + transactional.length > 0 ? { items: [...new Set([...ids, ...transactional])] } : {}),
    });
  }
  if (idempotent.length > 0 && profile.access.acls === 'NONE') {
    findings.push({
      id: 'transactions.idempotent-write',
      severity: 'INFO',
      subject: firstFew(idempotent, 3),
      criterion: 'networkAndIdentity',
      evidence: `${plural(idempotent.length, 'principal')} may write idempotently (IDEMPOTENT_WRITE on the cluster): ${firstFew(idempotent, 4)}.`,
      remediation:
        'Give their IAM roles kafka-cluster:WriteDataIdempotently (idempotence is on by default in Kafka clients from 3.0).',
      items: idempotent,
    });
  }
  return findings;
}
