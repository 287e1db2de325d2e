import type { ReportedWave, WaveStatus } from '../plan/waves';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import {
  CHECKLIST_CSS,
  checklistHtml,
  checklistLine,
  checklistMarkdown,
  escapeHtml,
  evidenceConsoleUrl,
  gatesLine,
  type Checklist,
  type GateStatuses,
} from './checklist';
import { deployedChecklist } from './deployed-checklist';
import type { MigrationReportFacts, ReportOutcome } from './report-facts';
export { REPORT_OUTCOMES, type MigrationReportFacts, type ReportOutcome } from './report-facts';

/**
 * The migration report, JSON, Markdown and HTML, under the execution's prefix in the ArtifactStore, for every outcome:
 * the seven checklist gates with their verdict and evidence keys (./deployed-checklist.ts, the rehearsal's model),
 * which phases ran, the outcome and error, what was created and what was undone, the assessment's findings, the gate
 * evidence keys, the approvals and the point of no return. The Report task reads the execution state leniently into
 * these facts (a section it cannot read is listed as unreadable, never a failure); this module only writes.
 */

const HEADLINE: Record<ReportOutcome, string> = {
  SUCCEEDED: 'The migration succeeded: clients use the target, the forward replication is stopped.',
  ROLLED_BACK: 'The migration was rolled back: what this execution created was removed, clients stay on the source.',
  FAILED: 'The migration failed before anything was created.',
  FAILED_BACK: 'The migration was failed back to the source after the point of no return.',
  NEEDS_ATTENTION:
    'The migration needs attention: after the point of no return nothing is switched back automatically.',
  ROLLBACK_FAILED: 'A rollback step failed: a person must finish it (see what was and was not undone).',
};

/**
 * The report's headline: the outcome's, and, when the forward replication was left running for consumers-first
 * readers, which replicator and how to stop it (a success must not say the replication is stopped).
 */
function headlineOf(facts: Pick<MigrationReportFacts, 'outcome' | 'replicationKept'>): string {
  const kept = facts.replicationKept;
  if (!kept) return HEADLINE[facts.outcome];
  const readers = `the consumers-first wave${kept.waves.length === 1 ? '' : 's'} ${kept.waves.join(', ')}`;
  const stop = `stop it with \`msk-migrate finish-replication\` once nothing reads through it.`;
  if (facts.outcome === 'SUCCEEDED')
    return `The migration succeeded: clients use the target; the forward replication (${kept.replicatorName}) is kept running for ${readers}, whose producers stay on the source: ${stop}`;
  return `${HEADLINE[facts.outcome]} The forward replication (${kept.replicatorName}) is kept running for ${readers}, which read through it on the target: return them or move their producers, then ${stop}`;
}

/** What a wave moves: a consumers-first wave its consumers only (its topics' producers move in a later wave). */
function movesOf(wave: ReportedWave): string {
  return wave.consumersFirst ? 'consumers first' : 'producers and consumers';
}

const WAVE_STATUS_TEXT: Record<WaveStatus, string> = {
  ON_TARGET: 'on the target (its point of no return passed)',
  FAILED_BACK: 'failed back to the source (after its point of no return)',
  ROLLED_BACK: 'rolled back to the source (this wave only)',
  ROLLBACK_FAILED: 'rollback failed: see the rollback error',
  NOT_SWITCHED: 'not switched: it ended before its fence',
  NOT_RUN: 'not run: its clients stay on the source',
};

export interface MigrationReportKeys {
  readonly reportKey: string;
  readonly markdownKey: string;
  readonly htmlKey: string;
  /** The seven gates, as the report states them. */
  readonly checklist: Checklist;
}

const cell = (v: unknown): string =>
  String(v ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const table = (header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string[] => [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
];

export async function writeMigrationReport(
  facts: MigrationReportFacts,
  deps: { readonly artifacts: ArtifactStore },
): Promise<MigrationReportKeys> {
  const { migrationId, outcome, target, replication, assessment, inventory, catchUp, validation, approvals } = facts;
  const executionName = facts.execution.name;
  const created = [
    ...(target?.source === 'CREATE' && target.clusterArn
      ? [{ what: 'target cluster', id: target.clusterArn, createdByThisExecution: true }]
      : []),
    ...(replication
      ? [{ what: `${replication.handle.engine} replicator`, id: replication.handle.id, createdByThisExecution: true }]
      : []),
    ...(replication?.canaryTopic
      ? [
          {
            what: 'canary topic (source, and its copy on the target)',
            id: replication.canaryTopic,
            createdByThisExecution: true,
          },
        ]
      : []),
    ...(replication?.alarmNames ?? []).map((name) => ({
      what: 'CloudWatch alarm',
      id: name,
      createdByThisExecution: true,
    })),
  ];
  const undone = [
    ...(facts.rollbackCutover !== undefined ? [{ step: 'RollbackCutover', detail: facts.rollbackCutover }] : []),
    ...(facts.rollbackReplication
      ? [
          {
            step: 'RollbackReplication',
            outcome: facts.rollbackReplication.outcome,
            notes: facts.rollbackReplication.notes,
          },
        ]
      : []),
    ...(facts.rollbackTarget
      ? [{ step: 'RollbackTarget', outcome: facts.rollbackTarget.outcome, notes: facts.rollbackTarget.notes }]
      : []),
    ...(facts.finalize ? [{ step: 'Finalize', outcome: facts.finalize.outcome, notes: facts.finalize.notes }] : []),
  ];
  const evidencePrefix = artifactKey(migrationId, executionName, '');
  const evidenceKeys = {
    ...(inventory ? { inventory: inventory.inventoryKey } : {}),
    ...(assessment ? { assessment: assessment.reportKey, assessmentMarkdown: assessment.markdownKey } : {}),
    ...(replication ? { replicatedTopics: replication.topicsKey } : {}),
    ...(catchUp?.lastEvidenceKey ? { lastCatchUpEvaluation: catchUp.lastEvidenceKey } : {}),
    ...(validation ? { validation: validation.evidenceKey } : {}),
  };
  const reportKey = artifactKey(migrationId, executionName, 'report/report.json');
  const markdownKey = artifactKey(migrationId, executionName, 'report/report.md');
  const htmlKey = artifactKey(migrationId, executionName, 'report/report.html');
  const allEvidence = (await deps.artifacts.list(evidencePrefix)).filter(
    (k) => k !== reportKey && k !== markdownKey && k !== htmlKey,
  );
  const unreadable = facts.unreadable.map((u) => u.section);
  const checklist = deployedChecklist(facts, allEvidence);

  const report = {
    kind: 'migration-report',
    schemaVersion: 1,
    outcome,
    headline: headlineOf(facts),
    migrationId,
    execution: { id: facts.execution.id, name: executionName, startedAt: facts.execution.startedAt },
    reportedAt: facts.reportedAt,
    phasesReached: facts.phasesReached,
    checklist,
    ...(facts.error ? { error: facts.error } : {}),
    ...(facts.rollbackError ? { rollbackError: facts.rollbackError } : {}),
    ...(facts.pointOfNoReturn !== undefined ? { pointOfNoReturn: facts.pointOfNoReturn } : {}),
    target: target ?? null,
    created,
    undone,
    assessment: assessment
      ? {
          profile: assessment.profile,
          counts: assessment.counts,
          findings: assessment.findings,
          acknowledged: assessment.acknowledged,
        }
      : null,
    inventory: inventory ? { counts: inventory.counts, complete: inventory.complete, gaps: inventory.gaps } : null,
    catchUp: catchUp ?? null,
    validation: validation ? { checked: validation.checked, notes: validation.notes } : null,
    approvals,
    evidenceKeys,
    evidence: allEvidence,
    ...(facts.locksReleased ? { locksReleased: facts.locksReleased } : {}),
    ...(facts.waves ? { waves: facts.waves } : {}),
    ...(unreadable.length > 0 ? { unreadable } : {}),
  };

  const md: string[] = [`# Migration report: ${migrationId}`, '', `**Outcome: ${outcome}.** ${headlineOf(facts)}`, ''];
  md.push(
    ...table(
      ['', ''],
      [
        ['Execution', facts.execution.id ?? executionName],
        ['Started', facts.execution.startedAt],
        ['Reported', facts.reportedAt],
        ['Point of no return', facts.pointOfNoReturn ?? 'not passed'],
      ],
    ),
  );
  md.push('', '## Checklist', '', checklistLine(checklist), '', checklistMarkdown(checklist, { keys: true }));
  md.push(
    '',
    '## Phases reached',
    '',
    facts.phasesReached.length > 0
      ? facts.phasesReached.map((p) => `\`${p}\``).join(' → ')
      : 'None after ValidateInput.',
  );
  if (facts.waves)
    md.push(
      '',
      '## Waves',
      '',
      ...table(
        ['Wave', 'Team', 'Moves', 'Topics', 'Where it ended'],
        facts.waves.map((w) => [w.name, w.team ?? '', movesOf(w), w.topics.join(', '), WAVE_STATUS_TEXT[w.status]]),
      ),
    );
  if (facts.error) md.push('', '## Error', '', `\`${facts.error.error}\`: ${facts.error.cause}`);
  if (facts.rollbackError)
    md.push('', '## Rollback error', '', `\`${facts.rollbackError.error}\`: ${facts.rollbackError.cause}`);
  md.push('', '## Created by this execution', '');
  md.push(
    ...(created.length > 0
      ? table(
          ['What', 'Id'],
          created.map((c) => [c.what, c.id]),
        )
      : ['Nothing.']),
  );
  if (target && target.source !== 'CREATE')
    md.push(
      '',
      `Target named by the plan (${target.clusterArn ?? (target.bootstrapServers ?? []).join(', ')}): never created nor deleted by this execution.`,
    );
  md.push('', '## Undone', '');
  md.push(
    ...(undone.length > 0
      ? undone.flatMap((u) => [
          `- **${u.step}**${'outcome' in u ? ` (${u.outcome})` : ''}: ${'notes' in u && u.notes ? u.notes.join(' ') : JSON.stringify('detail' in u ? u.detail : null)}`,
        ])
      : ['Nothing was undone.']),
  );
  if (assessment) {
    md.push(
      '',
      '## Assessment',
      '',
      `Against ${assessment.profile}: ${assessment.counts.BLOCKER} blockers, ${assessment.counts.WARNING} warnings, ${assessment.counts.INFO} information. Full report: \`${assessment.markdownKey}\`.`,
      '',
    );
    if (assessment.findings.length > 0)
      md.push(
        ...table(
          ['Finding', 'Severity', 'Subject'],
          assessment.findings.map((f) => [`\`${f.id}\``, f.severity, f.subject]),
        ),
      );
  }
  if (catchUp)
    md.push(
      '',
      '## Catch-up gate',
      '',
      `${catchUp.passed ? 'Passed' : 'Not passed'} after ${catchUp.evaluations} evaluations (${catchUp.consecutiveHealthy} healthy in a row), first at ${catchUp.startedAt}, last at ${catchUp.lastEvaluatedAt}.${catchUp.lastReasons.length > 0 ? ` Last reasons: ${catchUp.lastReasons.join('; ')}.` : ''}`,
    );
  if (validation)
    md.push(
      '',
      '## Validation',
      '',
      `Passed: ${Object.entries(validation.checked)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.`,
      ...validation.notes.map((n) => `- ${n}`),
    );
  md.push('', '## Approvals', '');
  md.push(
    ...(approvals.length > 0
      ? table(
          ['Kind', 'Decision', 'By', 'Channel', 'At', 'Comment'],
          approvals.map((a) => [
            a.kind,
            a.approved === undefined ? '—' : a.approved ? 'approved' : 'rejected',
            a.approverName ?? a.approver,
            a.channel,
            a.decidedAt,
            a.comment,
          ]),
        )
      : ['None requested.']),
  );
  md.push(
    '',
    '## Evidence',
    '',
    ...table(['Gate', 'Key'], Object.entries(evidenceKeys)),
    '',
    `All ${allEvidence.length} artifacts of this execution are under \`${evidencePrefix}\`.`,
  );
  if (unreadable.length > 0)
    md.push('', `Unreadable state sections (reported raw in the JSON): ${unreadable.join(', ')}.`);

  await deps.artifacts.putJson(
    reportKey,
    unreadable.length > 0
      ? { ...report, raw: Object.fromEntries(facts.unreadable.map((u) => [u.section, u.raw])) }
      : report,
  );
  await deps.artifacts.putText(markdownKey, `${md.join('\n')}\n`, 'text/markdown; charset=utf-8');
  await deps.artifacts.putText(
    htmlKey,
    renderHtml(facts, checklist, { reportKey, markdownKey, evidencePrefix, evidenceKeys, count: allEvidence.length }),
    'text/html; charset=utf-8',
  );
  return { reportKey, markdownKey, htmlKey, checklist };
}

const OUTCOME_TONE: Record<ReportOutcome, string> = {
  SUCCEEDED: 'good',
  ROLLED_BACK: 'warn',
  FAILED_BACK: 'warn',
  FAILED: 'bad',
  NEEDS_ATTENTION: 'bad',
  ROLLBACK_FAILED: 'bad',
};

const PAGE_CSS =
  'body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.5 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
  'main{max-width:1040px;margin:0 auto;padding:32px 24px 56px}h1{font-size:24px;margin:4px 0 0}h2{font-size:16px;margin:0 0 12px}' +
  '.verdict{border-radius:14px;padding:16px 20px;margin:18px 0;border:1px solid}.verdict.good{background:#dcfce7;border-color:#86efac}' +
  '.verdict.warn{background:#fef3c7;border-color:#fcd34d}.verdict.bad{background:#fee2e2;border-color:#fca5a5}' +
  'section{background:#fff;border:1px solid #e2e8f0;border-radius:14px;padding:18px 20px;margin-bottom:18px}' +
  'table{width:100%;border-collapse:collapse}th{text-align:left;color:#64748b;font-size:12px;border-bottom:1px solid #e2e8f0;padding:8px 10px}' +
  'td{border-bottom:1px solid #e2e8f0;padding:10px;vertical-align:top}.muted{color:#64748b}' +
  CHECKLIST_CSS;

/** `report.html`: one self-contained page (inline CSS, no script, no external asset); every text escaped. */
function renderHtml(
  facts: MigrationReportFacts,
  checklist: Checklist,
  where: {
    reportKey: string;
    markdownKey: string;
    evidencePrefix: string;
    evidenceKeys: Record<string, string>;
    count: number;
  },
): string {
  const e = escapeHtml;
  const rows = (pairs: ReadonlyArray<readonly [string, string | undefined]>): string =>
    pairs.map(([k, v]) => `<tr><td class="muted">${e(k)}</td><td>${e(v ?? '—')}</td></tr>`).join('');
  const error = facts.error ? `<p><strong>${e(facts.error.error)}</strong>: ${e(facts.error.cause)}</p>` : '';
  const findings = facts.assessment?.findings.length
    ? `<section><h2>Assessment against ${e(facts.assessment.profile)}</h2><table><thead><tr><th>Finding</th><th>Severity</th><th>Subject</th></tr></thead><tbody>${facts.assessment.findings
        .map((f) => `<tr><td><code>${e(f.id)}</code></td><td>${e(f.severity)}</td><td>${e(f.subject)}</td></tr>`)
        .join('')}</tbody></table></section>`
    : '';
  const waves = facts.waves
    ? `<section id="waves"><h2>Waves</h2><table><thead><tr><th>Wave</th><th>Team</th><th>Moves</th><th>Topics</th><th>Where it ended</th></tr></thead><tbody>${facts.waves
        .map(
          (w) =>
            `<tr><td><code>${e(w.name)}</code></td><td>${e(w.team ?? '')}</td><td>${e(movesOf(w))}</td><td>${e(w.topics.join(', '))}</td><td>${e(WAVE_STATUS_TEXT[w.status])}</td></tr>`,
        )
        .join('')}</tbody></table></section>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Migration report: ${e(facts.migrationId)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<div class="muted">MSK migration · execution ${e(facts.execution.id ?? facts.execution.name)}</div>
<h1>${e(facts.migrationId)}</h1>
<div class="verdict ${OUTCOME_TONE[facts.outcome]}" id="verdict"><p><strong>${e(facts.outcome)}</strong>: ${e(headlineOf(facts))}</p><p>${e(checklistLine(checklist))}</p>${error}</div>
<section id="checklist"><h2>Checklist</h2>${checklistHtml(checklist, { keys: true })}</section>
<section><h2>Execution</h2><table><tbody>${rows([
    ['Started', facts.execution.startedAt],
    ['Reported', facts.reportedAt],
    ['Point of no return', facts.pointOfNoReturn ?? 'not passed'],
    ['Phases reached', facts.phasesReached.join(' → ') || 'none after ValidateInput'],
  ])}</tbody></table></section>
${waves}${findings}
<section><h2>Evidence</h2><table><tbody>${rows(Object.entries(where.evidenceKeys))}</tbody></table><p class="muted">All ${where.count} artifacts of this execution are under <code>${e(where.evidencePrefix)}</code>; the same facts are in <code>${e(where.reportKey)}</code> and <code>${e(where.markdownKey)}</code>.</p></section>
</main>
</body>
</html>
`;
}

/**
 * The final notification (the Report task's PhaseChanged event): the outcome, the seven gates in one line and the link
 * to the HTML report in the evidence bucket; the notification rule mails the summary, Slack shows it with the figures.
 */
export function finalNotification(
  report: {
    readonly outcome: ReportOutcome;
    readonly htmlKey: string;
    readonly gates: GateStatuses;
    /** The replicator Finalize kept for consumers-first readers whose producers stay on the source. */
    readonly replicationKept?: string;
  },
  where: { readonly bucket: string; readonly region: string },
): { summary: string; figures: Record<string, string> } {
  const link = evidenceConsoleUrl(where.bucket, where.region, report.htmlKey);
  const kept = report.replicationKept
    ? ` Replicator ${report.replicationKept} is kept running for consumers-first readers whose producers stay on the source: stop it with \`msk-migrate finish-replication\` once nothing reads through it.`
    : '';
  return {
    summary: `Migration ${report.outcome}.${kept} Gates: ${gatesLine(report.gates)}. Report: ${link}`,
    figures: {
      outcome: report.outcome,
      report: `s3://${where.bucket}/${report.htmlKey}`,
      ...(report.replicationKept ? { replicationKept: report.replicationKept } : {}),
    },
  };
}
