import { randomBytes } from 'node:crypto';
import { InputInvalidError, TransientError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { ApprovalMailer, ApprovalSlack } from '../../ports/approval-notifier';
import type { ApprovalReminders } from '../../ports/approval-reminders';
import type { ApprovalStore } from '../../ports/approval-store';
import type { CallbackDelivery, TaskCallback } from '../../ports/task-callback';
import { auditKey, currentRequestKey, requestKey, approvalPrefix, type AuditEntry } from './audit';
import { alreadyDecided, judgeDecisionAttempt, reminderTime, type Identity, type Refusal } from './decision-rules';
import { allowListFromPlan, buildEvidence, type ApprovalPlan } from './evidence';
import {
  executionNameOf,
  withoutToken,
  type ApprovalKind,
  type ApprovalRecord,
  type Decision,
  type DecisionOutcome,
} from './record';
import { displayTime, renderApprovalEmail, renderSlackRequest, renderSlackSettled } from './render';
import type { RefusalAuditBudget } from './refusal-budget';
import { signLink } from './signing';

/**
 * The approval's use cases, over ports: request (store the token, notify), remind, decide (verify-then-claim-then-
 * callback), and audit every step. The HTTP layer verifies signatures and calls these; the task module calls
 * `requestApproval`.
 */

export interface ApprovalServices {
  readonly store: ApprovalStore;
  readonly artifacts: ArtifactStore;
  readonly callback: TaskCallback;
  /** Absent when neither SES nor the SNS fallback is configured. */
  readonly mailer?: ApprovalMailer;
  /** Absent when no Slack bot token is configured. */
  readonly slack?: ApprovalSlack;
  readonly reminders?: ApprovalReminders;
  /** The link-signing key (Secrets Manager, cached by the adapter). */
  readonly signingKey: () => Promise<string>;
  /** Public base URL of the approval endpoint, without a trailing slash. */
  readonly baseUrl: string;
  readonly now: () => Date;
  readonly newId?: () => string;
  /** Where non-fatal problems go (a logger); never given a token or a secret. */
  readonly warn: (message: string, details?: Record<string, unknown>) => void;
  /** Told once a decision reached the task (metrics: how long people take to decide). */
  readonly onDecided?: (kind: ApprovalKind, waitedSeconds: number) => void;
  /**
   * The bound on the audit of refusals (the endpoint makes one per instance: lambdas/approval/app.ts). Absent: every
   * refusal is written one by one.
   */
  readonly refusalBudget?: RefusalAuditBudget;
}

export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

const suffix = (): string => randomBytes(4).toString('hex');

export async function writeAudit(
  services: Pick<ApprovalServices, 'artifacts' | 'warn'>,
  entry: AuditEntry,
  record: ApprovalRecord | undefined,
): Promise<string | undefined> {
  const key = auditKey(entry, record, suffix());
  try {
    await services.artifacts.putJson(key, entry);
    return key;
  } catch (err) {
    // The audit must not turn a correct refusal into a 500; the failure is logged with the entry (no secrets in it).
    services.warn('Could not write the approval audit entry', { key, entry, error: (err as Error).message });
    return undefined;
  }
}

export interface ApprovalLinkSet {
  readonly approveUrl: string;
  readonly rejectUrl: string;
}

export function approvalLinks(
  baseUrl: string,
  key: string,
  approvalId: string,
  recipient: string,
  expires: number,
): ApprovalLinkSet {
  const sig = signLink(key, { approvalId, recipient, expires });
  const base = `${baseUrl}/approvals/${encodeURIComponent(approvalId)}?r=${encodeURIComponent(recipient)}&exp=${expires}&sig=${sig}`;
  return { approveUrl: `${base}&intent=approve`, rejectUrl: `${base}&intent=reject` };
}

const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

async function sendEmails(
  record: ApprovalRecord,
  services: ApprovalServices,
  reminder: boolean,
): Promise<{ sent: number; failed: string[] }> {
  const mailer = services.mailer;
  if (!mailer || record.notify.emails.length === 0) return { sent: 0, failed: [] };
  if (!mailer.personal) {
    const email = renderApprovalEmail(record.evidence, record.expiresAt, undefined, reminder);
    try {
      await mailer.send({ to: '', ...email });
      return { sent: 1, failed: [] };
    } catch (err) {
      services.warn('The approval notice could not be published', {
        approvalId: record.approvalId,
        error: (err as Error).message,
      });
      return { sent: 0, failed: ['broadcast'] };
    }
  }
  const key = await services.signingKey();
  let sent = 0;
  const failed: string[] = [];
  for (const recipient of record.notify.emails) {
    const links = approvalLinks(services.baseUrl, key, record.approvalId, recipient, epochSeconds(record.expiresAt));
    try {
      await mailer.send({ to: recipient, ...renderApprovalEmail(record.evidence, record.expiresAt, links, reminder) });
      sent += 1;
    } catch (err) {
      services.warn('An approval e-mail could not be sent', {
        approvalId: record.approvalId,
        recipient,
        error: (err as Error).message,
      });
      failed.push(recipient);
    }
  }
  return { sent, failed };
}

export interface ApprovalRequestParams {
  readonly taskToken: string;
  readonly executionArn: string;
  readonly kind: ApprovalKind;
  readonly plan: ApprovalPlan;
  /** The whole execution state (evidence source). */
  readonly state: unknown;
}

export interface ApprovalRequested {
  readonly approvalId: string;
  readonly expiresAt: string;
  readonly emailsSent: number;
  readonly slackPosted: boolean;
  readonly reminderAt?: string;
  readonly requestKey: string;
}

export async function requestApproval(
  params: ApprovalRequestParams,
  services: ApprovalServices,
): Promise<ApprovalRequested> {
  const slackChannelId = params.plan.slack?.channelId;
  if (params.plan.email.length === 0 && !slackChannelId) {
    throw new InputInvalidError(
      'approval.email and approval.slack.channelId are both empty: nobody could be asked. List at least one recipient or a channel.',
    );
  }
  const now = services.now();
  const expiresAt = new Date(now.getTime() + params.plan.timeoutMinutes * 60_000);
  const executionName = executionNameOf(params.executionArn);
  const evidence = buildEvidence({ kind: params.kind, executionName, state: params.state });
  const remindAt = reminderTime(now, expiresAt);
  const record: ApprovalRecord = {
    approvalId: (services.newId ?? newApprovalId)(),
    kind: params.kind,
    executionArn: params.executionArn,
    migrationId: evidence.migrationId,
    executionName,
    taskToken: params.taskToken,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    approvers: allowListFromPlan(params.plan),
    notify: { emails: [...params.plan.email], ...(slackChannelId ? { slackChannelId } : {}) },
    evidence,
    status: 'PENDING',
    ...(remindAt ? { reminderAt: remindAt.toISOString() } : {}),
  };
  await services.store.create(record);
  const key = requestKey(record);
  await services.artifacts.putJson(key, withoutToken(record));

  // The timers first: a reminder or deadline that cannot be scheduled fails the attempt (Migration.Transient, retried
  // by the state with a fresh token) before anyone is asked, so an approval never waits without its own deadline.
  if (services.reminders) {
    const timers = [...(remindAt ? [[remindAt, 'REMIND'] as const] : []), [expiresAt, 'EXPIRE'] as const];
    for (const [at, action] of timers) {
      try {
        await services.reminders.schedule(record.approvalId, at, action);
      } catch (err) {
        throw new TransientError(
          `The approval ${action === 'EXPIRE' ? 'deadline' : 'reminder'} for ${record.migrationId} could not be scheduled: ${(err as Error).message}. The approval state retries with a new request.`,
          { approvalId: record.approvalId, action },
        );
      }
    }
  }
  // The newest request of this approval state: a link from an earlier attempt is told so (decide, TASK_GONE).
  await services.artifacts.putJson(currentRequestKey(record), {
    approvalId: record.approvalId,
    createdAt: record.createdAt,
  });

  const emails = await sendEmails(record, services, false);
  let slackPosted = false;
  if (slackChannelId && services.slack) {
    try {
      const ref = await services.slack.post(
        slackChannelId,
        renderSlackRequest(evidence, record.approvalId, record.expiresAt),
      );
      await services.store.setSlackMessage(record.approvalId, ref);
      slackPosted = true;
    } catch (err) {
      services.warn('The Slack approval message could not be posted', {
        approvalId: record.approvalId,
        channelId: slackChannelId,
        error: (err as Error).message,
      });
    }
  } else if (slackChannelId) {
    services.warn('The plan names a Slack channel but no Slack bot token is configured', {
      approvalId: record.approvalId,
    });
  }
  if (emails.sent === 0 && !slackPosted) {
    // Nobody was told: waiting would only run into the timeout. A retry of the task makes a fresh approval.
    throw new TransientError(
      `No approval message could be delivered for ${record.migrationId} (e-mail failures: ${emails.failed.join(', ') || 'none configured'}; Slack: ${slackChannelId ? 'failed' : 'not configured'}).`,
    );
  }
  await writeAudit(
    services,
    {
      event: 'REQUESTED',
      at: record.createdAt,
      approvalId: record.approvalId,
      kind: record.kind,
      executionArn: record.executionArn,
      message: `Approval requested from ${emails.sent} e-mail recipient(s)${slackPosted ? ` and Slack channel ${slackChannelId}` : ''}; decide before ${displayTime(record.expiresAt)}.`,
      details: { approvers: record.approvers, emailFailures: emails.failed, reminderAt: record.reminderAt },
    },
    record,
  );
  return {
    approvalId: record.approvalId,
    expiresAt: record.expiresAt,
    emailsSent: emails.sent,
    slackPosted,
    ...(record.reminderAt ? { reminderAt: record.reminderAt } : {}),
    requestKey: key,
  };
}

export type ReminderResult = 'SENT' | 'SKIPPED';

/** Fired by the scheduled reminder: only a PENDING, unexpired, not-yet-reminded approval is reminded. */
export async function sendReminder(approvalId: string, services: ApprovalServices): Promise<ReminderResult> {
  const record = await services.store.get(approvalId);
  const now = services.now();
  if (!record || record.status !== 'PENDING' || now.getTime() >= Date.parse(record.expiresAt)) return 'SKIPPED';
  if (!(await services.store.markReminded(approvalId, now.toISOString()))) return 'SKIPPED';
  const emails = await sendEmails(record, services, true);
  let slack = false;
  if (record.slackMessage && services.slack) {
    try {
      await services.slack.reply(
        record.slackMessage,
        `⏰ Reminder: this ${record.kind.toLowerCase()} approval needs a decision before ${displayTime(record.expiresAt)}. With no decision the workflow takes its rejection path.`,
      );
      slack = true;
    } catch (err) {
      services.warn('The Slack reminder could not be posted', { approvalId, error: (err as Error).message });
    }
  }
  await writeAudit(
    services,
    {
      event: 'REMINDED',
      at: now.toISOString(),
      approvalId,
      kind: record.kind,
      executionArn: record.executionArn,
      message: `Reminder sent to ${emails.sent} e-mail recipient(s)${slack ? ' and the Slack thread' : ''}.`,
    },
    record,
  );
  return 'SENT';
}

export type ExpiryResult = 'EXPIRED' | 'SKIPPED';

/**
 * Fired at the deadline: a still pending approval becomes EXPIRED, its Slack message says so, the audit records it,
 * and the task is failed with Migration.ApprovalRejected (TASK_GONE when the state's TimeoutSeconds already fired,
 * which is the normal case: the task started before the approval was stored, so its timeout comes first).
 */
export async function expireApproval(approvalId: string, services: ApprovalServices): Promise<ExpiryResult> {
  const record = await services.store.get(approvalId);
  const now = services.now();
  if (!record || record.status !== 'PENDING' || now.getTime() < Date.parse(record.expiresAt)) return 'SKIPPED';
  if (!(await services.store.expirePending(approvalId))) return 'SKIPPED';
  const cause = {
    approved: false,
    approvalId,
    kind: record.kind,
    timedOut: true,
    expiresAt: record.expiresAt,
    auditPrefix: approvalPrefix(record),
    message: `No decision before ${displayTime(record.expiresAt)}.`,
  };
  let delivery: string;
  try {
    delivery = await services.callback.fail(record.taskToken, 'Migration.ApprovalRejected', JSON.stringify(cause));
  } catch (err) {
    delivery = `FAILED (${(err as Error).message})`;
  }
  const expired = { ...record, status: 'EXPIRED' as const };
  await showOnSlack(services, expired, 'EXPIRED');
  await writeAudit(
    services,
    {
      event: 'EXPIRED',
      at: now.toISOString(),
      approvalId,
      kind: record.kind,
      executionArn: record.executionArn,
      message: `No decision before ${displayTime(record.expiresAt)}: the workflow takes its rejection path; the evidence stays under this prefix.`,
      details: { callback: delivery },
    },
    expired,
  );
  return 'EXPIRED';
}

export interface AttemptContext {
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

export interface DecisionAttempt {
  readonly approvalId: string;
  readonly outcome: DecisionOutcome;
  readonly identity: Identity & { readonly name?: string };
  readonly comment?: string;
  readonly context: AttemptContext;
}

export type DecideResult =
  | { readonly status: 'DECIDED'; readonly record: ApprovalRecord; readonly decision: Decision }
  | { readonly status: 'REFUSED'; readonly refusal: Refusal; readonly record: ApprovalRecord | undefined };

/**
 * Audits a refusal (signature, expiry, allow-list, …) and returns it, for the HTTP layer's response. Over the
 * refusal budget's limit for the window, the refusal is counted into the window's summary instead of written.
 */
export async function refuse(
  services: Pick<ApprovalServices, 'artifacts' | 'warn' | 'now' | 'refusalBudget'>,
  record: ApprovalRecord | undefined,
  refusal: Refusal,
  attempt: Partial<Pick<DecisionAttempt, 'approvalId' | 'outcome' | 'identity' | 'context'>>,
): Promise<DecideResult> {
  const at = services.now();
  const admission = services.refusalBudget?.admit(at, record) ?? { write: 'ENTRY' as const };
  if (admission.write === 'SUMMARY') {
    const { perWindow, windowSeconds } = services.refusalBudget!.limits;
    const entry: AuditEntry = {
      event: 'REFUSALS_COUNTED',
      at: at.toISOString(),
      ...(record ? { approvalId: record.approvalId, kind: record.kind, executionArn: record.executionArn } : {}),
      message: `${admission.dropped} more refused attempt(s) since ${admission.windowStart}, counted but not audited one by one (the audit keeps ${perWindow} per ${windowSeconds} s per endpoint instance).`,
      details: { windowStart: admission.windowStart, counted: admission.dropped, perWindow, windowSeconds },
    };
    if (admission.first)
      services.warn('Refused approval attempts over the audit limit: counted, not written one by one', {
        windowStart: admission.windowStart,
        perWindow,
      });
    try {
      await services.artifacts.putJson(admission.key, entry);
    } catch (err) {
      services.warn('Could not write the count of refused approval attempts', {
        key: admission.key,
        error: (err as Error).message,
      });
    }
    return { status: 'REFUSED', refusal, record };
  }
  await writeAudit(
    services,
    {
      event: 'REFUSED',
      at: at.toISOString(),
      ...(attempt.approvalId ? { approvalId: attempt.approvalId.slice(0, 64) } : {}),
      ...(record ? { kind: record.kind, executionArn: record.executionArn } : {}),
      ...(attempt.identity ? { channel: attempt.identity.channel, actor: attempt.identity.id.slice(0, 254) } : {}),
      ...(attempt.identity?.name ? { actorName: attempt.identity.name } : {}),
      ...(attempt.identity?.email ? { actorEmail: attempt.identity.email } : {}),
      ...(attempt.outcome ? { outcome: attempt.outcome } : {}),
      reason: refusal.reason,
      message: refusal.message,
      ...attempt.context,
    },
    record,
  );
  return { status: 'REFUSED', refusal, record };
}

async function showOnSlack(
  services: ApprovalServices,
  record: ApprovalRecord,
  settled: Decision | 'EXPIRED',
): Promise<void> {
  if (!record.slackMessage || !services.slack) return;
  try {
    await services.slack.update(
      record.slackMessage,
      renderSlackSettled(record.evidence, record.approvalId, record.expiresAt, settled),
    );
  } catch (err) {
    // The decision stands; only its display in Slack is stale. Audited so the report shows it.
    services.warn('The Slack approval message could not be updated', {
      approvalId: record.approvalId,
      error: (err as Error).message,
    });
    await writeAudit(
      services,
      {
        event: 'MESSAGE_UPDATE_FAILED',
        at: services.now().toISOString(),
        approvalId: record.approvalId,
        message: `Slack chat.update failed: ${(err as Error).message}`,
      },
      record,
    );
  }
}

/** What the waiting state receives: SendTaskSuccess output, or the cause of Migration.ApprovalRejected. */
export function decisionPayload(
  record: ApprovalRecord,
  decision: Decision,
  approverName?: string,
): Record<string, unknown> {
  return {
    approved: decision.outcome === 'APPROVE',
    approvalId: record.approvalId,
    kind: record.kind,
    approver: decision.approver,
    ...(approverName ? { approverName } : {}),
    channel: decision.channel,
    ...(decision.comment ? { comment: decision.comment } : {}),
    decidedAt: decision.decidedAt,
    auditPrefix: approvalPrefix(record),
  };
}

/**
 * Decides an approval whose request was already authenticated (signature checked by the caller). The store's
 * conditional claim makes it single-use; the task callback is sent only by the attempt that won the claim.
 */
export async function decide(attempt: DecisionAttempt, services: ApprovalServices): Promise<DecideResult> {
  const record = await services.store.get(attempt.approvalId);
  const now = services.now();
  const refusal = judgeDecisionAttempt(record, attempt.identity, now);
  if (refusal || !record)
    return refuse(
      services,
      record,
      refusal ?? { reason: 'UNKNOWN_APPROVAL', message: 'There is no approval with this ID.' },
      attempt,
    );

  const decision: Decision = {
    attemptId: randomBytes(8).toString('hex'),
    outcome: attempt.outcome,
    approver: attempt.identity.id,
    channel: attempt.identity.channel,
    ...(attempt.comment ? { comment: attempt.comment } : {}),
    decidedAt: now.toISOString(),
  };
  const claim = await services.store.claim(record.approvalId, decision);
  if (!claim.claimed) {
    const current = claim.current ?? record;
    return refuse(
      services,
      current,
      current.status === 'PENDING'
        ? { reason: 'ALREADY_DECIDED', message: 'Another decision is being recorded right now; reload in a moment.' }
        : alreadyDecided(current),
      attempt,
    );
  }

  const payload = decisionPayload(record, decision, attempt.identity.name);
  let delivery;
  try {
    delivery =
      decision.outcome === 'APPROVE'
        ? await services.callback.succeed(record.taskToken, payload)
        : await services.callback.fail(
            record.taskToken,
            'Migration.ApprovalRejected',
            JSON.stringify({
              ...payload,
              message: `Rejected by ${decision.approver}${decision.comment ? `: ${decision.comment}` : ''}`,
            }),
          );
  } catch (err) {
    services.warn('The task callback failed; the claim is released so the approval can be decided again', {
      approvalId: record.approvalId,
      error: (err as Error).message,
    });
    await services.store.release(record.approvalId, decision.attemptId);
    return refuse(
      services,
      record,
      {
        reason: 'DELIVERY_FAILED',
        message: 'Step Functions could not be reached, so nothing was decided. Try again in a minute.',
      },
      attempt,
    );
  }
  if (delivery === 'TASK_GONE') {
    await services.store.markExpired(record.approvalId, decision.attemptId);
    const expired = { ...record, status: 'EXPIRED' as const };
    await showOnSlack(services, expired, 'EXPIRED');
    const current = await services.artifacts
      .getJson<{ approvalId?: string; createdAt?: string }>(currentRequestKey(record))
      .catch(() => undefined);
    if (current?.approvalId && current.approvalId !== record.approvalId)
      return refuse(
        services,
        expired,
        {
          reason: 'EARLIER_ATTEMPT',
          message: `This request belongs to an earlier attempt of the ${record.kind.toLowerCase()} approval: the workflow asked again (request ${current.approvalId}${current.createdAt ? `, sent ${displayTime(current.createdAt)}` : ''}) and no longer waits for this one, so nothing was decided. Use the newest request.`,
        },
        attempt,
      );
    return refuse(
      services,
      expired,
      {
        reason: 'TASK_TIMED_OUT',
        message: `The workflow had already stopped waiting for this approval (deadline ${displayTime(record.expiresAt)}), so nothing was decided. The timeout took the rejection path.`,
      },
      attempt,
    );
  }

  const decided: ApprovalRecord = { ...record, status: 'DECIDED', decision };
  await writeAudit(
    services,
    {
      event: 'DECIDED',
      at: decision.decidedAt,
      approvalId: record.approvalId,
      kind: record.kind,
      executionArn: record.executionArn,
      channel: decision.channel,
      actor: decision.approver,
      ...(attempt.identity.name ? { actorName: attempt.identity.name } : {}),
      ...(attempt.identity.email ? { actorEmail: attempt.identity.email } : {}),
      outcome: decision.outcome,
      ...(decision.comment ? { comment: decision.comment } : {}),
      message: `${decision.outcome === 'APPROVE' ? 'Approved' : 'Rejected'} by ${decision.approver} via ${decision.channel}.`,
      ...attempt.context,
    },
    record,
  );
  services.onDecided?.(
    record.kind,
    Math.max(0, Math.round((Date.parse(decision.decidedAt) - Date.parse(record.createdAt)) / 1000)),
  );
  await showOnSlack(services, decided, decision);
  if (services.reminders) {
    await services.reminders.cancel(record.approvalId).catch((err: Error) =>
      services.warn('The approval reminder could not be cancelled', {
        approvalId: record.approvalId,
        error: err.message,
      }),
    );
  }
  return { status: 'DECIDED', record: decided, decision };
}

/** An operator's abort as the approval service receives it (`msk-migrate abort`, the IAM-authorized operator route). */
export interface ApprovalAbort {
  readonly executionArn: string;
  /** The execution's migration ID (from its input): where its approval requests are filed. */
  readonly migrationId: string;
  /** The caller's IAM principal, as API Gateway verified it. */
  readonly requestedBy: string;
  readonly reason: string;
}

export interface AbortedApproval {
  readonly approvalId: string;
  readonly kind: ApprovalKind;
  /** ABORTED: the waiting state got Migration.Aborted. TASK_GONE: it no longer waited (timed out, or stopped). */
  readonly outcome: 'ABORTED' | 'TASK_GONE';
}

/** The error a waiting approval state receives when its execution is aborted (`$.error.Error` in its Catch). */
export const APPROVAL_ABORTED_ERROR = 'Migration.Aborted';

/**
 * Ends the approval an aborted execution is waiting for: the newest request of each approval state of the execution
 * (`current-<kind>.json`) that is still PENDING is claimed (single-use, as a decision: a person's later click is told
 * it was settled), its task gets SendTaskFailure with Migration.Aborted naming who asked and why, the audit records
 * ABORTED, the Slack message shows it settled and its timers are cancelled. Nothing else: an abort never approves,
 * and an approval of another execution is never touched (the record's execution ARN must match). Idempotent: a second
 * call finds nothing PENDING.
 */
export async function abortPendingApprovals(
  abort: ApprovalAbort,
  services: ApprovalServices,
): Promise<AbortedApproval[]> {
  const executionName = executionNameOf(abort.executionArn);
  const aborted: AbortedApproval[] = [];
  for (const kind of ['CUTOVER', 'FINALIZE', 'FAILBACK'] as const) {
    const current = await services.artifacts.getJson<{ approvalId?: string }>(
      currentRequestKey({ migrationId: abort.migrationId, executionName, kind }),
    );
    if (!current?.approvalId) continue;
    const record = await services.store.get(current.approvalId);
    if (!record || record.status !== 'PENDING' || record.executionArn !== abort.executionArn) continue;
    const now = services.now();
    const decision: Decision = {
      attemptId: randomBytes(8).toString('hex'),
      outcome: 'REJECT',
      approver: abort.requestedBy,
      channel: 'CLI',
      comment: `Aborted: ${abort.reason}`.slice(0, 500),
      decidedAt: now.toISOString(),
    };
    const claim = await services.store.claim(record.approvalId, decision);
    if (!claim.claimed) continue;
    const message = `${abort.requestedBy} asked to abort execution ${abort.executionArn} at ${decision.decidedAt}: ${abort.reason} The ${kind.toLowerCase()} approval was ended without a decision; the workflow takes its abort path from here.`;
    let delivery: CallbackDelivery;
    try {
      delivery = await services.callback.fail(
        record.taskToken,
        APPROVAL_ABORTED_ERROR,
        JSON.stringify({
          approved: false,
          aborted: true,
          approvalId: record.approvalId,
          kind,
          requestedBy: abort.requestedBy,
          reason: abort.reason,
          auditPrefix: approvalPrefix(record),
          message,
        }),
      );
    } catch (err) {
      // Nothing was delivered: the approval waits on, decidable again; the caller sees the error and may retry.
      await services.store.release(record.approvalId, decision.attemptId);
      throw err;
    }
    if (delivery === 'TASK_GONE') await services.store.markExpired(record.approvalId, decision.attemptId);
    const settled: ApprovalRecord = { ...record, status: delivery === 'TASK_GONE' ? 'EXPIRED' : 'DECIDED', decision };
    await writeAudit(
      services,
      {
        event: 'ABORTED',
        at: decision.decidedAt,
        approvalId: record.approvalId,
        kind,
        executionArn: record.executionArn,
        channel: 'CLI',
        actor: abort.requestedBy,
        comment: abort.reason.slice(0, 500),
        message:
          delivery === 'TASK_GONE'
            ? `${abort.requestedBy} aborted the execution; the approval state no longer waited (timed out or stopped).`
            : message,
      },
      settled,
    );
    await showOnSlack(services, settled, delivery === 'TASK_GONE' ? 'EXPIRED' : decision);
    if (services.reminders)
      await services.reminders.cancel(record.approvalId).catch((err: Error) =>
        services.warn('The approval reminder could not be cancelled', {
          approvalId: record.approvalId,
          error: err.message,
        }),
      );
    aborted.push({
      approvalId: record.approvalId,
      kind,
      outcome: delivery === 'TASK_GONE' ? 'TASK_GONE' : 'ABORTED',
    });
  }
  return aborted;
}
