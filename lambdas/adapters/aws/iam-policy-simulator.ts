import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { AuthFailedError } from '../../core/errors';
import type { AccessDecision, ClientAccessSimulator } from '../../ports/schema-registries';
import { toMigrationError } from './msk-provisioner';

/* Its AWS calls (and so its IAM) are declared in lib/iam/operations.ts. */

/** SimulatePrincipalPolicy pages read at most (one page holds every action × resource asked here). */
const MAX_PAGES = 10;

/**
 * IAM's policy simulator (SimulatePrincipalPolicy) on a client application's role: whether the policies attached
 * to it (and its permissions boundary, and the organization's SCPs as IAM evaluates them) allow each action on each
 * resource. Read only: nothing is changed.
 */
export class IamPolicySimulator implements ClientAccessSimulator {
  constructor(private readonly iam: IAMClient) {}

  async simulate(roleArn: string, actions: readonly string[], resources: readonly string[]): Promise<AccessDecision[]> {
    try {
      const out: AccessDecision[] = [];
      let marker: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await this.iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: roleArn,
            ActionNames: [...actions],
            ResourceArns: [...resources],
            Marker: marker,
          }),
        );
        for (const e of r.EvaluationResults ?? []) {
          const action = e.EvalActionName ?? '?';
          const specific = e.ResourceSpecificResults ?? [];
          if (specific.length > 0)
            for (const s of specific)
              out.push({
                action,
                resource: s.EvalResourceName ?? '*',
                decision: s.EvalResourceDecision ?? 'implicitDeny',
              });
          else out.push({ action, resource: e.EvalResourceName ?? '*', decision: e.EvalDecision ?? 'implicitDeny' });
        }
        marker = r.IsTruncated ? r.Marker : undefined;
        if (!marker) break;
      }
      return out;
    } catch (err) {
      throw toMigrationError(err, `IAM SimulatePrincipalPolicy ${roleArn}`, AuthFailedError);
    }
  }
}
