import { DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CutoverFailedError, RollbackFailedError, TransientError, type MigrationError } from '../../core/errors';
import {
  IAM_ROLE_INLINE_POLICY_LIMIT,
  iamFencePolicyDocument,
  type WriteFencePlan,
  type WriteFenceUndo,
} from '../../core/cutover/write-fence';
import type { WriteFence } from '../../ports/write-fence';
import { toMigrationError } from './msk-provisioner';

const IAM_TRANSIENT = new Set([
  'ThrottlingException',
  'Throttling',
  'ServiceFailureException',
  'ConcurrentModification',
]);

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

function iamError(err: unknown, what: string, fatal: Fatal): MigrationError {
  const name = (err as { name?: string }).name ?? '';
  if (IAM_TRANSIENT.has(name))
    return new TransientError(`${what} failed: ${name}: ${(err as Error).message}`, { awsError: name });
  return toMigrationError(err, what, fatal);
}

/**
 * IAM_POLICY: on IAM-auth MSK, Kafka ACLs do not bind IAM identities; an explicit Deny of kafka-cluster:WriteData on
 * the migrated topics, as an inline policy (PutRolePolicy) on each producer role, does — an explicit deny wins over
 * every allow. AWS documents that an IAM policy change "in most cases takes effect in less than a minute"; the plan
 * therefore requires cutover.fenceSettleSeconds ≥ 60, and CheckDrain counts the source drained only after its end
 * offsets held still that long. Its calls (and so its IAM) are declared in lib/iam/operations.ts (IamPolicyWriteFence):
 * on the roles of the construct's writeFenceRoleArns, or those tagged msk-migration:write-fence = allowed.
 */
export class IamPolicyWriteFence implements WriteFence {
  readonly kind = 'IAM_POLICY' as const;
  readonly subject: string;

  constructor(
    private readonly client: IAMClient,
    private readonly spec: {
      readonly clusterArn: string;
      readonly roleNames: readonly string[];
      readonly policyName: string;
    },
  ) {
    this.subject = `iam:${spec.roleNames.join(',')}/${spec.policyName}`;
  }

  async inspect(topics: readonly string[]): Promise<WriteFencePlan> {
    const document = iamFencePolicyDocument(this.spec.clusterArn, topics);
    const size = document.replace(/\s/g, '').length;
    if (size > IAM_ROLE_INLINE_POLICY_LIMIT)
      throw new CutoverFailedError(
        `The IAM write fence for ${topics.length} topic(s) is ${size} characters, over IAM's ${IAM_ROLE_INLINE_POLICY_LIMIT} for a role's inline policies: migrate the topics in smaller waves, or use the KAFKA_ACL fence where the producers authenticate with SCRAM or mTLS.`,
        { size, topics: topics.length },
      );
    const roles = [];
    for (const roleName of this.spec.roleNames)
      roles.push({ roleName, previousDocument: await this.read(roleName, CutoverFailedError) });
    return { kind: 'IAM_POLICY', subject: this.subject, policyName: this.spec.policyName, document, roles };
  }

  async apply(plan: WriteFencePlan): Promise<void> {
    if (plan.kind !== 'IAM_POLICY') throw new TypeError(`IamPolicyWriteFence cannot apply a ${plan.kind} fence.`);
    for (const role of plan.roles) {
      try {
        await this.client.send(
          new PutRolePolicyCommand({
            RoleName: role.roleName,
            PolicyName: plan.policyName,
            PolicyDocument: plan.document,
          }),
        );
      } catch (err) {
        throw iamError(err, `PutRolePolicy ${plan.policyName} on role ${role.roleName}`, CutoverFailedError);
      }
    }
  }

  async undo(plan: WriteFencePlan): Promise<WriteFenceUndo> {
    if (plan.kind !== 'IAM_POLICY') throw new TypeError(`IamPolicyWriteFence cannot undo a ${plan.kind} fence.`);
    let removed = 0;
    let leftAlone = 0;
    const notes: string[] = [];
    for (const role of plan.roles) {
      const current = await this.read(role.roleName, RollbackFailedError);
      if (current === role.previousDocument) {
        leftAlone++;
        continue;
      }
      if (current === null) {
        // Deleted by someone since, while this execution had put a policy over a previous one: restore that one.
        if (role.previousDocument === null) continue;
      } else if (!sameDocument(current, plan.document)) {
        leftAlone++;
        notes.push(
          `Role ${role.roleName}: its inline policy ${plan.policyName} was changed by someone else after the fence; it was left as it is.`,
        );
        continue;
      }
      try {
        if (role.previousDocument === null) {
          await this.client.send(new DeleteRolePolicyCommand({ RoleName: role.roleName, PolicyName: plan.policyName }));
          notes.push(`Role ${role.roleName}: inline policy ${plan.policyName} deleted.`);
        } else {
          await this.client.send(
            new PutRolePolicyCommand({
              RoleName: role.roleName,
              PolicyName: plan.policyName,
              PolicyDocument: role.previousDocument,
            }),
          );
          notes.push(`Role ${role.roleName}: inline policy ${plan.policyName} put back as it was before the fence.`);
        }
        removed++;
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchEntityException') continue;
        throw iamError(err, `Removing ${plan.policyName} from role ${role.roleName}`, RollbackFailedError);
      }
    }
    return { kind: 'IAM_POLICY', subject: this.subject, removed, leftAlone, notes };
  }

  /** The role's inline policy of this name (URL-decoded, as IAM returns it encoded); null when there is none. */
  private async read(roleName: string, fatal: Fatal): Promise<string | null> {
    try {
      const out = await this.client.send(
        new GetRolePolicyCommand({ RoleName: roleName, PolicyName: this.spec.policyName }),
      );
      return out.PolicyDocument === undefined ? null : decodeURIComponent(out.PolicyDocument);
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchEntityException') return null;
      throw iamError(err, `GetRolePolicy ${this.spec.policyName} on role ${roleName}`, fatal);
    }
  }
}

function sameDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}
