/**
 * One reminder per approval, before its deadline. In AWS an EventBridge Scheduler one-off schedule that invokes the
 * approval function (Step Functions' HeartbeatSeconds only fails a silent task; it sends nothing to a person);
 * locally a timer.
 */
export interface ApprovalReminders {
  schedule(approvalId: string, at: Date): Promise<void>;
  /** Idempotent: cancelling a reminder that fired or never existed is not an error. */
  cancel(approvalId: string): Promise<void>;
}

/** The event the schedule delivers to the approval function. */
export interface ApprovalReminderEvent {
  readonly source: 'msk-migration.approval-reminder';
  readonly approvalId: string;
}

export function isApprovalReminderEvent(event: unknown): event is ApprovalReminderEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { source?: unknown }).source === 'msk-migration.approval-reminder' &&
    typeof (event as { approvalId?: unknown }).approvalId === 'string'
  );
}
