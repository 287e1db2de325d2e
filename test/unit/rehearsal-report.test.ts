import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lagChartSvg, niceTicks, phaseTimelineSvg } from '../../rehearsal/report/charts';
import { renderHtmlReport } from '../../rehearsal/report/html';
import { markdownCell, renderMarkdownReport } from '../../rehearsal/report/markdown';
import { RehearsalResultSchema, type RehearsalResult } from '../../rehearsal/report/result';
import { sampleRehearsalResult } from '../../rehearsal/report/sample-result';
import { formatDuration, verdictLine } from '../../rehearsal/report/verdict';
import { writeRehearsalReport } from '../../rehearsal/report/write-report';

const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=1>';

function rolledBack(): RehearsalResult {
  const r = sampleRehearsalResult();
  return {
    ...r,
    outcome: 'ROLLED_BACK',
    finalState: 'RollbackReplication',
    scenario: 'failure-in-rollback-window',
    error: { name: 'Migration.TargetUnhealthy', message: 'target unreachable for 3 checks' },
    pointOfNoReturn: { passed: false, at: r.pointOfNoReturn.at },
  };
}

const count = (text: string, pattern: RegExp): number => (text.match(pattern) ?? []).length;

describe('the verdict line', () => {
  it('says a migration succeeded, with its records and write pause', () => {
    expect(verdictLine(sampleRehearsalResult())).toBe(
      'SUCCEEDED: the migration completed at Report in 3 min 06 s; 36,412 records produced, 0 lost, 0 consumed twice, 0 out of order; producers paused 1.18 s at cutover.',
    );
  });

  it('names the error that sent a rolled-back migration back to the source', () => {
    expect(verdictLine(rolledBack())).toBe(
      'ROLLED BACK: Migration.TargetUnhealthy sent the migration back to the source, ending at RollbackReplication; 36,412 records produced, 0 lost, 0 consumed twice, 0 out of order.',
    );
  });

  it('shouts lost records on a failed run', () => {
    const r = {
      ...sampleRehearsalResult(),
      outcome: 'FAILED' as const,
      finalState: 'RollbackCutover',
      records: { ...sampleRehearsalResult().records, lost: 3 },
    };
    expect(verdictLine(r)).toMatch(/^FAILED at RollbackCutover: .*3 lost.* RECORDS LOST: 3\.$/);
  });
});

describe('the lag chart', () => {
  it('says there is nothing to draw when no lag was sampled', () => {
    const svg = lagChartSvg([]);
    expect(svg).toContain('No lag samples were recorded');
    expect(svg).not.toContain('lag-line');
  });

  it('draws one sample as a labelled point, not a line', () => {
    const svg = lagChartSvg([{ at: '2026-11-02T10:00:00.000Z', lag: 1234 }]);
    expect(count(svg, /class="lag-point"/g)).toBe(1);
    expect(svg).not.toContain('lag-line');
    expect(svg).toContain('>1,234<');
  });

  it('draws many samples as one line through every point in time order, with a cutover marker inside the range', () => {
    // Prepare: out of order on purpose.
    const samples = [
      { at: '2026-11-02T10:00:10.000Z', lag: 50 },
      { at: '2026-11-02T10:00:00.000Z', lag: 400 },
      { at: '2026-11-02T10:00:20.000Z', lag: 0 },
    ];

    // Act
    const svg = lagChartSvg(samples, { cutoverAt: '2026-11-02T10:00:15.000Z', width: 760, height: 260 });

    // Assess
    const d = /class="lag-line" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const xs = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(3);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(xs[0]).toBe(64);
    expect(xs[2]).toBe(740);
    expect(count(svg, /class="cutover-marker"/g)).toBe(1);
    expect(lagChartSvg(samples, { cutoverAt: '2026-11-02T11:00:00.000Z' })).not.toContain('cutover-marker');
  });

  it('rounds the lag axis up to a round figure', () => {
    expect(niceTicks(4221)).toEqual([0, 2000, 4000, 6000]);
    expect(niceTicks(0)).toEqual([0, 0.5, 1]);
    expect(niceTicks(90)).toEqual([0, 50, 100]);
  });
});

describe('the phase timeline', () => {
  it('draws one bar per phase, coloured by status, with escaped names', () => {
    // Prepare
    const r = sampleRehearsalResult();
    const phases = [...r.phases.slice(0, 2), { ...r.phases[2]!, name: HOSTILE, status: 'FAILED' as const }];

    // Act
    const svg = phaseTimelineSvg(phases, r);

    // Assess
    expect(count(svg, /class="phase-bar"/g)).toBe(3);
    expect(svg).toContain('data-status="FAILED"');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });

  it('draws a running phase up to the end of the run', () => {
    const r = sampleRehearsalResult();
    const { end: _end, ...open } = r.phases[0]!;
    const svg = phaseTimelineSvg([{ ...open, status: 'RUNNING' }], r);
    expect(svg).toContain('data-status="RUNNING"');
    expect(svg).toContain(`>${formatDuration(Date.parse(r.endedAt) - Date.parse(open.start))}<`);
  });
});

describe('the HTML report', () => {
  it('escapes every text taken from the result', () => {
    // Prepare
    const r = rolledBack();
    const hostile: RehearsalResult = {
      ...r,
      scenario: HOSTILE,
      error: { name: 'Migration.TargetUnhealthy', message: HOSTILE },
      checklist: { ...r.checklist, Security: { status: 'FAIL', evidence: HOSTILE } },
      records: {
        ...r.records,
        perTopic: { [HOSTILE]: { produced: 1, consumed: 1, lost: 0, duplicatesConsumed: 0, outOfOrder: 0 } },
      },
    };

    // Act
    const html = renderHtmlReport(hostile);

    // Assess
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(count(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &lt;img src=x onerror=1&gt;/g)).toBe(
      4,
    ); // scenario, error, evidence, topic
  });

  it('puts the verdict before everything else and loads nothing from elsewhere', () => {
    const html = renderHtmlReport(sampleRehearsalResult());
    expect(html.indexOf('id="verdict"')).toBeLessThan(html.indexOf('class="figures"'));
    expect(html.indexOf('class="figures"')).toBeLessThan(html.indexOf('lag-chart'));
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('<script');
  });

  it('shows each checklist gate with a pill of its status', () => {
    const html = renderHtmlReport(sampleRehearsalResult());
    for (const gate of ['Compatibility', 'Data copy', 'Offsets', 'Ordering', 'Security', 'Observability', 'Rollback']) {
      expect(html).toContain(`<td class="gate">${gate}</td>`);
    }
    expect(count(html, /<span class="pill good">Pass<\/span>/g)).toBe(5);
    expect(count(html, /<span class="pill warn">Warn<\/span>/g)).toBe(1);
    expect(count(html, /<span class="pill idle">Not run<\/span>/g)).toBe(1);
  });
});

describe('the Markdown report', () => {
  it('starts with the title and the verdict, then tables of figures, checklist, phases and topics', () => {
    const md = renderMarkdownReport(sampleRehearsalResult());
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Rehearsal report: orders-platform → msk-serverless');
    expect(lines[2]).toBe(`**${verdictLine(sampleRehearsalResult())}**`);
    for (const heading of [
      '## Figures',
      '## Checklist',
      '## Point of no return',
      '## Phases',
      '## Records per topic',
      '## Gate checks',
    ]) {
      expect(lines).toContain(heading);
    }
    expect(md).toContain('| Security | ⚠️ WARN | Rehearsal on PLAINTEXT listeners');
    expect(md).toContain('| customer-profiles (compacted) | 7,282 | 7,282 | 0 | 0 | 0 |');
  });

  it('keeps a table cell in its column whatever the text holds', () => {
    expect(markdownCell('a | b\nc <b>')).toBe('a \\| b c &lt;b&gt;');
  });
});

describe('writing the report', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'report-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the three files, the JSON being the result itself', async () => {
    // Act
    const files = await writeRehearsalReport(sampleRehearsalResult(), path.join(dir, 'nested'));

    // Assess
    expect(RehearsalResultSchema.parse(JSON.parse(readFileSync(files.json, 'utf8')))).toEqual(sampleRehearsalResult());
    expect(readFileSync(files.md, 'utf8')).toContain('# Rehearsal report');
    expect(readFileSync(files.html, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('refuses a result that does not match the schema, naming the field', async () => {
    const bad = { ...sampleRehearsalResult(), records: { ...sampleRehearsalResult().records, lost: -1 } };
    await expect(writeRehearsalReport(bad, dir)).rejects.toThrow(/records\.lost/);
  });
});
