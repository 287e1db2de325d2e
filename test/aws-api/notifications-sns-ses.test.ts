import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SesApprovalMailer, SnsApprovalMailer } from '../../lambdas/adapters/aws/ses-notifier';
import { buildEvidence } from '../../lambdas/core/approval/evidence';
import { renderApprovalEmail } from '../../lambdas/core/approval/render';
import type { ApprovalEmail } from '../../lambdas/ports/approval-notifier';
import { emulatorClientConfig } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

const evidence = buildEvidence({ kind: 'CUTOVER', executionName: 'orders-2026-11-02', state: {} });
const rendered = renderApprovalEmail(evidence, '2026-11-02T12:00:00.000Z', {
  approveUrl: 'https://approvals.example.com/a?sig=abc',
  rejectUrl: 'https://approvals.example.com/r?sig=def',
});

function emailTo(to: string, subject = rendered.subject): ApprovalEmail {
  return { to, subject, html: rendered.html, text: rendered.text };
}

interface RecordedSesMessage {
  source: string;
  destinations: { ToAddresses?: string[] };
  subject: string;
  body: string;
}

describe('approval notifications against the SES v2 and SNS APIs (moto server)', () => {
  let server: MotoServer;

  beforeAll(async () => {
    server = await startMotoServer({ services: ['SES v2', 'SNS'] });
  }, 45_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** What moto's SES recorded as sent (no AWS API lists sent mail; moto's model data does). */
  async function sentMail(): Promise<RecordedSesMessage[]> {
    const data = await server.modelData();
    return (data.ses?.Message ?? []) as unknown as RecordedSesMessage[];
  }

  describe('SesApprovalMailer', () => {
    let ses: SESv2Client;

    beforeAll(async () => {
      ses = new SESv2Client(emulatorClientConfig(server));
      await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'migrations@example.com' }));
      await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'platform.example.org' }));
    });

    afterAll(() => ses?.destroy());

    it('sends one message per recipient from the verified address, with the rendered subject and HTML', async () => {
      // Prepare
      const mailer = new SesApprovalMailer(ses, { fromAddress: 'migrations@example.com' });
      const before = (await sentMail()).length;

      // Act
      await mailer.send(emailTo('alice@example.com'));
      await mailer.send(emailTo('bob@example.com'));

      // Assess
      const sent = (await sentMail()).slice(before);
      expect(sent.map((m) => [m.source, m.destinations.ToAddresses, m.subject])).toEqual([
        ['migrations@example.com', ['alice@example.com'], rendered.subject],
        ['migrations@example.com', ['bob@example.com'], rendered.subject],
      ]);
      // moto keeps one body per message, the HTML part when there is one.
      expect(sent[0]?.body).toBe(rendered.html);
      expect(sent[0]?.body).toContain('https://approvals.example.com/a?sig=abc');
    });

    it('sends from any address at a verified domain identity', async () => {
      const mailer = new SesApprovalMailer(ses, { fromAddress: 'no-reply@platform.example.org' });
      const before = (await sentMail()).length;

      await mailer.send(emailTo('carol@example.com'));

      expect((await sentMail()).slice(before)).toEqual([
        expect.objectContaining({
          source: 'no-reply@platform.example.org',
          destinations: { ToAddresses: ['carol@example.com'] },
        }),
      ]);
    });

    it('is refused by SES with MessageRejected when the sender is not a verified identity, and nothing is sent', async () => {
      const mailer = new SesApprovalMailer(ses, { fromAddress: 'migrations@unverified.example.net' });
      const before = (await sentMail()).length;

      await expect(mailer.send(emailTo('alice@example.com'))).rejects.toMatchObject({
        name: 'MessageRejected',
        message: expect.stringContaining('migrations@unverified.example.net'),
      });

      expect(await sentMail()).toHaveLength(before);
    });
  });

  describe('SnsApprovalMailer', () => {
    let sns: SNSClient;
    let topicArn: string;

    beforeAll(async () => {
      sns = new SNSClient(emulatorClientConfig(server));
      topicArn = (await sns.send(new CreateTopicCommand({ Name: 'msk-migration-notifications' }))).TopicArn ?? '';
      await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'platform-team@example.com' }),
      );
    });

    afterAll(() => sns?.destroy());

    /** What moto's SNS recorded as published to the topic: [message ID, message, subject, attributes, group ID]. */
    async function published(): Promise<Array<{ message: string; subject: string }>> {
      const topics = ((await server.modelData()).sns?.Topic ?? []) as Array<{
        arn: string;
        sent_notifications: Array<[string, string, string, unknown, unknown]>;
      }>;
      const topic = topics.find((t) => t.arn === topicArn);
      return (topic?.sent_notifications ?? []).map(([, message, subject]) => ({ message, subject }));
    }

    it('publishes the text part to the topic under an e-mail-safe subject: ASCII only, at most 100 characters', async () => {
      // Prepare
      const mailer = new SnsApprovalMailer(sns, topicArn);
      const withoutLinks = renderApprovalEmail(evidence, '2026-11-02T12:00:00.000Z', undefined);
      const subject = `${withoutLinks.subject} — naïve ✓ ${'x'.repeat(120)}`;

      // Act
      await mailer.send({ to: 'ignored@example.com', subject, html: withoutLinks.html, text: withoutLinks.text });

      // Assess
      const [notification, ...more] = await published();
      expect(more).toHaveLength(0);
      expect(notification?.message).toBe(withoutLinks.text);
      expect(notification?.subject).toHaveLength(100);
      expect(notification?.subject).toMatch(/^[\x20-\x7e]+$/);
      expect(notification?.subject.startsWith(`${withoutLinks.subject}  nave  x`)).toBe(true);
    });

    it('fails with NotFound when the topic does not exist', async () => {
      const mailer = new SnsApprovalMailer(sns, 'arn:aws:sns:us-east-1:123456789012:no-such-topic');

      await expect(mailer.send(emailTo('alice@example.com'))).rejects.toMatchObject({ name: 'NotFoundException' });
    });
  });
});
