import { describeDecision } from './decision-rules';
import { displayTime } from './display-time';

export { displayTime };
import type { ApprovalEvidence, ApprovalKind, Decision, EvidenceLine } from './record';

/**
 * Everything a person reads: the e-mail (HTML and text), the confirmation page, the result pages and the Slack
 * Block Kit message. Pure string building; every value from the plan or the state is escaped for its medium.
 */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Slack mrkdwn needs only these three escaped. */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const KIND_TITLE: Record<ApprovalKind, string> = {
  CUTOVER: 'Cutover approval',
  FINALIZE: 'Finalize approval',
  FAILBACK: 'Failback decision',
};
const MARK: Record<EvidenceLine['status'], string> = { PASS: '✅', FAIL: '❌', WARN: '⚠️', INFO: 'ℹ️' };
const COLOUR: Record<EvidenceLine['status'], string> = {
  PASS: '#137333',
  FAIL: '#b3261e',
  WARN: '#8a5a00',
  INFO: '#44474e',
};

export function subjectOf(evidence: ApprovalEvidence): string {
  return `[Decision needed] ${KIND_TITLE[evidence.kind]}: ${evidence.migrationId}`;
}

// ---------------------------------------------------------------------------------------------------------------
// HTML (e-mail and pages share the evidence table)

const PILL: Record<EvidenceLine['status'], string> = { PASS: 'PASSED', FAIL: 'FAILED', WARN: 'CHECK', INFO: '' };
const PILL_BG: Record<EvidenceLine['status'], string> = {
  PASS: '#e6f4ea',
  FAIL: '#fce8e6',
  WARN: '#fef7e0',
  INFO: '#ffffff',
};

/** Status as a word in a coloured pill, not an emoji: it reads the same in every mail client and on every phone. */
function evidenceRowsHtml(lines: readonly EvidenceLine[]): string {
  return lines
    .map((l) => {
      const pill = PILL[l.status]
        ? `<span style="display:inline-block;font-size:12px;font-weight:700;letter-spacing:.03em;padding:1px 8px;margin-right:6px;border-radius:999px;background:${PILL_BG[l.status]};color:${COLOUR[l.status]}">${PILL[l.status]}</span>`
        : '';
      return (
        `<tr><th scope="row" style="text-align:left;vertical-align:top;padding:8px 10px 8px 0;font-weight:600;color:#1f1f1f">${escapeHtml(l.label)}</th>` +
        `<td style="padding:8px 0;vertical-align:top;color:${l.status === 'INFO' ? '#1f1f1f' : COLOUR[l.status]}">${pill}${escapeHtml(l.value)}</td></tr>`
      );
    })
    .join('');
}

/** One line a person reads first: how many gates passed, and the deadline. */
export function verdictOf(evidence: ApprovalEvidence): { text: string; status: EvidenceLine['status'] } {
  const passed = evidence.gates.filter((g) => g.status === 'PASS' || g.status === 'WARN').length;
  const failed = evidence.gates.filter((g) => g.status === 'FAIL').length;
  const status = failed > 0 ? 'FAIL' : evidence.gates.some((g) => g.status === 'WARN') ? 'WARN' : 'PASS';
  const warned = evidence.gates.filter((g) => g.status === 'WARN').length;
  const text =
    failed > 0
      ? `${failed} of ${evidence.gates.length} gates did not pass`
      : `${passed} of ${evidence.gates.length} gates passed${warned > 0 ? `, ${warned} with warnings` : ''}`;
  return { text, status };
}

export interface EvidenceHtmlOptions {
  readonly expiresAt: string;
}

function evidenceHtml(evidence: ApprovalEvidence, options: EvidenceHtmlOptions): string {
  const findings =
    evidence.findingsAccepted.length > 0
      ? `<h2 class="h2" style="font-size:15px;margin:20px 0 6px;color:#44474e;text-transform:uppercase;letter-spacing:.04em">Findings accepted</h2><ul>${evidence.findingsAccepted.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
      : '';
  const keys =
    evidence.evidenceKeys.length > 0
      ? `<p class="small">Full evidence in the artifact store: ${evidence.evidenceKeys.map((k) => `<code>${escapeHtml(k)}</code>`).join(', ')}</p>`
      : '';
  const verdict = verdictOf(evidence);
  return (
    `<p class="question" style="font-size:17px;line-height:1.4">${escapeHtml(evidence.question)}</p>` +
    `<p class="verdict" style="font-size:16px;font-weight:700;padding:10px 12px;border-radius:8px;background:${PILL_BG[verdict.status]};color:${COLOUR[verdict.status]}">${escapeHtml(verdict.text)} · decide before ${escapeHtml(displayTime(options.expiresAt))}</p>` +
    `<table class="facts" role="presentation" style="border-collapse:collapse;width:100%">` +
    evidenceRowsHtml([
      { label: 'Source', value: evidence.source, status: 'INFO' },
      { label: 'Target', value: evidence.target, status: 'INFO' },
      { label: 'Execution', value: evidence.executionName, status: 'INFO' },
      { label: 'Decide before', value: displayTime(options.expiresAt), status: 'INFO' },
    ]) +
    `</table>` +
    `<h2 class="h2" style="font-size:15px;margin:20px 0 6px;color:#44474e;text-transform:uppercase;letter-spacing:.04em">Gates</h2><table class="facts" role="presentation" style="border-collapse:collapse;width:100%">${evidenceRowsHtml(evidence.gates)}</table>` +
    (evidence.figures.length > 0
      ? `<h2 class="h2" style="font-size:15px;margin:20px 0 6px;color:#44474e;text-transform:uppercase;letter-spacing:.04em">Figures</h2><table class="facts" role="presentation" style="border-collapse:collapse;width:100%">${evidenceRowsHtml(evidence.figures)}</table>`
      : '') +
    findings +
    `<h2 class="h2" style="font-size:15px;margin:20px 0 6px;color:#44474e;text-transform:uppercase;letter-spacing:.04em">Rollback</h2><p><strong>Rollback window:</strong> ${escapeHtml(evidence.rollbackWindow)}</p>` +
    `<p><strong>Point of no return:</strong> ${escapeHtml(evidence.pointOfNoReturn)}</p>` +
    keys
  );
}

export interface EmailLinks {
  readonly approveUrl: string;
  readonly rejectUrl: string;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

function evidenceText(evidence: ApprovalEvidence, expiresAt: string): string {
  const line = (l: EvidenceLine): string => `  ${MARK[l.status]} ${l.label}: ${l.value}`;
  return [
    evidence.question,
    '',
    `Source:        ${evidence.source}`,
    `Target:        ${evidence.target}`,
    `Execution:     ${evidence.executionName}`,
    `Decide before: ${displayTime(expiresAt)}`,
    '',
    'Gates',
    ...evidence.gates.map(line),
    ...(evidence.figures.length > 0 ? ['', 'Figures', ...evidence.figures.map(line)] : []),
    ...(evidence.findingsAccepted.length > 0
      ? ['', 'Findings accepted', ...evidence.findingsAccepted.map((f) => `  - ${f}`)]
      : []),
    '',
    `Rollback window:    ${evidence.rollbackWindow}`,
    `Point of no return: ${evidence.pointOfNoReturn}`,
  ].join('\n');
}

/**
 * The approval e-mail. Its buttons are links to the confirmation page (a GET never decides), signed for this
 * recipient; mail scanners that follow them see the page and nothing else happens.
 */
export function renderApprovalEmail(
  evidence: ApprovalEvidence,
  expiresAt: string,
  links: EmailLinks | undefined,
  reminder = false,
): RenderedEmail {
  const subject = `${reminder ? '[Reminder] ' : ''}${subjectOf(evidence)}`;
  const button = (href: string, label: string, colour: string): string =>
    `<a href="${escapeHtml(href)}" style="display:inline-block;margin:4px 8px 4px 0;padding:12px 22px;border-radius:6px;background:${colour};color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(label)}</a>`;
  const actions = links
    ? `<p style="margin:20px 0 8px">${button(links.approveUrl, 'Review and approve', '#137333')}${button(links.rejectUrl, 'Review and reject', '#b3261e')}</p>` +
      `<p style="font-size:13px;color:#44474e">Each button opens a confirmation page; nothing is decided until you press a button there. The link is personal: it records you as the approver.</p>`
    : `<p style="font-size:13px;color:#44474e">This notice carries no decision link: decide in Slack, or ask for the e-mail approval to be configured.</p>`;
  const html =
    `<!doctype html><html><body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f1f1f;background:#ffffff">` +
    `<div style="max-width:640px;margin:0 auto">` +
    `<h1 style="font-size:20px;margin:0 0 12px">${reminder ? 'Reminder: ' : ''}${escapeHtml(KIND_TITLE[evidence.kind])} — ${escapeHtml(evidence.migrationId)}</h1>` +
    evidenceHtml(evidence, { expiresAt }) +
    actions +
    `<p style="font-size:12px;color:#5f6368">If nobody decides before the deadline, the workflow takes its rejection path and keeps the evidence.</p>` +
    `</div></body></html>`;
  const text = [
    `${reminder ? 'REMINDER: ' : ''}${KIND_TITLE[evidence.kind]} — ${evidence.migrationId}`,
    '',
    evidenceText(evidence, expiresAt),
    '',
    ...(links
      ? [
          'Open one of these links to review and decide (the page asks you to confirm; opening it decides nothing):',
          `Approve: ${links.approveUrl}`,
          `Reject:  ${links.rejectUrl}`,
        ]
      : ['This notice carries no decision link: decide in Slack.']),
    '',
    'If nobody decides before the deadline, the workflow takes its rejection path and keeps the evidence.',
  ].join('\n');
  return { subject, html, text };
}

const PAGE_CSS = [
  '*{box-sizing:border-box}',
  'body{margin:0;font:16px/1.5 -apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f1f1f;background:#f4f5f7}',
  'main{max-width:680px;margin:0 auto;padding:16px}',
  '.card{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.12)}',
  'h1{font-size:22px;line-height:1.3;margin:0 0 4px}',
  '.h2{font-size:16px;margin:20px 0 6px;color:#44474e;text-transform:uppercase;letter-spacing:.04em}',
  '.badge{display:inline-block;font-size:13px;font-weight:600;padding:2px 10px;border-radius:999px;background:#e8eaf6;color:#1a237e;margin-bottom:10px}',
  '.facts th{width:38%;font-weight:600}',
  '.facts th,.facts td{border-bottom:1px solid #eceef1;font-size:15px}',
  'code{font-size:13px;word-break:break-all}',
  '.small{font-size:13px;color:#5f6368}',
  '.who{background:#f1f8e9;border-radius:8px;padding:10px 12px;margin:16px 0}',
  'label{display:block;font-weight:600;margin:16px 0 6px}',
  'textarea{width:100%;min-height:72px;font:inherit;padding:8px;border:1px solid #c4c7c5;border-radius:8px}',
  '.buttons{display:flex;gap:12px;margin-top:16px;flex-wrap:wrap}',
  'button{flex:1 1 200px;font:inherit;font-weight:700;font-size:17px;padding:14px 18px;border:0;border-radius:8px;color:#fff;cursor:pointer}',
  '.approve{background:#137333}.reject{background:#b3261e}',
  '.notice{border-left:6px solid #44474e;padding-left:14px}',
  '.notice.ok{border-color:#137333}.notice.bad{border-color:#b3261e}.notice.warn{border-color:#8a5a00}',
  '@media (max-width:480px){main{padding:8px}.card{padding:14px}.facts th{width:42%}h1{font-size:20px}}',
].join('');

/** No script at all; styles inline; forms post only to this origin; never framed; the signed URL is never sent on. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex, nofollow"><title>${escapeHtml(title)}</title><style>${PAGE_CSS}</style></head>` +
    `<body><main><div class="card">${body}</div></main></body></html>`
  );
}

export interface ConfirmationForm {
  /** Relative form action (the approval's own path, so a base path or custom domain keeps working). */
  readonly action: string;
  readonly approver: string;
  /** Hidden fields: the link claims and signature, and the form token. */
  readonly fields: Readonly<Record<string, string>>;
  /** `approve` or `reject` when the person came from that e-mail button: that button is put first. */
  readonly intent?: 'approve' | 'reject';
}

export function renderConfirmationPage(evidence: ApprovalEvidence, expiresAt: string, form: ConfirmationForm): string {
  const hidden = Object.entries(form.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const approve = `<button class="approve" type="submit" name="decision" value="APPROVE">Approve ${evidence.kind === 'CUTOVER' ? 'cutover' : 'finalize'}</button>`;
  const reject = `<button class="reject" type="submit" name="decision" value="REJECT">Reject</button>`;
  const body =
    `<span class="badge">${escapeHtml(KIND_TITLE[evidence.kind])}</span>` +
    `<h1>${escapeHtml(evidence.migrationId)}</h1>` +
    evidenceHtml(evidence, { expiresAt }) +
    `<form method="post" action="${escapeHtml(form.action)}">${hidden}` +
    `<p class="who">You are deciding as <strong>${escapeHtml(form.approver)}</strong>. Your decision, the time and your comment go to the audit trail.</p>` +
    `<label for="comment">Comment (optional)</label><textarea id="comment" name="comment" maxlength="500"></textarea>` +
    `<div class="buttons">${form.intent === 'reject' ? reject + approve : approve + reject}</div>` +
    `</form>`;
  return page(`${KIND_TITLE[evidence.kind]}: ${evidence.migrationId}`, body);
}

export type NoticeTone = 'ok' | 'bad' | 'warn' | 'neutral';

/** Result and refusal pages: one heading, one sentence, nothing to click. */
export function renderNoticePage(title: string, message: string, tone: NoticeTone): string {
  return page(title, `<div class="notice ${tone}"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></div>`);
}

// ---------------------------------------------------------------------------------------------------------------
// Slack Block Kit

/** A Block Kit block or element: a `type` and its fields. */
export type SlackBlock = { readonly type: string } & Record<string, unknown>;

const SLACK_TEXT_LIMIT = 2900;
const clip = (s: string, n = SLACK_TEXT_LIMIT): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const mrkdwn = (text: string): SlackBlock => ({ type: 'mrkdwn', text: clip(text, 1990) });
const lineSlack = (l: EvidenceLine): string => `${MARK[l.status]} *${escapeSlack(l.label)}*: ${escapeSlack(l.value)}`;

export const SLACK_ACTION_APPROVE = 'msk_migration_approve';
export const SLACK_ACTION_REJECT = 'msk_migration_reject';

function evidenceBlocks(evidence: ApprovalEvidence, expiresAt: string, reminder: boolean): SlackBlock[] {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`${reminder ? 'Reminder: ' : ''}${KIND_TITLE[evidence.kind]}: ${evidence.migrationId}`, 150),
      },
    },
    { type: 'section', text: mrkdwn(escapeSlack(evidence.question)) },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Source*\n${escapeSlack(evidence.source)}`),
        mrkdwn(`*Target*\n${escapeSlack(evidence.target)}`),
        mrkdwn(`*Execution*\n${escapeSlack(evidence.executionName)}`),
        mrkdwn(`*Decide before*\n${displayTime(expiresAt)}`),
      ],
    },
    { type: 'divider' },
    { type: 'section', text: mrkdwn(`*Gates*\n${evidence.gates.map(lineSlack).join('\n')}`) },
  ];
  if (evidence.figures.length > 0)
    blocks.push({ type: 'section', text: mrkdwn(`*Figures*\n${evidence.figures.map(lineSlack).join('\n')}`) });
  if (evidence.findingsAccepted.length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Findings accepted*\n${evidence.findingsAccepted.map((f) => `• ${escapeSlack(f)}`).join('\n')}`),
    });
  }
  blocks.push({
    type: 'section',
    text: mrkdwn(
      `*Rollback window*: ${escapeSlack(evidence.rollbackWindow)}\n*Point of no return*: ${escapeSlack(evidence.pointOfNoReturn)}`,
    ),
  });
  return blocks;
}

/** The message with Approve / Reject buttons. A button's value is the approval ID only: never the task token. */
export function renderSlackRequest(
  evidence: ApprovalEvidence,
  approvalId: string,
  expiresAt: string,
  reminder = false,
): { text: string; blocks: SlackBlock[] } {
  const confirm = (verb: string): Record<string, unknown> => ({
    title: { type: 'plain_text', text: `${verb}?` },
    text: {
      type: 'mrkdwn',
      text: clip(
        `${verb} ${evidence.kind === 'CUTOVER' ? 'the cutover of' : 'the finalization of'} *${escapeSlack(evidence.migrationId)}*?`,
        300,
      ),
    },
    confirm: { type: 'plain_text', text: verb },
    deny: { type: 'plain_text', text: 'Cancel' },
  });
  const blocks = [
    ...evidenceBlocks(evidence, expiresAt, reminder),
    {
      type: 'actions',
      block_id: 'msk_migration_decision',
      elements: [
        {
          type: 'button',
          action_id: SLACK_ACTION_APPROVE,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: approvalId,
          confirm: confirm('Approve'),
        },
        {
          type: 'button',
          action_id: SLACK_ACTION_REJECT,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject' },
          value: approvalId,
          confirm: confirm('Reject'),
        },
      ],
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `Approval \`${approvalId}\` · only listed approvers can decide · no decision by ${displayTime(expiresAt)} means rejection`,
        ),
      ],
    },
  ];
  return {
    text: clip(`${reminder ? 'Reminder: ' : ''}${subjectOf(evidence)} — decide before ${displayTime(expiresAt)}`),
    blocks,
  };
}

/** The same message once settled: the buttons are replaced by who decided, when and how. */
export function renderSlackSettled(
  evidence: ApprovalEvidence,
  approvalId: string,
  expiresAt: string,
  settled: Pick<Decision, 'outcome' | 'approver' | 'channel' | 'decidedAt' | 'comment'> | 'EXPIRED',
): { text: string; blocks: SlackBlock[] } {
  const who = (approver: string): string =>
    /^[UW][A-Z0-9]{2,}$/.test(approver) ? `<@${approver}>` : escapeSlack(approver);
  const line =
    settled === 'EXPIRED'
      ? `⌛ *Expired* at ${displayTime(expiresAt)} with no decision: the workflow took its rejection path.`
      : `${settled.outcome === 'APPROVE' ? '✅ *Approved*' : '❌ *Rejected*'} by ${who(settled.approver)} at ${displayTime(settled.decidedAt)} via ${settled.channel === 'SLACK' ? 'Slack' : settled.channel === 'EMAIL' ? 'e-mail' : settled.channel === 'CLI' ? 'the operator CLI' : 'the local console'}${settled.comment ? `: “${escapeSlack(settled.comment)}”` : ''}`;
  const blocks = [
    ...evidenceBlocks(evidence, expiresAt, false),
    { type: 'section', block_id: 'msk_migration_decision', text: mrkdwn(line) },
    { type: 'context', elements: [mrkdwn(`Approval \`${approvalId}\``)] },
  ];
  const summary = settled === 'EXPIRED' ? 'expired with no decision' : describeDecision(settled);
  return { text: clip(`${KIND_TITLE[evidence.kind]}: ${evidence.migrationId} — ${summary}`), blocks };
}
