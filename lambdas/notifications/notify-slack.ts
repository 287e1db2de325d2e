import { NotificationEventSchema, notificationMessage } from '../core/observability/notification-message';
import type { ApprovalSlack } from '../ports/approval-notifier';

/**
 * EventBridge target that posts execution status changes and phase changes to one Slack channel. The bot token is
 * read from Secrets Manager (cached while warm); the channel ID comes from the environment.
 */

export interface SlackNotifyDeps {
  readonly slack: Pick<ApprovalSlack, 'post'>;
  readonly channelId: string;
}

export async function notifySlack(event: unknown, deps: SlackNotifyDeps): Promise<{ posted: boolean; ts?: string }> {
  const parsed = NotificationEventSchema.safeParse(event);
  // An event this function was not meant for (a rule edited by hand) is dropped, not retried forever.
  if (!parsed.success) return { posted: false };
  const message = notificationMessage(parsed.data);
  const ref = await deps.slack.post(deps.channelId, { text: message.text, blocks: message.blocks });
  return { posted: true, ts: ref.ts };
}
