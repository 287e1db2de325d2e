import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * One pending human decision: the `.waitForTaskToken` state's token kept behind a short random approval ID, so that
 * the token never travels in a link, a button value or a log. The record lives in the approval store (DynamoDB in
 * AWS) until well after its expiry, so the audit can always say who was asked, who decided and when.
 */

/** CUTOVER and FINALIZE on the happy path; FAILBACK after the point of no return (reverse replication or stay on the target). */
export const ApprovalKindSchema = lazySchema(() => z.enum(['CUTOVER', 'FINALIZE', 'FAILBACK']));
export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;

/**
 * CLI: an operator's SigV4-signed request to the approval service's IAM-authorized route (`msk-migrate
 * approve|reject`); the approver is the caller's IAM principal, matched against the plan's IAM approvers.
 */
export const DecisionChannelSchema = lazySchema(() => z.enum(['EMAIL', 'SLACK', 'LOCAL', 'CLI']));
export type DecisionChannel = z.infer<typeof DecisionChannelSchema>;

export const DecisionOutcomeSchema = lazySchema(() => z.enum(['APPROVE', 'REJECT']));
export type DecisionOutcome = z.infer<typeof DecisionOutcomeSchema>;

/** Step Functions task tokens are at most 2,048 characters. */
export const MAX_TASK_TOKEN_LENGTH = 2048;
export const MAX_COMMENT_LENGTH = 500;

/** 16 random bytes in base64url: 22 characters, 128 bits, short enough for a link and a Slack button value. */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const ApprovalIdSchema = lazySchema(() =>
  z.string().regex(APPROVAL_ID_PATTERN, 'an approval ID is 22 base64url characters'),
);

/**
 * Who may decide: e-mail addresses (compared case-insensitively), Slack user IDs (exact) and IAM principals (user,
 * role or role-session ARNs, matched as lambdas/core/approval/iam-principal.ts says). Records written before IAM
 * approvers existed have no `iamPrincipals`: nobody decides them through the operator route.
 */
export const ApproverAllowListSchema = lazySchema(() =>
  z.object({
    emails: z.array(z.string()),
    slackUserIds: z.array(z.string()),
    iamPrincipals: z.array(z.string()).optional(),
  }),
);
export type ApproverAllowList = z.infer<typeof ApproverAllowListSchema>;

export const EvidenceLineSchema = lazySchema(() =>
  z.object({
    label: z.string(),
    value: z.string(),
    /** PASS/FAIL/WARN colour the line; INFO is neutral. */
    status: z.enum(['PASS', 'FAIL', 'WARN', 'INFO']),
  }),
);
export type EvidenceLine = z.infer<typeof EvidenceLineSchema>;

/** What a person sees before deciding. Small (a few KB): the full evidence lives in the artifact store. */
export const ApprovalEvidenceSchema = lazySchema(() =>
  z.object({
    migrationId: z.string(),
    executionName: z.string(),
    kind: ApprovalKindSchema,
    /** One sentence: what approving does. */
    question: z.string(),
    source: z.string(),
    target: z.string(),
    gates: z.array(EvidenceLineSchema),
    figures: z.array(EvidenceLineSchema),
    findingsAccepted: z.array(z.string()),
    rollbackWindow: z.string(),
    pointOfNoReturn: z.string(),
    /** Artifact keys a reviewer can open for the full data. */
    evidenceKeys: z.array(z.string()),
  }),
);
export type ApprovalEvidence = z.infer<typeof ApprovalEvidenceSchema>;

export const DecisionSchema = lazySchema(() =>
  z.object({
    /** Random per attempt: lets the attempt that claimed the record release or settle its own claim only. */
    attemptId: z.string(),
    outcome: DecisionOutcomeSchema,
    approver: z.string(),
    channel: DecisionChannelSchema,
    comment: z.string().max(MAX_COMMENT_LENGTH).optional(),
    decidedAt: z.string(),
  }),
);
export type Decision = z.infer<typeof DecisionSchema>;

/**
 * PENDING → DECIDED (the first valid decision, reported to Step Functions) or → EXPIRED (the task had timed out when
 * a decision arrived). A claim that could not be delivered for a transient reason goes back to PENDING.
 */
export const ApprovalStatusSchema = lazySchema(() => z.enum(['PENDING', 'DECIDED', 'EXPIRED']));

export const ApprovalRecordSchema = lazySchema(() =>
  z.object({
    approvalId: ApprovalIdSchema,
    kind: ApprovalKindSchema,
    executionArn: z.string(),
    migrationId: z.string(),
    executionName: z.string(),
    taskToken: z.string().min(1).max(MAX_TASK_TOKEN_LENGTH),
    createdAt: z.string(),
    expiresAt: z.string(),
    approvers: ApproverAllowListSchema,
    /** Who was told: e-mail recipients (each with a personal link) and the Slack channel. */
    notify: z.object({ emails: z.array(z.string()), slackChannelId: z.string().optional() }),
    evidence: ApprovalEvidenceSchema,
    status: ApprovalStatusSchema,
    decision: DecisionSchema.optional(),
    /** Where the Slack message is, so that it can be updated to show who decided. */
    slackMessage: z.object({ channelId: z.string(), ts: z.string() }).optional(),
    reminderAt: z.string().optional(),
    remindedAt: z.string().optional(),
  }),
);
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

/** The record as a person may see it (pages, audit): everything but the task token. */
export function withoutToken(record: ApprovalRecord): Omit<ApprovalRecord, 'taskToken'> {
  const { taskToken: _taskToken, ...rest } = record;
  return rest;
}

/** Step Functions' execution ARN ends with `:<execution name>` (Standard workflows). */
export function executionNameOf(executionArn: string): string {
  const name = executionArn.split(':').pop();
  return name && name.length > 0 ? name : executionArn;
}
