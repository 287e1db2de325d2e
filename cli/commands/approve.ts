import type { Command } from 'commander';
import type { OperatorDecisionResponse } from '../../lambdas/approval/app';
import { signRequest, type AwsCredentials } from '../../lambdas/approval/sigv4';
import { APPROVAL_ID_PATTERN, MAX_COMMENT_LENGTH, type DecisionOutcome } from '../../lambdas/core/approval/record';
import {
  APPROVAL_URL_ENV,
  CliError,
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
 * `msk-migrate approve ID` (and `reject ID`, ./reject.ts): an operator's decision, sent to the deployed approval
 * service as a SigV4-signed request (your AWS credentials, the default chain) to its `POST
 * /operator/approvals/{id}` route, which has AWS_IAM authorization. The service — not this CLI — matches your IAM
 * principal against the plan's IAM approvers, checks the deadline, claims the approval once, writes the audit entry
 * and answers the task token; the token never leaves it. Every approval kind: CUTOVER (CutoverApproval), FINALIZE
 * (FinalizeApproval) and FAILBACK (FailbackDecision). The result says which state the workflow goes to next.
 */

export interface DecisionOptions extends CommonOptions {
  readonly comment?: string;
  readonly apiUrl?: string;
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
  NOT_SIGNED: ExitCode.CREDENTIALS,
  MALFORMED_REQUEST: ExitCode.INVALID_INPUT,
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** `https://<api-id>.execute-api.<region>.amazonaws.com`: the Region to sign for, when the URL says it. */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;

function approvalApiUrl(options: DecisionOptions, env: NodeJS.ProcessEnv): URL {
  const raw = setting(options.apiUrl, env, APPROVAL_URL_ENV, 'approval API URL', '--api-url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError('INVALID_ARGUMENT', `"${raw}" is not a URL.`, ExitCode.INVALID_INPUT);
  }
  // A signed request over plain HTTP could be read and replayed within its 15 minutes: loopback (tests) only.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new CliError(
      'INVALID_ARGUMENT',
      `The approval API URL must be https (got ${url.protocol}//${url.host}).`,
      ExitCode.INVALID_INPUT,
      'Use the ApprovalUrl output of the stack.',
    );
  }
  return url;
}

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
  const { status, text } = await approvalApiPost(
    `/operator/approvals/${approvalId}`,
    JSON.stringify({ decision: outcome, ...(options.comment ? { comment: options.comment } : {}) }),
    options,
    deps,
  );
  const answer = parseAnswer(text);
  if (answer?.status === 'DECIDED') {
    return {
      approvalId,
      outcome: answer.outcome,
      kind: answer.kind,
      migrationId: answer.migrationId,
      executionArn: answer.executionArn,
      approver: answer.approver,
      channel: 'CLI',
      decidedAt: answer.decidedAt,
      next: nextStep(answer.kind, answer.outcome),
    };
  }
  if (answer?.status === 'REFUSED') {
    throw new CliError(answer.reason, answer.message, REFUSAL_EXIT[answer.reason] ?? ExitCode.RUNTIME);
  }
  if (status === 403) {
    // API Gateway's own answer: the signature was refused, or IAM does not allow execute-api:Invoke on the route.
    throw new CliError(
      'ACCESS_DENIED',
      `The approval API refused the signed request (403${text ? `: ${text.slice(0, 200)}` : ''}).`,
      ExitCode.CREDENTIALS,
      'Your IAM identity needs execute-api:Invoke on the operator decision route (MigrationOrchestrator.grantApprove), and must be listed in the plan\'s approval.approvers to decide: see "Deciding from the CLI" in docs/operator-guide.md.',
    );
  }
  throw new CliError(
    'APPROVAL_API_ERROR',
    `The approval API answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}. Nothing was decided unless \`msk-migrate status\` says so.`,
    ExitCode.RUNTIME,
  );
}

/**
 * A SigV4-signed JSON POST to the deployed approval service (your AWS credentials, the default chain), on a route
 * with AWS_IAM authorization: `path` under the approval API's URL. Returns the HTTP status and body.
 */
export async function approvalApiPost(
  path: string,
  body: string,
  options: Pick<DecisionOptions, 'apiUrl' | 'region'>,
  deps: OperatorDeps,
): Promise<{ readonly status: number; readonly text: string }> {
  const base = approvalApiUrl(options, deps.env);
  const region = resolveRegion(
    { ...options, ...(options.region ? {} : { region: EXECUTE_API_HOST.exec(base.hostname)?.[1] }) },
    deps.env,
  );

  let credentials: AwsCredentials;
  try {
    credentials = await (deps.credentials ?? defaultCredentials(deps))(region);
  } catch (err) {
    throw toCliError(err, { region, action: 'sign the request' });
  }

  const fullPath = `${base.pathname.replace(/\/+$/, '')}${path}`;
  const headers = await signRequest(
    {
      method: 'POST',
      protocol: base.protocol,
      host: base.host,
      path: fullPath,
      headers: { 'content-type': 'application/json' },
      body,
    },
    credentials,
    region,
    deps.now(),
  );
  let status: number;
  let text: string;
  try {
    const response = await (deps.fetch ?? fetch)(`${base.origin}${fullPath}`, {
      method: 'POST',
      headers: { ...headers, 'user-agent': 'msk-migrate' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    throw new CliError(
      'ENDPOINT_UNREACHABLE',
      `The approval API at ${base.origin} could not be reached: ${(err as Error).message}`,
      ExitCode.CREDENTIALS,
      'Check --api-url (the ApprovalUrl output of the stack) and your network (proxy, VPN).',
    );
  }
  return { status, text };
}

function parseAnswer(text: string): OperatorDecisionResponse | undefined {
  try {
    const value = JSON.parse(text) as Partial<OperatorDecisionResponse> | null;
    return value && (value.status === 'DECIDED' || value.status === 'REFUSED')
      ? (value as OperatorDecisionResponse)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The default credential chain, as the SDK clients resolve it (profile, SSO, environment, instance role). */
function defaultCredentials(deps: OperatorDeps): (region: string) => Promise<AwsCredentials> {
  return async (region) => {
    const resolved = await deps.clients.sts(region).config.credentials();
    return {
      accessKeyId: resolved.accessKeyId,
      secretAccessKey: resolved.secretAccessKey,
      ...(resolved.sessionToken ? { sessionToken: resolved.sessionToken } : {}),
    };
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
        ? "Approve a pending cutover, finalize or failback approval: a SigV4-signed request to the approval service, which decides if your IAM principal is in the plan's approval.approvers"
        : 'Reject a pending approval through the approval service as your IAM principal (cutover: rollback; finalize: failback decision; failback: stay on the target)',
    )
    .argument('<approval-id>', 'the approval ID from the e-mail, the Slack message or `msk-migrate status`')
    .option(
      outcome === 'APPROVE' ? '--comment <text>' : '--reason <text>',
      outcome === 'APPROVE'
        ? 'recorded with the decision'
        : 'why: recorded with the decision and shown to the other approvers',
    )
    .option('--api-url <url>', `the approval API (the ApprovalUrl stack output; default: $${APPROVAL_URL_ENV})`)
    .option('--region <region>', 'AWS Region to sign for (default: from the URL, else $AWS_REGION)')
    .option('--json', 'print the result (or the error) as JSON')
    .addHelpText(
      'after',
      `
The decision is made by the approval service, not by this CLI: it matches your IAM principal (an IAM user, or a
role session: arn:aws:sts::ACCT:assumed-role/ROLE/SESSION) against the plan's approval.approvers (IAM user ARNs,
role ARNs, role-session ARNs), checks the deadline, accepts one decision only, audits every attempt, and alone
answers the workflow's task token. You need execute-api:Invoke on the route (MigrationOrchestrator.grantApprove);
no operator needs, or should hold, states:SendTask* on the state machine: it would bypass the approval.`,
    )
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
