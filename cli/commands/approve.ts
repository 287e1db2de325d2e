import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { DynamoDbApprovalStore } from '../../lambdas/adapters/aws/dynamodb-approval-store';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/s3-artifact-store';
import { SfnTaskCallback } from '../../lambdas/adapters/aws/sfn-task-callback';
import { APPROVAL_ID_PATTERN, MAX_COMMENT_LENGTH, type DecisionOutcome } from '../../lambdas/core/approval/record';
import { decide, type ApprovalServices } from '../../lambdas/core/approval/service';
import {
  APPROVAL_TABLE_ENV,
  CliError,
  EVIDENCE_BUCKET_ENV,
  ExitCode,
  resolveRegion,
  runVerb,
  setting,
  toCliError,
  type CommonOptions,
  type OperatorDeps,
} from './operator-context';
import { DECISION_EFFECT } from './workflow-states';

/**
 * `msk-migrate approve ID` (and `reject ID`, ./reject.ts): the decision of an operator with IAM rights, through the
 * same single-use claim and audit as the e-mail and Slack channels, for every approval kind: CUTOVER (CutoverApproval),
 * FINALIZE (FinalizeApproval) and FAILBACK (FailbackDecision). The approver recorded is the caller's IAM identity (STS
 * GetCallerIdentity), the channel `CLI`. The result says which state the workflow goes to next and what that means.
 */

export interface DecisionOptions extends CommonOptions {
  readonly comment?: string;
  readonly table?: string;
  readonly bucket?: string;
}

export interface CliDecision {
  readonly approvalId: string;
  readonly outcome: DecisionOutcome;
  readonly kind: string;
  readonly migrationId: string;
  readonly executionArn: string;
  readonly approver: string;
  readonly channel: 'CLI';
  readonly decidedAt: string;
  /** The state the workflow goes to (the ASL's Next on approve, its Catch on reject) and what that means. */
  readonly next: { readonly state: string; readonly means: string } | null;
}

const REFUSAL_EXIT: Record<string, ExitCode> = {
  UNKNOWN_APPROVAL: ExitCode.NOT_FOUND,
  NOT_AN_APPROVER: ExitCode.CREDENTIALS,
};

export async function decideFromCli(
  approvalId: string,
  outcome: DecisionOutcome,
  options: DecisionOptions,
  deps: OperatorDeps,
): Promise<CliDecision> {
  if (!APPROVAL_ID_PATTERN.test(approvalId)) {
    throw new CliError(
      'INVALID_ARGUMENT',
      `"${approvalId}" is not an approval ID (22 characters of A-Z, a-z, 0-9, - and _).`,
      ExitCode.INVALID_INPUT,
      'Copy it from the approval e-mail or Slack message, or from `msk-migrate status`.',
    );
  }
  if (options.comment && options.comment.length > MAX_COMMENT_LENGTH) {
    throw new CliError(
      'INVALID_ARGUMENT',
      `The comment has ${options.comment.length} characters; at most ${MAX_COMMENT_LENGTH}.`,
      ExitCode.INVALID_INPUT,
    );
  }
  const tableName = setting(options.table, deps.env, APPROVAL_TABLE_ENV, 'approval table', '--table');
  const bucket = setting(
    options.bucket,
    deps.env,
    EVIDENCE_BUCKET_ENV,
    'evidence bucket (for the audit trail)',
    '--bucket',
  );
  const region = resolveRegion(options, deps.env);

  let approver: string;
  try {
    const identity = await deps.clients.sts(region).send(new GetCallerIdentityCommand({}));
    if (!identity.Arn) throw new CliError('CREDENTIALS', 'STS returned no caller identity.', ExitCode.CREDENTIALS);
    approver = identity.Arn;
  } catch (err) {
    throw toCliError(err, { region, action: 'sts:GetCallerIdentity' });
  }

  const services: ApprovalServices = {
    store: new DynamoDbApprovalStore(deps.clients.dynamodb(region), { tableName }),
    artifacts: new S3ArtifactStore(deps.clients.s3(region), bucket),
    callback: new SfnTaskCallback(deps.clients.sfn(region)),
    // Deciding sends no e-mail and signs no link.
    signingKey: async () => {
      throw new Error('The CLI signs no approval links.');
    },
    baseUrl: '',
    now: deps.now,
    warn: (message) => deps.io.stderr(`Warning: ${message}\n`),
  };
  let result;
  try {
    result = await decide(
      {
        approvalId,
        outcome,
        identity: { channel: 'CLI', id: approver },
        ...(options.comment ? { comment: options.comment } : {}),
        context: { userAgent: 'msk-migrate' },
      },
      services,
    );
  } catch (err) {
    throw toCliError(err, {
      region,
      action:
        'dynamodb:GetItem/UpdateItem on the approval table, states:SendTask* and s3:PutObject on the evidence bucket',
    });
  }
  if (result.status === 'REFUSED') {
    throw new CliError(
      result.refusal.reason,
      result.refusal.message,
      REFUSAL_EXIT[result.refusal.reason] ?? ExitCode.RUNTIME,
    );
  }
  return {
    approvalId,
    outcome,
    kind: result.record.kind,
    migrationId: result.record.migrationId,
    executionArn: result.record.executionArn,
    approver,
    channel: 'CLI',
    decidedAt: result.decision.decidedAt,
    next: nextStep(result.record.kind, outcome),
  };
}

function nextStep(kind: string, outcome: DecisionOutcome): CliDecision['next'] {
  const effect = Object.prototype.hasOwnProperty.call(DECISION_EFFECT, kind)
    ? DECISION_EFFECT[kind as keyof typeof DECISION_EFFECT]
    : undefined;
  if (!effect) return null;
  return outcome === 'APPROVE'
    ? { state: effect.onApprove, means: effect.approveMeans }
    : { state: effect.onReject, means: effect.rejectMeans };
}

export function decisionCommand(program: Command, deps: OperatorDeps, outcome: DecisionOutcome): Command {
  const verb = outcome === 'APPROVE' ? 'approve' : 'reject';
  return program
    .command(verb)
    .description(
      outcome === 'APPROVE'
        ? 'Approve a pending cutover, finalize or failback approval as your IAM identity'
        : 'Reject a pending approval as your IAM identity (cutover: rollback; finalize: failback decision; failback: stay on the target)',
    )
    .argument('<approval-id>', 'the approval ID from the e-mail, the Slack message or `msk-migrate status`')
    .option(
      outcome === 'APPROVE' ? '--comment <text>' : '--reason <text>',
      outcome === 'APPROVE'
        ? 'recorded with the decision'
        : 'why: recorded with the decision and shown to the other approvers',
    )
    .option('--table <name>', `approval table (default: $${APPROVAL_TABLE_ENV})`)
    .option('--bucket <name>', `evidence bucket, for the audit trail (default: $${EVIDENCE_BUCKET_ENV})`)
    .option('--region <region>', 'AWS Region (default: $AWS_REGION)')
    .option('--json', 'print the result (or the error) as JSON')
    .action(async (approvalId: string, options: DecisionOptions & { reason?: string }) =>
      runVerb(deps, options, async () => {
        const comment = options.comment ?? options.reason;
        const decided = await decideFromCli(approvalId, outcome, { ...options, ...(comment ? { comment } : {}) }, deps);
        return {
          data: decided,
          text: [
            `${outcome === 'APPROVE' ? 'Approved' : 'Rejected'} the ${decided.kind.toLowerCase()} approval ${decided.approvalId} of ${decided.migrationId} as ${decided.approver}.`,
            ...(decided.next ? [`Next: ${decided.next.state}: ${decided.next.means}.`] : []),
            `Execution: ${decided.executionArn}`,
          ].join('\n'),
        };
      }),
    );
}

export function registerApprove(program: Command, deps: OperatorDeps): Command {
  return decisionCommand(program, deps, 'APPROVE');
}
