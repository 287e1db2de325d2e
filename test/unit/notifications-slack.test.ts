import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackApprovalNotifier } from '../../lambdas/adapters/aws/slack-notifier';
import {
  executionConsoleUrl,
  formatDuration,
  notificationMessage,
  type NotificationEvent,
} from '../../lambdas/core/observability/notification-message';
import { notifySlack } from '../../lambdas/notifications/notify-slack';

const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders-2026-11-24';

const failed: NotificationEvent = {
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  region: 'eu-west-1',
  detail: {
    executionArn: EXECUTION_ARN,
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:MskMigration',
    name: 'orders-2026-11-24',
    status: 'FAILED',
    startDate: 1_700_000_000_000,
    stopDate: 1_700_000_000_000 + 3 * 3600_000 + 5 * 60_000,
    error: 'Migration.LagTimeout',
    cause: 'Lag stayed above 1000 records <for> 2 h',
  },
};

const phase: NotificationEvent = {
  source: 'msk-migration',
  'detail-type': 'MskMigration.PhaseChanged',
  region: 'eu-west-1',
  detail: {
    migrationId: 'orders',
    executionId: EXECUTION_ARN,
    phase: 'AwaitCatchUp',
    status: 'SUCCEEDED',
    summary: 'Caught up after 3 healthy evaluations',
    figures: { lag: 0, evaluations: 3 },
    at: '2026-11-24T10:00:00.000Z',
  },
};

describe('notification messages', () => {
  it('says which execution failed, after how long, with the error and the console link', () => {
    // Act
    const message = notificationMessage(failed);
    // Assess
    expect(message.text).toBe('Migration orders-2026-11-24: execution failed after 3 h 5 min');
    expect(JSON.stringify(message.blocks)).toContain(
      'Error `Migration.LagTimeout`: Lag stayed above 1000 records &lt;for&gt; 2 h',
    );
    expect(JSON.stringify(message.blocks)).toContain(executionConsoleUrl('eu-west-1', EXECUTION_ARN));
  });

  it('says which phase is done, with its figures, and never the execution input', () => {
    // Act
    const message = notificationMessage(phase);
    // Assess
    expect(message.text).toBe('Migration orders: AwaitCatchUp done: Caught up after 3 healthy evaluations');
    expect(JSON.stringify(message.blocks)).toContain('lag: *0* · evaluations: *3*');
  });

  it('links the console page of the execution in the Step Functions v2 console', () => {
    expect(executionConsoleUrl('eu-west-1', EXECUTION_ARN)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
  });

  it('formats durations from seconds to days', () => {
    expect([formatDuration(42_000), formatDuration(25 * 60_000), formatDuration(50 * 3600_000)]).toEqual([
      '42 s',
      '25 min',
      '2 d 2 h',
    ]);
  });
});

describe('Slack notifier', () => {
  let server: http.Server;
  let requests: Array<{ url: string; body: string }>;
  let baseUrl: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ url: req.url ?? '', body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, channel: 'C0123456789', ts: '1732442400.000100' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  beforeEach(() => {
    requests = [];
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the message to the configured channel through the Slack Web API with the bot token', async () => {
    // Prepare
    const slack = new SlackApprovalNotifier({ token: async () => 'xoxb-test-token', slackApiUrl: baseUrl });
    // Act
    const result = await notifySlack(phase, { slack, channelId: 'C0123456789' });
    // Assess
    expect(result).toEqual({ posted: true, ts: '1732442400.000100' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/api/chat.postMessage');
    const form = new URLSearchParams(requests[0]?.body);
    expect(form.get('channel')).toBe('C0123456789');
    expect(form.get('text')).toBe('Migration orders: AwaitCatchUp done: Caught up after 3 healthy evaluations');
  });

  it('drops an event it was not meant for without calling Slack', async () => {
    // Prepare
    const slack = new SlackApprovalNotifier({ token: async () => 'xoxb-test-token', slackApiUrl: baseUrl });
    // Act
    const result = await notifySlack(
      { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} },
      { slack, channelId: 'C0123456789' },
    );
    // Assess
    expect(result).toEqual({ posted: false });
    expect(requests).toEqual([]);
  });
});
