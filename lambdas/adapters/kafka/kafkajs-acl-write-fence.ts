import { Kafka, type Admin } from 'kafkajs';
import { CutoverFailedError, RollbackFailedError } from '../../core/errors';
import type { AclFenceBinding, WriteFencePlan, WriteFenceUndo } from '../../core/cutover/write-fence';
import type { KafkaConnection } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';
import { callWithDeadline, errorChain } from './kafka-errors';
import { kafkajsConfig, type KafkajsDataPlaneOptions } from './kafkajs-data-plane';
import { ACL_OPERATION, ACL_PATTERN, ACL_PERMISSION, ACL_RESOURCE } from './acl-codes';

const { TOPIC } = ACL_RESOURCE;
const { LITERAL } = ACL_PATTERN;
const { WRITE } = ACL_OPERATION;
const { DENY } = ACL_PERMISSION;
/** Kafka's error code for an ACL request to a broker with no authorizer. */
const SECURITY_DISABLED = 54;

/**
 * KAFKA_ACL: a DENY WRITE binding per migrated topic (LITERAL) and principal on the source. Kafka's authorizer
 * evaluates DENY before ALLOW, so producers holding an ALLOW WRITE are refused (TOPIC_AUTHORIZATION_FAILED) on their
 * next produce request, on connections already open; super users are never bound. Nothing but the migrated topics is
 * bound, so the replicator's own writes on the source (MirrorMaker 2's offset-syncs and heartbeats topics) go on.
 */
export class KafkajsAclWriteFence implements WriteFence {
  readonly kind = 'KAFKA_ACL' as const;
  readonly subject: string;
  private readonly kafka: Kafka;
  private readonly deadlineMs: number;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly spec: { readonly principals: readonly string[]; readonly host: string },
    options: KafkajsDataPlaneOptions = {},
  ) {
    this.subject = `kafka:${connection.bootstrapServers.join(',')}`;
    this.kafka = new Kafka(kafkajsConfig(connection, { clientId: 'msk-migration-write-fence', ...options }));
    this.deadlineMs = (connection.requestTimeoutMs ?? 10_000) * 3;
  }

  async inspect(topics: readonly string[]): Promise<WriteFencePlan> {
    const existing = await this.withAdmin('DescribeAcls (write fence)', CutoverFailedError, async (admin) => {
      try {
        const out = await admin.describeAcls({
          resourceType: TOPIC,
          resourcePatternType: LITERAL,
          operation: WRITE,
          permissionType: DENY,
        });
        return new Set(
          out.resources.flatMap((r) => r.acls.map((a) => bindingKey(r.resourceName, a.principal, a.host))),
        );
      } catch (err) {
        if (errorChain(err).some((f) => f.type === 'SECURITY_DISABLED' || f.code === SECURITY_DISABLED))
          throw new CutoverFailedError(
            `${this.subject} has no authorizer (DescribeAcls: SECURITY_DISABLED): a KAFKA_ACL fence would not hold any producer. Use cutover.fence POINTER, or IAM_POLICY on IAM-auth MSK.`,
          );
        throw err;
      }
    });
    const bindings: AclFenceBinding[] = [];
    for (const topic of [...new Set(topics)].sort())
      for (const principal of this.spec.principals)
        bindings.push({
          topic,
          principal,
          host: this.spec.host,
          preExisting: existing.has(bindingKey(topic, principal, this.spec.host)),
        });
    return { kind: 'KAFKA_ACL', subject: this.subject, bindings };
  }

  async apply(plan: WriteFencePlan): Promise<void> {
    if (plan.kind !== 'KAFKA_ACL') throw new TypeError(`KafkajsAclWriteFence cannot apply a ${plan.kind} fence.`);
    const added = plan.bindings.filter((b) => !b.preExisting);
    if (added.length === 0) return;
    // CreateAcls of a binding that exists is a no-op on the broker: a retried apply adds nothing twice.
    await this.withAdmin('CreateAcls (write fence)', CutoverFailedError, (admin) =>
      admin.createAcls({ acl: added.map((b) => ({ ...aclOf(b) })) }),
    );
  }

  async undo(plan: WriteFencePlan): Promise<WriteFenceUndo> {
    if (plan.kind !== 'KAFKA_ACL') throw new TypeError(`KafkajsAclWriteFence cannot undo a ${plan.kind} fence.`);
    const added = plan.bindings.filter((b) => !b.preExisting);
    const preExisting = plan.bindings.length - added.length;
    if (added.length === 0)
      return { kind: 'KAFKA_ACL', subject: this.subject, removed: 0, leftAlone: preExisting, notes: [] };
    // Exact filters (no ANY): each matches the one binding this execution added, nothing else.
    const out = await this.withAdmin('DeleteAcls (write fence)', RollbackFailedError, (admin) =>
      admin.deleteAcls({ filters: added.map(aclOf) }),
    );
    const failed = out.filterResponses.filter((r) => r.errorCode !== 0);
    if (failed.length > 0)
      throw new RollbackFailedError(
        `${this.subject}: DeleteAcls refused ${failed.length} of the fence's ${added.length} binding(s) (${failed[0]?.errorMessage ?? `error ${failed[0]?.errorCode}`}): producers stay fenced. Delete the DENY WRITE bindings by hand (kafka-acls --remove --deny-principal …).`,
        { bindings: added.length },
      );
    const removed = out.filterResponses.reduce((n, r) => n + r.matchingAcls.length, 0);
    return {
      kind: 'KAFKA_ACL',
      subject: this.subject,
      removed,
      leftAlone: preExisting + (added.length - removed),
      notes: [
        `${removed} DENY WRITE binding(s) this execution added were deleted${preExisting > 0 ? `; ${preExisting} that existed before were left` : ''}.`,
      ],
    };
  }

  private async withAdmin<T>(
    operation: string,
    fatal: typeof CutoverFailedError | typeof RollbackFailedError,
    fn: (admin: Admin) => Promise<T>,
  ): Promise<T> {
    const admin = this.kafka.admin();
    try {
      return await callWithDeadline(
        this.connection,
        operation,
        async () => {
          await admin.connect();
          return fn(admin);
        },
        this.deadlineMs,
      );
    } catch (err) {
      if (err instanceof Error && err.name.startsWith('Migration.')) throw err;
      throw new fatal(`${this.subject}: ${operation} failed: ${(err as Error).message}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

function bindingKey(topic: string, principal: string, host: string): string {
  return `${topic}\u0000${principal}\u0000${host}`;
}

function aclOf(b: AclFenceBinding) {
  return {
    resourceType: TOPIC,
    resourceName: b.topic,
    resourcePatternType: LITERAL,
    principal: b.principal,
    host: b.host,
    operation: WRITE,
    permissionType: DENY,
  } as const;
}
