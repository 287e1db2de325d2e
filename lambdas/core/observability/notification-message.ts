import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * What a person reads in Slack when a migration changes phase or its execution changes status: one line that says
 * what happened, the figures, and the console link. Built from the EventBridge event alone (no AWS call), so the
 * notifier stays a few lines. The execution's input and output, which Step Functions puts in its event, are never
 * repeated: they are large and can name secrets' ARNs.
 */

export const ExecutionStatusChangeSchema = lazySchema(() =>
  z.object({
    source: z.literal('aws.states'),
    'detail-type': z.literal('Step Functions Execution Status Change'),
    region: z.string(),
    detail: z.object({
      executionArn: z.string(),
      stateMachineArn: z.string(),
      name: z.string(),
      status: z.string(),
      startDate: z.number().nullable().optional(),
      stopDate: z.number().nullable().optional(),
      error: z.string().nullable().optional(),
      cause: z.string().nullable().optional(),
    }),
  }),
);

export const PhaseChangedEventSchema = lazySchema(() =>
  z.object({
    source: z.literal('msk-migration'),
    'detail-type': z.literal('MskMigration.PhaseChanged'),
    region: z.string(),
    detail: z.object({
      migrationId: z.string(),
      executionId: z.string(),
      phase: z.string(),
      status: z.enum(['SUCCEEDED', 'FAILED', 'WAITING']),
      summary: z.string(),
      figures: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      errorName: z.string().optional(),
      at: z.string(),
    }),
  }),
);

export const NotificationEventSchema = lazySchema(() =>
  z.union([ExecutionStatusChangeSchema, PhaseChangedEventSchema]),
);
export type NotificationEvent = z.infer<typeof NotificationEventSchema>;

export type SlackTextBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> };

export interface NotificationMessage {
  /** The plain line (Slack's notification text, e-mail subject). */
  readonly text: string;
  readonly blocks: SlackTextBlock[];
}

/** The Step Functions console page of one execution. */
export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

const ICON: Record<string, string> = {
  RUNNING: ':arrow_forward:',
  SUCCEEDED: ':white_check_mark:',
  FAILED: ':x:',
  TIMED_OUT: ':hourglass:',
  ABORTED: ':octagonal_sign:',
  WAITING: ':raised_hand:',
};

// Slack mrkdwn: only &, < and > need escaping.
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function notificationMessage(event: NotificationEvent): NotificationMessage {
  if (event.source === 'aws.states') {
    const d = event.detail;
    const url = executionConsoleUrl(event.region, d.executionArn);
    const duration = d.startDate && d.stopDate ? ` after ${formatDuration(d.stopDate - d.startDate)}` : '';
    const text = `Migration ${d.name}: execution ${d.status.toLowerCase().replace('_', ' ')}${duration}`;
    const lines = [`${ICON[d.status] ?? ''} *${esc(text)}*`.trim()];
    if (d.error) lines.push(`Error \`${esc(d.error)}\`${d.cause ? `: ${esc(truncate(d.cause, 500))}` : ''}`);
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `<${url}|Open the execution in the Step Functions console>` }],
        },
      ],
    };
  }
  const d = event.detail;
  const verb = { SUCCEEDED: 'done', FAILED: 'failed', WAITING: 'waiting' }[d.status];
  const text = `Migration ${d.migrationId}: ${d.phase} ${verb}: ${d.summary}`;
  const figures = Object.entries(d.figures ?? {})
    .map(([k, v]) => `${esc(k)}: *${esc(String(v))}*`)
    .join(' · ');
  const context = [`Execution \`${esc(d.executionId.split(':').pop() ?? d.executionId)}\``];
  if (d.executionId.startsWith('arn:')) context.push(`<${executionConsoleUrl(event.region, d.executionId)}|console>`);
  return {
    text: truncate(text, 300),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${ICON[d.status] ?? ''} *${esc(d.phase)}* ${verb}${d.errorName ? ` (\`${esc(d.errorName)}\`)` : ''}: ${esc(truncate(d.summary, 500))}`,
        },
      },
      ...(figures ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: figures } }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    ],
  };
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
