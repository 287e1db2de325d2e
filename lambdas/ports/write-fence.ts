import type { WriteFencePlan, WriteFenceUndo } from '../core/cutover/write-fence';

/**
 * A write fence the source cluster enforces (KAFKA_ACL bindings, an IAM_POLICY deny). FenceProducers calls `inspect`
 * and journals its plan before `apply`; every rollback branch calls `undo` with the journaled plan.
 * Adapters: adapters/kafka/kafkajs-acl-write-fence.ts, adapters/aws/iam-write-fence.ts.
 *
 * All three are idempotent: applying a fence that holds writes nothing, undoing one that is gone removes nothing.
 */
export interface WriteFence {
  readonly kind: WriteFencePlan['kind'];
  /** Where the fence lives, for messages: `kafka:<bootstrap>`, `iam:<role names>`. */
  readonly subject: string;
  /** Reads what exists now and returns what the fence will add and what it will replace (nothing is changed). */
  inspect(topics: readonly string[]): Promise<WriteFencePlan>;
  /** Takes the fence described by the plan. */
  apply(plan: WriteFencePlan): Promise<void>;
  /** Removes what `apply` added and puts back what it replaced; never touches a pre-existing binding or policy. */
  undo(plan: WriteFencePlan): Promise<WriteFenceUndo>;
}
