import type { SlackBlock } from '../core/approval/render';

export interface ApprovalEmail {
  /** Ignored by a broadcast mailer (SNS topic). */
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/**
 * E-mail delivery. A personal mailer (SES) addresses each recipient, so each gets links signed for them; a
 * broadcast mailer (SNS e-mail, the fallback) cannot, so it gets the evidence without decision links.
 */
export interface ApprovalMailer {
  readonly personal: boolean;
  send(email: ApprovalEmail): Promise<void>;
}

export interface SlackMessageRef {
  readonly channelId: string;
  readonly ts: string;
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** The Slack Web API calls the approval makes (a bot token with chat:write, and users:read.email when e-mails are listed). */
export interface ApprovalSlack {
  post(channelId: string, message: SlackMessage): Promise<SlackMessageRef>;
  update(ref: SlackMessageRef, message: SlackMessage): Promise<void>;
  /** A message only `userId` sees (why their click was refused). */
  tellUser(channelId: string, userId: string, text: string): Promise<void>;
  /** A reply in the message's thread (the reminder), broadcast to the channel. */
  reply(ref: SlackMessageRef, text: string): Promise<void>;
  /** The user's e-mail address, when the token may read it. */
  emailOf(userId: string): Promise<string | undefined>;
}
