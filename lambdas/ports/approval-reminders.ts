/**
 * Two timed events per approval: a reminder before its deadline, and the deadline itself (which settles a still
 * pending approval as expired: its Slack message shows it, the audit records it, and the task is failed with
 * Migration.ApprovalRejected in case the state's own TimeoutSeconds has not fired). In AWS, EventBridge Scheduler
 * one-off schedules that invoke the approval function (Step Functions' HeartbeatSeconds only fails a silent task;
 * it tells no person anything); locally, timers.
 */
export type ApprovalTimerAction = 'REMIND' | 'EXPIRE';

export interface ApprovalReminders {
  schedule(approvalId: string, at: Date, action: ApprovalTimerAction): Promise<void>;
  /** Cancels both timers of the approval. Idempotent: a timer that fired or never existed is not an error. */
  cancel(approvalId: string): Promise<void>;
}

/** The event a timer delivers to the approval function. */
export interface ApprovalReminderEvent {
  readonly source: 'msk-migration.approval-reminder';
  readonly approvalId: string;
  /** @default 'REMIND' */
  readonly action?: ApprovalTimerAction;
}

export function isApprovalReminderEvent(event: unknown): event is ApprovalReminderEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as { source?: unknown; approvalId?: unknown; action?: unknown };
  return (
    e.source === 'msk-migration.approval-reminder' &&
    typeof e.approvalId === 'string' &&
    (e.action === undefined || e.action === 'REMIND' || e.action === 'EXPIRE')
  );
}
