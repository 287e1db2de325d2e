import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ApprovalReminderEvent, ApprovalReminders, ApprovalTimerAction } from '../../ports/approval-reminders';

export interface SchedulerApprovalRemindersOptions {
  /** The approval function, which handles the reminder event. */
  readonly targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  readonly roleArn: string;
  /** @default 'default' */
  readonly groupName?: string;
}

/** `at(...)` wants local date-time without zone or milliseconds; the zone is given separately (UTC). */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/** `msk-approval-<id>` (reminder) and `msk-approval-expire-<id>` (deadline): 64 characters at most, one IAM prefix. */
export function reminderScheduleName(approvalId: string, action: ApprovalTimerAction = 'REMIND'): string {
  return action === 'REMIND' ? `msk-approval-${approvalId}` : `msk-approval-expire-${approvalId}`;
}

/** One-off EventBridge Scheduler schedules that delete themselves after firing. */
export class SchedulerApprovalReminders implements ApprovalReminders {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: SchedulerApprovalRemindersOptions,
  ) {}

  async schedule(approvalId: string, at: Date, action: ApprovalTimerAction): Promise<void> {
    const event: ApprovalReminderEvent = { source: 'msk-migration.approval-reminder', approvalId, action };
    await this.client.send(
      new CreateScheduleCommand({
        Name: reminderScheduleName(approvalId, action),
        GroupName: this.options.groupName ?? 'default',
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description:
          action === 'REMIND'
            ? 'Reminder for a pending MSK migration approval'
            : 'Deadline of an MSK migration approval',
        Target: {
          Arn: this.options.targetArn,
          RoleArn: this.options.roleArn,
          Input: JSON.stringify(event),
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      }),
    );
  }

  async cancel(approvalId: string): Promise<void> {
    for (const action of ['REMIND', 'EXPIRE'] as const) {
      try {
        await this.client.send(
          new DeleteScheduleCommand({
            Name: reminderScheduleName(approvalId, action),
            GroupName: this.options.groupName ?? 'default',
          }),
        );
      } catch (err) {
        if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      }
    }
  }
}
