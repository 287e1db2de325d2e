import * as z from 'zod';
import {
  alreadyDecided,
  isAllowedApprover,
  needsSlackEmailLookup,
  type Identity,
  type Refusal,
  type RefusalReason,
} from '../core/approval/decision-rules';
import {
  APPROVAL_ID_PATTERN,
  MAX_COMMENT_LENGTH,
  type ApprovalRecord,
  type DecisionOutcome,
} from '../core/approval/record';
import {
  displayTime,
  PAGE_SECURITY_HEADERS,
  renderConfirmationPage,
  renderNoticePage,
  SLACK_ACTION_APPROVE,
  SLACK_ACTION_REJECT,
  type NoticeTone,
} from '../core/approval/render';
import { RefusalAuditBudget } from '../core/approval/refusal-budget';
import {
  abortPendingApprovals,
  decide,
  refuse,
  type AbortedApproval,
  type ApprovalServices,
  type AttemptContext,
} from '../core/approval/service';
import { MIGRATION_ID } from '../core/plan/migration-plan';
import {
  formExpiry,
  signForm,
  verifyForm,
  verifyLink,
  verifySlackSignature,
  type LinkClaims,
} from '../core/approval/signing';
import type { HttpHandler, HttpRequest, HttpResponse } from './http';
import { lazySchema } from '../core/lazy-schema';

/**
 * The approval endpoint:
 * - `GET  /approvals/{id}?r&exp&sig` — the confirmation page. Decides nothing, so a mail scanner or link preview
 *   that fetches it changes nothing.
 * - `POST /approvals/{id}` — the decision from that page: the link signature and the page's form token are both
 *   verified again, then the decision rules, then the single-use claim, then the task callback.
 * - `POST /slack/interactivity` — Slack button clicks: signature over the raw body, five-minute window, allow-list.
 * - `POST /operator/approvals/{id}` — an operator's decision (`msk-migrate approve|reject`): a route with AWS_IAM
 *   authorization, so API Gateway has verified the SigV4 signature and hands over the caller's IAM principal
 *   (`HttpRequest.iamCaller`); that principal is matched against the plan's IAM approvers, then the same deadline,
 *   single-use claim, audit and task callback as the other two. JSON in, JSON out.
 * - `POST /operator/aborts` — `msk-migrate abort` (AWS_IAM authorization, granted with the abort: `grantAbort`): the
 *   execution's waiting approval, if any, is ended with Migration.Aborted (`abortPendingApprovals`) — an abort never
 *   approves, so no approver list applies; the caller's IAM principal is recorded as who aborted. JSON in, JSON out.
 *
 * Slack wants an answer within 3 s. The decision is made synchronously (one DynamoDB read, one conditional write,
 * one SendTask* call and one chat.update: well under a second when warm), because the answer to the click is only
 * honest once the task callback has succeeded; the message update is bounded by the Slack client's own timeout and
 * is best-effort (a failed update is audited, the decision stands).
 */

export interface ApprovalAppDeps extends ApprovalServices {
  /** Slack's signing secret (Secrets Manager); absent when Slack is not configured (the route then answers 404). */
  readonly slackSigningSecret?: () => Promise<string>;
}

const MAX_FORM_BYTES = 4 * 1024;
const MAX_SLACK_BYTES = 64 * 1024;
const MAX_OPERATOR_BYTES = 4 * 1024;
const EMAIL = /^[^\s@<>"'\\,;]{1,64}@[^\s@<>"'\\,;]{1,190}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;
const EPOCH = /^\d{1,12}$/;

const LinkQuery = lazySchema(() =>
  z.object({
    r: z.string().max(254).regex(EMAIL),
    exp: z.string().regex(EPOCH),
    sig: z.string().regex(SIG),
    intent: z.enum(['approve', 'reject']).optional(),
  }),
);

const DecisionForm = lazySchema(() =>
  z
    .object({
      r: z.string().max(254).regex(EMAIL),
      exp: z.string().regex(EPOCH),
      sig: z.string().regex(SIG),
      fexp: z.string().regex(EPOCH),
      ft: z.string().regex(SIG),
      decision: z.enum(['APPROVE', 'REJECT']),
      comment: z.string().max(MAX_COMMENT_LENGTH).optional(),
    })
    .strict(),
);

const SlackPayload = lazySchema(() =>
  z.object({
    type: z.string(),
    user: z.object({
      id: z.string().max(32),
      username: z.string().max(128).optional(),
      name: z.string().max(128).optional(),
    }),
    actions: z
      .array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() }))
      .max(5)
      .default([]),
    channel: z.object({ id: z.string().max(32) }).optional(),
    container: z.object({ channel_id: z.string().max(32).optional() }).optional(),
  }),
);

/** The operator route's body: what `msk-migrate approve|reject` sends. */
export const OperatorDecisionBody = lazySchema(() =>
  z
    .object({
      decision: z.enum(['APPROVE', 'REJECT']),
      comment: z.string().trim().min(1).max(MAX_COMMENT_LENGTH).optional(),
    })
    .strict(),
);
export type OperatorDecisionBody = z.infer<typeof OperatorDecisionBody>;

/** The operator route's answer (the CLI reads it). */
export type OperatorDecisionResponse =
  | {
      readonly status: 'DECIDED';
      readonly approvalId: string;
      readonly outcome: DecisionOutcome;
      readonly kind: string;
      readonly migrationId: string;
      readonly executionArn: string;
      readonly approver: string;
      readonly channel: 'CLI';
      readonly decidedAt: string;
    }
  | { readonly status: 'REFUSED'; readonly reason: RefusalReason; readonly message: string };

/** The abort route's body: what `msk-migrate abort` sends after recording the request in the lock table. */
export const OperatorAbortBody = lazySchema(() =>
  z
    .object({
      executionArn: z
        .string()
        .max(256)
        .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_.-]{1,80}$/),
      migrationId: z.string().regex(MIGRATION_ID),
      reason: z.string().trim().min(1).max(1000),
    })
    .strict(),
);
export type OperatorAbortBody = z.infer<typeof OperatorAbortBody>;

/** The abort route's answer: the approvals it ended (none when none waited). */
export type OperatorAbortResponse =
  | { readonly status: 'ABORTED'; readonly executionArn: string; readonly approvals: readonly AbortedApproval[] }
  | { readonly status: 'REFUSED'; readonly reason: RefusalReason; readonly message: string };

/** Parses `a=1&b=2` refusing repeated keys (an ambiguity an attacker could exploit between layers). */
function singleValued(raw: string): Record<string, string> | undefined {
  const params = new URLSearchParams(raw);
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (Object.prototype.hasOwnProperty.call(out, key)) return undefined;
    out[key] = value;
  }
  return out;
}

const html = (statusCode: number, body: string): HttpResponse => ({ statusCode, headers: PAGE_SECURITY_HEADERS, body });
const notice = (statusCode: number, title: string, message: string, tone: NoticeTone): HttpResponse =>
  html(statusCode, renderNoticePage(title, message, tone));
const plain = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

const json = (statusCode: number, body: OperatorDecisionResponse | OperatorAbortResponse): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const STATUS_OF: Record<RefusalReason, number> = {
  MALFORMED_REQUEST: 400,
  NOT_SIGNED: 403,
  UNKNOWN_APPROVAL: 404,
  BAD_SIGNATURE: 403,
  BAD_FORM_TOKEN: 403,
  LINK_EXPIRED: 410,
  STALE_REQUEST: 401,
  NOT_AN_APPROVER: 403,
  ALREADY_DECIDED: 409,
  APPROVAL_EXPIRED: 410,
  TASK_TIMED_OUT: 410,
  EARLIER_ATTEMPT: 410,
  DELIVERY_FAILED: 503,
};
const TITLE_OF: Record<RefusalReason, string> = {
  MALFORMED_REQUEST: 'This link is incomplete',
  NOT_SIGNED: 'Not signed',
  UNKNOWN_APPROVAL: 'Unknown approval',
  BAD_SIGNATURE: 'This link is not valid',
  BAD_FORM_TOKEN: 'This form is not valid',
  LINK_EXPIRED: 'This link has expired',
  STALE_REQUEST: 'Request too old',
  NOT_AN_APPROVER: 'You are not an approver',
  ALREADY_DECIDED: 'Already decided',
  APPROVAL_EXPIRED: 'This approval has expired',
  TASK_TIMED_OUT: 'This approval has expired',
  EARLIER_ATTEMPT: 'This request was replaced',
  DELIVERY_FAILED: 'Not recorded — try again',
};

function refusalPage(refusal: Refusal): HttpResponse {
  const tone: NoticeTone =
    refusal.reason === 'ALREADY_DECIDED' || refusal.reason === 'DELIVERY_FAILED' ? 'warn' : 'bad';
  return notice(STATUS_OF[refusal.reason], TITLE_OF[refusal.reason], refusal.message, tone);
}

const SIGNATURE_REFUSALS: Record<'BAD_SIGNATURE' | 'EXPIRED', (what: string) => Refusal> = {
  BAD_SIGNATURE: (what) => ({
    reason: what === 'form' ? 'BAD_FORM_TOKEN' : 'BAD_SIGNATURE',
    message: `The ${what}'s signature does not match: it was altered or not issued by this service. Nothing was decided.`,
  }),
  EXPIRED: (what) => ({
    reason: 'LINK_EXPIRED',
    message:
      what === 'form'
        ? 'This page was open too long. Open the link from the e-mail again to decide.'
        : 'This link has expired. Nothing was decided.',
  }),
};

export function createApprovalApp(given: ApprovalAppDeps): HttpHandler {
  // One bound on the audit of refusals per endpoint instance (lambdas/core/approval/refusal-budget.ts).
  // Not a spread: a spread reads every getter now, and the local server's baseUrl exists only once it listens.
  const deps: ApprovalAppDeps = given.refusalBudget
    ? given
    : Object.create(given, { refusalBudget: { value: new RefusalAuditBudget(), enumerable: true } });
  const nowSeconds = (): number => Math.floor(deps.now().getTime() / 1000);
  const contextOf = (req: HttpRequest): AttemptContext => ({
    ...(req.sourceIp ? { sourceIp: req.sourceIp } : {}),
    ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'].slice(0, 256) } : {}),
  });
  const safeGet = async (approvalId: string): Promise<ApprovalRecord | undefined> =>
    APPROVAL_ID_PATTERN.test(approvalId) ? deps.store.get(approvalId) : undefined;

  async function confirmationPage(req: HttpRequest, approvalId: string): Promise<HttpResponse> {
    const query = singleValued(req.rawQuery);
    const parsed = query ? LinkQuery.safeParse(query) : undefined;
    const record = await safeGet(approvalId);
    if (!parsed?.success || !APPROVAL_ID_PATTERN.test(approvalId)) {
      const refusal: Refusal = {
        reason: 'MALFORMED_REQUEST',
        message: 'The link is missing parts. Open it from the e-mail again, without editing it.',
      };
      await refuse(deps, record, refusal, { approvalId, context: contextOf(req) });
      return refusalPage(refusal);
    }
    const claims: LinkClaims = { approvalId, recipient: parsed.data.r, expires: Number(parsed.data.exp) };
    const key = await deps.signingKey();
    const check = verifyLink(key, claims, parsed.data.sig, nowSeconds());
    const identity: Identity = { channel: 'EMAIL', id: claims.recipient };
    if (check !== 'VALID') {
      const refusal = SIGNATURE_REFUSALS[check]('link');
      await refuse(deps, record, refusal, { approvalId, identity, context: contextOf(req) });
      return refusalPage(refusal);
    }
    if (!record) {
      const refusal: Refusal = { reason: 'UNKNOWN_APPROVAL', message: 'There is no approval with this ID.' };
      await refuse(deps, record, refusal, { approvalId, identity, context: contextOf(req) });
      return refusalPage(refusal);
    }
    // A view decides nothing; showing a settled or expired approval is not an attempt, so it is not audited.
    if (record.status !== 'PENDING') return refusalPage(alreadyDecided(record));
    if (deps.now().getTime() >= Date.parse(record.expiresAt))
      return refusalPage({
        reason: 'APPROVAL_EXPIRED',
        message: `This approval expired at ${displayTime(record.expiresAt)}; the workflow has taken its timeout path.`,
      });
    if (!isAllowedApprover(record.approvers, identity))
      return refusalPage({
        reason: 'NOT_AN_APPROVER',
        message: `${identity.id} receives this approval for information and is not on its approver list.`,
      });
    const fexp = formExpiry(claims.expires, nowSeconds());
    const ft = signForm(key, { ...claims, expires: fexp });
    return html(
      200,
      renderConfirmationPage(record.evidence, record.expiresAt, {
        action: encodeURIComponent(approvalId),
        approver: claims.recipient,
        fields: { r: claims.recipient, exp: String(claims.expires), sig: parsed.data.sig, fexp: String(fexp), ft },
        ...(parsed.data.intent ? { intent: parsed.data.intent } : {}),
      }),
    );
  }

  async function formDecision(req: HttpRequest, approvalId: string): Promise<HttpResponse> {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const record = await safeGet(approvalId);
    const malformed = async (message: string): Promise<HttpResponse> => {
      const refusal: Refusal = { reason: 'MALFORMED_REQUEST', message };
      await refuse(deps, record, refusal, { approvalId, context: contextOf(req) });
      return refusalPage(refusal);
    };
    if (contentType !== 'application/x-www-form-urlencoded')
      return malformed('A decision is sent by the confirmation page form only.');
    if (req.rawBody.length > MAX_FORM_BYTES)
      return malformed('The form is larger than the confirmation page ever sends.');
    const fields = singleValued(req.rawBody.toString('utf8'));
    const parsed = fields
      ? DecisionForm.safeParse({ ...fields, comment: fields.comment?.trim() || undefined })
      : undefined;
    if (!parsed?.success || !APPROVAL_ID_PATTERN.test(approvalId))
      return malformed('The form is incomplete or has fields the confirmation page never sends.');
    const form = parsed.data;
    const claims: LinkClaims = { approvalId, recipient: form.r, expires: Number(form.exp) };
    const identity: Identity = { channel: 'EMAIL', id: form.r };
    const outcome: DecisionOutcome = form.decision;
    const key = await deps.signingKey();
    const now = nowSeconds();
    const linkCheck = verifyLink(key, claims, form.sig, now);
    const formCheck =
      linkCheck === 'VALID' ? verifyForm(key, { ...claims, expires: Number(form.fexp) }, form.ft, now) : linkCheck;
    if (linkCheck !== 'VALID' || formCheck !== 'VALID') {
      const refusal = SIGNATURE_REFUSALS[
        linkCheck !== 'VALID' ? linkCheck : (formCheck as 'BAD_SIGNATURE' | 'EXPIRED')
      ](linkCheck !== 'VALID' ? 'link' : 'form');
      await refuse(deps, record, refusal, { approvalId, identity, outcome, context: contextOf(req) });
      return refusalPage(refusal);
    }
    const result = await decide(
      { approvalId, outcome, identity, ...(form.comment ? { comment: form.comment } : {}), context: contextOf(req) },
      deps,
    );
    if (result.status === 'REFUSED') return refusalPage(result.refusal);
    return outcome === 'APPROVE'
      ? notice(
          200,
          'Approved',
          `Recorded: approved by ${form.r} at ${displayTime(result.decision.decidedAt)}. The workflow continues with the ${result.record.kind === 'CUTOVER' ? 'cutover' : 'finalization'}.`,
          'ok',
        )
      : notice(
          200,
          'Rejected',
          `Recorded: rejected by ${form.r} at ${displayTime(result.decision.decidedAt)}. The workflow takes its rejection path.`,
          'bad',
        );
  }

  async function slackInteraction(req: HttpRequest): Promise<HttpResponse> {
    if (!deps.slackSigningSecret) return plain(404, 'Slack is not configured for this approval endpoint.');
    if (req.rawBody.length > MAX_SLACK_BYTES) return plain(413, 'Too large.');
    const secret = await deps.slackSigningSecret();
    const check = verifySlackSignature(
      secret,
      {
        timestamp: req.headers['x-slack-request-timestamp'],
        signature: req.headers['x-slack-signature'],
        rawBody: req.rawBody,
      },
      nowSeconds(),
    );
    // The body is read only after the check for anything but the audit of a refused request (what it claimed).
    const fields = singleValued(req.rawBody.toString('utf8'));
    let payload: z.infer<typeof SlackPayload> | undefined;
    try {
      const parsed = fields?.payload ? SlackPayload.safeParse(JSON.parse(fields.payload)) : undefined;
      payload = parsed?.success ? parsed.data : undefined;
    } catch {
      payload = undefined;
    }
    const action = payload?.actions.find(
      (a) => a.action_id === SLACK_ACTION_APPROVE || a.action_id === SLACK_ACTION_REJECT,
    );
    const approvalId = action?.value ?? '';
    const claimedIdentity: Identity | undefined = payload ? { channel: 'SLACK', id: payload.user.id } : undefined;
    if (check !== 'VALID') {
      const refusal: Refusal =
        check === 'STALE_TIMESTAMP'
          ? {
              reason: 'STALE_REQUEST',
              message: 'The Slack request timestamp is more than five minutes from now (a replay, or a clock problem).',
            }
          : {
              reason: 'BAD_SIGNATURE',
              message: `The Slack request signature is ${check === 'MISSING_HEADERS' ? 'missing' : 'wrong'}.`,
            };
      await refuse(deps, await safeGet(approvalId), refusal, {
        approvalId,
        ...(claimedIdentity ? { identity: claimedIdentity } : {}),
        context: contextOf(req),
      });
      return plain(401, 'Invalid Slack signature.');
    }
    if (!payload || payload.type !== 'block_actions' || !action) return plain(200, ''); // not ours (or not a button): acknowledged, nothing to do
    const channelId = payload.channel?.id ?? payload.container?.channel_id;
    const outcome: DecisionOutcome = action.action_id === SLACK_ACTION_APPROVE ? 'APPROVE' : 'REJECT';
    const record = await safeGet(approvalId);
    let identity: Identity & { name?: string } = {
      channel: 'SLACK',
      id: payload.user.id,
      ...(payload.user.username ? { name: payload.user.username } : {}),
    };
    if (record && deps.slack && needsSlackEmailLookup(record.approvers, identity.id)) {
      const email = await deps.slack.emailOf(identity.id).catch(() => undefined);
      if (email) identity = { ...identity, email };
    }
    const result = await decide({ approvalId, outcome, identity, context: contextOf(req) }, deps);
    if (result.status === 'REFUSED' && deps.slack && channelId) {
      await deps.slack
        .tellUser(channelId, identity.id, `Not recorded: ${result.refusal.message}`)
        .catch((err: Error) =>
          deps.warn('Could not tell the Slack user why their click was refused', { error: err.message }),
        );
    }
    return plain(200, '');
  }

  async function operatorDecision(req: HttpRequest, approvalId: string): Promise<HttpResponse> {
    const record = await safeGet(approvalId);
    const identity: Identity | undefined = req.iamCaller
      ? { channel: 'CLI', id: req.iamCaller.userArn.slice(0, 2048) }
      : undefined;
    const refused = async (refusal: Refusal, outcome?: DecisionOutcome): Promise<HttpResponse> => {
      await refuse(deps, record, refusal, {
        approvalId,
        ...(identity ? { identity } : {}),
        ...(outcome ? { outcome } : {}),
        context: contextOf(req),
      });
      return json(STATUS_OF[refusal.reason], { status: 'REFUSED', reason: refusal.reason, message: refusal.message });
    };
    // API Gateway's AWS_IAM authorization refuses an unsigned request before it gets here; this is the backstop for
    // a route deployed without it, or an event that did not come through the API.
    if (!identity)
      return refused({
        reason: 'NOT_SIGNED',
        message:
          'This route takes SigV4-signed requests only (AWS_IAM authorization): decide with `msk-migrate approve|reject`.',
      });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json')
      return refused({
        reason: 'MALFORMED_REQUEST',
        message: 'A decision is a JSON body (content-type application/json).',
      });
    if (req.rawBody.length > MAX_OPERATOR_BYTES)
      return refused({ reason: 'MALFORMED_REQUEST', message: `The body is larger than ${MAX_OPERATOR_BYTES} bytes.` });
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      return refused({ reason: 'MALFORMED_REQUEST', message: 'The body is not JSON.' });
    }
    const parsed = OperatorDecisionBody.safeParse(body);
    if (!parsed.success)
      return refused({
        reason: 'MALFORMED_REQUEST',
        message: `Expected {"decision": "APPROVE" | "REJECT", "comment"?: text of at most ${MAX_COMMENT_LENGTH} characters}; wrong at ${parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')}.`,
      });
    const outcome = parsed.data.decision;
    if (!APPROVAL_ID_PATTERN.test(approvalId))
      return refused(
        { reason: 'MALFORMED_REQUEST', message: 'An approval ID is 22 characters of A-Z, a-z, 0-9, - and _.' },
        outcome,
      );
    const result = await decide(
      {
        approvalId,
        outcome,
        identity,
        ...(parsed.data.comment ? { comment: parsed.data.comment } : {}),
        context: contextOf(req),
      },
      deps,
    );
    if (result.status === 'REFUSED')
      return json(STATUS_OF[result.refusal.reason], {
        status: 'REFUSED',
        reason: result.refusal.reason,
        message: result.refusal.message,
      });
    return json(200, {
      status: 'DECIDED',
      approvalId,
      outcome,
      kind: result.record.kind,
      migrationId: result.record.migrationId,
      executionArn: result.record.executionArn,
      approver: result.decision.approver,
      channel: 'CLI',
      decidedAt: result.decision.decidedAt,
    });
  }

  async function operatorAbort(req: HttpRequest): Promise<HttpResponse> {
    const refused = (reason: RefusalReason, message: string): HttpResponse =>
      json(STATUS_OF[reason], { status: 'REFUSED', reason, message });
    // API Gateway's AWS_IAM authorization refuses an unsigned request first; this is the backstop.
    if (!req.iamCaller)
      return refused('NOT_SIGNED', 'This route takes SigV4-signed requests only: abort with `msk-migrate abort`.');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json')
      return refused('MALFORMED_REQUEST', 'An abort is a JSON body (content-type application/json).');
    if (req.rawBody.length > MAX_OPERATOR_BYTES)
      return refused('MALFORMED_REQUEST', `The body is larger than ${MAX_OPERATOR_BYTES} bytes.`);
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      return refused('MALFORMED_REQUEST', 'The body is not JSON.');
    }
    const parsed = OperatorAbortBody.safeParse(body);
    if (!parsed.success)
      return refused(
        'MALFORMED_REQUEST',
        `Expected {"executionArn": a Step Functions execution ARN, "migrationId": the plan's migration ID, "reason": text of at most 1000 characters}; wrong at ${parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')}.`,
      );
    let approvals: AbortedApproval[];
    try {
      approvals = await abortPendingApprovals(
        { ...parsed.data, requestedBy: req.iamCaller.userArn.slice(0, 2048) },
        deps,
      );
    } catch (err) {
      deps.warn('An abort could not reach the waiting approval', {
        executionArn: parsed.data.executionArn,
        error: (err as Error).message,
      });
      return refused(
        'DELIVERY_FAILED',
        'Step Functions could not be reached, so the waiting approval was not ended. Run `msk-migrate abort` again in a minute.',
      );
    }
    return json(200, { status: 'ABORTED', executionArn: parsed.data.executionArn, approvals });
  }

  return async (req) => {
    if (/^\/operator\/aborts$/.test(req.path)) {
      if (req.method === 'POST') return operatorAbort(req);
      return {
        ...plain(405, 'Method not allowed.'),
        headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' },
      };
    }
    const operator = /^\/operator\/approvals\/([^/]+)$/.exec(req.path);
    if (operator) {
      let approvalId: string;
      try {
        approvalId = decodeURIComponent(operator[1] ?? '').slice(0, 64);
      } catch {
        approvalId = '';
      }
      if (req.method === 'POST') return operatorDecision(req, approvalId);
      return {
        ...plain(405, 'Method not allowed.'),
        headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' },
      };
    }
    const match = /\/approvals\/([^/]+)$/.exec(req.path);
    if (match) {
      let approvalId: string;
      try {
        approvalId = decodeURIComponent(match[1] ?? '').slice(0, 64);
      } catch {
        return plain(400, 'Malformed approval ID.');
      }
      if (req.method === 'GET') return confirmationPage(req, approvalId);
      if (req.method === 'POST') return formDecision(req, approvalId);
      return {
        ...plain(405, 'Method not allowed.'),
        headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, POST' },
      };
    }
    if (/\/slack\/interactivity$/.test(req.path)) {
      if (req.method === 'POST') return slackInteraction(req);
      return {
        ...plain(405, 'Method not allowed.'),
        headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' },
      };
    }
    return plain(404, 'Not found.');
  };
}
