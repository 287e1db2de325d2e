import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SesApprovalMailer } from '../../lambdas/adapters/aws/ses-notifier';
import { SfnTaskCallback } from '../../lambdas/adapters/aws/sfn-task-callback';
import { SlackApprovalNotifier } from '../../lambdas/adapters/aws/slack-notifier';
import { MemoryApprovalStore } from '../../lambdas/adapters/local/memory-approval-store';
import { createApprovalApp, type ApprovalAppDeps } from '../../lambdas/approval/app';
import {
  startApprovalServer,
  type ApprovalServer,
  type LocalIamAuthorization,
} from '../../lambdas/approval/local-server';
import { slackSignature } from '../../lambdas/core/approval/signing';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import { runRequestApproval, type Output } from '../../lambdas/tasks/request-approval/task';

/**
 * The approval endpoint on a real loopback HTTP server, Slack's Web API as a local HTTP server that records every
 * call, SES and Step Functions through aws-sdk-client-mock, a controllable clock. Shared by the approval
 * integration tests.
 */

export const SIGNING_KEY = 'k'.repeat(16) + 'test-signing-key-0123456789abcdef';
export const SLACK_SIGNING_SECRET = 'slack-signing-secret-for-tests-0001';
export const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAA${'x'.repeat(900)}`;
export const EXECUTION_ARN = 'arn:aws:states:eu-west-1:111122223333:execution:msk-migration:orders-2026-11-02';
export const ALICE = 'alice@example.com';
export const BOB_INFO_ONLY = 'bob@example.com';
export const SLACK_APPROVER = 'U0APPROVER';
export const SLACK_CHANNEL = 'C0MIGRATE';

export class MemoryArtifacts implements ArtifactStore {
  readonly objects = new Map<string, unknown>();
  async putJson(key: string, value: unknown): Promise<string> {
    this.objects.set(key, JSON.parse(JSON.stringify(value)));
    return `memory://${key}`;
  }
  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    return this.objects.get(key) as T | undefined;
  }
  async putText(key: string, body: string): Promise<string> {
    this.objects.set(key, body);
    return `memory://${key}`;
  }
  async getText(key: string): Promise<string | undefined> {
    const v = this.objects.get(key);
    return typeof v === 'string' ? v : undefined;
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  /** Audit entries (any approval), in key order. */
  audit(): Array<Record<string, unknown>> {
    return [...this.objects.entries()]
      .filter(([k]) => k.includes('/audit/') || k.startsWith('approvals/unmatched/'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, v]) => v as Record<string, unknown>);
  }
}

export interface SlackCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** A stand-in for https://slack.com/api/: answers like Slack and records what it was sent. */
export async function startSlackApi(
  userEmails: Record<string, string> = {},
): Promise<{ url: string; calls: SlackCall[]; close: () => Promise<void> }> {
  const calls: SlackCall[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const params: Record<string, unknown> = {};
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
        params[k] = k === 'blocks' ? JSON.parse(v) : v;
      }
      calls.push({ method, params });
      seq += 1;
      const body =
        method === 'users.info'
          ? {
              ok: true,
              user: {
                id: params.user,
                profile: userEmails[String(params.user)] ? { email: userEmails[String(params.user)] } : {},
              },
            }
          : { ok: true, channel: params.channel, ts: `1790000000.${String(seq).padStart(6, '0')}` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sfn = mockClient(SFNClient);
export const ses = mockClient(SESv2Client);

export interface Harness {
  readonly server: ApprovalServer;
  readonly slack: Awaited<ReturnType<typeof startSlackApi>>;
  readonly store: MemoryApprovalStore;
  readonly artifacts: MemoryArtifacts;
  readonly clock: { now: Date };
  readonly deps: ApprovalAppDeps;
  close(): Promise<void>;
}

export async function startHarness(options: { iam?: LocalIamAuthorization } = {}): Promise<Harness> {
  const slack = await startSlackApi({ U0BYEMAIL: 'carol@example.com' });
  const clock = { now: new Date('2026-11-02T10:00:00Z') };
  const store = new MemoryApprovalStore();
  const artifacts = new MemoryArtifacts();
  let baseUrl = '';
  const deps: ApprovalAppDeps = {
    store,
    artifacts,
    callback: new SfnTaskCallback(new SFNClient({ region: 'eu-west-1' })),
    mailer: new SesApprovalMailer(new SESv2Client({ region: 'eu-west-1' }), { fromAddress: 'migrations@example.com' }),
    slack: new SlackApprovalNotifier({ token: async () => 'xoxb-test-token', slackApiUrl: slack.url }),
    signingKey: async () => SIGNING_KEY,
    slackSigningSecret: async () => SLACK_SIGNING_SECRET,
    get baseUrl() {
      return baseUrl;
    },
    now: () => clock.now,
    warn: () => undefined,
  };
  const server = await startApprovalServer(createApprovalApp(deps), {
    ...(options.iam ? { iam: { now: () => clock.now, ...options.iam } } : {}),
  });
  baseUrl = server.url;
  return {
    server,
    slack,
    store,
    artifacts,
    clock,
    deps,
    close: async () => {
      await server.close();
      await slack.close();
    },
  };
}

/** The execution state a CutoverApproval task receives (plan + the earlier phases' summaries). */
export function executionState(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    input: {
      migrationId: 'orders',
      source: { clusterArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/orders-prod/abc', type: 'MSK_PROVISIONED' },
      target: { name: 'orders-serverless', type: 'MSK_SERVERLESS' },
      cutover: { rollbackWindowMinutes: 60 },
      approval: {
        email: [ALICE, BOB_INFO_ONLY],
        slack: { channelId: SLACK_CHANNEL },
        approvers: [ALICE, SLACK_APPROVER, 'carol@example.com'],
        timeoutMinutes: 120,
      },
      ...overrides,
    },
    assessment: {
      counts: { blockers: 0, warnings: 1, infos: 2 },
      findings: [{ severity: 'WARNING', title: 'Compacted partitions close to the MSK Serverless quota' }],
      evidenceKey: 'migrations/orders/x/assessment.json',
    },
    catchUp: {
      startedAt: '2026-11-02T09:00:00Z',
      evaluations: 14,
      consecutiveHealthy: 5,
      passed: true,
      lastHealthy: true,
      lastEvaluatedAt: '2026-11-02T09:58:00Z',
      lastReasons: [],
      healthySince: '2026-11-02T09:50:00Z',
    },
    validation: {
      passed: true,
      evidenceKey: 'migrations/orders/x/validation.json',
      checked: {
        topics: 12,
        partitions: 96,
        configs: 40,
        sampledRecords: 2400,
        groups: 7,
        groupPartitions: 60,
        accessChecks: 0,
      },
      notes: [],
    },
    replication: { topicCount: 12, handle: { engine: 'MSK_REPLICATOR', name: 'r', id: 'arn' } },
  };
}

/** Runs the real RequestApproval task against the harness. */
export function requestCutover(h: Harness, state = executionState()): Promise<Output> {
  return runRequestApproval(
    { taskToken: TASK_TOKEN, executionId: EXECUTION_ARN, kind: 'CUTOVER', state: state as never },
    h.deps,
  );
}

/** The approve link SES was asked to send to `recipient` (from the text part). */
export function linkSentTo(recipient: string, which: 'Approve' | 'Reject' = 'Approve'): string {
  const call = ses
    .commandCalls(SendEmailCommand)
    .find((c) => c.args[0].input.Destination?.ToAddresses?.[0] === recipient);
  const text = call?.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '';
  const match = new RegExp(`^${which}:\\s+(\\S+)$`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`no ${which} link was sent to ${recipient}`);
  return match[1];
}

const unescape = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hidden fields of the confirmation page's form, as a browser would send them. */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    out[unescape(m[1] ?? '')] = unescape(m[2] ?? '');
  return out;
}

export async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Opens the link like a person and returns the page and the form fields, ready to post. */
export async function openConfirmation(
  link: string,
): Promise<{ status: number; html: string; fields: Record<string, string>; action: string }> {
  const res = await fetch(link);
  const html = await res.text();
  const url = new URL(link);
  return { status: res.status, html, fields: hiddenFields(html), action: `${url.origin}${url.pathname}` };
}

export function slackPayload(approvalId: string, userId: string, action: 'approve' | 'reject'): string {
  const payload = {
    type: 'block_actions',
    user: { id: userId, username: userId.toLowerCase() },
    channel: { id: SLACK_CHANNEL },
    container: { type: 'message', channel_id: SLACK_CHANNEL, message_ts: '1790000000.000001' },
    response_url: 'https://hooks.slack.invalid/actions/T/1/x',
    actions: [
      { action_id: `msk_migration_${action}`, block_id: 'msk_migration_decision', value: approvalId, type: 'button' },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export async function postSlack(
  h: Harness,
  body: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const timestamp = String(options.timestamp ?? Math.floor(h.clock.now.getTime() / 1000));
  return fetch(`${h.server.url}/slack/interactivity`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? slackSignature(SLACK_SIGNING_SECRET, timestamp, body),
    },
    body,
  });
}
