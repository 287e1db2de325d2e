import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ApprovalEmail, ApprovalMailer } from '../../ports/approval-notifier';

export interface SesApprovalMailerOptions {
  /** A verified SES identity (address, or an address at a verified domain). */
  readonly fromAddress: string;
  /** Leave click tracking off in it: a tracking redirect would log the signed link. @default - none */
  readonly configurationSetName?: string;
}

/** SES v2 SendEmail, one message per recipient (each carries links signed for that recipient), HTML + text. */
export class SesApprovalMailer implements ApprovalMailer {
  readonly personal = true;

  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesApprovalMailerOptions,
  ) {}

  async send(email: ApprovalEmail): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.options.fromAddress,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
          },
        },
        ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
      }),
    );
  }
}

/**
 * The fallback where SES is not set up: an SNS topic with e-mail subscriptions. SNS sends the same text to every
 * subscriber and cannot address one person, so this notice carries the evidence but no decision link (a link
 * anyone on the topic could use would let them decide in someone else's name). Decisions then go through Slack.
 */
export class SnsApprovalMailer implements ApprovalMailer {
  readonly personal = false;

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async send(email: ApprovalEmail): Promise<void> {
    // SNS e-mail subjects: ASCII, at most 100 characters, no line breaks.
    const subject = email.subject.replace(/[^\x20-\x7e]/g, '').slice(0, 100);
    await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: email.text }));
  }
}
