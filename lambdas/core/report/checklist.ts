import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * The seed's checklist: seven gates, each Pass / Warn / Fail / Not run with the evidence behind it. One model for both
 * reports that carry it: the rehearsal's (rehearsal/verdict.ts judges it from the workload's tally) and the deployed
 * migration report (./deployed-checklist.ts judges it from the execution state and its evidence keys). The renderers
 * below give both the same words, the same table and the same pills.
 */

export const GATE_STATUSES = ['PASS', 'FAIL', 'WARN', 'NOT_RUN'] as const;
export type GateStatus = (typeof GATE_STATUSES)[number];

/** The checklist of the seed, in the order a reader goes through it. */
export const CHECKLIST_GATES = [
  'Compatibility',
  'Data copy',
  'Offsets',
  'Ordering',
  'Security',
  'Observability',
  'Rollback',
] as const;
export type ChecklistGateName = (typeof CHECKLIST_GATES)[number];

export const ChecklistGateSchema = lazySchema(() =>
  z.object({
    status: z.enum(GATE_STATUSES),
    /** One or two sentences a reviewer can check: what was measured and against what. */
    evidence: z.string(),
    /** Artifact keys (evidence store) the verdict was read from; empty when it rests on the execution state alone. */
    evidenceKeys: z.array(z.string()).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
);
export type ChecklistGate = z.infer<typeof ChecklistGateSchema>;

export const ChecklistSchema = lazySchema(() =>
  z.object(
    Object.fromEntries(CHECKLIST_GATES.map((g) => [g, ChecklistGateSchema])) as Record<
      ChecklistGateName,
      typeof ChecklistGateSchema
    >,
  ),
);
export type Checklist = z.infer<typeof ChecklistSchema>;

export const GATE_LABEL: Record<GateStatus, string> = { PASS: 'Pass', FAIL: 'Fail', WARN: 'Warn', NOT_RUN: 'Not run' };
export const GATE_TONE: Record<GateStatus, string> = { PASS: 'good', FAIL: 'bad', WARN: 'warn', NOT_RUN: 'idle' };
export const GATE_MARK: Record<GateStatus, string> = {
  PASS: '✅ PASS',
  FAIL: '❌ FAIL',
  WARN: '⚠️ WARN',
  NOT_RUN: '⏸ NOT RUN',
};

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A Markdown table cell: no pipe, no line break, no raw HTML (Markdown renders it). */
export function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

export function statusPill(status: GateStatus): string {
  return `<span class="pill ${GATE_TONE[status]}">${escapeHtml(GATE_LABEL[status])}</span>`;
}

/** The pill styles the checklist table needs, for a page that does not bring its own. */
export const CHECKLIST_CSS =
  '.pill{display:inline-block;font-size:12px;font-weight:700;padding:2px 10px;border-radius:999px;white-space:nowrap}' +
  '.pill.good{color:#15803d;background:#dcfce7}.pill.warn{color:#b45309;background:#fef3c7}' +
  '.pill.bad{color:#b91c1c;background:#fee2e2}.pill.idle{color:#475569;background:#e2e8f0}' +
  'td.gate{font-weight:600;white-space:nowrap}code{font-size:12px}';

/** The checklist as Markdown table rows (Gate, Status, Evidence[, Evidence keys]). */
export function checklistMarkdown(checklist: Checklist, options: { keys?: boolean } = {}): string {
  const header = ['Gate', 'Status', 'Evidence', ...(options.keys ? ['Evidence keys'] : [])];
  const rows = CHECKLIST_GATES.map((g) => {
    const gate = checklist[g];
    const keys = (gate.evidenceKeys ?? []).map((k) => `\`${k}\``).join(', ') || '—';
    return [g, GATE_MARK[gate.status], gate.evidence, ...(options.keys ? [keys] : [])];
  });
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ].join('\n');
}

/** The checklist as an HTML table: the gate, its pill, the evidence[, the evidence keys]. */
export function checklistHtml(checklist: Checklist, options: { keys?: boolean } = {}): string {
  const rows = CHECKLIST_GATES.map((g) => {
    const gate = checklist[g];
    const keys = options.keys
      ? `<td>${(gate.evidenceKeys ?? []).map((k) => `<code>${escapeHtml(k)}</code>`).join('<br>') || '—'}</td>`
      : '';
    return `<tr><td class="gate">${escapeHtml(g)}</td><td>${statusPill(gate.status)}</td><td>${escapeHtml(gate.evidence)}</td>${keys}</tr>`;
  }).join('');
  return `<table><thead><tr><th>Gate</th><th>Status</th><th>Evidence</th>${options.keys ? '<th>Evidence keys</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** `5 Pass, 1 Warn (Security), 1 Not run (Rollback)`: the checklist in one line, for a notification. */
export function checklistLine(checklist: Checklist): string {
  return gatesLine(Object.fromEntries(CHECKLIST_GATES.map((g) => [g, checklist[g].status])) as GateStatuses);
}

export type GateStatuses = Readonly<Record<ChecklistGateName, GateStatus>>;

/** {@link checklistLine} from the statuses alone (what the Report task's output carries). */
export function gatesLine(statuses: GateStatuses): string {
  const parts: string[] = [];
  for (const status of ['FAIL', 'WARN', 'PASS', 'NOT_RUN'] as const) {
    const gates = CHECKLIST_GATES.filter((g) => statuses[g] === status);
    if (gates.length === 0) continue;
    parts.push(`${gates.length} ${GATE_LABEL[status]}${status === 'PASS' ? '' : ` (${gates.join(', ')})`}`);
  }
  return parts.join(', ');
}

/**
 * The S3 console page of one evidence object: what a notification links to (the bucket is private; a reader signs in
 * to the console with their own access, nothing is presigned or made public).
 */
export function evidenceConsoleUrl(bucket: string, region: string, key: string): string {
  return `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&bucketType=general&prefix=${encodeURIComponent(key)}`;
}
