import { LogLevel, WebClient } from '@slack/web-api';
import type { ApprovalSlack, SlackMessage, SlackMessageRef } from '../../ports/approval-notifier';

export interface SlackApprovalNotifierOptions {
  /** The bot token (xoxb-…), read from Secrets Manager. */
  readonly token: () => Promise<string>;
  /** Web API base URL, for tests and proxies. @default 'https://slack.com/api/' */
  readonly slackApiUrl?: string;
  /** Per-call timeout; keeps the interactivity answer inside Slack's 3 s. @default 2000 */
  readonly timeoutMs?: number;
}

/** chat.postMessage / chat.update / chat.postEphemeral / users.info through @slack/web-api. */
export class SlackApprovalNotifier implements ApprovalSlack {
  private client: { token: string; web: WebClient } | undefined;

  constructor(private readonly options: SlackApprovalNotifierOptions) {}

  private async web(): Promise<WebClient> {
    const token = await this.options.token();
    if (this.client?.token !== token) {
      this.client = {
        token,
        web: new WebClient(token, {
          ...(this.options.slackApiUrl ? { slackApiUrl: this.options.slackApiUrl } : {}),
          timeout: this.options.timeoutMs ?? 2000,
          retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 300 },
          logLevel: LogLevel.ERROR,
        }),
      };
    }
    return this.client.web;
  }

  async post(channelId: string, message: SlackMessage): Promise<SlackMessageRef> {
    const out = await (
      await this.web()
    ).chat.postMessage({
      channel: channelId,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!out.ts) throw new Error(`chat.postMessage to ${channelId} returned no message timestamp.`);
    return { channelId: out.channel ?? channelId, ts: out.ts };
  }

  async update(ref: SlackMessageRef, message: SlackMessage): Promise<void> {
    await (
      await this.web()
    ).chat.update({ channel: ref.channelId, ts: ref.ts, text: message.text, blocks: message.blocks });
  }

  async tellUser(channelId: string, userId: string, text: string): Promise<void> {
    await (await this.web()).chat.postEphemeral({ channel: channelId, user: userId, text });
  }

  async reply(ref: SlackMessageRef, text: string): Promise<void> {
    await (
      await this.web()
    ).chat.postMessage({ channel: ref.channelId, thread_ts: ref.ts, text, reply_broadcast: true });
  }

  async emailOf(userId: string): Promise<string | undefined> {
    const out = await (await this.web()).users.info({ user: userId });
    return out.user?.profile?.email ?? undefined;
  }
}
