import { checklistMarkdown, markdownCell } from '../../lambdas/core/report/checklist';
import { type RehearsalResult } from './result';
import { formatCount, formatDuration, formatTimestamp, runDurationMs, verdictLine } from './verdict';

/** `report.md`: the verdict first, then the figures, the checklist, the phases and the records per topic. */

export { markdownCell };

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdownReport(result: RehearsalResult): string {
  const title = result.migrationId ?? result.scenario;
  const out: string[] = [];
  out.push(`# Rehearsal report: ${markdownCell(title)}`, '');
  out.push(`**${markdownCell(verdictLine(result))}**`, '');
  out.push(
    table(
      ['Outcome', 'Final state', 'Scenario', 'Started', 'Ended', 'Duration'],
      [
        [
          result.outcome,
          result.finalState,
          result.scenario,
          formatTimestamp(result.startedAt),
          formatTimestamp(result.endedAt),
          formatDuration(runDurationMs(result)),
        ],
      ],
    ),
    '',
  );
  if (result.error) out.push(`> **${markdownCell(result.error.name)}**: ${markdownCell(result.error.message)}`, '');

  out.push('## Figures', '');
  out.push(
    table(
      ['Figure', 'Value'],
      [
        ['Records produced (acknowledged)', formatCount(result.records.produced)],
        ['Records lost', formatCount(result.records.lost)],
        ['Duplicates consumed', formatCount(result.records.duplicatesConsumed)],
        ['Out of order', formatCount(result.records.outOfOrder)],
        ['Producer write pause at cutover', formatDuration(result.cutover.writePauseMs)],
        ['Pointer propagation', formatDuration(result.cutover.pointerPropagationMs)],
        ['Cutover at', formatTimestamp(result.cutover.at)],
        ['Replication latency p50', formatDuration(result.replication.latencyP50Ms)],
        ['Replication latency p99', formatDuration(result.replication.latencyP99Ms)],
        ['Peak replication lag (records)', peakLag(result)],
      ],
    ),
    '',
  );

  out.push('## Checklist', '');
  out.push(checklistMarkdown(result.checklist), '');

  out.push('## Point of no return', '');
  out.push(
    markdownCell(
      result.pointOfNoReturn.passed
        ? `Passed at ${formatTimestamp(result.pointOfNoReturn.at)}: from then on there is no automatic switch-back; rolling back needs reverse replication and a human decision.`
        : result.pointOfNoReturn.at
          ? `Not passed (the rollback window would have closed at ${formatTimestamp(result.pointOfNoReturn.at)}).`
          : 'Not reached: the cutover did not happen.',
    ) + (result.pointOfNoReturn.note ? ` ${markdownCell(result.pointOfNoReturn.note)}` : ''),
    '',
  );

  out.push('## Phases', '');
  out.push(
    table(
      ['Phase', 'Status', 'Start', 'End', 'Duration', 'States'],
      result.phases.map((p) => [
        p.name,
        p.status,
        formatTimestamp(p.start),
        p.end ? formatTimestamp(p.end) : 'running',
        p.end ? formatDuration(Date.parse(p.end) - Date.parse(p.start)) : '—',
        p.states.join(', '),
      ]),
    ),
    '',
  );

  out.push('## Records per topic', '');
  out.push(
    table(
      ['Topic', 'Produced', 'Consumed', 'Lost', 'Duplicates', 'Out of order'],
      Object.entries(result.records.perTopic).map(([topic, t]) => [
        t.compacted ? `${topic} (compacted)` : topic,
        formatCount(t.produced),
        formatCount(t.consumed),
        formatCount(t.lost),
        formatCount(t.duplicatesConsumed),
        formatCount(t.outOfOrder),
      ]),
    ),
    '',
  );

  if (result.gateChecks.length > 0) {
    out.push('## Gate checks', '');
    out.push(
      table(
        ['At', 'Gate', 'Result', 'Summary'],
        result.gateChecks.map((c) => [formatTimestamp(c.at), c.gate, c.passed ? 'passed' : 'failed', c.summary]),
      ),
      '',
    );
  }
  return out.join('\n');
}

/** The highest replication lag sampled, in records; an em dash without samples. */
export function peakLag(result: RehearsalResult): string {
  const samples = result.replication.lagSamples;
  if (samples.length === 0) return '—';
  return formatCount(Math.max(...samples.map((s) => s.lag)));
}
