import { escapeHtml, lagChartSvg, PHASE_COLOURS, phaseTimelineSvg } from './charts';
import { peakLag } from './markdown';
import { checklistHtml } from '../../lambdas/core/report/checklist';
import { type RehearsalResult } from './result';
import { formatCount, formatDuration, formatTimestamp, runDurationMs, verdictLine } from './verdict';

/**
 * `report.html`: one self-contained page (inline CSS and SVG, no script, no external asset) that opens from a file
 * or an artifact bucket. Every text from the result is escaped.
 */

const OUTCOME_STYLE: Record<RehearsalResult['outcome'], { label: string; tone: string }> = {
  SUCCEEDED: { label: 'Succeeded', tone: 'good' },
  ROLLED_BACK: { label: 'Rolled back', tone: 'warn' },
  FAILED: { label: 'Failed', tone: 'bad' },
};

const CSS = `
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f1f5f9;--card:#fff;--good:#15803d;--good-bg:#dcfce7;--warn:#b45309;--warn-bg:#fef3c7;--bad:#b91c1c;--bad-bg:#fee2e2;--idle:#475569;--idle-bg:#e2e8f0;--accent:#4f46e5}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1040px;margin:0 auto;padding:32px 24px 56px}
header{margin-bottom:20px}
.eyebrow{color:var(--muted);font-size:12px;letter-spacing:.08em;text-transform:uppercase;font-weight:600}
h1{font-size:26px;margin:4px 0 0;letter-spacing:-.01em}
h2{font-size:16px;margin:0 0 12px}
.verdict{display:flex;gap:16px;align-items:flex-start;border-radius:14px;padding:18px 20px;margin:18px 0 22px;border:1px solid}
.verdict.good{background:var(--good-bg);border-color:#86efac}
.verdict.warn{background:var(--warn-bg);border-color:#fcd34d}
.verdict.bad{background:var(--bad-bg);border-color:#fca5a5}
.verdict .badge{flex:none;font-weight:700;font-size:13px;padding:6px 12px;border-radius:999px;color:#fff}
.good .badge{background:var(--good)}.warn .badge{background:var(--warn)}.bad .badge{background:var(--bad)}
.verdict p{margin:0;font-size:15px;font-weight:500}
.verdict .meta{margin-top:6px;color:var(--muted);font-size:13px;font-weight:400}
.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin-bottom:22px}
.figure{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px}
.figure .label{color:var(--muted);font-size:12px;font-weight:600}
.figure .value{font-size:24px;font-weight:700;margin-top:2px;font-variant-numeric:tabular-nums}
.figure.good .value{color:var(--good)}.figure.bad .value{color:var(--bad)}
.figure .sub{color:var(--muted);font-size:12px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:18px 20px;margin-bottom:18px}
.legend{display:flex;gap:14px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-top:8px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:5px;vertical-align:-1px}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th{text-align:left;color:var(--muted);font-size:12px;font-weight:600;border-bottom:1px solid var(--line);padding:8px 10px}
td{border-bottom:1px solid var(--line);padding:10px;vertical-align:top}
tr:last-child td{border-bottom:none}
td.num,th.num{text-align:right}
td.gate{font-weight:600;white-space:nowrap}
.pill{display:inline-block;font-size:12px;font-weight:700;padding:2px 10px;border-radius:999px;white-space:nowrap}
.pill.good{color:var(--good);background:var(--good-bg)}.pill.warn{color:var(--warn);background:var(--warn-bg)}
.pill.bad{color:var(--bad);background:var(--bad-bg)}.pill.idle{color:var(--idle);background:var(--idle-bg)}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
@media (max-width:760px){.two{grid-template-columns:1fr}.figures{grid-template-columns:repeat(2,1fr)}}
.error{border-left:4px solid var(--bad);background:#fff7f7;padding:10px 14px;border-radius:8px;margin-top:12px;font-family:ui-monospace,Menlo,monospace;font-size:13px;white-space:pre-wrap;word-break:break-word}
.pnr{display:flex;gap:12px;align-items:center}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:28px}
`;

function figure(label: string, value: string, sub?: string, tone?: 'good' | 'bad'): string {
  return `<div class="figure${tone ? ` ${tone}` : ''}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${sub ? `<div class="sub">${escapeHtml(sub)}</div>` : ''}</div>`;
}

function pill(tone: string, text: string): string {
  return `<span class="pill ${tone}">${escapeHtml(text)}</span>`;
}

export function renderHtmlReport(result: RehearsalResult): string {
  const outcome = OUTCOME_STYLE[result.outcome];
  const title = result.migrationId ?? result.scenario;
  const r = result.records;
  const pauseRatio =
    result.cutover.writePauseMs !== null && result.replication.latencyP99Ms
      ? `${(result.cutover.writePauseMs / result.replication.latencyP99Ms).toFixed(2)}× replication p99`
      : undefined;

  const figures = [
    figure('Records produced', formatCount(r.produced), 'acknowledged by the brokers'),
    figure('Records lost', formatCount(r.lost), 'acknowledged, never consumed', r.lost === 0 ? 'good' : 'bad'),
    figure(
      'Duplicates consumed',
      formatCount(r.duplicatesConsumed),
      'redelivered after the switch',
      r.duplicatesConsumed === 0 ? 'good' : undefined,
    ),
    figure('Out of order', formatCount(r.outOfOrder), 'per key', r.outOfOrder === 0 ? 'good' : 'bad'),
    figure('Write pause', formatDuration(result.cutover.writePauseMs), pauseRatio ?? 'producers held at cutover'),
    figure('Pointer propagation', formatDuration(result.cutover.pointerPropagationMs), 'switch → clients noticed'),
    figure(
      'Replication p99',
      formatDuration(result.replication.latencyP99Ms),
      `p50 ${formatDuration(result.replication.latencyP50Ms)}, source → target`,
    ),
    figure(
      'Peak replication lag',
      peakLag(result),
      `records, ${result.replication.lagSamples.length} sample${result.replication.lagSamples.length === 1 ? '' : 's'}`,
    ),
  ].join('');

  const checklist = checklistHtml(result.checklist);

  const topics = Object.entries(r.perTopic)
    .map(
      ([topic, t]) =>
        `<tr><td>${escapeHtml(topic)}${t.compacted ? ' <span class="muted">(compacted)</span>' : ''}</td><td class="num">${formatCount(t.produced)}</td><td class="num">${formatCount(t.consumed)}</td><td class="num">${t.lost === 0 ? '0' : pill('bad', formatCount(t.lost))}</td><td class="num">${formatCount(t.duplicatesConsumed)}</td><td class="num">${formatCount(t.outOfOrder)}</td></tr>`,
    )
    .join('');

  const phases = result.phases
    .map((p) => {
      const tone =
        p.status === 'SUCCEEDED'
          ? 'good'
          : p.status === 'FAILED'
            ? 'bad'
            : p.status === 'ROLLED_BACK'
              ? 'warn'
              : 'idle';
      const duration = p.end ? formatDuration(Date.parse(p.end) - Date.parse(p.start)) : 'running';
      return `<tr><td class="gate">${escapeHtml(p.name)}</td><td>${pill(tone, p.status.replace('_', ' ').toLowerCase())}</td><td class="num">${escapeHtml(duration)}</td><td class="muted">${escapeHtml(p.states.join(' → '))}</td></tr>`;
    })
    .join('');

  const gateChecks = result.gateChecks
    .map(
      (c) =>
        `<tr><td class="muted">${escapeHtml(formatTimestamp(c.at))}</td><td>${escapeHtml(c.gate)}</td><td>${pill(c.passed ? 'good' : 'bad', c.passed ? 'passed' : 'failed')}</td><td>${escapeHtml(c.summary)}</td></tr>`,
    )
    .join('');

  const pnr = result.pointOfNoReturn;
  const pnrText = pnr.passed
    ? `Passed at ${formatTimestamp(pnr.at)}. From then on there is no automatic switch-back: rolling back needs reverse replication and a human decision.`
    : pnr.at
      ? `Not passed. The rollback window would have closed at ${formatTimestamp(pnr.at)}.`
      : 'Not reached: the cutover did not happen.';

  const legend = (['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'SKIPPED', 'RUNNING'] as const)
    .filter((s) => result.phases.some((p) => p.status === s))
    .map((s) => `<span><i style="background:${PHASE_COLOURS[s]}"></i>${s.replace('_', ' ').toLowerCase()}</span>`)
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rehearsal report: ${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<div class="eyebrow">MSK migration rehearsal · scenario ${escapeHtml(result.scenario)}</div>
<h1>${escapeHtml(title)}</h1>
</header>
<div class="verdict ${outcome.tone}" id="verdict">
<span class="badge">${escapeHtml(outcome.label)}</span>
<div><p>${escapeHtml(verdictLine(result))}</p>
<div class="meta">Final state <strong>${escapeHtml(result.finalState)}</strong> · ${escapeHtml(formatTimestamp(result.startedAt))} → ${escapeHtml(formatTimestamp(result.endedAt))} · ${escapeHtml(formatDuration(runDurationMs(result)))}</div>
${result.error ? `<div class="error"><strong>${escapeHtml(result.error.name)}</strong>: ${escapeHtml(result.error.message)}</div>` : ''}
</div>
</div>
<div class="figures">${figures}</div>
<section class="card"><h2>Replication lag</h2>${lagChartSvg(result.replication.lagSamples, { cutoverAt: result.cutover.at })}</section>
<section class="card"><h2>Phase timeline</h2>${phaseTimelineSvg(result.phases, result)}<div class="legend">${legend}</div></section>
<section class="card"><h2>Checklist</h2>${checklist}</section>
<div class="two">
<section class="card"><h2>Records per topic</h2><table><thead><tr><th>Topic</th><th class="num">Produced</th><th class="num">Consumed</th><th class="num">Lost</th><th class="num">Dup.</th><th class="num">Order</th></tr></thead><tbody>${topics}</tbody></table></section>
<section class="card"><h2>Point of no return</h2><div class="pnr">${pill(pnr.passed ? 'warn' : 'idle', pnr.passed ? 'Passed' : 'Not passed')}<span>${escapeHtml(pnrText)}</span></div>${pnr.note ? `<p class="muted">${escapeHtml(pnr.note)}</p>` : ''}<h2 style="margin-top:18px">Cutover</h2><p class="muted" style="margin:0">Pointer moved at ${escapeHtml(formatTimestamp(result.cutover.at))}.</p></section>
</div>
<section class="card"><h2>Phases</h2><table><thead><tr><th>Phase</th><th>Status</th><th class="num">Duration</th><th>States</th></tr></thead><tbody>${phases}</tbody></table></section>
${gateChecks ? `<section class="card"><h2>Gate checks</h2><table><thead><tr><th>At</th><th>Gate</th><th>Result</th><th>Summary</th></tr></thead><tbody>${gateChecks}</tbody></table></section>` : ''}
<footer>Generated by msk-migration-orchestrator · the same figures are in report.json and report.md</footer>
</main>
</body>
</html>
`;
}
