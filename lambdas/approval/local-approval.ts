import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { SlackApprovalNotifier } from '../adapters/aws/slack-notifier';
import { LocalTaskCallback } from '../adapters/local/local-approval-callback';
import { OutboxApprovalMailer, TimerApprovalReminders } from '../adapters/local/local-approval-notifiers';
import { MemoryApprovalStore } from '../adapters/local/memory-approval-store';
import { expireApproval, sendReminder } from '../core/approval/service';
import type { ArtifactStore } from '../ports/artifact-store';
import { createApprovalApp, type ApprovalAppDeps } from './app';
import { startApprovalServer, type ApprovalServer, type LocalIamAuthorization } from './local-server';

/**
 * The approval endpoint for the local rehearsal: the same handler on 127.0.0.1, a file-backed store, e-mails in
 * an outbox folder (open the .html, follow the link: the same confirmation page as in AWS), the local task
 * callback the runner awaits, timers for the reminder and the deadline. Slack only when given a (test) API URL.
 *
 *   const local = await startLocalApproval({ artifacts, workDir });
 *   const requested = await runRequestApproval(input, local.services);   // the CutoverApproval state
 *   const result = await local.callback.waitFor(input.taskToken);        // SUCCESS or FAILURE
 */
export interface LocalApprovalOptions {
  readonly artifacts: ArtifactStore;
  /** Holds `approvals.json` (the store) and `outbox/` (the e-mails). @default - memory only */
  readonly workDir?: string;
  /** @default a random key for this process */
  readonly signingKey?: string;
  /** A Slack Web API stand-in (never the real Slack from a rehearsal). @default - no Slack */
  readonly slack?: { readonly apiUrl: string; readonly botToken: string; readonly signingSecret: string };
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default 0 (a free port on 127.0.0.1) */
  readonly port?: number;
  /**
   * The operator route's stand-in for API Gateway's AWS_IAM authorization (test credentials and the principals they
   * stand for): `msk-migrate approve|reject --api-url <url>` signed with one of them decides as that principal.
   * @default - none: the operator route refuses every request (403), as an unsigned one in AWS
   */
  readonly iam?: LocalIamAuthorization;
}

export interface LocalApproval {
  readonly url: string;
  readonly services: ApprovalAppDeps;
  readonly callback: LocalTaskCallback;
  readonly mailer: OutboxApprovalMailer;
  close(): Promise<void>;
}

export async function startLocalApproval(options: LocalApprovalOptions): Promise<LocalApproval> {
  const callback = new LocalTaskCallback();
  const mailer = new OutboxApprovalMailer(options.workDir ? path.join(options.workDir, 'outbox') : undefined);
  const key = options.signingKey ?? randomBytes(32).toString('hex');
  const now = options.now ?? (() => new Date());
  const listening: { server?: ApprovalServer } = {};
  const timers = new TimerApprovalReminders(
    (approvalId, action) =>
      action === 'EXPIRE' ? expireApproval(approvalId, services) : sendReminder(approvalId, services),
    now,
  );
  const services: ApprovalAppDeps = {
    store: new MemoryApprovalStore(options.workDir ? path.join(options.workDir, 'approvals.json') : undefined),
    artifacts: options.artifacts,
    callback,
    mailer,
    reminders: timers,
    ...(options.slack
      ? {
          slack: new SlackApprovalNotifier({
            token: async () => options.slack?.botToken ?? '',
            slackApiUrl: options.slack.apiUrl,
          }),
          slackSigningSecret: async () => options.slack?.signingSecret ?? '',
        }
      : {}),
    signingKey: async () => key,
    get baseUrl() {
      if (!listening.server) throw new Error('The local approval server is not listening yet.');
      return listening.server.url;
    },
    now,
    warn: (message, details) => console.warn(`[approval] ${message}`, details ?? {}),
  };
  const running = await startApprovalServer(createApprovalApp(services), {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.iam ? { iam: { now, ...options.iam } } : {}),
  });
  listening.server = running;
  return {
    url: running.url,
    services,
    callback,
    mailer,
    close: async () => {
      timers.clear();
      await running.close();
    },
  };
}
